// Prompt-size estimate, prefix-cache block hashes and the generated text of the embedded engine.
//
// Prompt tokens are ESTIMATED (the engine has no tokenizer): ceil(characters / 4) per message content,
// plus 4 tokens per chat message for the chat template's role markers, plus 1 for BOS. Completions:
// ceil(characters / 4) + 1. Clients that need exact counts use their own tokenizer.

export const CHARS_PER_TOKEN = 4;
export const CHAT_TOKENS_PER_MESSAGE = 4;

export interface PromptText {
  /** Text used for prefix-cache hashing (roles and contents in order). */
  readonly text: string;
  readonly tokens: number;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let out = '';
    for (const part of content) {
      if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
        out += (part as { text: string }).text;
      }
    }
    return out;
  }
  return '';
}

/** Returns null when `messages` is not a non-empty array of {role, content} objects. */
export function chatPrompt(messages: unknown): PromptText | null {
  if (!Array.isArray(messages) || messages.length === 0) return null;
  let text = '';
  let tokens = 1;
  for (const m of messages) {
    if (!m || typeof m !== 'object' || typeof (m as { role?: unknown }).role !== 'string') return null;
    const role = (m as { role: string }).role;
    const body = contentText((m as { content?: unknown }).content);
    text += `<|${role}|>${body}`;
    tokens += CHAT_TOKENS_PER_MESSAGE + Math.ceil(body.length / CHARS_PER_TOKEN);
  }
  return { text, tokens };
}

/** Returns null unless `prompt` is a string or a non-empty array of strings (first one is used). */
export function completionPrompt(prompt: unknown): PromptText | null {
  let text: string | undefined;
  if (typeof prompt === 'string') text = prompt;
  else if (Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'string') text = prompt[0];
  else if (Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'number') {
    return { text: prompt.join(','), tokens: prompt.length };
  }
  if (text === undefined) return null;
  return { text, tokens: 1 + Math.ceil(text.length / CHARS_PER_TOKEN) };
}

/**
 * Chained FNV-1a hashes of the prompt's full blocks (blockSize tokens ≈ blockSize × 4 characters),
 * so prompts sharing a prefix share leading hashes, as vLLM's block hashes do.
 */
export function blockHashes(text: string, promptTokens: number, blockSize: number): number[] {
  const fullBlocks = Math.floor(promptTokens / blockSize);
  const span = blockSize * CHARS_PER_TOKEN;
  const out: number[] = [];
  let h = 0x811c9dc5;
  for (let b = 0; b < fullBlocks; b += 1) {
    const end = Math.min(text.length, (b + 1) * span);
    for (let i = b * span; i < end; i += 1) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
    out.push(h);
  }
  return out;
}

const WORDS = (
  'the of and to in is that it for on with as was at by be this are from or have an they which one ' +
  'you were her all she there would their we him been has when who will more no if out so said what up ' +
  'its about into than them can only other new some could time these two may then do first any my now ' +
  'such like our over man me even most made after also did many before must through back years where ' +
  'much your way well down should because each just those people how too little state good very make ' +
  'world still own see men work long get here between both life being under never day same another know'
)
  .split(' ')
  .map((w) => ` ${w}`);

/** Text of `count` generated tokens starting at token `offset` (one word per token; JSON-safe). */
export function tokenText(offset: number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += WORDS[((offset + i) * 7 + 3) % WORDS.length] as string;
  return out;
}
