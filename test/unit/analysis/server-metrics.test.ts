// The envelope's server_metrics block as people read it, and the ±2 % token-count rule.
import { describe, expect, it } from 'vitest';
import {
  renderServerMetricsTable,
  serverMetricsLines,
  serverMetricsView,
  tokenCountWarning,
} from '../../../src/app/analysis/server-metrics.js';

const envelope = {
  telemetry: {
    server_metrics: {
      flavor: 'vllm',
      post: { prefixCacheHitRateGauge: 0.9, generationThroughputGauge: 10 },
      delta: {
        windowS: 10,
        generationTokens: 5000,
        promptTokens: 1000,
        generationThroughputTokPerS: 500,
        prefixCacheHitRate: 0.25,
        queueTimeMeanS: 0.004,
      },
      during: {
        numRequestsRunningMax: 8,
        numRequestsRunningMean: 7.5,
        numRequestsWaitingMax: 2,
        kvCacheUsagePercMax: 0.5,
        kvCacheUsagePercMean: 0.4,
      },
      errors: [],
    },
  },
};

describe('server metrics view', () => {
  it('prefers the window deltas over the gauges', () => {
    const v = serverMetricsView(envelope)!;
    expect(v).toMatchObject({
      prefixCacheHitRate: 0.25,
      generationTokPerS: 500,
      kvUsageMean: 0.4,
      runningMean: 7.5,
      waitingMax: 2,
      queueTimeMeanMs: 4,
      generationTokens: 5000,
    });
    expect(serverMetricsLines(v)).toContain('  prefix-cache hit rate   25.0%');
    expect(serverMetricsView({ metrics: {} })).toBeNull();
  });

  it('compare block: a row per envelope, dashes where the engine exposed nothing, none when nobody did', () => {
    const text = renderServerMetricsTable([
      { label: '#1', view: serverMetricsView(envelope) },
      { label: '#2', view: null },
    ])!;
    expect(text.split('\n')[3]).toMatch(/^#1\s+25\.0%\s+40\.0%\s+7\.50\s+2\.00\s+500\.0$/);
    expect(text.split('\n')[4]).toMatch(/^#2\s+-\s+-\s+-\s+-\s+-$/);
    expect(renderServerMetricsTable([{ label: '#1', view: null }])).toBeNull();
  });
});

describe('server vs client token count', () => {
  it.each([
    [1020, 1000, null], // +2.0 %: inside
    [980, 1000, null], // −2.0 %: inside
    [1021, 1000, '+2.1%'],
    [900, 1000, '-10.0%'],
  ])('server %d, client %d', (server, client, expected) => {
    const w = tokenCountWarning(server, client);
    if (expected === null) expect(w).toBeNull();
    else expect(w).toContain(`(${expected}, limit ±2%)`);
  });

  it('no warning without both counts', () => {
    expect(tokenCountWarning(null, 1000)).toBeNull();
    expect(tokenCountWarning(1000, 0)).toBeNull();
  });
});
