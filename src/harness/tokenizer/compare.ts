// Client-counted vs server-reported token counts: relative difference and a warning above 5 %.

export const TOKEN_DIFF_WARN_RATIO = 0.05;

export interface TokenCountComparison {
  readonly clientCount: number;
  readonly serverCount: number;
  /** (client − server) / server; null when the server reported 0. */
  readonly relativeDiff: number | null;
  readonly warning: string | null;
}

export function compareTokenCounts(clientCount: number, serverCount: number): TokenCountComparison {
  if (serverCount === 0) {
    return {
      clientCount,
      serverCount,
      relativeDiff: clientCount === 0 ? 0 : null,
      warning: clientCount === 0 ? null : `server reported 0 tokens where the client counted ${clientCount}`,
    };
  }
  const relativeDiff = (clientCount - serverCount) / serverCount;
  const warning =
    Math.abs(relativeDiff) > TOKEN_DIFF_WARN_RATIO
      ? `client-counted tokens (${clientCount}) differ from server-reported (${serverCount}) by ${(relativeDiff * 100).toFixed(1)} %; ` +
        "pass --tokenizer with the served model's tokenizer.json"
      : null;
  return { clientCount, serverCount, relativeDiff, warning };
}

export interface TokenCountPair {
  /** Client-counted tokens (e.g. RequestSpec.inputTokens), null when unknown. */
  readonly client: number | null | undefined;
  /** Server-reported tokens (usage.prompt_tokens), null when the server sent no usage. */
  readonly server: number | null | undefined;
}

export interface TokenCountAudit {
  /** Pairs where both counts were known. */
  readonly n: number;
  /** Mean of |client − server| / server over those pairs (null when n = 0). */
  readonly meanAbsRelDiff: number | null;
  readonly maxAbsRelDiff: number | null;
  /** Pairs whose difference exceeds 5 %. */
  readonly overThreshold: number;
  /** One line for the envelope's warnings, or null. */
  readonly warning: string | null;
}

/**
 * Per-request comparison of client-counted vs server-reported token counts, summarised for a run:
 * warns when the mean difference exceeds 5 % (the client's tokenizer is not the served model's).
 */
export function auditTokenCounts(pairs: Iterable<TokenCountPair>, what = 'input'): TokenCountAudit {
  let n = 0;
  let sum = 0;
  let max = 0;
  let over = 0;
  for (const { client, server } of pairs) {
    if (client === null || client === undefined || server === null || server === undefined || server <= 0)
      continue;
    const diff = Math.abs(client - server) / server;
    n++;
    sum += diff;
    if (diff > max) max = diff;
    if (diff > TOKEN_DIFF_WARN_RATIO) over++;
  }
  const mean = n > 0 ? sum / n : null;
  const warning =
    mean !== null && mean > TOKEN_DIFF_WARN_RATIO
      ? `client-counted ${what} tokens differ from server-reported by ${(mean * 100).toFixed(1)} % on average ` +
        `(${over} of ${n} requests above 5 %): pass --tokenizer with the served model's tokenizer.json`
      : null;
  return { n, meanAbsRelDiff: mean, maxAbsRelDiff: n > 0 ? max : null, overThreshold: over, warning };
}
