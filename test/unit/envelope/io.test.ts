import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  contentHashOf,
  envelopeFileText,
  generateDevKeyPair,
  readEnvelopeFile,
  signEnvelope,
  verifyEnvelopeFile,
  writeEnvelope,
} from '../../../src/envelope/index.js';
import type { EnvelopeV1 } from '../../../src/envelope/index.js';
import { sampleUnsignedEnvelope } from './sample-envelope.js';

// CPython 3.11: json.dumps(json.loads(<our file>) minus "signature", sort_keys=True, separators=(",", ":"))
const SAMPLE_CANONICAL_PYTHON =
  '{"dataset":{"hash":"6f4b1f68fc3a813baa983cbe70cd9ef57f8c86e6b2e6ccc9aaa2a498e588d510","id":"builtin-chatbot-short"},"distributions":{},"driver_options":{"concurrency":4,"nested":[[1,2.5],[],[[0]]],"warmup":3},"engine":{"config_hash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","image_digest":"","name":"sim","version":"0.1.0"},"envelope_version":"v1","hardware_fingerprint":{"bios":{"above_4g":true,"resizable_bar":false,"version":"1.2"},"cpu":{"microcode":"0xa0011d1","model":"AMD EPYC"},"cuda":"13.0","dmi_uuid":"unknown","driver":"580.126.09","fingerprint_sha256":"152a4e19ce0fa66aa8442578c2f1343d04eee595e71ed18693236dcf1376602e","gpus":[{"model":"NVIDIA H100 80GB HBM3","pci_id":"00000000:09:00.0","serial":"1","vbios":"96.00"},{"model":"NVIDIA H100 80GB HBM3","pci_id":"00000000:17:00.0","serial":"2","vbios":"96.00"}],"memory":{"channels":8,"ecc":true,"speed_mts":4800},"nccl":"","numa":{"nodes":[{"cpus":[0,1,2,3],"id":0,"memory_mb":515670}]}},"histograms":{"ttft_ms":{"counts":[3,7],"edges_ms":[0,10,20.5]}},"metric_ci":{"ttft_p50_ms":{"hi":24.5,"level":0.95,"lo":23.9,"n":120}},"metrics":{"compliance_rate":1e-05,"energy_joules_total":189335.1707960332,"joules_per_token":null,"ok_rate":1,"power_peak_w":0,"req_per_s_all":15000000000000000,"slo_hardware_class":"h100","total_p50_ms":1e+21,"tpot_p50_ms":1e-07,"ttft_p50_ms":24.206295143812895,"ttft_p99_ms":0.1},"model":{"endpoint_hash":"0000000000000000000000000000000000000000000000000000000000000000","id":"meta-llama/Llama-3.1-8B-Instruct","provider":"openai-compatible","revision":"unknown"},"quantization":{"format":"fp16","method":""},"run_context":{"a":3,"tool":"inferencebench","\\uff5a":2,"\\ud83d\\ude00key":1},"run_id":"019e3b45-8552-7705-ab62-1cb802fe5680","seed":42,"slo_template":"llm.standard","software_provenance":{"git_commit":"0000000000000000000000000000000000000000","image_digest":"","nvidia_smi_q_hash":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","pip_freeze_hash":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},"suite_id":"llm.inference.chatbot-short","suite_version":"1.0.0","timestamp":"2026-05-18T13:27:52.402452Z","warnings":["simulated engine: results are not from a GPU","caf\\u00e9 \\u2615 na\\u00efve \\u2014 \\ud834\\udd1e \\"quoted\\" \\\\ tab\\there"]}';
const SAMPLE_HASH_PYTHON = 'e3bafcf20dd57206997c248b1bb679a7f71454422f49864faa99ae3c665bebd5';

let dir: string;
let keyPath: string;
let signed: EnvelopeV1;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-io-'));
  keyPath = join(dir, 'keys', 'dev.key');
  await generateDevKeyPair(keyPath);
  signed = (await signEnvelope(sampleUnsignedEnvelope(), { mode: 'dev', keyPath })).envelope;
});

describe('envelopes we write', () => {
  it('canonical text and content_hash equal what Python computes from our file', () => {
    const { signature: _signature, ...unsigned } = sampleUnsignedEnvelope();
    expect(canonicalJson(unsigned)).toBe(SAMPLE_CANONICAL_PYTHON);
    expect(contentHashOf(sampleUnsignedEnvelope())).toBe(SAMPLE_HASH_PYTHON);
    expect(contentHashOf(signed)).toBe(SAMPLE_HASH_PYTHON);
  });

  it('writes <dir>/<prefix><hash12>.json atomically, 2-space indented, and it verifies', async () => {
    const out = join(dir, 'results', 'nested');
    const path = await writeEnvelope(out, 'c16-', signed);
    expect(path).toBe(join(out, `c16-${SAMPLE_HASH_PYTHON.slice(0, 12)}.json`));
    expect(await readdir(out)).toEqual([`c16-${SAMPLE_HASH_PYTHON.slice(0, 12)}.json`]); // no temp file left
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('{\n  "envelope_version": "v1",\n  "suite_id"')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('"total_p50_ms": 1e+21');
    expect(text).toContain('"tpot_p50_ms": 1e-07');
    expect(text).toContain('"power_peak_w": 0,');
    const result = await verifyEnvelopeFile(path);
    expect(result).toMatchObject({ ok: true, storedHashPrefixOk: true, contentHash: SAMPLE_HASH_PYTHON });
    const loaded = await readEnvelopeFile(path);
    expect(loaded.envelope.metrics.tpot_p50_ms).toBe(1e-7);
    expect((loaded.envelope.run_context as Record<string, unknown>)['\u{1F600}key']).toBe(1);
  });

  it('refuses to write an unsigned envelope and leaves nothing behind', async () => {
    const out = join(dir, 'unsigned-out');
    await expect(writeEnvelope(out, '', { ...signed, signature: null })).rejects.toMatchObject({
      code: 'E_ENVELOPE_UNSIGNED',
    });
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a failed write removes its temp file', async () => {
    const out = join(dir, 'blocked');
    const name = `x-${SAMPLE_HASH_PYTHON.slice(0, 12)}.json`;
    await mkdir(join(out, name), { recursive: true }); // a directory where the file should go
    await expect(writeEnvelope(out, 'x-', signed)).rejects.toBeTruthy();
    expect(await readdir(out)).toEqual([name]);
  });
});

