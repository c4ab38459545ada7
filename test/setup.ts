import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ink renders only the last frame when CI is set; component tests need every frame.
delete process.env.CI;
// A run without --dev-key creates a per-user key: in tests, never in the real ~/.config.
process.env.BENCH_CONFIG_DIR ??= mkdtempSync(join(tmpdir(), 'ib-test-config-'));
