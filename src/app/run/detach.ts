import { spawnDetached } from '../live/detach.js';
import type { RunConfig } from './options.js';

/** `--detach`: re-run the same command in the background and tell the user how to follow it. */
export async function startDetached(config: RunConfig, argv: readonly string[]): Promise<number> {
  const { pid } = spawnDetached([...argv], config.outputDir);
  process.stdout.write(
    `started in the background: pid ${pid}\nfollow it with: bench watch ${config.outputDir}\n`,
  );
  return 0;
}
