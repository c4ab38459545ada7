// The benchmark specs of the built-in llm.inference plugin. The first one is what
// `bench run llm.inference` runs. Dataset ids match InferenceBench's envelopes where the data is the
// same (sharegpt-v3); where only the name is shared the id is ours (see LEGACY_DATASET_IDS).
import type { BenchmarkSpec } from '../types.js';

export const LLM_INFERENCE_ID = 'llm.inference';
/** Matches InferenceBench's llm.inference suite_version. */
export const LLM_INFERENCE_VERSION = '1.0.0';

export const DATASET_IDS = {
  /** Our 200 prompts. InferenceBench's `builtin-chatbot-short` holds different prompts. */
  chatbotShort: 'builtin-chatbot-short-node',
  sharegpt: 'sharegpt-v3',
  sharegptStandIn: 'sharegpt-v3-standin',
  longContext: 'builtin-long-context',
  synthetic: 'synthetic',
  multiTurn: 'builtin-multi-turn',
  multiTurnFile: 'multi-turn-jsonl',
  trace: 'mooncake-trace',
  traceSample: 'mooncake-trace-sample',
  custom: 'custom',
  judgeQa: 'builtin-judge-qa',
} as const;

/**
 * Ids our earlier envelopes (and --dataset) used for data that now has its own id. Our envelopes
 * written before the change say `builtin-chatbot-short` for our prompts; InferenceBench's say it for
 * theirs. Only the dataset hash tells the two apart (docs/envelope.md, "Datasets").
 */
export const LEGACY_DATASET_IDS: Readonly<Record<string, string>> = {
  'builtin-chatbot-short': DATASET_IDS.chatbotShort,
};

/** The current id for a dataset id given on the command line or recorded by an older envelope of ours. */
export function currentDatasetId(id: string): string {
  return LEGACY_DATASET_IDS[id] ?? id;
}

export const LLM_INFERENCE_SPECS: readonly BenchmarkSpec[] = [
  {
    id: 'chatbot-short',
    description: 'Short single-turn chat prompts (200 shipped prompts), closed-loop concurrency',
    modality: 'text',
    kind: 'single-turn',
    driver: 'closed_loop',
    defaultDataset: DATASET_IDS.chatbotShort,
    defaultSloTemplate: 'llm.standard',
    defaultMaxTokens: 128,
  },
  {
    id: 'sharegpt-v3',
    description: 'ShareGPT V3 conversations (first 10K turns, canonical order), open-loop Poisson',
    modality: 'text',
    kind: 'single-turn',
    driver: 'open_loop',
    defaultDataset: DATASET_IDS.sharegpt,
    defaultSloTemplate: 'llm.standard',
    defaultMaxTokens: 256,
  },
  {
    id: 'long-context',
    description: 'Long synthetic prompts (8K input tokens by default), open loop',
    modality: 'text',
    kind: 'single-turn',
    driver: 'open_loop',
    defaultDataset: DATASET_IDS.longContext,
    defaultSloTemplate: 'llm.batch',
    defaultMaxTokens: 256,
  },
  {
    id: 'synthetic',
    description: 'Exact input/output token lengths from distributions; shared-prefix pools',
    modality: 'text',
    kind: 'single-turn',
    driver: 'closed_loop',
    defaultDataset: DATASET_IDS.synthetic,
    defaultSloTemplate: 'llm.standard',
    defaultMaxTokens: 128,
  },
  {
    id: 'multi-turn',
    description: 'Chat sessions with think time; each turn re-sends the history',
    modality: 'text',
    kind: 'multi-turn',
    driver: 'open_loop',
    defaultDataset: DATASET_IDS.multiTurn,
    defaultSloTemplate: 'llm.standard',
    defaultMaxTokens: 128,
  },
  {
    id: 'trace',
    description: 'Replay a Mooncake JSONL trace at its timestamps (--time-scale)',
    modality: 'text',
    kind: 'trace',
    driver: 'trace',
    defaultDataset: DATASET_IDS.trace,
    defaultSloTemplate: 'llm.standard',
    defaultMaxTokens: 128,
  },
  {
    id: 'custom',
    description: 'Your own JSONL of prompts or message lists (--dataset-path)',
    modality: 'text',
    kind: 'single-turn',
    driver: 'closed_loop',
    defaultDataset: DATASET_IDS.custom,
    defaultSloTemplate: 'llm.standard',
    defaultMaxTokens: 128,
  },
  {
    id: 'judge-qa',
    description: '20 short questions with reference answers; answers scored by an LLM judge (--judge-model)',
    modality: 'text',
    kind: 'single-turn',
    driver: 'closed_loop',
    defaultDataset: DATASET_IDS.judgeQa,
    defaultSloTemplate: 'llm.standard',
    defaultMaxTokens: 64,
    scoring: 'judge_llm',
  },
];
