import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  counterValue,
  histogramDelta,
  histogramMean,
  histogramOf,
  histogramQuantile,
  metricsUrlFromBaseUrl,
  parsePrometheusText,
  PrometheusParseError,
  samplesOf,
  scrapePrometheus,
  sumOf,
} from '../../../src/telemetry/index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/prometheus/${name}`, import.meta.url), 'utf8');

describe('parsePrometheusText on recorded exposition text', () => {
  it('vLLM V1: gauges, *_total counters, histograms grouped under their family', () => {
    const e = parsePrometheusText(fixture('vllm-v1.txt'));
    expect(e.get('vllm:num_requests_running')?.type).toBe('gauge');
    expect(sumOf(e, 'vllm:num_requests_running')).toBe(16);
    expect(counterValue(e, 'vllm:prefix_cache_hits')).toBe(655360);
    expect(counterValue(e, 'vllm:generation_tokens_total')).toBe(524288);
    expect(sumOf(e, 'vllm:request_success_total')).toBe(2048);
    expect(sumOf(e, 'vllm:request_success_total', { finished_reason: 'length' })).toBe(148);
    const ttft = e.get('vllm:time_to_first_token_seconds');
    expect(ttft?.type).toBe('histogram');
    expect(ttft?.samples).toHaveLength(12);
    const h = histogramOf(e, 'vllm:time_to_first_token_seconds');
    expect(h?.count).toBe(2048);
    expect(h?.buckets.at(-1)).toEqual({ le: 0.25, count: 2048 }); // +Inf is `count`, kept out (JSON-safe)
    expect(JSON.parse(JSON.stringify(h))).toEqual(h);
    expect(histogramQuantile(h ?? null, 1)).toBe(0.25);
    expect(histogramMean(h ?? null)).toBeCloseTo(97.53 / 2048, 12);
    // median falls in (0.04, 0.06]: 843 → 1710
    expect(histogramQuantile(h ?? null, 0.5)).toBeCloseTo(0.04 + (0.02 * (1024 - 843)) / (1710 - 843), 12);
    expect(e.get('vllm:cache_config_info')?.samples[0]?.labels.num_gpu_blocks).toBe('27301');
    expect(e.get('process_resident_memory_bytes')?.samples[0]?.value).toBe(4.184915968e9);
  });

  it('DCGM exporter: one sample per gpu label with all exporter labels', () => {
    const e = parsePrometheusText(fixture('dcgm-exporter.txt'));
    const p = samplesOf(e, 'DCGM_FI_DEV_POWER_USAGE');
    expect(p.map((s) => [s.labels.gpu, s.value])).toEqual([
      ['0', 612.402],
      ['1', 71.938],
    ]);
    expect(p[0]?.labels.modelName).toBe('NVIDIA H100 80GB HBM3');
    expect(p[0]?.labels.pci_bus_id).toBe('00000000:09:00.0');
    expect(sumOf(e, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { gpu: '1' })).toBe(1234567890);
  });

  it('edge cases: escaped label values, trailing comma, NaN/±Inf, timestamps, summaries, untyped', () => {
    const e = parsePrometheusText(fixture('edge-cases.txt'));
    const w = e.get('weird_label_values');
    expect(w?.help).toBe('Label values with escapes: \\ and newline \n in HELP.');
    expect(w?.samples[0]?.labels).toEqual({
      path: 'C:\\dir\\file',
      quote: 'say "hi"',
      nl: 'a\nb',
      empty: '',
    });
    expect(w?.samples[1]?.labels).toEqual({ path: '/plain', trailing: 'comma' });
    const sv = (kind: string): number | undefined => samplesOf(e, 'special_values', { kind })[0]?.value;
    expect(sv('nan')).toBeNaN();
    expect(sv('pinf')).toBe(Infinity);
    expect(sv('ninf')).toBe(-Infinity);
    expect(sv('exp')).toBe(0.0015);
    expect(samplesOf(e, 'special_values', { kind: 'ts' })[0]?.timestampMs).toBe(1700000000000);
    const s = e.get('rpc_duration_seconds');
    expect(s?.type).toBe('summary');
    expect(s?.samples.map((x) => x.name)).toEqual([
      'rpc_duration_seconds',
      'rpc_duration_seconds',
      'rpc_duration_seconds_sum',
      'rpc_duration_seconds_count',
    ]);
    expect(sumOf(e, 'rpc_duration_seconds', { quantile: '0.99' })).toBe(0.21);
    expect(e.get('untyped_no_help')?.type).toBe('untyped');
  });

  it.each([
    ['metric{a="b" 1', /line 1: expected ',' or '}'/],
    ['metric{a="b} 1', /line 1: unterminated value of label a/],
    ['ok 1\n9bad 2', /line 2: expected a metric name/],
    ['m one', /line 1: bad number "one"/],
    ['m 1 2 3', /line 1: expected "value \[timestamp\]"/],
    ['# TYPE m flux\nm 1', /line 1: unknown metric type "flux"/],
  ])('rejects %j with the line number', (text, msg) => {
    expect(() => parsePrometheusText(text)).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText(text)).toThrow(msg);
  });

  it('histogramDelta subtracts bucket by bucket', () => {
    const pre = {
      sum: 10,
      count: 100,
      buckets: [
        { le: 1, count: 90 },
        { le: 5, count: 100 },
      ],
    };
    const post = {
      sum: 25,
      count: 130,
      buckets: [
        { le: 1, count: 110 },
        { le: 5, count: 128 },
      ],
    };
    const d = histogramDelta(pre, post);
    expect(d).toEqual({
      sum: 15,
      count: 30,
      buckets: [
        { le: 1, count: 20 },
        { le: 5, count: 28 },
      ],
    });
    expect(histogramMean(d)).toBe(0.5);
    expect(histogramMean({ sum: 0, count: 0, buckets: [] })).toBeNull();
  });
});