describe('readEnvelopeFile: bad inputs give one coded line (exit 2)', () => {
  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, 'bad', name);
    await mkdir(join(dir, 'bad'), { recursive: true });
    await writeFile(path, text);
    return path;
  };
  const good = (): string => JSON.stringify(signed, null, 2);

  it.each([
    ['not found', async () => join(dir, 'missing.json'), 'E_ENVELOPE_NOT_FOUND', /no such file/],
    ['a directory', async () => dir, 'E_ENVELOPE_NOT_FOUND', /is a directory/],
    ['empty', async () => write('empty.json', ''), 'E_ENVELOPE_TRUNCATED', /is empty/],
    ['not JSON', async () => write('notjson.json', 'hello: world\n'), 'E_ENVELOPE_NOT_JSON', /is not JSON/],
    ['truncated', async () => write('trunc.json', good().slice(0, 700)), 'E_ENVELOPE_TRUNCATED', /truncated/],
    [
      'truncated inside a string',
      async () => write('trunc2.json', good().slice(0, good().indexOf('llm.inference') + 5)),
      'E_ENVELOPE_TRUNCATED',
      /truncated/,
    ],
    ['an array', async () => write('array.json', '[1, 2]'), 'E_ENVELOPE_INVALID', /top level is an array/],
    [
      'missing signature key',
      async () => {
        const { signature: _s, ...rest } = signed;
        return write('nosig.json', JSON.stringify(rest));
      },
      'E_ENVELOPE_INVALID',
      /signature: /,
    ],
    [
      'a metric that is an object',
      async () => write('metric.json', JSON.stringify({ ...signed, metrics: { ttft_p50_ms: { v: 1 } } })),
      'E_ENVELOPE_INVALID',
      /metrics\.ttft_p50_ms: /,
    ],
    [
      'wrong envelope_version',
      async () => write('v2.json', JSON.stringify({ ...signed, envelope_version: 'v2' })),
      'E_ENVELOPE_INVALID',
      /envelope_version: /,
    ],
  ])('%s', async (_label, makePath, code, message) => {
    const path = await makePath();
    const error = await readEnvelopeFile(path).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code, exitCode: 2 });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('accepts unknown keys and keeps them (tolerant read)', async () => {
    const path = await write('extra.json', JSON.stringify({ ...signed, future_block: { x: 1 } }));
    const loaded = await readEnvelopeFile(path);
    expect((loaded.envelope as Record<string, unknown>).future_block).toEqual({ x: 1 });
  });
});

describe('unsigned envelopes', () => {
  it('fail verify unless --allow-unsigned', async () => {
    const { signature: _s, ...rest } = signed;
    const unsigned = { ...rest, signature: null };
    const path = join(dir, 'unsigned', `${contentHashOf(unsigned).slice(0, 12)}.json`);
    await mkdir(join(dir, 'unsigned'), { recursive: true });
    // JSON.stringify writes 1e-7 where Python writes 1e-07; both tools re-render float literals
    // (json.loads → json.dumps), so the number's spelling in the file does not change the hash
    await writeFile(path, JSON.stringify(unsigned, null, 2));
    const jsWritten = await verifyEnvelopeFile(path, { allowUnsigned: true });
    expect(jsWritten).toMatchObject({ ok: true, contentHash: contentHashOf(unsigned) });
    await writeFile(path, envelopeFileText(unsigned));
    const strict = await verifyEnvelopeFile(path);
    expect(strict).toMatchObject({ ok: false, method: null });
    expect(strict.reason).toMatch(/unsigned/);
    const allowed = await verifyEnvelopeFile(path, { allowUnsigned: true });
    expect(allowed).toMatchObject({ ok: true, keyTrusted: false, storedHashPrefixOk: true });
  });

  it('a wrong-type --dev-public-key is a coded error', async () => {
    const ec = String(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const path = await writeEnvelope(join(dir, 'wrongtype'), '', signed);
    await expect(verifyEnvelopeFile(path, { devPublicKeyPem: ec })).rejects.toMatchObject({
      code: 'E_KEY_TYPE',
      exitCode: 2,
    });
  });
});
