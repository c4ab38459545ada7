// Changing any single character inside a key or a value of a signed envelope must make verify
// fail; re-indenting the file must not. Runs on every fixture and on one envelope we sign.
import { mkdtemp, readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateDevKeyPair,
  parseEnvelopeText,
  signEnvelope,
  verifyEnvelopeObject,
  writeEnvelope,
} from '../../../src/envelope/index.js';
import { sampleUnsignedEnvelope } from './sample-envelope.js';

interface Site {
  index: number;
  kind: 'key' | 'string' | 'number';
}

/** Character positions inside string contents (keys and values) and number digits. */
export function mutationSites(text: string): Site[] {
  const sites: Site[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i + 1;
      let j = start;
      const inner: number[] = [];
      while (text[j] !== '"') {
        if (text[j] === '\\') {
          j += text[j + 1] === 'u' ? 6 : 2; // never split an escape sequence
          continue;
        }
        inner.push(j);
        j++;
      }
      let k = j + 1;
      while (text[k] === ' ' || text[k] === '\n' || text[k] === '\r' || text[k] === '\t') k++;
      const kind = text[k] === ':' ? 'key' : 'string';
      for (const index of inner) sites.push({ index, kind });
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i;
      while (j < text.length && /[-+0-9.eE]/.test(text[j]!)) {
        if (text[j]! >= '0' && text[j]! <= '9') sites.push({ index: j, kind: 'number' });
        j++;
      }
      i = j;
    } else i++;
  }
  return sites;
}

/** Replaces one character with another of the same class so the JSON stays well-formed. */
function mutate(text: string, index: number): string {
  const ch = text[index]!;
  let next: string;
  if (ch >= '0' && ch <= '9') {
    const leading = index === 0 || !/[0-9.]/.test(text[index - 1]!);
    next = ch === '9' ? (leading ? '1' : '0') : String(Number(ch) + 1);
    if (leading && next === '0') next = '1';
  } else if (ch >= 'a' && ch <= 'z') next = ch === 'z' ? 'a' : String.fromCharCode(ch.charCodeAt(0) + 1);
  else if (ch >= 'A' && ch <= 'Z') next = ch === 'Z' ? 'A' : String.fromCharCode(ch.charCodeAt(0) + 1);
  else next = ch === 'x' ? 'y' : 'x';
  return text.slice(0, index) + next + text.slice(index + 1);
}

/** Deterministic sample (mulberry32) of up to `count` sites, always including each kind. */
function sample(sites: Site[], count: number, seed: number): Site[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const chosen = new Map<number, Site>();
  for (const kind of ['key', 'string', 'number'] as const) {
    const ofKind = sites.filter((site) => site.kind === kind);
    if (ofKind.length > 0) chosen.set(ofKind[0]!.index, ofKind[0]!);
    if (ofKind.length > 0) chosen.set(ofKind.at(-1)!.index, ofKind.at(-1)!);
  }
  while (chosen.size < Math.min(count, sites.length)) {
    const site = sites[Math.floor(random() * sites.length)]!;
    chosen.set(site.index, site);
  }
  return [...chosen.values()];
}

async function verifiesText(text: string, path: string): Promise<boolean> {
  try {
    const loaded = parseEnvelopeText(text, path);
    const result = await verifyEnvelopeObject({ envelope: loaded.envelope, lossless: loaded.lossless, path });
    return result.ok;
  } catch {
    return false; // unusable file: verify fails too (exit 2)
  }
}

/** The JSON number literal covering `index`. */
function literalAt(text: string, index: number): string {
  let start = index;
  let end = index;
  while (start > 0 && /[-+0-9.eE]/.test(text[start - 1]!)) start--;
  while (end < text.length && /[-+0-9.eE]/.test(text[end]!)) end++;
  return text.slice(start, end);
}

/**
 * A digit change in a float literal past its 17th significant digit can leave the double unchanged:
 * Python's json.loads reads the same float, so the hash (and Python's verify) rightly does not move.
 */