describe('parsePrometheusText on real prom-client output', () => {
  it('reads counters, gauges, histograms and summaries exactly as registered', async () => {
    const reg = new Registry();
    const c = new Counter({
      name: 'bench_requests_total',
      help: 'Requests\\ with "quotes"',
      labelNames: ['code'],
      registers: [reg],
    });
    c.inc({ code: '200' }, 41);
    c.inc({ code: '5"0\\0' }, 2);
    new Gauge({ name: 'bench_inflight', help: 'g', registers: [reg] }).set(-3.25);
    const h = new Histogram({
      name: 'bench_latency_seconds',
      help: 'h',
      buckets: [0.01, 0.1, 1],
      registers: [reg],
    });
    for (const v of [0.005, 0.05, 0.05, 0.5, 5]) h.observe(v);
    const s = new Summary({ name: 'bench_size_bytes', help: 's', percentiles: [0.5, 0.9], registers: [reg] });
    for (let i = 1; i <= 100; i++) s.observe(i);
    const e = parsePrometheusText(await reg.metrics());
    expect(e.get('bench_requests_total')?.type).toBe('counter');
    expect(counterValue(e, 'bench_requests', { code: '200' })).toBe(41);
    expect(counterValue(e, 'bench_requests', { code: '5"0\\0' })).toBe(2);
    expect(sumOf(e, 'bench_inflight')).toBe(-3.25);
    const hd = histogramOf(e, 'bench_latency_seconds');
    expect(hd).toEqual({
      sum: 5.605,
      count: 5,
      buckets: [
        { le: 0.01, count: 1 },
        { le: 0.1, count: 3 },
        { le: 1, count: 4 },
      ],
    });
    expect(e.get('bench_size_bytes')?.type).toBe('summary');
    expect(sumOf(e, 'bench_size_bytes_count')).toBe(100);
    expect(sumOf(e, 'bench_size_bytes_sum')).toBe(5050);
    expect(samplesOf(e, 'bench_size_bytes', { quantile: '0.5' })[0]?.value).toBeCloseTo(50.5, 0);
  });
});

describe('scrapePrometheus over loopback HTTP', () => {
  let url = '';
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(fixture('vllm-v0.txt'));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('x 1\n'), 2000);
    } else if (req.url === '/garbage') {
      res.end('{not prometheus}');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('parses a served exposition', async () => {
    const e = await scrapePrometheus(`${url}/metrics`);
    expect(sumOf(e, 'vllm:avg_generation_throughput_toks_per_s')).toBe(1384.2);
  });

  it('HTTP errors, timeouts and unparsable bodies become PrometheusScrapeError, never naming the endpoint', async () => {
    await expect(scrapePrometheus(`${url}/nope`)).rejects.toThrow(/^metrics endpoint: HTTP 404$/);
    await expect(scrapePrometheus(`${url}/slow`, { timeoutMs: 200 })).rejects.toThrow(
      /^metrics endpoint: .*(timed out|aborted)/i,
    );
    await expect(scrapePrometheus(`${url}/garbage`)).rejects.toMatchObject({ code: 'E_PROM_SCRAPE' });
    const refused = scrapePrometheus('http://scott:tiger@127.0.0.1:1/metrics?token=s3cret', {
      timeoutMs: 500,
    });
    await expect(refused).rejects.toMatchObject({ code: 'E_PROM_SCRAPE' });
    const message = await refused.catch((e: Error) => e.message);
    expect(message).not.toMatch(/127\.0\.0\.1|:1\b|scott|tiger|s3cret/);
  });

  it.each([
    ['http://localhost:8000/v1', 'http://localhost:8000/metrics'],
    ['http://localhost:8000/v1/', 'http://localhost:8000/metrics'],
    ['http://gw.example:80/serve/llama/v1', 'http://gw.example/serve/llama/metrics'],
    ['http://127.0.0.1:30000', 'http://127.0.0.1:30000/metrics'],
  ])('metricsUrlFromBaseUrl(%s)', (base, want) => {
    expect(metricsUrlFromBaseUrl(base)).toBe(want);
  });
});
