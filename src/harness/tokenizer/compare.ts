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

/** Output tokens counted by the client's tokenizer and reported by the server differ: warn above 2 %. */
export const OUTPUT_TOKEN_MISMATCH_RATIO = 0.02;

/** What the audit needs of a request: its generated text and the server's usage. */
export interface OutputTokenSubject {
  readonly outputText?: string;
  readonly usage: {
    readonly completionTokens: number | null;
    readonly reasoningTokens: number | null;
  } | null;
}

/** One request's output tokens counted both ways, and the count the metrics use. */
export interface OutputTokenCount {
  /** The --tokenizer's count of the generated text (answer only: reasoning text is not collected). */
  readonly tokenizer: number;
  /** usage.completion_tokens less reasoning tokens (comparable with the text); null without usage. */
  readonly usage: number | null;
  /** The count used for osl: the server's usage when sent, else the tokenizer's. */
  readonly source: 'usage' | 'tokenizer';
  readonly oslTokens: number;
}

export interface OutputTokenAudit {
  readonly tokenizer: string;
  /** Requests audited (generated text collected). */
  readonly n: number;
  /** Of those, requests whose server sent usage (both counts known). */
  readonly nBoth: number;
  readonly sourceCounts: { readonly usage: number; readonly tokenizer: number };
  /** Σ tokenizer counts and Σ usage counts over the requests with both. */
  readonly tokenizerTotal: number;
  readonly usageTotal: number;
  /** (Σ tokenizer − Σ usage) / Σ usage over requests with both; null when none. */
  readonly relDiff: number | null;
  /** Requests whose own |tokenizer − usage| / usage exceeds 2 %. */
  readonly overThreshold: number;
  readonly warning: string | null;
}

/** Counts one request's output both ways. null when its text was not collected. */
export function countOutputTokens(
  subject: OutputTokenSubject,
  tokenizer: { count(text: string): number },
): OutputTokenCount | null {
  if (subject.outputText === undefined) return null;
  const counted = subject.outputText.length === 0 ? 0 : tokenizer.count(subject.outputText);
  const completion = subject.usage?.completionTokens ?? null;
  const usage = completion === null ? null : Math.max(0, completion - (subject.usage?.reasoningTokens ?? 0));
  return usage === null
    ? { tokenizer: counted, usage: null, source: 'tokenizer', oslTokens: counted }
    : { tokenizer: counted, usage, source: 'usage', oslTokens: completion as number };
}

/**
 * Tokenizer-vs-usage audit of a run's output tokens (`--tokenizer`): every request's generated text
 * is counted with the tokenizer and compared with usage.completion_tokens. The token-weighted
 * difference |Σ tokenizer − Σ usage| / Σ usage above 2 % earns one warning: throughput and TPOT
 * depend on which count is right.
 */
export class OutputTokenAuditor {
  private n = 0;
  private nBoth = 0;
  private fromUsage = 0;
  private fromTokenizer = 0;
  private tokenizerTotal = 0;
  private usageTotal = 0;
  private over = 0;

  constructor(private readonly tokenizer: { readonly name: string; count(text: string): number }) {}

  add(subject: OutputTokenSubject): OutputTokenCount | null {
    const c = countOutputTokens(subject, this.tokenizer);
    if (c === null) return null;
    this.n++;
    if (c.source === 'usage') this.fromUsage++;
    else this.fromTokenizer++;
    if (c.usage !== null) {
      this.nBoth++;
      this.tokenizerTotal += c.tokenizer;
      this.usageTotal += c.usage;
      const own = c.usage > 0 ? Math.abs(c.tokenizer - c.usage) / c.usage : c.tokenizer > 0 ? Infinity : 0;
      if (own > OUTPUT_TOKEN_MISMATCH_RATIO) this.over++;
    }
    return c;
  }

  finish(): OutputTokenAudit {
    const relDiff =
      this.nBoth > 0 && this.usageTotal > 0
        ? (this.tokenizerTotal - this.usageTotal) / this.usageTotal
        : null;
    const warning =
      relDiff !== null && Math.abs(relDiff) > OUTPUT_TOKEN_MISMATCH_RATIO
        ? `output tokens: the tokenizer ${this.tokenizer.name} counts ${this.tokenizerTotal} where the server's ` +
          `usage says ${this.usageTotal} (${relDiff > 0 ? '+' : ''}${(relDiff * 100).toFixed(1)} %, ` +
          `${this.over} of ${this.nBoth} requests off by more than 2 %); osl uses the server's usage — ` +
          "check that --tokenizer is the served model's"
        : null;
    return {
      tokenizer: this.tokenizer.name,
      n: this.n,
      nBoth: this.nBoth,
      sourceCounts: { usage: this.fromUsage, tokenizer: this.fromTokenizer },
      tokenizerTotal: this.tokenizerTotal,
      usageTotal: this.usageTotal,
      relDiff,
      overThreshold: this.over,
      warning,
    };
  }
}
