// loadTokenizer: --tokenizer PATH (a tokenizer.json, or a directory holding one and optionally
// tokenizer_config.json), else js-tiktoken for OpenAI model ids, else the shipped fixture BPE.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { defaultTokenizer } from './default.js';
import { TokenizerError } from './errors.js';
import { createHfTokenizer } from './hf.js';
import { createTiktokenCounter, openAiEncodingFor } from './tiktoken.js';
import type { TokenCounter } from './types.js';

export interface LoadTokenizerOptions {
  /** tokenizer.json, or a directory containing it. */
  readonly path?: string;
  /** Model id: OpenAI ids (gpt-*, o1/o3/o4…) select a tiktoken encoding when no path is given. */
  readonly model?: string;
}

async function readJson(path: string, what: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new TokenizerError(`tokenizer: cannot read ${what} ${path}`, 'E_TOKENIZER_MISSING');
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return parsed;
  } catch (error) {
    throw new TokenizerError(`tokenizer: ${path} is not valid JSON (${(error as Error).message})`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    throw new TokenizerError(`tokenizer: ${path} does not exist`, 'E_TOKENIZER_MISSING');
  }
}

async function optionalJson(path: string): Promise<object> {
  try {
    await stat(path);
  } catch {
    return {};
  }
  return readJson(path, 'tokenizer config');
}

const cache = new Map<string, Promise<TokenCounter>>();

async function loadFromPath(path: string): Promise<TokenCounter> {
  const file = (await isDirectory(path)) ? join(path, 'tokenizer.json') : path;
  const tokenizerJson = await readJson(file, 'tokenizer file');
  if (!('model' in tokenizerJson))
    throw new TokenizerError(`tokenizer: ${file} has no "model" section (not a tokenizer.json)`);
  const config = await optionalJson(join(dirname(file), 'tokenizer_config.json'));
  try {
    return createHfTokenizer(tokenizerJson, config, `hf:${join(basename(dirname(file)), basename(file))}`);
  } catch (error) {
    throw new TokenizerError(`tokenizer: cannot load ${file}: ${(error as Error).message}`);
  }
}

export function loadTokenizer(options: LoadTokenizerOptions = {}): Promise<TokenCounter> {
  if (options.path) {
    const key = `path:${options.path}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = loadFromPath(options.path);
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  }
  const encoding = options.model ? openAiEncodingFor(options.model) : null;
  if (encoding) {
    const key = `tiktoken:${encoding}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = createTiktokenCounter(encoding);
      cache.set(key, pending);
    }
    return pending;
  }
  return Promise.resolve(defaultTokenizer());
}
