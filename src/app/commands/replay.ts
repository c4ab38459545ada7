import type { Command } from 'commander';
import { Option } from 'commander';
import { devKeyForRun } from '../dev-key.js';
import { DEV_KEY_HELP } from '../run/flags.js';
import { addMaxFileBytesOption } from './file-options.js';
import { addTrustOptions } from './trust-options.js';
import { replayEnvelope, type ReplayFlags, type ReplayMode } from '../run/replay.js';

interface ReplayCommand {
  readonly mode: ReplayMode;
  readonly summary: string;
  readonly output: string;
  readonly durationHelp: string;
}

/** `bench replay` and `bench profile` share their flags and plumbing; profile samples faster. */
export function registerReplayCommand(program: Command, spec: ReplayCommand): void {
  const command = program
    .command(spec.mode.kind)
    .summary(spec.summary)
    .argument('<envelope>', 'source envelope (.json)')
    .option('--base-url <url>', 'engine base URL (required: envelopes do not store endpoints)')
    .option('--output <dir>', 'output directory for the new envelope', spec.output)
    .option('--duration <seconds>', spec.durationHelp)
    .addOption(
      new Option('--signing-mode <mode>', 'envelope signing').choices(['dev', 'keyless']).default('dev'),
    )
    .option('--dev-key <path>', DEV_KEY_HELP)
    .option('--no-verify', 'skip verifying the source envelope first (local unsigned fixtures only)')
    .option('--no-gate', 'skip the convergence gate (measure right after warm-up)')
    .option('--max-tokens <n>', 'override the recorded max output tokens per request')
    .option(
      '--dataset-path <file>',
      "the source's dataset file (trace, ShareGPT, custom): envelopes record its hash, not the file",
    )
    .option('--no-tui', 'headless: progress lines on stderr')
    .option('--json', 'print paths and metrics as JSON');
  addTrustOptions(command, 'the source envelope');
  addMaxFileBytesOption(command);
  command.action(async (envelope: string, flags: ReplayFlags) => {
    const signed =
      (flags.signingMode ?? 'dev') === 'dev' ? { ...flags, devKey: await devKeyForRun(flags.devKey) } : flags;
    process.exitCode = await replayEnvelope(envelope, signed, spec.mode);
  });
}

export function register(program: Command): void {
  registerReplayCommand(program, {
    mode: { kind: 'replay', defaultDurationS: null },
    summary: 're-run a benchmark from a signed envelope against a new endpoint',
    output: './replay-results',
    durationHelp: "measurement duration (default: the recorded one, else bench run's default)",
  });
}
