import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFetch } from '../../../src/app/commands/fetch.js';
import { envelopeIo } from '../../../src/app/report/envelopeIo.js';
import { cacheRoot, fetchCachePath, parseFetchUri } from '../../../src/app/report/fetchUri.js';
import { fixturePath, tempDir } from '../../unit/commands/helpers.js';

describe('fetch URIs', () => {
  it.each([
    [
      'hf://datasets/Yobitel/llama__chatbot',
      'https://hub.test/datasets/Yobitel/llama__chatbot/resolve/main/envelope.json',
    ],
    [
      'hf://datasets/org/repo/results/c16-abc.json',
      'https://hub.test/datasets/org/repo/resolve/main/results/c16-abc.json',
    ],
  ])('%s resolves to %s', (uri, url) => {
    const source = parseFetchUri(uri, 'https://hub.test/');
    expect(source).toMatchObject({ kind: 'hf', url });
    if (source.kind === 'hf')
      expect(source.treeUrl).toMatch(/^https:\/\/hub\.test\/api\/datasets\/[^/]+\/[^/]+\/tree\/main$/);
  });

  it('http(s), file:// and plain paths', () => {
    expect(parseFetchUri('https://x.test/a.json')).toEqual({ kind: 'http', url: 'https://x.test/a.json' });
    expect(parseFetchUri('http://127.0.0.1:9/a.json')).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:9/a.json',
    });
    expect(parseFetchUri('file:///tmp/a.json')).toEqual({ kind: 'file', path: '/tmp/a.json' });
    expect(parseFetchUri('/tmp/b.json')).toEqual({ kind: 'file', path: '/tmp/b.json' });
  });

  it.each([
    ['s3://bucket/key.json', /unsupported URI scheme "s3:"/],
    ['gs://bucket/key.json', /unsupported URI scheme "gs:"/],
    ['hf://models/org/repo', /hf URI must look like/],
    ['hf://datasets/org', /hf URI must look like/],
    ['hf://datasets/org/repo/../x.json', /may not contain/],
  ])('%s is refused with exit 2', (uri, message) => {
    expect(() => parseFetchUri(uri)).toThrow(message);
    try {
      parseFetchUri(uri);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('cache location: BENCH_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache; name = sha256(uri)[:12]', () => {
    expect(cacheRoot({ BENCH_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/inferencebench');
    expect(cacheRoot({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache\/inferencebench$/);
    const uri = 'hf://datasets/a/b';
    const id = createHash('sha256').update(uri).digest('hex').slice(0, 12);
    expect(fetchCachePath(uri, { XDG_CACHE_HOME: '/x' })).toBe(`/x/inferencebench/fetched/${id}.json`);
  });
});

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('bench fetch against a local imitation of the Hugging Face Hub', () => {
  const hubHits: Hit[] = [];
  const cdnHits: Hit[] = [];
  let hub: Server;
  let cdn: Server;
  let hubUrl: string;
  let cdnUrl: string;
  let cache: string;
  const files = new Map<string, Buffer>();
  const TOKEN = 'hf_test_token';

  beforeAll(async () => {
    files.set('org/good/envelope.json', await readFile(fixturePath('c16-b91875fdf860.json')));
    files.set('org/good/sweep/c4.json', await readFile(fixturePath('c4-95cbfd4f49dc.json')));
    files.set('org/bad/envelope.json', Buffer.from('{"not": "an envelope"}'));
    const tampered = (await readFile(fixturePath('c1-79d354b13545.json'), 'utf8')).replace(
      '"seed": 42',
      '"seed": 41',
    );
    files.set('org/tampered/envelope.json', Buffer.from(tampered));
    cdn = createServer((req, res) => {
      cdnHits.push({ path: req.url ?? '', headers: req.headers });
      const key = decodeURIComponent((req.url ?? '').replace(/^\/blob\//, ''));
      const body = files.get(key);
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    cdnUrl = await listen(cdn);
    hub = createServer((req, res) => {
      hubHits.push({ path: req.url ?? '', headers: req.headers });
      const tree = /^\/api\/datasets\/([^/]+)\/([^/]+)\/tree\/main$/.exec(req.url ?? '');
      if (tree) {
        const prefix = `${tree[1]}/${tree[2]}/`;
        const list = [...files.keys()]
          .filter((k) => k.startsWith(prefix))
          .map((k) => ({ type: 'file', path: k.slice(prefix.length), size: files.get(k)?.length }));
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify([...list, { type: 'directory', path: 'sweep' }]));
        return;
      }
      const resolve = /^\/datasets\/([^/]+)\/([^/]+)\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      if (!resolve) {
        res.writeHead(404).end();
        return;
      }
      const [, owner = '', repo = '', file = ''] = resolve;
      if (repo !== 'good' && req.headers.authorization !== `Bearer ${TOKEN}`) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"error":"Access to dataset is restricted"}');
        return;
      }
      const key = `${owner}/${repo}/${decodeURIComponent(file)}`;
      if (!files.has(key)) {
        res.writeHead(404).end('{"error":"Entry not found"}');
        return;
      }
      // like the Hub: a redirect to a CDN on another origin
      res.writeHead(302, { location: `${cdnUrl}/blob/${encodeURIComponent(key)}` }).end();
    });
    hubUrl = await listen(hub);
    cache = await tempDir('bench-cache-');
  });

  afterAll(async () => {
    await new Promise((r) => hub.close(r));
    await new Promise((r) => cdn.close(r));
  });

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    HF_ENDPOINT: hubUrl,
    BENCH_CACHE_DIR: cache,
    ...extra,
  });

  it('downloads through resolve → redirect, caches under sha256(uri)[:12], verifies and prints the fields', async () => {
    const uri = 'hf://datasets/org/good';
    const out = await runFetch(uri, {}, envelopeIo, env({ HF_TOKEN: TOKEN }));
    expect(out.exitCode).toBe(0);
    const dest = fetchCachePath(uri, env());
    expect(out.stdout).toBe(
      [
        `OK  fetched ${uri}`,
        `    local_path: ${dest}`,
        '    content_hash: b91875fdf860' + out.stdout.split('content_hash: b91875fdf860')[1]?.split('\n')[0],
        '    suite_id: llm.inference.chatbot-short',
        '    model_id: Qwen/Qwen2.5-72B-Instruct',
        '    signature: dev-key',
        '    trust: valid but untrusted signer',
        '',
      ].join('\n'),
    );
    expect(await readFile(dest)).toEqual(files.get('org/good/envelope.json'));
    // the token goes to the Hub, never to the CDN it redirects to
    expect(hubHits.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(cdnHits.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('a second fetch is a cache hit (no request); --force downloads again', async () => {
    const uri = 'hf://datasets/org/good';
    const before = hubHits.length;
    const hit = await runFetch(uri, {}, envelopeIo, env());
    expect(hit.exitCode).toBe(0);
    expect(hit.stderr).toMatch(/^cache hit: /);
    expect(hubHits.length).toBe(before);
    const forced = await runFetch(uri, { force: true }, envelopeIo, env());
    expect(forced.exitCode).toBe(0);
    expect(hubHits.length).toBe(before + 1);
  });

  it('a file inside the repo, with --out', async () => {
    const out = join(cache, 'mine', 'c4.json');
    const r = await runFetch('hf://datasets/org/good/sweep/c4.json', { out }, envelopeIo, env());
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`local_path: ${out}\n`));
    expect((await stat(out)).isFile()).toBe(true);
  });

  it('gated without a token: exit 2 telling to set HF_TOKEN', async () => {
    await expect(runFetch('hf://datasets/org/bad', {}, envelopeIo, env())).rejects.toMatchObject({
      exitCode: 2,
      code: 'E_FETCH_AUTH',
      message: expect.stringMatching(/HTTP 401 \(gated or private: set HF_TOKEN\)/),
    });
  });

  it('404 lists the JSON files of the repo from the tree endpoint', async () => {
    await expect(
      runFetch('hf://datasets/org/good/missing.json', {}, envelopeIo, env()),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /not found \(HTTP 404\); JSON files in the repo: envelope\.json, sweep\/c4\.json$/,
      ),
    });
  });

  it('a schema-invalid payload stays on disk and exits 2', async () => {
    const uri = 'hf://datasets/org/bad';
    await expect(runFetch(uri, {}, envelopeIo, env({ HF_TOKEN: TOKEN }))).rejects.toMatchObject({
      exitCode: 2,
      code: 'E_FETCH_INVALID',
      message: expect.stringMatching(/kept at .*: .*not an envelope/),
    });
    expect(await readFile(fetchCachePath(uri, env()), 'utf8')).toBe('{"not": "an envelope"}');
  });

  it('a tampered envelope over https-style URL: FAIL with the reason, exit 1', async () => {
    const uri = `${cdnUrl}/blob/${encodeURIComponent('org/tampered/envelope.json')}`;
    const r = await runFetch(uri, {}, envelopeIo, env());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}fetched /);
    expect(r.stdout).toMatch(/reason: .*(mismatch|signature)/);
  });

  it('file:// and plain paths; unreachable hosts and missing files exit 2', async () => {
    const src = fixturePath('010e9504589b.json');
    const a = await runFetch(pathToFileURL(src).toString(), {}, envelopeIo, env());
    expect(a.exitCode).toBe(0);
    const b = await runFetch(src, { out: join(cache, 'plain.json') }, envelopeIo, env());
    expect(b.stdout).toMatch(/suite_id: llm\.inference\.chatbot-short/);
    await expect(runFetch('/nonexistent/x.json', {}, envelopeIo, env())).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(runFetch('http://127.0.0.1:1/x.json', {}, envelopeIo, env())).rejects.toMatchObject({
      exitCode: 2,
      code: 'E_FETCH_NETWORK',
    });
    await expect(runFetch('ftp://host/x.json', {}, envelopeIo, env())).rejects.toMatchObject({
      exitCode: 2,
      code: 'E_FETCH_SCHEME',
    });
  });
});
