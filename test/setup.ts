import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ink renders only the last frame when CI is set; component tests need every frame.
delete process.env.CI;
// Never read or write the developer's ~/.config/inferencebench (trust store, per-user dev key):
// an empty config dir per worker.
process.env.BENCH_CONFIG_DIR ??= mkdtempSync(join(tmpdir(), 'bench-test-config-'));
