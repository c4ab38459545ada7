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
  return {
    ...base,
    request(index: number): RequestSpec {
      return { ...base.request(index), collectText: true };
    },
  };
}
