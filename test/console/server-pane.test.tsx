// The Server pane (engine /metrics): values, the no-metrics line, and its place in the dashboard.
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Dashboard } from '../../src/app/console/Dashboard.js';
import { serverLiveFrom, type ServerLive } from '../../src/app/console/server-live.js';
import { ServerPane } from '../../src/app/console/ServerPane.js';
import { createTheme, ThemeContext } from '../../src/app/console/theme.js';
import type { ServerMetricsReading } from '../../src/telemetry/server-metrics.js';
import { consoleState } from './fixtures.js';
import { renderFrame } from './render.js';

function reading(tMs: number, over: Partial<ServerMetricsReading> = {}): ServerMetricsReading {
  return {
    tMs,
    flavor: 'vllm',
    numRequestsRunning: 12,
    numRequestsWaiting: 3,
    kvCacheUsagePerc: 0.421,
    prefixCacheHits: 0,
    prefixCacheQueries: 0,
    prefixCacheHitRateGauge: null,
    generationTokensTotal: 0,
    promptTokensTotal: 0,
    generationThroughputGauge: null,
    queueTime: null,
    prefillTime: null,
    ...over,
  };
}

describe('serverLiveFrom', () => {
  it('prefix hit rate since the first reading; generation rate over the last interval', () => {
    const first = reading(0, { prefixCacheHits: 100, prefixCacheQueries: 1000, generationTokensTotal: 0 });
    const prev = reading(1000, {
      prefixCacheHits: 150,
      prefixCacheQueries: 1200,
      generationTokensTotal: 5000,
    });
    const latest = reading(1500, {
      prefixCacheHits: 400,
      prefixCacheQueries: 2000,
      generationTokensTotal: 5600,
    });
    // hits (400 − 100) / queries (2000 − 1000) = 0.3; tokens 600 over 0.5 s = 1200 tok/s
    expect(serverLiveFrom(first, prev, latest, 3)).toEqual({
      flavor: 'vllm',
      running: 12,
      waiting: 3,
      kvUsage: 0.421,
      prefixHitRate: 0.3,
      generationTokPerS: 1200,
      scrapes: 3,
    });
  });
});

const LIVE: ServerLive = {
  flavor: 'vllm',
  running: 12,
  waiting: 3,
  kvUsage: 0.421,
  prefixHitRate: 0.3,
  generationTokPerS: 1200,
  scrapes: 7,
};

function themed(node: React.ReactNode) {
  return <ThemeContext.Provider value={createTheme(true)}>{node}</ThemeContext.Provider>;
}

describe('ServerPane', () => {
  it('shows running, waiting, KV usage, prefix hit rate and the generation rate', () => {
    const { lastFrame, unmount } = render(themed(<ServerPane server={LIVE} width={100} />));
    const frame = stripVTControlCharacters(lastFrame() ?? '');
    expect(frame).toContain('Server  vllm /metrics · 7 scrapes');
    expect(frame).toContain('running   12 · waiting    3 · KV 42.1% · prefix hit 30.0% · gen 1200 tok/s');
    unmount();
  });

  it('says so when the engine has no /metrics', () => {
    const { lastFrame, unmount } = render(themed(<ServerPane server={null} width={100} />));
    expect(lastFrame()).toContain('no server metrics');
    unmount();
  });

  it('appears in the dashboard only once a reading exists', async () => {
    const without = await renderFrame(<Dashboard state={consoleState()} columns={100} rows={60} />, {
      columns: 100,
      rows: 60,
    });
    expect(without.text).not.toContain('prefix hit');
    const withServer = await renderFrame(
      <Dashboard state={consoleState({ server: LIVE })} columns={100} rows={60} />,
      {
        columns: 100,
        rows: 60,
      },
    );
    expect(withServer.text).toContain('prefix hit 30.0%');
  });
});
