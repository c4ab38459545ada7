// Peer exports: every field name and unit of the committed peer samples appears in ours, with
// values derived by hand from the envelope's metrics.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiperfCsv, aiperfJson, requestLine, vllmResult } from '../../../src/app/report/peerExports.js';
import { journalPathFor } from '../../../src/app/commands/export.js';

const PEER = join(import.meta.dirname, '../../../fixtures/peer-formats');
const sample = (name: string): string => readFileSync(join(PEER, name), 'utf8');

const envelope = {
  timestamp: '2026-12-04T13:32:00.454000Z',
  seed: 42,
  model: { id: 'meta-llama/Llama-3.1-8B-Instruct' },
  driver_options: { concurrency: 4, rps: null, burstiness: null, endpoint_type: 'chat', tokenizer: null },
  run_context: { endpoint_type: 'chat', point: 'c4', incomplete: false },
  counts: { errorsByCode: { http_500: 2, cancelled: 1 } },
  metrics: {
    n_requests: 13,
    n_ok: 10,
    n_failed: 3,
    osl_mean: 100,
    isl_mean: 20,
    throughput_tok_per_s_vllm: 500,
    throughput_tok_per_s_aiperf: 400,
    req_per_s_all: 4,
    req_per_s_passing: 3,
    ttft_mean_ms: 21,
    ttft_p50_ms: 20,
    ttft_p90_ms: 25,
    ttft_p99_ms: 30,
    tpot_mean_ms: 7.5,
    tpot_p50_ms: 7,
    tpot_p90_ms: 8,
    tpot_p99_ms: 9,
    itl_mean_ms: 7.2,
    itl_p50_ms: 7,
    itl_p90_ms: 8,
    itl_p99_ms: 10,
    total_mean_ms: 900,
    total_p50_ms: 880,
    total_p90_ms: 950,
    total_p99_ms: 1000,
  },
};

describe('vllm bench serve --save-result', () => {
  it('has every field of the sample', () => {
    const ours = vllmResult(envelope);
    const peer = JSON.parse(sample('vllm-bench-serve-result.json')) as Record<string, unknown>;
    expect(Object.keys(peer).filter((k) => !(k in ours))).toEqual([]);
  });

  it('values: totals = n_ok × means; duration = Σosl ÷ vLLM throughput; latencies in ms', () => {
    const r = vllmResult(envelope);
    expect(r).toMatchObject({
      date: '20261204-133200',
      backend: 'openai-chat',
      completed: 10,
      failed: 3,
      num_prompts: 13,
      max_concurrency: 4,
      request_rate: 'inf',
      total_output_tokens: 1000,
      total_input_tokens: 200,
      duration: 2, // 1000 tok ÷ 500 tok/s
      output_throughput: 500,
      total_token_throughput: 600, // (200 + 1000) ÷ 2 s
      request_throughput: 4,
      request_goodput: 3,
      mean_ttft_ms: 21,
      median_ttft_ms: 20,
      p99_ttft_ms: 30,
      median_tpot_ms: 7,
      p99_itl_ms: 10,
      mean_e2el_ms: 900,
      std_ttft_ms: null, // not in the envelope: null, not a guess
    });
  });
});

describe('AIPerf profile_export_aiperf', () => {
  it('json: every metric tag of the sample with the same unit', () => {
    const ours = aiperfJson(envelope);
    const peer = JSON.parse(sample('aiperf-profile_export_aiperf.json')) as Record<string, unknown>;
    for (const [tag, value] of Object.entries(peer)) {
      expect(ours, tag).toHaveProperty(tag);
      const unit = (value as { unit?: string } | null)?.unit;
      if (unit !== undefined) expect((ours[tag] as { unit: string }).unit, tag).toBe(unit);
    }
  });

  it('json values: inter_token_latency is our tpot; duration = Σosl ÷ AIPerf throughput; errors summarised', () => {
    const j = aiperfJson(envelope) as Record<string, { avg?: number; p99?: number }> & {
      error_summary: { error_details: { code: number | null; type: string }; count: number }[];
    };
    expect(j.inter_token_latency).toEqual({ unit: 'ms', avg: 7.5, p50: 7, p90: 8, p99: 9 });
    expect(j.time_to_first_token?.p99).toBe(30);
    expect(j.benchmark_duration?.avg).toBe(2.5); // 1000 ÷ 400
    expect(j.total_osl?.avg).toBe(1000);
    expect(j.request_count?.avg).toBe(10);
    expect(j.error_summary).toEqual([
      { error_details: { code: 500, type: 'http_500', message: 'http_500' }, count: 2 },
      { error_details: { code: 499, type: 'cancelled', message: 'cancelled' }, count: 1 },
    ]);
  });

  it('csv: the sample header rows, metric names with units, two sections', () => {
    const ours = aiperfCsv(envelope).split('\n');
    const peer = sample('aiperf-profile_export_aiperf.csv').trim().split('\n');
    expect(ours[0]).toBe(peer[0]);
    const names = (lines: string[]): string[] => lines.map((l) => l.split(',')[0]!).filter((n) => n !== '');
    for (const name of names(peer)) expect(names(ours), name).toContain(name);
    expect(ours).toContain('Time to First Token (ms),21,,,,,,,20,,25,,30,');
    expect(ours).toContain('Benchmark Duration (sec),2.5');
    expect(ours.indexOf('')).toBeGreaterThan(0);
  });
});

describe('per-request JSONL from the journal', () => {
  it('one line per record: ttft/e2e/tpot from the timestamps, outcome from the error code', () => {
    const line = requestLine({
      id: 7,
      worker: 0,
      tSchedMs: 100,
      tSendMs: 101,
      tFirstMs: 121,
      tLastMs: 221,
      oslTokens: 11,
      oslSource: 'usage',
      inputTokens: 20,
      finishReason: 'length',
      httpStatus: 200,
      errorCode: null,
      warmup: false,
    });
    expect(line).toMatchObject({ request_id: 7, outcome: 'ok', ttft_ms: 20, e2e_ms: 120, tpot_ms: 10 });
    expect(
      requestLine({ id: 8, tSendMs: 1, tFirstMs: 5, tLastMs: 9, oslTokens: 3, errorCode: 'cancelled' }),
    ).toMatchObject({
      outcome: 'cancelled',
      tpot_ms: 2,
    });
  });

  it('finds the journal beside the envelope, or says to pass --journal (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-jsonl-'));
    const path = join(dir, 'abc.json');
    const loaded = { path, envelope };
    await expect(journalPathFor(loaded)).rejects.toMatchObject({ exitCode: 2, message: /pass --journal/ });
    await writeFile(join(dir, '.bench-journal-c4.jsonl'), '');
    await expect(journalPathFor(loaded)).resolves.toBe(join(dir, '.bench-journal-c4.jsonl'));
  });
});
