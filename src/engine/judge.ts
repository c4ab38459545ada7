// Deterministic answers to judge prompts (src/harness/judge/prompt.ts builds them), so tests can
// check judge-scored accuracy exactly: CORRECT when the candidate answer contains the reference
// answer as whole words (case and punctuation ignored), else INCORRECT.

/** Must equal JUDGE_MARKER in src/harness/judge/prompt.ts (a test checks). */
export const ENGINE_JUDGE_MARKER = '[inferencebench-judge v1]';
const CANDIDATE_END = '[end of candidate answer]';

function section(text: string, start: string, end: string): string | null {
  const a = text.indexOf(start);
  if (a < 0) return null;
  const b = text.indexOf(end, a + start.length);
  return b < 0 ? null : text.slice(a + start.length, b);
}

export function normalizeAnswer(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}

/** The verdict line for a judge prompt, or null when the text is not one. */
export function judgeReply(promptText: string): string | null {
  if (!promptText.includes(ENGINE_JUDGE_MARKER)) return null;
  const reference = section(promptText, 'Reference answer:\n', '\n\nCandidate answer:');
  const candidate = section(promptText, 'Candidate answer:\n', `\n${CANDIDATE_END}`);
  if (reference === null || candidate === null) return 'VERDICT: INCORRECT';
  const ref = normalizeAnswer(reference);
  return ref.trim() !== '' && normalizeAnswer(candidate).includes(ref)
    ? 'VERDICT: CORRECT'
    : 'VERDICT: INCORRECT';
}

/** The reply split into tokens, one word (with its leading space) per token. */
export function replyTokens(reply: string): string[] {
  return reply.split(/(?= )/);
}
