// Judge scoring: prompt and verdict parsing, the Wilson interval by hand, and the whole path over
// real loopback HTTP against the embedded engine, whose judge replies are deterministic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_JUDGE_MARKER, judgeReply } from '../../../src/engine/judge.js';
import { startEngine, type EngineHandle } from '../../../src/engine/index.js';
import { summarizeVerdicts, wilsonInterval } from '../../../src/harness/judge/accuracy.js';
import { judgeAnswers } from '../../../src/harness/judge/client.js';
import {
  JUDGE_MARKER,
  judgePrompt,
  judgePromptHash,
  parseVerdict,
  type JudgeItem,
} from '../../../src/harness/judge/prompt.js';
import judgeQa from '../../../fixtures/datasets/judge-qa.json' with { type: 'json' };

describe('judge prompt and parsing', () => {
  it('the engine and the harness share the marker; the prompt hash is stable', () => {
    expect(ENGINE_JUDGE_MARKER).toBe(JUDGE_MARKER);
    expect(judgePromptHash()).toMatch(/^[0-9a-f]{64}$/);
    expect(judgePromptHash()).toBe(judgePromptHash());
  });

  it.each([
    ['VERDICT: CORRECT', 'correct'],
    ['verdict:incorrect', 'incorrect'],
    ['VERDICT: INCORRECT\n...on reflection VERDICT: CORRECT', 'correct'],
    ['The answer is right.', 'unparsed'],
    ['VERDICT: CORRECTNESS', 'unparsed'],
  ] as const)('%j → %s', (reply, verdict) => {
    expect(parseVerdict(reply)).toBe(verdict);
  });

  it('engine rule: the reference as whole words inside the candidate, case and punctuation ignored', () => {
    const p = (answer: string, reference: string): string | null =>
      judgeReply(judgePrompt({ question: 'q?', reference, answer }));
    expect(p('The capital is OTTAWA.', 'Ottawa')).toBe('VERDICT: CORRECT');
    expect(p('It is 1024!', '1024')).toBe('VERDICT: CORRECT');
    expect(p('It is 10240', '1024')).toBe('VERDICT: INCORRECT');
    expect(p('no idea', 'Ottawa')).toBe('VERDICT: INCORRECT');
    expect(judgeReply('an ordinary prompt')).toBeNull();
  });
});

describe('accuracy', () => {
  it('Wilson 95 % interval by hand: 15 of 20', () => {
    // p = 0.75, z² = 3.8415, denom = 1 + 3.8415/20 = 1.19207
    // centre = (0.75 + 3.8415/40) / 1.19207 = 0.84604/1.19207 = 0.70972
    // half = 1.95996 × sqrt(0.75·0.25/20 + 3.8415/1600) / 1.19207 = 1.95996 × 0.10852 / 1.19207 = 0.17842
    const ci = wilsonInterval(15, 20)!;
    expect(ci.lo).toBeCloseTo(0.5313, 4);
    expect(ci.hi).toBeCloseTo(0.8881, 4);
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(wilsonInterval(5, 5)!.hi).toBe(1);
  });

  it('accuracy over judged questions only; unparsed and failed are counted, not scored', () => {
    const s = summarizeVerdicts(['correct', 'correct', 'incorrect', 'unparsed', 'failed']);
    expect(s).toMatchObject({ accuracy: 2 / 3, judged: 3, correct: 2, unparsed: 1, failed: 1 });
  });
});

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

describe('llm.inference.judge-qa', () => {
  it('is a judge-scored spec; request i asks question i mod 20 and keeps the answer text', async () => {
    const { LLM_INFERENCE_SPECS } = await import('../../../src/harness/plugins/llm-inference/specs.js');
    const { loadJudgeQa, judgeQuestionAt } =
      await import('../../../src/harness/plugins/llm-inference/judge-qa.js');
    expect(LLM_INFERENCE_SPECS.find((s) => s.id === 'judge-qa')?.scoring).toBe('judge_llm');
    const w = loadJudgeQa({ seed: 1, model: 'm', engine: 'e', endpointType: 'chat', extra: {} }, 64);
    expect(w.size).toBe(20);
    expect(w.request(21).messages?.[0]?.content).toBe(judgeQa.questions[1]!.question);
    expect(w.request(21).collectText).toBe(true);
    expect(judgeQuestionAt(21).reference).toBe(judgeQa.questions[1]!.reference);
  });
});
