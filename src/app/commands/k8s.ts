// bench k8s render: the manifests of a sharded run (Indexed Job + headless coordinator Service);
// bench k8s coordinator: the coordinator process those manifests run (barrier, clock, merge).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../errors.js';
import { uuidv7 } from '../../envelope/index.js';
import { coordinate } from '../shard/coordinate.js';
import { COORDINATOR_PORT, manifestsYaml, renderManifests, type ResultsMode } from '../shard/k8s.js';
import { DEFAULT_WINDOW_TOLERANCE_MS } from '../shard/merge.js';

interface RenderFlags {
  shards: string;
  image: string;
  namespace: string;
  name: string;
  runId?: string;
  results: ResultsMode;
  signingSecret: string;
  storage: string;
  storageClass?: string;
  cpu: string;
  memory: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  timeout: string;
  output?: string;
}

interface CoordinatorFlags {
  shards: string;
  runId: string;
  host: string;
  port: string;
  output?: string;
  stdout?: boolean;
  barrierTimeout: string;
  timeout: string;
  devKey: string;
  signingMode: 'dev' | 'keyless';
  windowTolerance: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function positive(flag: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'} (got "${raw}")`);
  return n;
}

function runIdFlag(raw: string | undefined): string {
  if (raw === undefined) return uuidv7();
  if (!UUID.test(raw)) throw new UsageError(`--run-id must be a lower-case UUIDv7 (got "${raw}")`);
  return raw;
}

export function register(program: Command): void {
  const k8s = program
    .command('k8s')
    .summary('run sharded load on Kubernetes (Indexed Job + coordinator)')
    .description('Render the manifests of a sharded run, or run its coordinator (docs/scale-out.md).');
  k8s
    .command('render')
    .summary('print the manifests of an N-shard run')
    .description(
      'Print the Kubernetes manifests of one sharded run: a headless Service and a Job for the coordinator, ' +
        'an Indexed Job with completions = parallelism = N whose pods run `bench run --shard $(SHARD_INDEX)/N`, ' +
        'and (--results pvc) a PersistentVolumeClaim for the envelopes. Everything after `--` is passed to ' +
        'every shard’s `bench run` (suite id, --base-url, load, duration).',
    )
    .argument('[run-args...]', 'bench run arguments for every shard (after --)')
    .requiredOption('--shards <n>', 'number of shards (pods)')
    .requiredOption('--image <ref>', 'container image with bench (see the Dockerfile)')
    .option('--namespace <ns>', 'namespace', 'default')
    .option('--name <name>', 'name prefix of every object', 'bench')
    .option('--run-id <uuid>', 'run id (UUIDv7) shared by the shards (default: a new one)')
    .addOption(
      new Option('--results <where>', 'where the envelopes go').choices(['pvc', 'stdout']).default('pvc'),
    )
    .option(
      '--signing-secret <name>',
      'the Secret holding cosign.key (kubectl create secret generic … --from-file=cosign.key)',
      'bench-signing-key',
    )
    .option('--storage <quantity>', 'size of the results PVC (--results pvc)', '1Gi')
    .option('--storage-class <name>', 'storage class of the results PVC (default: the cluster default)')
    .option('--cpu <quantity>', 'CPU request per shard', '2')
    .option('--memory <quantity>', 'memory request and limit per pod', '2Gi')
    .addOption(
      new Option('--image-pull-policy <policy>', 'image pull policy')
        .choices(['Always', 'IfNotPresent', 'Never'])
        .default('IfNotPresent'),
    )
    .option('--timeout <seconds>', 'how long the coordinator waits for all shards at a barrier', '600')
    .option('--output <file>', 'write the manifests to this file instead of stdout')
    .action(async (runArgs: string[], flags: RenderFlags) => {
      const yaml = manifestsYaml(
        renderManifests({
          shards: positive('--shards', flags.shards, true),
          image: flags.image,
          namespace: flags.namespace,
          name: flags.name,
          runId: runIdFlag(flags.runId),
          results: flags.results,
          runArgs,
          signingSecret: flags.signingSecret,
          storage: flags.storage,
          storageClass: flags.storageClass ?? null,
          cpu: flags.cpu,
          memory: flags.memory,
          imagePullPolicy: flags.imagePullPolicy,
          timeoutS: positive('--timeout', flags.timeout, false),
        }),
      );
      if (flags.output !== undefined) await writeFile(flags.output, yaml, { flag: 'wx' });
      else process.stdout.write(yaml);
    });
  k8s
    .command('coordinator')
    .summary('serve the coordinator of a sharded run, then merge its shards')
    .description(
      'Serve the start/end barriers and the clock exchange for N shards, collect their envelopes and ' +
        'merge them (bench merge). Exit 0 merged, 1 the run failed (a shard failed, was killed or timed out).',
    )
    .requiredOption('--shards <n>', 'number of shards')
    .requiredOption('--run-id <uuid>', 'the run id every shard presents')
    .option('--host <address>', 'interface to bind', '0.0.0.0')
    .option('--port <port>', 'TCP port', String(COORDINATOR_PORT))
    .option('--output <dir>', 'directory for the shard envelopes and the merged envelope')
    .option('--stdout', 'print the merged envelope on stdout (no --output needed)')
    .option(
      '--barrier-timeout <seconds>',
      'a barrier fails when a shard has not arrived within this long',
      '600',
    )
    .option('--timeout <seconds>', 'the whole run must end within this long', '86400')
    .addOption(
      new Option('--signing-mode <mode>', 'envelope signing').choices(['dev', 'keyless']).default('dev'),
    )
    .option('--dev-key <path>', 'ed25519 signing key for the merged envelope', 'cosign.key')
    .option(
      '--window-tolerance <ms>',
      'merge: largest disagreement of window edges',
      String(DEFAULT_WINDOW_TOLERANCE_MS),
    )
    .action(async (flags: CoordinatorFlags) => {
      if (flags.output === undefined && !flags.stdout)
        throw new UsageError('give --output <dir> or --stdout');
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be 0..65535 (got "${flags.port}")`);
      const shards = positive('--shards', flags.shards, true);
      if (!UUID.test(flags.runId))
        throw new UsageError(`--run-id must be a lower-case UUIDv7 (got "${flags.runId}")`);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      try {
        process.exitCode = await coordinate({
          shards,
          runId: flags.runId,
          host: flags.host,
          port,
          outputDir: flags.output ?? null,
          stdout: flags.stdout ?? false,
          barrierTimeoutS: positive('--barrier-timeout', flags.barrierTimeout, false),
          timeoutS: positive('--timeout', flags.timeout, false),
          devKeyPath: flags.devKey,
          signingMode: flags.signingMode,
          windowToleranceMs: Number(flags.windowTolerance),
          // With --stdout, `kubectl logs` must give the envelope alone (it mixes stdout and stderr):
          // progress lines are dropped; errors still print (bench: …) and exit 1.
          log: flags.stdout ? () => {} : (line) => process.stderr.write(`${line}\n`),
          signal: controller.signal,
        });
      } finally {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      }
    });
}
