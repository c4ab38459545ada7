// npx tsx bench/scale-out.ts [--duration 5] [--concurrency 256] [--max-tokens 256] [--workers 1,2] [--reps 1]
//
// Issue 7 scale-out budget: with the engine ('nodelay', as fast as possible) in ANOTHER process,
// the client ceiling (tokens/s ingested by a whole closed-loop runPoint) with 2 worker threads is
// ≥ 1.6× the ceiling with 1 — on a machine with enough free cores. The engine is one Node process
// (one core), so the measured ratio is bounded by the engine too: the raw-drain line (a consumer
// that only counts `data:` lines) is the most the engine can emit on this host; when 1 worker
// already reaches it, no number of workers can show 1.6× and the line says so.
import { availableParallelism } from 'node:os';
import { flag, loadNote, measureRawDrain, measureRunPoint, spawnEngine } from './engine-serve.js';

const seconds = Number(flag('duration', '5'));
const concurrency = Number(flag('concurrency', '256'));
const maxTokens = Number(flag('max-tokens', '256'));
const workerList = flag('workers', '1,2').split(',').map(Number);
const reps = Number(flag('reps', '1'));
const BUDGET = 1.6;

const engine = await spawnEngine(['--timing', 'nodelay']);
try {
  console.log(
    `scale-out: runPoint closed loop c=${concurrency}, ${maxTokens} tokens/request, engine 'nodelay' in another process, ${seconds} s × ${reps}; ${loadNote()}`,
  );
  const best = new Map<number, number>();
  let rawBest = 0;
  for (let rep = 0; rep < reps; rep++) {
    const raw = (await measureRawDrain(engine.baseUrl, concurrency, maxTokens, seconds)).tokPerS;
    rawBest = Math.max(rawBest, raw);
    console.log(
      `  rep ${rep + 1} raw drain (engine ceiling)      ${Math.round(raw).toLocaleString('en-US').padStart(9)} tok/s`,
    );
    for (const workers of workerList) {
      const r = await measureRunPoint(engine.baseUrl, workers, concurrency, maxTokens, seconds);
      const tok = r.tokPerS;
      const cpu = r.cpuPercent;
      best.set(workers, Math.max(best.get(workers) ?? 0, tok));
      console.log(
        `  rep ${rep + 1} ${`${workers} worker(s)`.padEnd(30)} ${Math.round(tok).toLocaleString('en-US').padStart(9)} tok/s  client CPU ${cpu.toFixed(0)} % (all threads)  ${loadNote()}`,
      );
    }
  }
  const one = best.get(workerList[0] ?? 1) ?? NaN;
  for (const workers of workerList.slice(1)) {
    const ratio = (best.get(workers) ?? NaN) / one;
    const engineBound = one >= 0.8 * rawBest;
    console.log(
      `  ${workers} workers ÷ ${workerList[0]} worker: ${ratio.toFixed(2)}×  budget ≥ ${BUDGET}×: ${ratio >= BUDGET ? 'PASS' : 'FAIL'}` +
        (engineBound
          ? `  (1 worker already at ${((one / rawBest) * 100).toFixed(0)} % of the engine's raw-drain ceiling: engine-bound)`
          : ''),
    );
  }
  console.log(
    `  cores: ${availableParallelism()} (client main thread + workers + the engine process share them)`,
  );
} finally {
  await engine.close();
}
