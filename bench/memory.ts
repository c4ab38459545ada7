// node --expose-gc --import tsx bench/memory.ts [--requests 100000] [--concurrency 64] [--max-tokens 4] [--workers 0]
//
// Issue 7 memory budget: a 1,000,000-request run keeps RSS ≤ 500 MB. One closed-loop runPoint
// with a journal (as `bench run` writes one) sends --requests small requests to the embedded
// engine ('nodelay') in another process; RSS and heap are sampled every 250 ms. Printed: the
// baseline RSS before the run (same process: Node + the harness loaded), the peak, the growth per
// 1000 requests, and a linear extrapolation to 1M when fewer were run. Then, with --expose-gc,
// where the memory goes: the heap held by the run's records (dropped and collected), and the
// journal's size on disk.
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolvePointConfig, runPointDetailed, type RequestRecord } from '../src/harness/index.js';
import type { PointRun } from '../src/harness/run/point.js';
import { flag, loadNote, makeClient, spawnEngine, specOf } from './engine-serve.js';

const requests = Number(flag('requests', '100000'));
const concurrency = Number(flag('concurrency', '64'));
const maxTokens = Number(flag('max-tokens', '4'));
const workers = Number(flag('workers', '0'));
const BUDGET_MB = 500;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
};

const engine = await spawnEngine(['--timing', 'nodelay']);
const journalPath = join(tmpdir(), `ib-memory-${process.pid}.jsonl`);
let records: readonly RequestRecord[] | null = null;
const samples: { tS: number; done: number; rssMb: number; heapMb: number }[] = [];
try {
  const client = makeClient(engine.baseUrl, workers, concurrency);
  if ('ready' in client) await (client as { ready: Promise<void> }).ready;
  await settle();
  const baseRss = process.memoryUsage().rss / MB;
  const baseHeap = process.memoryUsage().heapUsed / MB;
  const config = resolvePointConfig({
    mode: 'closed',
    concurrency,
    numRequests: requests,
    warmupRequests: 0,
    gate: { enabled: false },
    bootstrapResamples: 200,
  });
  const t0 = performance.now();
  const sample = (): void => {
    const m = process.memoryUsage();
    samples.push({
      tS: (performance.now() - t0) / 1000,
      done: client.stats.done,
      rssMb: m.rss / MB,
      heapMb: m.heapUsed / MB,
    });
  };
  const timer = setInterval(sample, 250);
  let run: PointRun | null = await runPointDetailed(config, {
    client,
    workload: { request: specOf(maxTokens) },
    journalPath,
  });
  clearInterval(timer);
  sample();
  const elapsedS = (performance.now() - t0) / 1000;
  await client.close();
  records = run.records;
  void run.result;
  const peakRss = Math.max(...samples.map((s) => s.rssMb));
  const peakHeap = Math.max(...samples.map((s) => s.heapMb));
  // Growth: least-squares slope of RSS over completed requests in the second half (past warm-up of
  // the allocator and JIT).
  const half = samples.filter((s) => s.done >= records!.length / 2);
  const slope = (ys: number[], xs: number[]): number => {
    const n = xs.length;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      num += (xs[i]! - mx) * (ys[i]! - my);
      den += (xs[i]! - mx) ** 2;
    }
    return den === 0 ? NaN : num / den;
  };
  const rssPerK = slope(
    half.map((s) => s.rssMb),
    half.map((s) => s.done / 1000),
  );
  const heapPerK = slope(
    half.map((s) => s.heapMb),
    half.map((s) => s.done / 1000),
  );
  const projected = peakRss + (rssPerK * (1_000_000 - records.length)) / 1000;
  console.log(
    `memory: ${records.length.toLocaleString('en-US')} requests (c=${concurrency}, ${maxTokens} tokens each, ${workers === 0 ? 'plain client' : `${workers} worker(s)`}, journal on) in ${elapsedS.toFixed(1)} s = ${Math.round(records.length / elapsedS).toLocaleString('en-US')} req/s; ${loadNote()}`,
  );
  console.log(`  baseline before the run     RSS ${baseRss.toFixed(0)} MB  heap ${baseHeap.toFixed(0)} MB`);
  console.log(`  peak during the run         RSS ${peakRss.toFixed(0)} MB  heap ${peakHeap.toFixed(0)} MB`);
  console.log(
    `  growth (second half)        RSS ${(rssPerK * 1000).toFixed(0)} bytes/request  heap ${(heapPerK * 1000).toFixed(0)} bytes/request`,
  );
  const verdict = (mb: number): string => (mb <= BUDGET_MB ? 'PASS' : 'FAIL');
  if (records.length >= 1_000_000) {
    console.log(
      `  1M-request run: peak RSS ${peakRss.toFixed(0)} MB  budget ≤ ${BUDGET_MB} MB: ${verdict(peakRss)}`,
    );
  } else {
    console.log(
      `  extrapolated to 1,000,000 requests: RSS ≈ ${projected.toFixed(0)} MB (peak + growth × remaining)  budget ≤ ${BUDGET_MB} MB: ${verdict(projected)}`,
    );
  }
  const journalBytes = statSync(journalPath).size;
  console.log(
    `  journal on disk             ${(journalBytes / MB).toFixed(1)} MB (${Math.round(journalBytes / records.length)} bytes/request)`,
  );
  if (gc !== undefined) {
    // The records are held by the run (the recorder keeps them for the final percentiles and
    // runPointDetailed returns them): measure the heap with them, drop them, measure again.
    await settle();
    const withRecords = process.memoryUsage().heapUsed;
    const n = records.length;
    records = null;
    run = null;
    await settle();
    const without = process.memoryUsage().heapUsed;
    console.log(
      `  records in memory           ${((withRecords - without) / MB).toFixed(0)} MB of heap for ${n.toLocaleString('en-US')} records = ${Math.round((withRecords - without) / n)} bytes/record (freed when the point's records are dropped; heap ${(withRecords / MB).toFixed(0)} → ${(without / MB).toFixed(0)} MB)`,
    );
  } else console.log('  (run with node --expose-gc to measure the heap held by the records)');
} finally {
  await engine.close();
  rmSync(journalPath, { force: true });
}
