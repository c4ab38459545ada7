// The Python InferenceBench's templates as data: its own envelopes record exactly what these give.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  INFERENCEBENCH_SLO_TEMPLATES,
  inferenceBenchResolvedText,
  inferenceBenchThresholds,
} from '../../../src/harness/metrics/slo-inferencebench.js';

describe('InferenceBench SLO templates (data)', () => {
  it('reproduces slo_template_resolved of every InferenceBench fixture that records one', () => {
    const dir = 'fixtures/inferencebench-envelopes';
    let checked = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const envelope = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')) as {
        slo_template: string;
        metrics: Record<string, unknown>;
      };
      const recorded = envelope.metrics.slo_template_resolved;
      if (typeof recorded !== 'string') continue;
      const limits = inferenceBenchThresholds(
        envelope.slo_template,
        String(envelope.metrics.slo_hardware_class),
      );
      expect(limits).not.toBeNull();
      expect(inferenceBenchResolvedText(limits ?? [])).toBe(recorded);
      checked++;
    }
    expect(checked).toBe(5);
  });

  it('scales by its class multiplier and knows only its own names', () => {
    expect(inferenceBenchResolvedText(inferenceBenchThresholds('llm.standard', 'rtx-4090') ?? [])).toBe(
      'ttft<360ms, tpot<90ms, total<5400ms',
    );
    expect(inferenceBenchResolvedText(inferenceBenchThresholds('llm.relaxed', 'h200') ?? [])).toBe(
      'ttft<600ms, total<6000ms',
    );
    expect(inferenceBenchThresholds('llm.realtime', 'h100')).toBeNull(); // ours only
    expect(inferenceBenchThresholds('llm.standard', 'rtx4090')).toBeNull(); // our key spelling
    expect(Object.keys(INFERENCEBENCH_SLO_TEMPLATES)).toEqual(['llm.standard', 'llm.relaxed']);
  });
});
