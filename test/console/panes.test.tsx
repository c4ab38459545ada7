import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Colour must be on (chalk reads this at import) for the NO_COLOR test to be able to fail.
  process.env.FORCE_COLOR = '1';
});

import { ClientHealth } from '../../src/app/console/ClientHealth.js';
import { Dashboard } from '../../src/app/console/Dashboard.js';
import { formatMs } from '../../src/app/console/format.js';
import { Gate } from '../../src/app/console/Gate.js';
import { GpuPane } from '../../src/app/console/GpuPane.js';
import { Header } from '../../src/app/console/Header.js';
import { Histogram } from '../../src/app/console/Histogram.js';
import { Outcomes } from '../../src/app/console/Outcomes.js';
import { Profiling } from '../../src/app/console/Profiling.js';
import { SweepTable } from '../../src/app/console/SweepTable.js';
import { Throughput } from '../../src/app/console/Throughput.js';
import {
  consoleState,
  DISTORTED_SNAPSHOT,
  ERRORS_SNAPSHOT,
  GATE_CONVERGED,
  GATE_GAVE_UP,
  GATE_WAITING,
  gpuTelemetry,
  harnessSnapshot,
  META,
  NO_GPU_TELEMETRY,
  SIM_META,
  SWEEP_ROWS,
  WARMUP_SNAPSHOT,
  WINDOW_SUMMARY,
} from './fixtures.js';
import { renderFrame } from './render.js';

const WIDTHS = [80, 160] as const;

function fitsWidth(lines: readonly string[], width: number): void {
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
}

