import type { Command } from 'commander';
import { registerReplayCommand } from './replay.js';

export function register(program: Command): void {
  registerReplayCommand(program, {
    mode: { kind: 'profile', defaultDurationS: 30 },
    summary:
      're-run from an envelope with 10 ms NVML / 25 ms RAPL sampling and print the profiling breakdown',
    output: './profile-results',
    durationHelp: 'measurement duration in seconds (default: 30)',
  });
}
