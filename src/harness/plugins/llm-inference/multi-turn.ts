// llm.inference.multi-turn: chat sessions. From --dataset-path: AIPerf's multi_turn JSONL, one
// session per line {"session_id": "...", "turns": [{"text": "...", "delay": ms, "max_tokens": n}]}
// ("content"/"user" accepted for text, "think_ms" for delay). Without a file: generated sessions —
// a chatbot-short opener, then follow-ups — with turns and think times from distributions.
import { DatasetFormatError } from '../errors.js';
import { hashItems } from '../hash.js';
import { createLabelledRng, permutation } from '../../../lib/rng.js';
import type { MultiTurnWorkload, PluginContext, SessionTurn } from '../types.js';
import { CHATBOT_SHORT_PROMPTS } from './chatbot-prompts.js';
import { sampleLength, type LengthDistribution } from './distributions.js';
import { isRecord, readJsonLines } from './files.js';
import { DATASET_IDS } from './specs.js';
import { sentence } from './text-gen.js';

const FOLLOW_UPS = [
  'Can you expand on that?',
  'Give me a concrete example.',
  'Summarise that in one sentence.',
  'What would be a common mistake here?',
  'How would you explain it to a child?',
  'Can you make it shorter?',
  'What is the next step?',
  'Why does that matter?',
  'Can you put that in a short list?',
  'What are the trade-offs?',
];

export async function readSessionsFile(path: string, defaultMaxTokens: number): Promise<SessionTurn[][]> {
  const rows = await readJsonLines(path, 'multi-turn dataset');
  return rows.map(({ line, value }) => {
    if (!isRecord(value))
      throw new DatasetFormatError(path, line, 'each line must be a JSON object (one session)');
    const turns = value.turns;
    if (!Array.isArray(turns) || turns.length === 0)
      throw new DatasetFormatError(path, line, '"turns" must be a non-empty array');
    return turns.map((turn: unknown, k): SessionTurn => {
      if (!isRecord(turn)) throw new DatasetFormatError(path, line, `turns[${k}] must be an object`);
      const text = turn.text ?? turn.content ?? turn.user;
      if (typeof text !== 'string' || text === '')
        throw new DatasetFormatError(path, line, `turns[${k}] needs "text" as a non-empty string`);
      const delay = turn.delay ?? turn.think_ms ?? 0;
      if (typeof delay !== 'number' || !(delay >= 0))
        throw new DatasetFormatError(path, line, `turns[${k}].delay must be a non-negative number (ms)`);
      const maxTokens = turn.max_tokens ?? defaultMaxTokens;
      if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)
        throw new DatasetFormatError(path, line, `turns[${k}].max_tokens must be a positive integer`);
      return { userMessage: text, maxTokens, thinkMs: k === 0 ? 0 : delay };
    });
  });
}

export interface GeneratedSessionsOptions {
  readonly numSessions: number;
  readonly turns: LengthDistribution;
  readonly thinkMs: LengthDistribution;
  readonly maxTokens: number;
}

export function generateSessions(seed: number, options: GeneratedSessionsOptions): SessionTurn[][] {
  const rng = createLabelledRng(seed, 'multi-turn-sessions');
  const sessions: SessionTurn[][] = [];
  for (let s = 0; s < options.numSessions; s++) {
    const count = sampleLength(options.turns, rng);
    const turns: SessionTurn[] = [];
    for (let k = 0; k < count; k++) {
      const userMessage =
        k === 0
          ? CHATBOT_SHORT_PROMPTS[rng.int(0, CHATBOT_SHORT_PROMPTS.length - 1)]!
          : rng.next() < 0.7
            ? FOLLOW_UPS[rng.int(0, FOLLOW_UPS.length - 1)]!
            : sentence(rng, rng.int(5, 14)).replace(/\.$/, '?');
      turns.push({
        userMessage,
        maxTokens: options.maxTokens,
        thinkMs: k === 0 ? 0 : sampleLength(options.thinkMs, rng),
      });
    }
    sessions.push(turns);
  }
  return sessions;
}

export async function loadMultiTurn(
  context: PluginContext,
  generated: GeneratedSessionsOptions,
): Promise<MultiTurnWorkload> {
  let sessions: SessionTurn[][];
  if (context.datasetPath) {
    const fromFile = await readSessionsFile(context.datasetPath, generated.maxTokens);
    sessions = permutation(fromFile.length, createLabelledRng(context.seed, 'order:multi-turn')).map(
      (i) => fromFile[i]!,
    );
  } else {
    sessions = generateSessions(context.seed, generated);
  }
  const datasetHash = hashItems(
    sessions.map((turns) =>
      turns.map((t) => ({ user: t.userMessage, max_tokens: t.maxTokens, think_ms: t.thinkMs })),
    ),
  );
  return {
    kind: 'multi-turn',
    datasetId: context.datasetPath ? DATASET_IDS.multiTurnFile : DATASET_IDS.multiTurn,
    datasetHash,
    sessions,
  };
}
