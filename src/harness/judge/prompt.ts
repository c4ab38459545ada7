// LLM-as-judge prompt and verdict parsing (docs/metrics.md "Judge scoring"). The prompt's first
// line is a versioned marker; its hash goes in the envelope so scores from different prompts are
// never compared as if they were one metric.
import { createHash } from 'node:crypto';

export const JUDGE_MARKER = '[inferencebench-judge v1]';
export const CANDIDATE_END = '[end of candidate answer]';

export const JUDGE_INSTRUCTIONS =
  'You are grading an answer to a question against a reference answer. Reply with exactly one line: ' +
  '"VERDICT: CORRECT" if the candidate answer gives the same final answer as the reference, otherwise ' +
  '"VERDICT: INCORRECT". Do not explain.';

export interface JudgeItem {
  readonly id: string;
  readonly question: string;
  readonly reference: string;
  /** The system under test's answer. */
  readonly answer: string;
}

/** The single user message sent to the judge. */
export function judgePrompt(item: Pick<JudgeItem, 'question' | 'reference' | 'answer'>): string {
  return [
    JUDGE_MARKER,
    JUDGE_INSTRUCTIONS,
    '',
    'Question:',
    item.question,
    '',
    'Reference answer:',
    item.reference,
    '',
    'Candidate answer:',
    item.answer,
    CANDIDATE_END,
  ].join('\n');
}

/** sha256 of the prompt template (placeholders, not a question), recorded as `judge.prompt_hash`. */
export function judgePromptHash(): string {
  return createHash('sha256')
    .update(judgePrompt({ question: '{question}', reference: '{reference}', answer: '{answer}' }))
    .digest('hex');
}

export type Verdict = 'correct' | 'incorrect' | 'unparsed';

/** The last `VERDICT: CORRECT|INCORRECT` in the reply (case-insensitive); anything else is unparsed. */
export function parseVerdict(reply: string): Verdict {
  const matches = [...reply.matchAll(/VERDICT\s*:\s*(INCORRECT|CORRECT)\b/gi)];
  const last = matches.at(-1);
  if (!last) return 'unparsed';
  return last[1]!.toUpperCase() === 'CORRECT' ? 'correct' : 'incorrect';
}
