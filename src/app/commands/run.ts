import type { Command } from 'commander';
import { Option } from 'commander';
import { parseRunFlags, type RawRunFlags } from '../run/options.js';

export function register(program: Command): void {
  program
    .command('run')
    .summary('run a benchmark and write signed envelope(s)')
    .description(
      'Drive load against an OpenAI-compatible endpoint (or the embedded simulated engine when --base-url is\n' +
        'omitted), watch it live, and write one signed, content-hashed envelope per point.\n' +
        '<suite-id> is a plugin id (llm.inference: its first benchmark) or a benchmark id (llm.inference.sharegpt-v3).',
    )
    .argument('[suite-id]', 'plugin or benchmark id', 'llm.inference')
    .option(
      '--model <id>',
      "provider-prefixed model id (default: the endpoint's first model; embedded: Llama-3.1-8B)",
    )
    .option(
      '--engine <name>',
      'inference engine recorded on the envelope (vllm, sglang, trtllm, llama.cpp, …)',
      'vllm',
    )
    .option('--hardware <class>', 'hardware class (SLO scaling; the embedded engine simulates it)', 'h100')
    .option('--quant <format>', 'quantization format: fp16, bf16, fp8, nvfp4, awq-int4', 'fp16')
    .option('--concurrency <n[,n…]>', 'closed-loop concurrency (single point uses the first level)')
    .option('--rps <rate>', 'open-loop arrival rate in req/s (switches to the open-loop driver)')
    .addOption(
      new Option('--arrival <process>', 'open-loop arrival process').choices([
        'poisson',
        'gamma',
        'constant',
      ]),
    )
    .option('--burstiness <shape>', 'gamma shape for --arrival gamma (<1 burstier, >1 smoother)')
    .option('--max-concurrency <n>', 'open loop: cap on requests in flight (waiting shows as queue delay)')
    .option('--sweep <list>', 'closed-loop concurrency points, one envelope each (e.g. 1,4,16,64)')
    .option('--rps-sweep <list>', 'open-loop rate points, one envelope each (e.g. 0.5,1,2,4)')
    .option('--all-benchmarks', 'run every benchmark the plugin ships')
    .option('--list', "print the plugin's benchmark ids and exit")
    .option('--dataset <id>', "dataset id override (default: the benchmark's)")
    .option('--dataset-path <path>', 'dataset file (sharegpt-v3, custom, trace)')
    .option('--tokenizer <path>', 'tokenizer.json for client-side token counts and exact-length prompts')
    .option('--duration <seconds>', 'measurement duration per point', '300')
    .option('--num-requests <n>', 'stop each point after n measured requests instead of --duration')
    .option('--max-tokens <n>', "max output tokens per request (default: the benchmark's)")
    .addOption(new Option('--endpoint-type <type>', 'OpenAI API to stream').choices(['chat', 'completions']))
    .option('--api-key-env <name>', 'environment variable holding the API key', 'OPENAI_API_KEY')
    .option('--seed <n>', 'random seed (requests, arrivals, bootstrap)', '42')
    .option('--base-url <url>', 'engine base URL, e.g. http://localhost:8000/v1 (default: embedded engine)')
    .option('--metrics-url <url>', 'Prometheus /metrics of the engine (default: derived from --base-url)')
    .option('--dcgm-url <url>', 'DCGM exporter /metrics as the GPU source when the GPU is on another host')
    .option('--output <dir>', 'directory for the signed envelope(s)', './results')
    .option('--slo-template <id|path>', 'SLO template id or YAML file', 'llm.standard')
    .addOption(
      new Option('--signing-mode <mode>', 'envelope signing').choices(['dev', 'keyless']).default('dev'),
    )
    .option(
      '--dev-key <path>',
      'ed25519 signing key for --signing-mode dev (create with bench keygen)',
      'cosign.key',
    )
    .option('--strict', 'treat plugin validation warnings as fatal')
    .option('--warmup <n>', 'requests discarded at the start of every point', '3')
    .option('--no-gate', 'skip the convergence gate')
    .option('--gate-cov <fraction>', 'convergence gate: CoV target of per-request output token rate', '0.05')
    .option('--gate-window <n>', 'convergence gate: completed requests in the CoV window', '30')
    .option(
      '--gate-timeout <seconds>',
      'measure anyway (flagged) if the gate has not converged by then',
      '60',
    )
    .option('--ramp <seconds>', 'ramp concurrency or rate up over this long (excluded from the window)')
    .option('--trials <n>', 'repeat each point in fresh processes with seeds seed..seed+n-1', '1')
    .option('--no-tui', 'headless: progress lines on stderr, results on stdout')
    .option('--json', 'print the result (envelope paths + metrics) as JSON on stdout')
    .option('--detach', 'run in the background; follow it with bench watch <output>')
    .option(
      '--workers <n>',
      'load-generation worker threads, each with its own pool and event loop (0 = none; default: automatic)',
    )
    .option('--request-timeout <seconds>', 'overall deadline per request', '600')
    .option('--idle-timeout <seconds>', 'a stream with no bytes for this long is a stall', '30')
    .option('--drain-grace <seconds>', 'how long in-flight requests may finish after a point ends', '30')
    .option('--time-scale <factor>', 'trace workloads: multiply inter-arrival times')
    .option('--prefix-tokens <n>', 'synthetic: shared-prefix length in tokens')
    .option('--num-prefixes <n>', 'synthetic: number of shared prefixes')
    .option(
      '--input-tokens <dist>',
      'synthetic/long-context: input length (fixed:N, uniform:A,B, normal:MEAN,SD[,MIN,MAX], hist:PATH)',
    )
    .option('--output-tokens <dist>', 'synthetic/trace: output length distribution (as --input-tokens)')
    .option('--num-prompts <n>', 'synthetic/long-context: distinct prompts before fresh ones are generated')
    .option('--num-sessions <n>', 'multi-turn: sessions in the pool')
    .option('--turns <dist>', 'multi-turn: turns per session (default uniform:2,5)')
    .option('--think-ms <dist>', 'multi-turn: think time between turns (default uniform:200,1000)')
    .option('--max-turns <n>', 'multi-turn: cap on turns per session')
    .option('--block-tokens <n>', 'trace: tokens per hash_id block')
    .option('--ignore-eos', 'ask the server for exactly the output length (ignore_eos + min_tokens)')
    .option('--max-model-len <n>', "model context length for validation (default: the catalog's)")
    .option('--prices-file <path>', 'custom prices YAML (recorded for plugins that use it)')
    .option('--judge-model <id>', 'LLM-as-judge model id (recorded for plugins that use it)')
    .option('--judge-max-questions <n>', 'cap on judged questions (recorded for plugins that use it)')
    .addOption(
      new Option('--sim-timing <mode>', 'embedded engine timing: sim (GPU model), fixed, nodelay').choices([
        'sim',
        'fixed',
        'nodelay',
      ]),
    )
    .option('--sim-fault-rate <p>', 'embedded engine: probability of an injected fault per request')
    .action(async (suiteId: string, flags: RawRunFlags, command: Command) => {
      // Distinguish "user typed --concurrency" from the default (the mutual-exclusion rules need it).
      const explicit = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
      const raw: RawRunFlags = {
        ...flags,
        concurrency: explicit('concurrency') ? flags.concurrency : undefined,
        rps: explicit('rps') ? flags.rps : undefined,
      };
      const config = parseRunFlags(suiteId, raw);
      const { executeRun } = await import('../run/execute.js');
      process.exitCode = await executeRun(config, { argv: process.argv.slice(2) });
    });
}
