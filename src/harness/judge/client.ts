// Sends each (question, reference, answer) to the judge model — an OpenAI-compatible
// /chat/completions endpoint, non-streaming, temperature 0 — and scores the replies.
import { request } from 'undici';
import { summarizeVerdicts, type AccuracySummary } from './accuracy.js';
import { judgePrompt, judgePromptHash, parseVerdict, type JudgeItem, type Verdict } from './prompt.js';

export interface JudgeOptions {
  /** Base URL ending in /v1 (the same form as --base-url). */
  readonly baseUrl: string;
  readonly model: string;
  /** 0 = no cap. The first N items (in the given order) are judged. */
  readonly maxQuestions?: number;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly apiKey?: string;
}

export interface JudgeOutcome extends AccuracySummary {
  readonly judgeModel: string;
  readonly promptHash: string;
  readonly perItem: readonly { readonly id: string; readonly verdict: Verdict | 'failed' }[];
}

async function judgeOne(item: JudgeItem, opts: JudgeOptions): Promise<Verdict | 'failed'> {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: opts.model,
        messages: [{ role: 'user', content: judgePrompt(item) }],
        max_tokens: 16,
        temperature: 0,
        stream: false,
      }),
      headersTimeout: opts.timeoutMs ?? 60_000,
      bodyTimeout: opts.timeoutMs ?? 60_000,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return 'failed';
    const body = JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] };
    const content = body.choices?.[0]?.message?.content;
    return typeof content === 'string' ? parseVerdict(content) : 'unparsed';
  } catch {
    return 'failed';
  }
}

export async function judgeAnswers(items: readonly JudgeItem[], opts: JudgeOptions): Promise<JudgeOutcome> {
  const cap = opts.maxQuestions && opts.maxQuestions > 0 ? opts.maxQuestions : items.length;
  const chosen = items.slice(0, cap);
  const verdicts: (Verdict | 'failed')[] = new Array<Verdict | 'failed'>(chosen.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chosen.length) {
      const i = next++;
      verdicts[i] = await judgeOne(chosen[i]!, opts);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, chosen.length)) }, worker),
  );
  return {
    ...summarizeVerdicts(verdicts),
    judgeModel: opts.model,
    promptHash: judgePromptHash(),
    perItem: chosen.map((item, i) => ({ id: item.id, verdict: verdicts[i]! })),
  };
}
