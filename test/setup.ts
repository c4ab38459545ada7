import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ink renders only the last frame when CI is set; component tests need every frame.
delete process.env.CI;
// Never read the developer's trust store (~/.config/inferencebench): an empty config dir per worker.
process.env.BENCH_CONFIG_DIR ??= mkdtempSync(join(tmpdir(), 'bench-test-config-'));
