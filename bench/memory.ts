// node --expose-gc --import tsx bench/memory.ts [--requests 100000] [--concurrency 64] [--max-tokens 4] [--workers 0]
//
// Issue 7 memory budget: a 1,000,000-request run keeps RSS ≤ 500 MB. One closed-loop runPoint
// with a journal (as `bench run` writes one) sends --requests small requests to the embedded
// engine ('nodelay') in another process; RSS and heap are sampled every 250 ms. Printed: the
// baseline RSS before the run (same process: Node + the harness loaded), the peak, the growth per
// 1000 requests, and a linear extrapolation to 1M when fewer were run. The point keeps no record
// in memory: records stream to the journal and the final metrics are computed by re-reading it,
// so the peak of that last phase (only the measured samples) is printed on its own line.
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolvePointConfig, runPointDetailed } from '../src/harness/index.js';
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
  const run = await runPointDetailed(config, {
    client,
    workload: { request: specOf(maxTokens) },
    journalPath,
  });
  clearInterval(timer);
  sample();
  const elapsedS = (performance.now() - t0) / 1000;
  await client.close();
  const total = run.result.records;
  const loadSamples = samples.filter((s) => s.done < total);
  const finalSamples = samples.filter((s) => s.done >= total);
  const peakOf = (xs: typeof samples, key: 'rssMb' | 'heapMb'): number => Math.max(...xs.map((s) => s[key]));
  const peakRss = peakOf(samples, 'rssMb');
  const peakHeap = peakOf(samples, 'heapMb');
  // Growth: least-squares slope of RSS over completed requests in the second half (past warm-up of
  // the allocator and JIT).
  const half = loadSamples.filter((s) => s.done >= total / 2);
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
  const projected = peakRss + (rssPerK * (1_000_000 - total)) / 1000;
  console.log(
    `memory: ${total.toLocaleString('en-US')} requests (c=${concurrency}, ${maxTokens} tokens each, ${workers === 0 ? 'plain client' : `${workers} worker(s)`}, journal on) in ${elapsedS.toFixed(1)} s = ${Math.round(total / elapsedS).toLocaleString('en-US')} req/s; ${loadNote()}`,
  );
  console.log(`  baseline before the run     RSS ${baseRss.toFixed(0)} MB  heap ${baseHeap.toFixed(0)} MB`);
  console.log(`  peak over the whole point   RSS ${peakRss.toFixed(0)} MB  heap ${peakHeap.toFixed(0)} MB`);
  console.log(
    `    while sending             RSS ${peakOf(loadSamples, 'rssMb').toFixed(0)} MB  heap ${peakOf(loadSamples, 'heapMb').toFixed(0)} MB`,
  );
  if (finalSamples.length > 0) {
    console.log(
      `    final metrics (journal)   RSS ${peakOf(finalSamples, 'rssMb').toFixed(0)} MB  heap ${peakOf(finalSamples, 'heapMb').toFixed(0)} MB  (${finalSamples.length} samples at 250 ms)`,
    );
  }
  console.log(
    `  in memory after the point  ${run.records.length} records kept; ttft n = ${run.result.detail.distributions.ttft.n.toLocaleString('en-US')}, itl n = ${run.result.detail.distributions.itl.n.toLocaleString('en-US')} (${run.result.detail.distributions.itl.exact ? 'exact' : 'binned'})`,
  );
  console.log(
    `  growth (second half)        RSS ${(rssPerK * 1000).toFixed(0)} bytes/request  heap ${(heapPerK * 1000).toFixed(0)} bytes/request`,
  );
  const verdict = (mb: number): string => (mb <= BUDGET_MB ? 'PASS' : 'FAIL');
  if (total >= 1_000_000) {
    console.log(
      `  1M-request run: peak RSS ${peakRss.toFixed(0)} MB  budget ≤ ${BUDGET_MB} MB: ${verdict(peakRss)}`,
    );
  } else {
    console.log(
      `  extrapolated to 1,000,000 requests: RSS ≈ ${projected.toFixed(0)} MB (peak + growth × remaining)  budget ≤ ${BUDGET_MB} MB: ${verdict(projected)}${total < 100_000 ? '  (below 100k requests the allocator warm-up dominates the growth: run ≥ 100k)' : ''}`,
    );
  }
  const journalBytes = statSync(journalPath).size;
  console.log(
    `  journal on disk             ${(journalBytes / MB).toFixed(1)} MB (${Math.round(journalBytes / total)} bytes/request)`,
  );
} finally {
  await engine.close();
  rmSync(journalPath, { force: true });
}
