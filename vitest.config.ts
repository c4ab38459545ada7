import { defineConfig } from 'vitest/config';

// Two projects (ARCHITECTURE.md, "Tests"):
// - unit: test/unit and test/console — pure logic and components, no network, no child processes,
//   no worker threads (test/unit-guard.ts refuses them), virtual time. `npm run test:unit`.
// - integration: test/integration (loopback servers, the embedded engine, fake NVML, child
//   processes) and test/e2e (the bundled CLI, built once by test/global-setup.ts).
// `npm test` runs both.
const shared = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/console/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup.ts', 'test/unit-guard.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.{ts,tsx}', 'test/e2e/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup.ts'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
