import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  endpointHashKey,
  keyedEndpointHash,
  normalizeEndpoint,
} from '../../../src/envelope/endpoint-hash.js';

describe('keyed endpoint hash', () => {
  it('normalises away credentials, query, fragment, host case and trailing slashes', () => {
    expect(normalizeEndpoint('http://u:p@GPU-Box:8000/v1/?api_key=x#f')).toBe('http://gpu-box:8000/v1');
  });

  it('is stable per user key, differs across keys, and is not the plain sha256 of the URL', async () => {
    const env = { BENCH_CONFIG_DIR: await mkdtemp(join(tmpdir(), 'bench-ephash-')) };
    const key = endpointHashKey(env);
    expect(endpointHashKey(env)).toEqual(key); // created once, then read back
    const path = join(env.BENCH_CONFIG_DIR, 'endpoint-hash.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const a = keyedEndpointHash('http://u:old@10.0.0.5:8000/v1', key);
    expect(keyedEndpointHash('http://u:rotated@10.0.0.5:8000/v1/', key)).toBe(a);
    expect(keyedEndpointHash('http://10.0.0.6:8000/v1', key)).not.toBe(a);
    const other = endpointHashKey({ BENCH_CONFIG_DIR: await mkdtemp(join(tmpdir(), 'bench-ephash-')) });
    expect(keyedEndpointHash('http://10.0.0.5:8000/v1', other)).not.toBe(a);
    expect(a).not.toBe(createHash('sha256').update('http://10.0.0.5:8000/v1').digest('hex'));
    expect(keyedEndpointHash(null, key)).toBe('0'.repeat(64));
  });
});