describe.each(WIDTHS)('panes at %i columns', (columns) => {
  it('Header: suite, model, engine, host, phase, elapsed vs duration, point k of N', async () => {
    const { lines } = await renderFrame(
      <Header
        meta={META}
        harness={harnessSnapshot({ windowElapsedS: 62 })}
        readOnly={false}
        stopRequested={false}
        finished={false}
        width={columns}
      />,
      { columns },
    );
    expect(lines).toHaveLength(2);
    fitsWidth(lines, columns);
    expect(lines[0]).toMatch(/^inferencebench ▸ chat-medium · meta-llama\/Llama-3\.1-8B/);
    if (columns === 160) expect(lines[0]).toContain('vllm 0.11.0 @ gpu-box:8000');
    expect(lines[0]).not.toContain('SIMULATED');
    expect(lines[1]).toBe('measuring · 1:02 / 2:00 · point c16 (2/4) · in-flight 16');
  });

  it('Header: SIMULATED badge for the embedded engine, WATCH and stopping states', async () => {
    const { lines } = await renderFrame(
      <Header
        meta={SIM_META}
        harness={WARMUP_SNAPSHOT}
        readOnly
        stopRequested
        finished={false}
        width={columns}
      />,
      { columns },
    );
    expect(lines[0]).toMatch(/^inferencebench SIMULATED\s+WATCH\s+▸ chat-short/);
    expect(lines[1]).toMatch(/^warm-up · 0:00 · point .* · detaching…$/);
  });

  it('Histogram: log buckets as bars with p50 / p99 rows marked', async () => {
    const h = harnessSnapshot();
    const { lines } = await renderFrame(
      <Histogram title="TTFT" view={h.ttft} width={columns / 2} rows={8} />,
      {
        columns,
      },
    );
    expect(lines.length).toBeLessThanOrEqual(9);
    fitsWidth(lines, columns / 2);
    expect(lines[0]).toBe(`TTFT  n 1296 · p50 ${formatMs(h.ttft.p50Ms)} · p99 ${formatMs(h.ttft.p99Ms)}`);
    expect(lines.filter((l) => l.endsWith('◂p50'))).toHaveLength(1);
    expect(lines.filter((l) => l.endsWith('◂p99'))).toHaveLength(1);
    const counts = lines.slice(1).map((l) => Number(/(\d+)(?: ◂p\d\d)?$/.exec(l)?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(h.ttft.n);
    // The fullest row has the longest bar.
    const barLen = (l: string) => (l.match(/[█▏▎▍▌▋▊▉]/g) ?? []).length;
    const fullest = lines.slice(1).reduce((a, l, i) => (counts[i]! > counts[a]! ? i : a), 0);
    expect(Math.max(...lines.slice(1).map(barLen))).toBe(barLen(lines[fullest + 1]!));
  });

  it('Histogram: empty view waits', async () => {
    const { lines } = await renderFrame(
      <Histogram title="TPOT" view={WARMUP_SNAPSHOT.tpot} width={columns / 2} rows={4} />,
      { columns },
    );
    expect(lines[0]).toBe('TPOT  n 0 · p50 — · p99 —');
    expect(lines[1]).toBe('waiting for completed requests…');
  });

  it('Throughput + Outcomes: sparklines, ok/error counts, errors by code', async () => {
    const { lines } = await renderFrame(
      <>
        <Throughput harness={ERRORS_SNAPSHOT} width={columns} />
        <Outcomes harness={ERRORS_SNAPSHOT} width={columns} />
      </>,
      { columns },
    );
    expect(lines).toHaveLength(5);
    fitsWidth(lines, columns);
    expect(lines[0]).toBe('Throughput  sent 1312 · done 1296 · in-flight 16');
    expect(lines[1]).toMatch(/^tok\/s 4\.18k\s+[▁▂▃▄▅▆▇█]+$/);
    expect(lines[1]!.length).toBe(columns);
    expect(lines[2]).toMatch(/^req\/s 20\.9\s+[▁▂▃▄▅▆▇█]+$/);
    expect(lines[3]).toBe('ok 1270 · failed 26 · ok rate 98.0%');
    expect(lines[4]).toBe('errors: http_500 ×14 · reset ×7 · stall ×3 · http_429 ×2');
  });

  it.each([
    [GATE_WAITING, 'Gate ◌ waiting · CoV 8.1% > 5.0% target · n 12/30'],
    [GATE_CONVERGED, 'Gate ● converged · CoV 3.1% ≤ 5.0% target · n 30/30'],
    [GATE_GAVE_UP, 'Gate ✗ gave up · CoV 9.4% > 5.0% target · n 30/30 · measured anyway (flagged)'],
    [{ ...GATE_WAITING, status: 'disabled' as const }, 'Gate – disabled'],
    [{ ...GATE_WAITING, cov: null, n: 0 }, 'Gate ◌ waiting · CoV — vs 5.0% target · n 0/30'],
  ])('Gate: %o', async (gate, expected) => {
    const { lines } = await renderFrame(<Gate gate={gate} width={columns} />, { columns });
    expect(lines).toEqual([expected]);
  });

  it('GPU: per-GPU power and utilisation sparklines, energy, J/token', async () => {
    const t = gpuTelemetry(2);
    const { lines } = await renderFrame(<GpuPane telemetry={t} tokPerS={4180.5} width={columns} />, {
      columns,
    });
    expect(lines).toHaveLength(4);
    fitsWidth(lines, columns);
    expect(lines[0]).toMatch(/^GPU {2}nvml · 2 GPUs · \d+W total/);
    expect(lines[1]).toMatch(/^0 H100 80GB.*\s\d+W [▁▂▃▄▅▆▇█]+\s+\d+% [▁▂▃▄▅▆▇█]+$/);
    expect(lines[2]).toMatch(/^1 H100/);
    expect(lines[3]).toMatch(/^energy so far 75\.9kJ · J\/token \d+mJ\/tok \(now\) · 1240 samples @ 100ms$/);
  });

  it('GPU: no telemetry shows the reason', async () => {
    const { lines } = await renderFrame(
      <GpuPane telemetry={NO_GPU_TELEMETRY} tokPerS={10} width={columns} />,
      {
        columns,
      },
    );
    expect(lines[1]!.startsWith('no GPU telemetry: libnvidia-ml.so.1 not found')).toBe(true);
    const none = await renderFrame(<GpuPane telemetry={null} tokPerS={null} width={columns} />, { columns });
    expect(none.lines[1]).toBe('no GPU telemetry: telemetry not started');
  });

  it('Profiling: window summary, and not-available reasons', async () => {
    const { lines } = await renderFrame(
      <Profiling telemetry={gpuTelemetry(1)} summary={WINDOW_SUMMARY} width={columns} />,
      { columns },
    );
    expect(lines).toHaveLength(4);
    fitsWidth(lines, columns);
    expect(lines[0]).toBe('Profiling  measurement window');
    expect(lines[1]).toBe('host time 13.6% (100 − avg GPU util 86.4%) · avg power under load 631W');
    expect(lines[2]).toBe('energy GPU 36.1kJ · CPU+DRAM 6.05kJ (package 5.21kJ + DRAM 840J)');
    expect(lines[3]).toBe('samples GPU 600 @ 100ms · RAPL 2400 @ 25ms');
    const live = await renderFrame(
      <Profiling telemetry={NO_GPU_TELEMETRY} summary={null} width={columns} />,
      {
        columns,
      },
    );
    expect(live.lines[0]).toBe('Profiling  live');
    expect(live.lines[1]).toMatch(/^host time: not available: libnvidia-ml/);
    expect(live.lines[2]).toMatch(
      /^energy GPU not available · CPU\+DRAM not available: no \/sys\/class\/powercap/,
    );
  });

  it('Client health: ok and distorted', async () => {
    const ok = await renderFrame(<ClientHealth client={harnessSnapshot().client} width={columns} />, {
      columns,
    });
    expect(ok.lines).toEqual(['Client loop delay p99 1.40ms · pacer lag p99 0.20ms · client CPU 23% · ok']);
    const bad = await renderFrame(<ClientHealth client={DISTORTED_SNAPSHOT.client} width={columns} />, {
      columns,
    });
    expect(bad.lines[0]).toMatch(/DISTORTED$/);
    expect(bad.lines[1]).toMatch(/^ {2}event-loop delay p99 18\.7ms > 5ms budget; pacer lag/);
  });

  it('Sweep table: own box table, never wider than the pane', async () => {
    const { lines } = await renderFrame(<SweepTable rows={SWEEP_ROWS} width={columns} finished />, {
      columns,
    });
    expect(lines).toHaveLength(SWEEP_ROWS.length + 5);
    fitsWidth(lines, columns);
    expect(lines[0]).toBe('Sweep  4 points · run finished');
    expect(lines[2]).toMatch(/^│ point │ tok\/s │ TTFT p50 │ TPOT p50 │ ok rate │ +J\/token │ envelope/);
    expect(lines[6]).toMatch(/^│ c16 +│ +1\.40k │ +48\.3ms │ +11\.4ms │ +99\.8% │ +310mJ\/tok │ c16-/);
  });
});

describe('whole dashboard', () => {
  const states = {
    measuring: consoleState(),
    'no GPU': consoleState({ telemetry: NO_GPU_TELEMETRY }),
    'gate waiting': consoleState({ harness: harnessSnapshot({ phase: 'gate', gate: GATE_WAITING }) }),
    'gate gave up': consoleState({ harness: harnessSnapshot({ gate: GATE_GAVE_UP }) }),
    distorted: consoleState({ harness: DISTORTED_SNAPSHOT, telemetry: gpuTelemetry(4) }),
    errors: consoleState({ harness: ERRORS_SNAPSHOT, telemetrySummary: WINDOW_SUMMARY }),
    warmup: consoleState({ harness: WARMUP_SNAPSHOT, meta: SIM_META, helpVisible: true }),
    finished: consoleState({ finished: true, sweepRows: SWEEP_ROWS }),
    'before first snapshot': consoleState({ harness: null, telemetry: null }),
  };

  it.each(
    Object.entries(states).flatMap(([name, s]) => [[name, 80, 24, s] as const, [name, 160, 40, s] as const]),
  )('%s fits %i×%i without wrapping', async (_name, columns, rows, state) => {
    const { lines } = await renderFrame(<Dashboard state={state} columns={columns} rows={rows} />, {
      columns,
      rows,
    });
    expect(lines.length).toBeLessThanOrEqual(rows - 1);
    expect(lines[0]).toMatch(/^inferencebench/);
    fitsWidth(lines, columns);
  });

  it('at 80×24 lower-priority panes drop out, named in the footer', async () => {
    const { lines } = await renderFrame(<Dashboard state={states.distorted} columns={80} rows={24} />, {
      columns: 80,
      rows: 24,
    });
    expect(lines.at(-1)).toMatch(/hidden: profiling/);
    expect(lines.some((l) => l.includes('DISTORTED'))).toBe(true);
    expect(lines.some((l) => l.startsWith('3 H100'))).toBe(true);
  });

  it('shows every pane at 160×50', async () => {
    const { text } = await renderFrame(<Dashboard state={states.errors} columns={160} rows={50} />, {
      columns: 160,
      rows: 50,
    });
    for (const needle of [
      'Throughput',
      'TTFT',
      'TPOT',
      'Gate ●',
      'Client ',
      'GPU  nvml',
      'Profiling',
      'errors: http_500',
    ]) {
      expect(text).toContain(needle);
    }
    expect(text).not.toContain('hidden:');
  });

  it('NO_COLOR: no colour escapes; colours otherwise', async () => {
    const state = states.distorted;
    const plain = await renderFrame(<Dashboard state={state} columns={80} rows={24} />, { noColor: true });
    const coloured = await renderFrame(<Dashboard state={state} columns={80} rows={24} />, {
      noColor: false,
    });
    // eslint-disable-next-line no-control-regex -- looking for SGR colour escapes
    const colourEscape = /\u001B\[(3[0-7]|9[0-7]|38;)/;
    expect(colourEscape.test(coloured.raw)).toBe(true);
    expect(colourEscape.test(plain.raw)).toBe(false);
    expect(plain.lines).toEqual(coloured.lines);
  });
});
