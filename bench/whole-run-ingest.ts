// npx tsx bench/whole-run-ingest.ts [--duration 5] [--concurrency 256] [--max-tokens 256] [--workers 0,2,auto]
//
// Issue 7 ingest budget, whole run: a closed-loop runPoint (driver, recorder, metrics — what
// `bench run` does) at concurrency 256 with 256 tokens per request, against the embedded engine in
// 'nodelay' mode in ANOTHER process, must ingest ≥ 80 % of what the engine emits.
//
// Two ratios, each against a number measured in the same run:
//  - client ÷ engine over the whole point: tokens the client ingested per second ÷ tokens the
//    engine emitted per second (its /metrics vllm:generation_tokens_total delta over the same
//    span). TCP backpressure ties the two together, so this is ≈ 1 unless tokens are lost.
//  - client ÷ raw drain (the meaningful one): the ingest rate of runPoint ÷ the rate at which the
//    engine streams to a consumer that only counts `data:` lines (no parse, no records) with the
//    same concurrency and length — i.e. what the engine could emit if the client cost nothing.
// workers 0 = the plain in-thread client; N ≥ 1 = the worker pool with N threads; auto = what
// `bench run` picks by default on this host for this point (defaultWorkerCount).
import { defaultWorkerCount } from '../src/harness/client/worker-pool.js';
import { flag, loadNote, measureRawDrain, measureRunPoint, spawnEngine } from './engine-serve.js';

const seconds = Number(flag('duration', '5'));
const concurrency = Number(flag('concurrency', '256'));
const maxTokens = Number(flag('max-tokens', '256'));
const workerList = flag('workers', '0,2,auto').split(',');
const BUDGET = 0.8;

const engine = await spawnEngine(['--timing', 'nodelay']);
try {
  console.log(
    `whole-run ingest: runPoint closed loop c=${concurrency}, ${maxTokens} tokens/request, engine 'nodelay' in another process, ${seconds} s windows; ${loadNote()}`,
  );
  const raw = await measureRawDrain(engine.baseUrl, concurrency, maxTokens, seconds);
  console.log(
    `  baseline raw drain (count data: lines only)   ${Math.round(raw.tokPerS).toLocaleString('en-US').padStart(9)} tok/s  client CPU ${raw.cpuPercent.toFixed(0)} %`,
  );
  for (const choice of workerList) {
    const auto = choice === 'auto';
    // `bench run` uses the plain client when the automatic count is 1.
    const autoCount = defaultWorkerCount({ concurrency });
    const workers = auto ? (autoCount > 1 ? autoCount : 0) : Number(choice);
    const before = await engine.counters();
    const r = await measureRunPoint(engine.baseUrl, workers, concurrency, maxTokens, seconds);
    const after = await engine.counters();
    const engineTokPerS = (after.generationTokens - before.generationTokens) / r.totalS;
    const clientWholeTokPerS = r.totalTokens / r.totalS;
    const vsEngine = clientWholeTokPerS / engineTokPerS;
    const vsRaw = r.tokPerS / raw.tokPerS;
    const name =
      (workers === 0 ? 'plain client (main thread)' : `worker pool, ${workers} worker(s)`) +
      (auto ? ' [auto]' : '');
    console.log(
      `  ${name.padEnd(44)} ${Math.round(r.tokPerS).toLocaleString('en-US').padStart(9)} tok/s  client CPU ${r.cpuPercent.toFixed(0)} %  failed ${r.failed}`,
    );
    console.log(
      `    whole point: client ${Math.round(clientWholeTokPerS).toLocaleString('en-US')} tok/s ÷ engine emitted ${Math.round(engineTokPerS).toLocaleString('en-US')} tok/s = ${vsEngine.toFixed(3)}`,
    );
    console.log(
      `    window: client ÷ raw drain = ${vsRaw.toFixed(3)}  budget ≥ ${BUDGET}: ${vsRaw >= BUDGET && vsEngine >= BUDGET ? 'PASS' : 'FAIL'}`,
    );
  }
  console.log(`  (${loadNote()})`);
} finally {
  const summary = await engine.close();
  const last = summary.trim().split('\n').at(-1);
  if (last !== undefined) console.log(`  ${last}`);
}
