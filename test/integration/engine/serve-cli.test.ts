// `bench engine serve`: flag parsing (pure) and one real spawn of the CLI.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serveOptions } from '../../../src/app/commands/engine.js';
import { cliPath, runBench } from '../../helpers/cli.js';

const base = {
  port: '8000',
  host: '127.0.0.1',
  tp: '1',
  timing: 'sim' as const,
  seed: '42',
  prefixCaching: true,
};

describe('bench engine serve flags', () => {
  it('maps flags onto EngineOptions', () => {
    const o = serveOptions({
      ...base,
      port: '0',
      model: 'qwen2.5-72b',
      quant: 'bf16',
      tp: '8',
      timing: 'sim',
      fault500: '0.1',
      faultStall: '0.02',
      reasoningTokens: '16',
      tokensPerChunk: '2',
      maxNumSeqs: '64',
      numGpuBlocksOverride: '500',
      prefixCaching: false,
      truthLog: '/tmp/t.jsonl',
    });
    expect(o).toMatchObject({
      port: 0,
      model: 'qwen2.5-72b',
      quant: 'bf16',
      tensorParallel: 8,
      faults: { http500: 0.1, stall: 0.02 },
      reasoningTokens: 16,
      tokensPerChunk: 2,
      scheduler: { maxNumSeqs: 64, numBlocks: 500 },
      prefixCaching: false,
      truthLogPath: '/tmp/t.jsonl',
    });
    expect(serveOptions({ ...base, timing: 'fixed', ttftMs: '30', itlMs: '5' }).fixed).toEqual({
      ttftMs: 30,
      itlMs: 5,
    });
  });

  it.each([
    [{ port: '70000' }, /--port must be a port 0\.\.65535/],
    [{ tp: '0' }, /--tp must be an integer 1\.\.64/],
    [{ fault500: '1.5' }, /--fault-500 must be a rate in \[0, 1\]/],
    [{ faultReset: 'often' }, /--fault-reset must be a rate/],
    [{ ttftMs: '-1' }, /--ttft-ms must be a number ≥ 0/],
    [{ seed: '1.5' }, /--seed must be an integer/],
  ])('rejects %o', (over, message) => {
    expect(() => serveOptions({ ...base, ...over })).toThrow(message);
    expect(() => serveOptions({ ...base, ...over })).toThrow(
      expect.objectContaining({ code: 'E_USAGE', exitCode: 2 }),
    );
  });
});

describe('bench engine serve (spawned)', () => {
  it('prints the base URL on stdout, serves, and exits 0 on SIGTERM', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/app/main.ts', 'engine', 'serve', '--port', '0'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const line = stdout.split('\n')[0];
        if (stdout.includes('\n') && line) resolve(line);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data[0]?.id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('SIGTERM: stopped after');
    expect(stdout.trim()).toBe(url);
  }, 60_000);
});

/** One request on its own connection (agent: false), so the cluster hands it to the next process. */
function freshConnection(url: string, method: 'GET' | 'POST', body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('bench engine serve --processes (spawned, bundled CLI)', () => {
  it('spreads connections over the processes and sums their counters on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [cliPath(), 'engine', 'serve', '--port', '0', '--timing', 'nodelay', '--processes', '3'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0] as string);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const body = JSON.stringify({ model: 'meta-llama/Llama-3.1-8B-Instruct', prompt: 'hi', max_tokens: 4 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => freshConnection(`${url}/completions`, 'POST', body)),
    );
    for (const answer of answers) expect(JSON.parse(answer).usage.completion_tokens).toBe(4);
    // Each scrape reaches one process, which has generated only its share of the tokens.
    const origin = new URL(url).origin;
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const text = await freshConnection(`${origin}/metrics`, 'GET');
      const line = text.split('\n').find((l) => l.startsWith('vllm:generation_tokens_total{'));
      seen.push(Number(line?.split(' ').at(-1)));
    }
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThan(48); // 12 requests × 4 tokens in all
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('from 3 processes');
    expect(stderr).toMatch(
      /SIGTERM: stopped after 12 requests \(12 completed, 48 token events\) over 3 processes/,
    );
  }, 60_000);

  it('refuses --processes with the sim engine or a truth log (exit 2, one line)', async () => {
    const sim = await runBench(['engine', 'serve', '--port', '0', '--processes', '2']);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toContain('--processes needs --timing nodelay or fixed');
    const truth = await runBench([
      'engine',
      'serve',
      '--port',
      '0',
      '--timing',
      'nodelay',
      '--processes',
      '2',
      '--truth-log',
      '/tmp/x.jsonl',
    ]);
    expect(truth.code).toBe(2);
    expect(truth.stderr).toContain('--truth-log needs a single process');
    const bad = await runBench(['engine', 'serve', '--port', '0', '--timing', 'nodelay', '--processes', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--processes must be an integer 1..64');
  }, 60_000);
});
