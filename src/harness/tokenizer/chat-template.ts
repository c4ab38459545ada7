// Chat templates from tokenizer_config.json, rendered with @huggingface/jinja.
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '../types.js';

export interface ChatTemplateConfig {
  readonly chat_template?: unknown;
  readonly bos_token?: unknown;
  readonly eos_token?: unknown;
}

function tokenText(token: unknown): string {
  if (typeof token === 'string') return token;
  if (token && typeof token === 'object' && typeof (token as { content?: unknown }).content === 'string')
    return (token as { content: string }).content;
  return '';
}

/** The template string (a plain string, or the "default" entry of a named-template list). */
export function templateSource(config: ChatTemplateConfig): string | null {
  const raw = config.chat_template;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) {
    const named = raw as { name?: unknown; template?: unknown }[];
    const chosen = named.find((t) => t.name === 'default') ?? named[0];
    return typeof chosen?.template === 'string' ? chosen.template : null;
  }
  return null;
}

export function plainChat(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${m.role}: ${m.content}`).join('\n')}\nassistant:`;
}

export function createChatRenderer(
  config: ChatTemplateConfig,
): ((messages: readonly ChatMessage[]) => string) | null {
  const source = templateSource(config);
  if (source === null) return null;
  const template = new Template(source);
  const bos = tokenText(config.bos_token);
  const eos = tokenText(config.eos_token);
  return (messages) =>
    template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: true,
      bos_token: bos,
      eos_token: eos,
    });
}
