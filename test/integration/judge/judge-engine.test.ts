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
