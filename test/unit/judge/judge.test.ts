// Judge scoring: prompt and verdict parsing, the engine's deterministic rule, the Wilson interval by
// hand, the judge-qa workload. The HTTP path is in test/integration/judge.
import { describe, expect, it } from 'vitest';
import { ENGINE_JUDGE_MARKER, judgeReply } from '../../../src/engine/judge.js';
import { summarizeVerdicts, wilsonInterval } from '../../../src/harness/judge/accuracy.js';
import {
  JUDGE_MARKER,
  judgePrompt,
  judgePromptHash,
  parseVerdict,
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
    expect(w.request(21).tag).toBe('q02');
    expect(judgeQuestionAt(21).reference).toBe(judgeQa.questions[1]!.reference);
  });
});

describe('judge items from the run records', () => {
  it('successful measured answers of tagged questions only', async () => {
    const { judgeItemsFromRecords } = await import('../../../src/harness/plugins/llm-inference/judge-qa.js');
    const items = judgeItemsFromRecords([
      { tag: 'q05', outputText: 'Ottawa', errorCode: null, warmup: false },
      { tag: 'q05', outputText: 'Ottawa', errorCode: null, warmup: true },
      { tag: 'q06', outputText: '', errorCode: 'http_500', warmup: false },
      { outputText: 'x', errorCode: null, warmup: false },
      { tag: 'zz', outputText: 'x', errorCode: null, warmup: false },
    ]);
    expect(items).toEqual([
      { id: 'q05', question: judgeQa.questions[4]!.question, reference: 'Ottawa', answer: 'Ottawa' },
    ]);
  });
});
