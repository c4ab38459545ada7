// Judge scoring over real loopback HTTP against the embedded engine, whose judge replies are
// deterministic: the accuracy maths checked exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import judgeQa from '../../../fixtures/datasets/judge-qa.json' with { type: 'json' };
import { startEngine, type EngineHandle } from '../../../src/engine/index.js';
import { judgeAnswers } from '../../../src/harness/judge/client.js';
import { judgePromptHash, type JudgeItem } from '../../../src/harness/judge/prompt.js';

describe('judge over loopback against the embedded engine', () => {
  let engine: EngineHandle;
  beforeAll(async () => {
    engine = await startEngine({ timing: 'nodelay' });
  });
  afterAll(async () => {
    await engine.close();
  });

  const questions = judgeQa.questions;
  // Every fourth answer is wrong: 15 of 20 correct.
  const items: JudgeItem[] = questions.map((q, i) => ({
    id: q.id,
    question: q.question,
    reference: q.reference,
    answer: i % 4 === 3 ? 'I do not know.' : `The answer is ${q.reference}.`,
  }));

  it('20 questions, 15 right → accuracy 0.75 with the hand-computed Wilson interval', async () => {
    const out = await judgeAnswers(items, {
      baseUrl: engine.baseUrl,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
    });
    expect(out).toMatchObject({ judged: 20, correct: 15, accuracy: 0.75, unparsed: 0, failed: 0 });
    expect(out.ci!.lo).toBeCloseTo(0.5313, 4);
    expect(out.promptHash).toBe(judgePromptHash());
    expect(out.perItem.filter((p) => p.verdict === 'incorrect').map((p) => p.id)).toEqual([
      'q04',
      'q08',
      'q12',
      'q16',
      'q20',
    ]);
  });

  it('--judge-max-questions caps the judged set (the first N)', async () => {
    const out = await judgeAnswers(items, {
      baseUrl: engine.baseUrl,
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      maxQuestions: 8,
    });
    // q01..q08: q04 and q08 wrong → 6 / 8
    expect(out).toMatchObject({ judged: 8, correct: 6, accuracy: 0.75 });
  });

  it('an unreachable judge: every call failed, nothing judged, no accuracy', async () => {
    const out = await judgeAnswers(items.slice(0, 2), {
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'x',
      timeoutMs: 2000,
    });
    expect(out).toMatchObject({ judged: 0, failed: 2, accuracy: null, ci: null });
  });
});

describe('the answer reaches the judge step tagged with its question', () => {
  it('the client copies RequestSpec.tag and the collected text onto the record', async () => {
    const engine = await startEngine({ timing: 'nodelay' });
    const { createStreamClient } = await import('../../../src/harness/client/stream-client.js');
    const { loadJudgeQa, judgeItemsFromRecords } =
      await import('../../../src/harness/plugins/llm-inference/judge-qa.js');
    const client = createStreamClient({
      baseUrl: engine.baseUrl,
      endpointType: 'chat',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      connections: 1,
    });
    const workload = loadJudgeQa({ seed: 1, model: 'm', engine: 'e', endpointType: 'chat', extra: {} }, 8);
    const record = await client.send(workload.request(4), performance.now(), undefined, { id: 4 });
    await client.close();
    await engine.close();
    expect(record.tag).toBe('q05');
    expect(record.outputText?.length).toBeGreaterThan(0);
    expect(judgeItemsFromRecords([record])).toEqual([
      expect.objectContaining({ id: 'q05', reference: 'Ottawa', answer: record.outputText }),
    ]);
  });
});
