// The recorder's per-scrape callback (what feeds the console's Server pane), against the embedded
// engine's real /metrics over loopback.
import { describe, expect, it } from 'vitest';
import { serverLiveFrom } from '../../../src/app/console/server-live.js';
import { startEngine } from '../../../src/engine/index.js';
import { ServerMetricsRecorder, type ServerMetricsReading } from '../../../src/telemetry/server-metrics.js';

describe('ServerMetricsRecorder onReading', () => {
  it('reports each scrape during the point, with the pre reading', async () => {
    const engine = await startEngine({ timing: 'nodelay' });
    const seen: { reading: ServerMetricsReading; pre: ServerMetricsReading | null }[] = [];
    const recorder = new ServerMetricsRecorder(`${engine.baseUrl.replace(/\/v1$/, '')}/metrics`, {
      intervalMs: 50,
      onReading: (reading, pre) => seen.push({ reading, pre }),
    });
    await recorder.start();
    await new Promise((r) => setTimeout(r, 400));
    const result = await recorder.stop();
    await engine.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBe(result.during.scrapes);
    const last = seen.at(-1)!;
    expect(last.pre).not.toBeNull();
    const live = serverLiveFrom(last.pre, seen.at(-2)?.reading ?? last.pre, last.reading, seen.length);
    expect(live).toMatchObject({ flavor: 'vllm', running: 0, waiting: 0, scrapes: seen.length });
  });
});
