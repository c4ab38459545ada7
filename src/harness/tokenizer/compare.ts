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