function sameDouble(text: string, mutated: string, index: number): boolean {
  const before = literalAt(text, index);
  const after = literalAt(mutated, index);
  return /[.eE]/.test(before) && /[.eE]/.test(after) && Number(before) === Number(after);
}

const SAMPLES_PER_FILE = 300;
const fixtureDir = 'fixtures/inferencebench-envelopes';
const targets: Array<{ name: string; path: string }> = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, path: join(fixtureDir, name) }));

let ours: { name: string; path: string };
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-mutation-'));
  await generateDevKeyPair(join(dir, 'dev.key'));
  const { envelope } = await signEnvelope(sampleUnsignedEnvelope(), {
    mode: 'dev',
    keyPath: join(dir, 'dev.key'),
  });
  const path = await writeEnvelope(dir, 'c4-', envelope);
  ours = { name: 'ours (signed by us)', path };
});

describe('single-character mutations', () => {
  it('finds sites of every kind', () => {
    const sites = mutationSites('{"ab": "cd", "n": [12, -3.5e-7]}');
    expect(sites.filter((s) => s.kind === 'key').map((s) => s.index)).toEqual([2, 3, 14]);
    expect(sites.filter((s) => s.kind === 'string').map((s) => s.index)).toEqual([8, 9]);
    expect(sites.filter((s) => s.kind === 'number').map((s) => s.index)).toEqual([19, 20, 24, 26, 29]);
  });

  const cases = [...targets.map((t) => t.name), 'ours'];
  it.each(cases)('%s: every sampled mutation fails, re-indenting passes', async (name) => {
    const target = name === 'ours' ? ours : targets.find((t) => t.name === name)!;
    const text = await readFile(target.path, 'utf8');
    expect(await verifiesText(text, target.path)).toBe(true);

    const sites = sample(mutationSites(text), SAMPLES_PER_FILE, 42);
    expect(sites.length).toBeGreaterThanOrEqual(Math.min(SAMPLES_PER_FILE, 100));
    const survivors: string[] = [];
    for (const site of sites) {
      const mutated = mutate(text, site.index);
      expect(mutated).not.toBe(text);
      if (site.kind === 'number' && sameDouble(text, mutated, site.index)) continue;
      if (await verifiesText(mutated, target.path))
        survivors.push(
          `${site.kind}@${site.index}: ${JSON.stringify(text.slice(site.index - 20, site.index + 20))}`,
        );
    }
    expect(survivors).toEqual([]);

    // re-indented (4 spaces, and minified): still OK — whitespace is not part of the hash
    const lossless = parseLossless(text);
    expect(await verifiesText(stringifyLossless(lossless, undefined, 4)!, target.path)).toBe(true);
    expect(await verifiesText(stringifyLossless(lossless)!, target.path)).toBe(true);
    const tabbed = text.replace(/\n( +)/g, (_m, spaces: string) => `\r\n${'\t'.repeat(spaces.length / 2)}`);
    expect(await verifiesText(tabbed, target.path)).toBe(true);
  });

  it('a renamed file (hash prefix of another envelope) fails', async () => {
    const text = await readFile(join(fixtureDir, 'c1-79d354b13545.json'), 'utf8');
    expect(await verifiesText(text, join(fixtureDir, 'c1-95cbfd4f49dc.json'))).toBe(false);
    expect(await verifiesText(text, join(fixtureDir, 'renamed-without-hash.json'))).toBe(true);
    const loaded = parseEnvelopeText(text, 'x');
    const unchecked = await verifyEnvelopeObject(
      {
        envelope: loaded.envelope,
        lossless: loaded.lossless,
        path: join(fixtureDir, 'c1-95cbfd4f49dc.json'),
      },
      { checkFileName: false },
    );
    expect(unchecked).toMatchObject({ ok: true, storedHashPrefixOk: null });
  });
});
