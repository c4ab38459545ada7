// Envelopes this project wrote on a real H100 (fixtures/h100-runs): they must keep verifying, and
// they carry NVML telemetry (not the simulated engine's gauges).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readEnvelopeFile, verifyEnvelopeFile } from '../../../src/envelope/index.js';

const dir = new URL('../../../fixtures/h100-runs/', import.meta.url).pathname;

describe('H100 run fixtures', () => {
  it('the bench run envelope verifies against its trusted key and carries NVML energy', async () => {
    const path = `${dir}ec4d50cdbdc8.json`;
    const verdict = await verifyEnvelopeFile(path, {
      devPublicKeyPem: readFileSync(`${dir}cosign.pub`, 'utf8'),
    });
    expect(verdict.ok).toBe(true);
    expect(verdict.keyTrusted).toBe(true);
    const { envelope } = await readEnvelopeFile(path);
    const env = envelope as unknown as {
      telemetry: { source: string; gpu: { energy_method: string } };
      metrics: Record<string, number>;
    };
    expect(env.telemetry.source).toBe('nvml');
    expect(env.telemetry.gpu.energy_method).toBe('counter');
    expect(env.metrics.power_avg_w).toBeGreaterThan(600);
  });

  it('the profile envelope verifies (self-consistent) and records its 10 ms sampling', async () => {
    const path = `${dir}profile-2902b59e8f69.json`;
    expect((await verifyEnvelopeFile(path)).ok).toBe(true);
    const { envelope } = await readEnvelopeFile(path);
    const env = envelope as unknown as { telemetry: { gpu: { sample_count: number; interval_ms: number } } };
    expect(env.telemetry.gpu.interval_ms).toBeCloseTo(10, 1);
    expect(env.telemetry.gpu.sample_count).toBeGreaterThanOrEqual(2850);
  });
});
