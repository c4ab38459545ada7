import { describe, expect, it } from 'vitest';
import {
  UnknownSuiteError,
  assertValid,
  knownSuiteIds,
  llmInferencePlugin,
  resolveSuite,
  type BenchPlugin,
} from '../../../src/harness/plugins/index.js';

const spec = (id: string) => ({
  id,
  description: id,
  modality: 'text' as const,
  kind: 'single-turn' as const,
  driver: 'closed_loop' as const,
  defaultDataset: id,
  defaultSloTemplate: 'llm.standard',
  defaultMaxTokens: 8,
});
const fake = (id: string, benches: string[]): BenchPlugin => ({
  id,
  version: '1.0.0',
  benchmarks: benches.map(spec),
  validate: () => ({ warnings: [], errors: [] }),
  loadWorkload: () => Promise.reject(new Error('unused')),
});

describe('resolveSuite', () => {
  const plugins = [
    llmInferencePlugin,
    fake('acme.rag', ['small', 'embed']),
    fake('acme.rag.embed', ['short']),
  ];

  it.each([
    ['llm.inference', 'llm.inference', 'chatbot-short', true],
    ['llm.inference.chatbot-short', 'llm.inference', 'chatbot-short', false],
    ['llm.inference.sharegpt-v3', 'llm.inference', 'sharegpt-v3', false],
    ['llm.inference.trace', 'llm.inference', 'trace', false],
    ['acme.rag', 'acme.rag', 'small', true],
    ['acme.rag.small', 'acme.rag', 'small', false],
    // longest plugin-id prefix wins: acme.rag.embed is a plugin, not acme.rag's "embed" benchmark
    ['acme.rag.embed', 'acme.rag.embed', 'short', true],
    ['acme.rag.embed.short', 'acme.rag.embed', 'short', false],
  ])('%s → %s / %s', (suiteId, pluginId, specId, pluginOnly) => {
    const resolved = resolveSuite(plugins, suiteId);
    expect(resolved.plugin.id).toBe(pluginId);
    expect(resolved.spec.id).toBe(specId);
    expect(resolved.pluginOnly).toBe(pluginOnly);
    expect(resolved.suiteId).toBe(`${pluginId}.${specId}`);
  });

  it.each(['llm', 'llm.inference.nope', 'llm.inferencex', 'acme.rag.embed.long', ''])(
    'unknown %j → coded error (exit 2) listing known ids',
    (suiteId) => {
      let caught: unknown;
      try {
        resolveSuite(plugins, suiteId);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnknownSuiteError);
      const error = caught as UnknownSuiteError;
      expect(error.code).toBe('E_SUITE_UNKNOWN');
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain('llm.inference.chatbot-short');
      expect(error.message).toContain('acme.rag.embed.short');
      expect(error.knownIds).toEqual(knownSuiteIds(plugins));
    },
  );

  it('with no plugins says so', () => {
    expect(() => resolveSuite([], 'llm.inference')).toThrow('(no plugins installed)');
  });
});

describe('assertValid', () => {
  it('throws on errors, and on warnings only when strict', () => {
    expect(() => assertValid({ warnings: [], errors: [] }, true)).not.toThrow();
    expect(() => assertValid({ warnings: ['w'], errors: [] }, false)).not.toThrow();
    expect(() => assertValid({ warnings: ['stand-in dataset'], errors: [] }, true)).toThrow(
      /validation failed \(--strict\): warning: stand-in dataset/,
    );
    try {
      assertValid({ warnings: [], errors: ['max tokens 9 exceeds'] }, false);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('E_VALIDATION');
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe('unknown suite ids: did you mean', () => {
  const plugins = [llmInferencePlugin];
  const messageFor = (suiteId: string): string => {
    try {
      resolveSuite(plugins, suiteId);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${suiteId} resolved`);
  };

  it.each([
    ['llm.inferenc', 'llm.inference'],
    ['llm.inference.sharegpt-v4', 'llm.inference.sharegpt-v3'],
    ['llm.infrence.synthetic', 'llm.inference.synthetic'],
    ['llm.inference.chatbot-shrot', 'llm.inference.chatbot-short'],
    ['sharegpt-v3', 'llm.inference.sharegpt-v3'],
  ])('%s → did you mean "%s"?', (typo, meant) => {
    expect(messageFor(typo)).toContain(`did you mean "${meant}"?`);
  });

  it('suggests nothing for a name far from every id, and still lists the known ids', () => {
    const message = messageFor('completely-different');
    expect(message).not.toContain('did you mean');
    expect(message).toContain('known: llm.inference, ');
  });
});
