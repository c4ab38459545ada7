// llm.inference.judge-qa: the shipped judge question set (fixtures/datasets/judge-qa.json), asked
// in a fixed order so request i is question i mod 20; each answer is kept for the judge.
import judgeQa from '../../../../fixtures/datasets/judge-qa.json' with { type: 'json' };
import type { RequestSpec } from '../../types.js';
import type { PluginContext, SingleTurnWorkload } from '../types.js';
import { buildSingleTurnWorkload } from './single-turn.js';
import { DATASET_IDS } from './specs.js';

export interface JudgeQuestion {
  readonly id: string;
  readonly question: string;
  readonly reference: string;
}

export const JUDGE_QUESTIONS: readonly JudgeQuestion[] = judgeQa.questions;

/** The question request `index` asked (the workload keeps the file's order). */
export function judgeQuestionAt(index: number): JudgeQuestion {
  return JUDGE_QUESTIONS[index % JUDGE_QUESTIONS.length]!;
}

export function loadJudgeQa(context: PluginContext, maxTokens: number): SingleTurnWorkload {
  const base = buildSingleTurnWorkload(
    JUDGE_QUESTIONS.map((q) => ({ prompt: q.question, maxTokens })),
    {
      datasetId: DATASET_IDS.judgeQa,
      seed: context.seed,
      endpointType: context.endpointType,
      keepOrder: true,
    },
  );
  // Built once: the hot path hands out the same objects (the question id rides on the record as its tag).
  const specs: RequestSpec[] = JUDGE_QUESTIONS.map((q, i) => ({
    ...base.request(i),
    collectText: true,
    tag: q.id,
  }));
  return {
    ...base,
    request(index: number): RequestSpec {
      if (!Number.isInteger(index) || index < 0) throw new RangeError(`bad request index ${index}`);
      return specs[index % specs.length]!;
    },
  };
}

export interface JudgeableRecord {
  readonly tag?: string;
  readonly outputText?: string;
  readonly errorCode: unknown;
  readonly warmup: boolean;
}

/** The judge's items from a run's records: successful, measured (not warm-up) answers of tagged questions. */
export function judgeItemsFromRecords(
  records: Iterable<JudgeableRecord>,
): { id: string; question: string; reference: string; answer: string }[] {
  const byId = new Map(JUDGE_QUESTIONS.map((q) => [q.id, q]));
  const items: { id: string; question: string; reference: string; answer: string }[] = [];
  for (const r of records) {
    if (r.warmup || r.errorCode !== null || r.tag === undefined) continue;
    const q = byId.get(r.tag);
    if (q) items.push({ id: q.id, question: q.question, reference: q.reference, answer: r.outputText ?? '' });
  }
  return items;
}
