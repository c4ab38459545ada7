// npm run bench:pacer [-- --rps 1000 --duration 30 --arrival constant|poisson|gamma --max-tokens 4 --separate]
//
// Open-loop pacer accuracy against the embedded engine ('nodelay', tiny outputs, same process, as
// `bench run` would drive it; --separate runs it in a child process, as a remote server would be): the point runner issues `rps` requests/s for `duration` seconds.
// Prints the achieved rate's error vs the target (budget 1 %) and vs the schedule the arrival
// process actually drew (the pacer's own fidelity: with --arrival poisson the count itself is
// random, ±1/√n, so judge the pacer by the second number), the pacer's dispatch lag (its wake-up
// past t_sched, p99 budget ≤ 1 ms), and t_send − t_sched p50/p99/max, where t_send is when the HTTP
// client wrote the request (so it adds undici's queue and write path), plus the self-audit.
import { cpus, loadavg } from 'node:os';
import { forkEngine } from './fork-engine.js';
import { startEngine } from '../src/engine/index.js';
import {
  createArrivalProcess,
  createStreamClient,
  percentileSorted,
  resolvePointConfig,
  runPointDetailed,
  sortedCopy,
  type ArrivalKind,
  type RequestSpec,
} from '../src/harness/index.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const rps = Number(flag('rps', '1000'));
const durationS = Number(flag('duration', '30'));
const arrival = flag('arrival', 'constant') as ArrivalKind;
const maxTokens = Number(flag('max-tokens', '4'));
const seed = Number(flag('seed', '42'));

const separate = args.includes('--separate');

interface EngineLike {
  baseUrl: string;
  modelId: string;
  close(): Promise<void>;
}

const engine: EngineLike = separate
  ? await forkEngine(maxTokens)
  : await startEngine({ timing: 'nodelay', defaultOutputTokens: maxTokens, seed });
const client = createStreamClient({
  baseUrl: engine.baseUrl,
  endpointType: 'completions',
  model: engine.modelId,
  connections: 256,
});
const spec: RequestSpec = { prompt: 'pace me', maxTokens };
const config = resolvePointConfig({
  mode: 'open',
  rps,
  arrival,
  durationS,
  warmupRequests: 0,
  gate: { enabled: false },
  drainGraceS: 10,
  bootstrapResamples: 0,
  seed,
});
process.stderr.write(`pacer: ${rps} req/s ${arrival} for ${durationS} s against the embedded engine…\n`);
const { result, records } = await runPointDetailed(config, { client, workload: { request: () => spec } });
await client.close();
await engine.close();

const inWindow = records.filter(
  (r) => !r.warmup && r.tSchedMs >= result.window.startMs && r.tSchedMs <= result.window.endMs,
);
const windowS = result.window.durationS;
const achievedRps = inWindow.length / windowS;
const targetErrorPct = ((achievedRps - rps) / rps) * 100;
// The schedule the same seeded process draws for this window (the runner's driver starts it at the
// window start when there is no warm-up or gate).
const schedule = createArrivalProcess({ rps, arrival, seed });
let scheduled = 0;
while (schedule.nextOffsetMs() <= windowS * 1000) scheduled++;
const scheduleErrorPct = ((inWindow.length - scheduled) / scheduled) * 100;
const lags = sortedCopy(inWindow.map((r) => r.tSendMs - r.tSchedMs));
const lagP50 = percentileSorted(lags, 50) ?? NaN;
const lagP99 = percentileSorted(lags, 99) ?? NaN;
const lagMax = lags.length > 0 ? (lags[lags.length - 1] as number) : NaN;
const okRate = result.detail.okRate ?? 0;

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
process.stdout.write(
  `pacer benchmark: target ${rps} req/s, ${arrival}, window ${windowS.toFixed(2)} s, seed ${seed}, engine ${separate ? 'in a child process' : 'in process'}\n`,
);
process.stdout.write(
  `  sent in window            ${inWindow.length} (schedule drew ${scheduled})  ok_rate ${okRate.toFixed(4)}\n`,
);
process.stdout.write(
  `  achieved rate             ${achievedRps.toFixed(1)} req/s  error vs target ${targetErrorPct.toFixed(2)} %  ${verdict(Math.abs(targetErrorPct) <= 1)} (budget 1 %)\n`,
);
process.stdout.write(`  vs drawn schedule         ${scheduleErrorPct.toFixed(3)} %\n`);
const pacerLagP99 = result.client.pacerLagP99Ms;
process.stdout.write(
  `  pacer dispatch lag        wake-up − t_sched  p99 ${fmt(pacerLagP99)} ms  ${verdict(pacerLagP99 !== null && pacerLagP99 <= 1)} (budget p99 ≤ 1 ms)\n`,
);
// t_send is when undici wrote the request to its socket (DESIGN §4), so this adds the HTTP client's
// own queue and write path to the pacer's lag: what the envelope reports as client_queue_delay.
process.stdout.write(
  `  request written           t_send − t_sched  p50 ${lagP50.toFixed(3)} ms  p99 ${lagP99.toFixed(3)} ms  max ${lagMax.toFixed(2)} ms  (pacer + HTTP client write path; = client_queue_delay)\n`,
);
process.stdout.write(
  `  self-audit                event-loop delay p99 ${fmt(result.client.eventLoopDelayP99Ms)} ms, client CPU ${fmt(result.client.cpuPercent, 0)} %  valid=${result.valid}\n`,
);

function fmt(value: number | null, digits = 3): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}
process.stdout.write(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (other processes share these cores)\n`,
);
