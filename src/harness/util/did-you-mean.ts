// "Did you mean …?" for a mistyped name: the closest candidate by edit distance (optimal string
// alignment: insertions, deletions, substitutions and adjacent transpositions each cost 1), the way
// git and commander suggest commands.

/** Edit distance between a and b (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** At most this many edits, and at most 40 % of the input, count as a typo. */
const MAX_EDITS = 3;
const MAX_EDIT_SHARE = 0.4;

/**
 * The candidates closest to `input` (ties kept, in candidate order), or [] when none is near enough.
 * A candidate whose last dot-separated part equals the input (`sharegpt-v3` for
 * `llm.inference.sharegpt-v3`) is an exact match of its short name and wins outright.
 */
export function suggestSimilar(input: string, candidates: readonly string[]): string[] {
  const byShortName = candidates.filter((c) => c !== input && c.endsWith(`.${input}`));
  if (byShortName.length > 0) return byShortName;
  const limit = Math.min(MAX_EDITS, Math.max(1, Math.floor(input.length * MAX_EDIT_SHARE)));
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance > limit) continue;
    if (distance < best) {
      best = distance;
      found = [candidate];
    } else if (distance === best) found.push(candidate);
  }
  return found;
}

/** `did you mean "x"?` / `did you mean "x" or "y"?`, or null. */
export function didYouMean(input: string, candidates: readonly string[]): string | null {
  const found = suggestSimilar(input, candidates);
  if (found.length === 0) return null;
  const quoted = found.map((c) => `"${c}"`);
  return `did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`}?`;
}
