// llm.inference.chatbot-short: the 200 shipped prompts, seeded order, max_tokens 128 by default.
import type { PluginContext, SingleTurnWorkload } from '../types.js';
import { CHATBOT_SHORT_PROMPTS } from './chatbot-prompts.js';
import { buildSingleTurnWorkload } from './single-turn.js';
import { DATASET_IDS } from './specs.js';

export function loadChatbotShort(context: PluginContext, maxTokens: number): SingleTurnWorkload {
  return buildSingleTurnWorkload(
    CHATBOT_SHORT_PROMPTS.map((prompt) => ({ prompt, maxTokens })),
    { datasetId: DATASET_IDS.chatbotShort, seed: context.seed, endpointType: context.endpointType },
  );
}
