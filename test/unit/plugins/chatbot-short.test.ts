import { describe, expect, it } from 'vitest';
import { CHATBOT_SHORT_PROMPTS } from '../../../src/harness/plugins/llm-inference/chatbot-prompts.js';
import {
  llmInferencePlugin,
  resolveSuite,
  type PluginContext,
  type SingleTurnWorkload,
} from '../../../src/harness/plugins/index.js';

const ctx = (over: Partial<PluginContext> = {}): PluginContext => ({
  seed: 42,
  model: 'sim-8b',
  engine: 'sim',
  endpointType: 'chat',
  extra: {},
  ...over,
});

async function load(over: Partial<PluginContext> = {}): Promise<SingleTurnWorkload> {
  const { spec } = resolveSuite([llmInferencePlugin], 'llm.inference.chatbot-short');
  const workload = await llmInferencePlugin.loadWorkload(spec, ctx(over));
  if (workload.kind !== 'single-turn') throw new Error('expected single-turn');
  return workload;
}

describe('llm.inference.chatbot-short', () => {
  it('ships 200 distinct short prompts', () => {
    expect(CHATBOT_SHORT_PROMPTS).toHaveLength(200);
    expect(new Set(CHATBOT_SHORT_PROMPTS).size).toBe(200);
    for (const prompt of CHATBOT_SHORT_PROMPTS) {
      expect(prompt).not.toContain('{}');
      expect(prompt.length).toBeLessThan(120);
    }
  });

  it("the old id builtin-chatbot-short (InferenceBench's name for other prompts) loads ours under our id", async () => {
    const legacy = await load({ datasetId: 'builtin-chatbot-short' });
    const current = await load();
    expect(legacy.datasetId).toBe('builtin-chatbot-short-node');
    expect(legacy.datasetHash).toBe(current.datasetHash);
    // InferenceBench's builtin-chatbot-short (fixtures/inferencebench-envelopes) has another hash
    expect(current.datasetHash).not.toBe('6f4b1f68fc3a813baa983cbe70cd9ef57f8c86e6b2e6ccc9aaa2a498e588d510');
  });

  it("is the first spec of llm.inference, with its own dataset id and InferenceBench's suite version", async () => {
    expect(resolveSuite([llmInferencePlugin], 'llm.inference').spec.id).toBe('chatbot-short');
    expect(llmInferencePlugin.version).toBe('1.0.0');
    const workload = await load();
    expect(workload.datasetId).toBe('builtin-chatbot-short-node');
    expect(workload.size).toBe(200);
    expect(workload.datasetHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('chat requests carry one user message and max_tokens 128; completions a prompt', async () => {
    const chat = (await load()).request(0);
    expect(chat.messages).toHaveLength(1);
    expect(chat.messages![0]!.role).toBe('user');
    expect(CHATBOT_SHORT_PROMPTS).toContain(chat.messages![0]!.content);
    expect(chat.maxTokens).toBe(128);
    expect(chat.prompt).toBeUndefined();
    const completion = (await load({ endpointType: 'completions', maxTokens: 32 })).request(0);
    expect(completion.prompt).toBe(chat.messages![0]!.content);
    expect(completion.messages).toBeUndefined();
    expect(completion.maxTokens).toBe(32);
  });

  it('same seed → same requests and hash; different seed → different order and hash', async () => {
    const a = await load({ seed: 7 });
    const b = await load({ seed: 7 });
    const c = await load({ seed: 8 });
    expect(a.datasetHash).toBe(b.datasetHash);
    const first = (w: SingleTurnWorkload) =>
      Array.from({ length: 20 }, (_, i) => w.request(i).messages![0]!.content);
    expect(first(a)).toEqual(first(b));
    expect(first(c)).not.toEqual(first(a));
    expect(c.datasetHash).not.toBe(a.datasetHash);
    // every prompt used once per cycle, then the cycle repeats
    const cycle = new Set(Array.from({ length: 200 }, (_, i) => a.request(i).messages![0]!.content));
    expect(cycle.size).toBe(200);
    expect(a.request(200)).toBe(a.request(0));
  });

  it('the hash changes with max_tokens (part of the canonical content)', async () => {
    expect((await load({ maxTokens: 64 })).datasetHash).not.toBe((await load()).datasetHash);
  });
});
