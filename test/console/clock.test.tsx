// The header clock sets measurement time against --duration (issue 17 case 5): a 5 s point whose
// gate took 31 s reads `measuring · 0:03 / 0:05`, never `measuring · 0:36 / 0:05`.
import { describe, expect, it } from 'vitest';
import { formatPhaseClock } from '../../src/app/console/format.js';
import { Header } from '../../src/app/console/Header.js';
import { harnessSnapshot, META } from './fixtures.js';
import { renderFrame } from './render.js';

const gate = { status: 'waiting' as const, cov: 0.2, n: 3, window: 30, targetCov: 0.05 };

describe('header clock', () => {
  it('measuring: window time against the duration, not point time', async () => {
    const h = harnessSnapshot({ phase: 'measuring', elapsedS: 36, windowElapsedS: 3.4, durationS: 5 });
    expect(formatPhaseClock(h, 'measuring')).toBe('0:03 / 0:05');
    const { lines } = await renderFrame(
      <Header meta={META} harness={h} readOnly={false} stopRequested={false} finished={false} width={120} />,
      { columns: 120 },
    );
    expect(lines[1]).toBe('measuring · 0:03 / 0:05 · point c16 (2/4) · in-flight 16');
  });

  it('draining and done clamp the window time at the duration', () => {
    const h = harnessSnapshot({ phase: 'draining', elapsedS: 40, windowElapsedS: 5.0004, durationS: 5 });
    expect(formatPhaseClock(h, 'draining')).toBe('0:05 / 0:05');
    expect(formatPhaseClock(h, 'done')).toBe('0:05 / 0:05');
  });

  it('the gate shows its own wait and its time bound; warm-up shows time in the point', () => {
    const g = harnessSnapshot({
      phase: 'gate',
      elapsedS: 9,
      windowElapsedS: null,
      durationS: 5,
      gate: { ...gate, waitedS: 4.2, maxWaitS: 5 },
    });
    expect(formatPhaseClock(g, 'gate')).toBe('0:04 (max 0:05)');
    const w = harnessSnapshot({ phase: 'warmup', elapsedS: 2.5, windowElapsedS: null, durationS: 5 });
    expect(formatPhaseClock(w, 'warmup')).toBe('0:02');
  });

  it('a snapshot without window time (an older writer) never sets point time against the duration', () => {
    const h = harnessSnapshot({ phase: 'measuring', elapsedS: 36, durationS: 5 });
    expect(formatPhaseClock(h, 'measuring')).toBe('0:36');
  });
});
