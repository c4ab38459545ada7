// Exports other tools' pipelines read: vLLM's `vllm bench serve --save-result` JSON, AIPerf's
// profile_export_aiperf.json/.csv, and per-request JSONL from the run's journal. Field names and
// units follow the peers (fixtures/peer-formats); values come from the envelope's metrics, using
// the peer-definition throughputs (throughput_tok_per_s_vllm / _aiperf, docs/metrics.md). A value
// the envelope does not carry is null (JSON) or empty (CSV), never estimated.
import { getPath, getString, metricNumber, type EnvelopeLike } from './envelopeView.js';
import { csvLine } from './format.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function num(envelope: EnvelopeLike, key: string): number | null {
  return metricNumber(envelope, key) ?? null;
}

function endpointType(envelope: EnvelopeLike): string {
  const type =
    getString(envelope, 'run_context', 'endpoint_type') ??
    getString(envelope, 'driver_options', 'endpoint_type');
  return type === 'completions' ? 'completions' : 'chat';
}

/** Σ osl and Σ isl of the successful measured requests (mean × count: both are over the same requests). */
function totals(envelope: EnvelopeLike): { outputTokens: number | null; inputTokens: number | null } {
  const ok = num(envelope, 'n_ok');
  const osl = num(envelope, 'osl_mean');
  const isl = num(envelope, 'isl_mean');
  return {
    outputTokens: ok !== null && osl !== null ? Math.round(ok * osl) : null,
    inputTokens: ok !== null && isl !== null ? Math.round(ok * isl) : null,
  };
}

/** Seconds over which a peer's throughput divides Σ osl (its own span definition). */
function spanS(outputTokens: number | null, throughput: number | null): number | null {
  return outputTokens !== null && throughput !== null && throughput > 0 ? outputTokens / throughput : null;
}

function vllmDate(timestamp: string | undefined): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(timestamp ?? '');
  return m ? `${m[1]}${m[2]}${m[3]}-${m[4]}${m[5]}${m[6]}` : null;
}

const VLLM_LATENCIES: readonly [string, string][] = [
  ['ttft', 'ttft'],
  ['tpot', 'tpot'],
  ['itl', 'itl'],
  ['e2el', 'total'],
];

/** The JSON `vllm bench serve --save-result` writes (without --save-detailed). */
export function vllmResult(envelope: EnvelopeLike): Record<string, Json> {
  const { outputTokens, inputTokens } = totals(envelope);
  const outputThroughput = num(envelope, 'throughput_tok_per_s_vllm');
  const duration = spanS(outputTokens, outputThroughput);
  const backend = endpointType(envelope) === 'chat' ? 'openai-chat' : 'openai';
  const concurrency = getPath(envelope, 'driver_options', 'concurrency');
  const rps = getPath(envelope, 'driver_options', 'rps');
  const burstiness = getPath(envelope, 'driver_options', 'burstiness');
  const model = getString(envelope, 'model', 'id') ?? null;
  const result: Record<string, Json> = {
    date: vllmDate(getString(envelope, 'timestamp')),
    endpoint_type: backend,
    backend,
    label: null,
    model_id: model,
    tokenizer_id: getString(envelope, 'driver_options', 'tokenizer') ?? model,
    num_prompts: num(envelope, 'n_requests'),
    request_rate: typeof rps === 'number' ? rps : 'inf',
    burstiness: typeof burstiness === 'number' ? burstiness : 1.0,
    max_concurrency: typeof concurrency === 'number' ? concurrency : null,
    duration,
    completed: num(envelope, 'n_ok'),
    failed: num(envelope, 'n_failed'),
    total_input_tokens: inputTokens,
    total_output_tokens: outputTokens,
    request_throughput: num(envelope, 'req_per_s_all'),
    request_goodput: num(envelope, 'req_per_s_passing'),
    output_throughput: outputThroughput,
    total_token_throughput:
      duration !== null && inputTokens !== null && outputTokens !== null && duration > 0
        ? (inputTokens + outputTokens) / duration
        : null,
    // Peak rates need the per-second timeline, which the envelope does not keep.
    max_output_tokens_per_s: null,
    max_concurrent_requests: null,
  };
  for (const [peer, ours] of VLLM_LATENCIES) {
    result[`mean_${peer}_ms`] = num(envelope, `${ours}_mean_ms`);
    result[`median_${peer}_ms`] = num(envelope, `${ours}_p50_ms`);
    result[`std_${peer}_ms`] = num(envelope, `${ours}_std_ms`);
    result[`p90_${peer}_ms`] = num(envelope, `${ours}_p90_ms`);
    result[`p99_${peer}_ms`] = num(envelope, `${ours}_p99_ms`);
  }
  return result;
}

interface AiperfMetric {
  readonly tag: string;
  readonly header: string;
  readonly unit: string;
  readonly ours: string;
}

/** AIPerf metric tags with a distribution, and the envelope metric family they come from. */
const AIPERF_DISTRIBUTIONS: readonly AiperfMetric[] = [
  { tag: 'request_latency', header: 'Request Latency', unit: 'ms', ours: 'total' },
  { tag: 'time_to_first_token', header: 'Time to First Token', unit: 'ms', ours: 'ttft' },
  // AIPerf's inter_token_latency is per request (latency − ttft) ÷ (osl − 1): our tpot.
  { tag: 'inter_token_latency', header: 'Inter Token Latency', unit: 'ms', ours: 'tpot' },
];

const PERCENTILES = ['p1', 'p5', 'p10', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99'] as const;

function distribution(envelope: EnvelopeLike, m: AiperfMetric): Record<string, Json> {
  const out: Record<string, Json> = { unit: m.unit, avg: num(envelope, `${m.ours}_mean_ms`) };
  for (const p of PERCENTILES) {
    const value = num(envelope, `${m.ours}_${p}_ms`);
    if (value !== null) out[p] = value;
  }
  return out;
}

function scalar(unit: string, avg: number | null): Record<string, Json> {
  return { unit, avg };
}

/** AIPerf's profile_export_aiperf.json. */
export function aiperfJson(envelope: EnvelopeLike): Record<string, Json> {
  const { outputTokens, inputTokens } = totals(envelope);
  const throughput = num(envelope, 'throughput_tok_per_s_aiperf');
  const failed = num(envelope, 'n_failed');
  const out: Record<string, Json> = {};
  for (const m of AIPERF_DISTRIBUTIONS) out[m.tag] = distribution(envelope, m);
  out.request_throughput = scalar('requests/sec', num(envelope, 'req_per_s_all'));
  out.output_sequence_length = scalar('tokens', num(envelope, 'osl_mean'));
  out.input_sequence_length = scalar('tokens', num(envelope, 'isl_mean'));
  out.output_token_throughput = scalar('tokens/sec', throughput);
  out.benchmark_duration = scalar('sec', spanS(outputTokens, throughput));
  out.request_count = scalar('requests', num(envelope, 'n_ok'));
  out.total_isl = scalar('tokens', inputTokens);
  out.total_osl = scalar('tokens', outputTokens);
  out.was_cancelled = getPath(envelope, 'run_context', 'incomplete') === true;
  const timestamp = getString(envelope, 'timestamp');
  out.start_time = timestamp !== undefined ? timestamp.replace(/Z$/, '') : null;
  out.end_time = null;
  const errors = getPath(envelope, 'counts', 'errorsByCode');
  out.error_summary =
    typeof errors === 'object' && errors !== null
      ? Object.entries(errors as Record<string, unknown>)
          .filter(([, count]) => typeof count === 'number' && count > 0)
          .map(([code, count]) => {
            const http = /^http_(\d+)$/.exec(code);
            return {
              error_details: {
                code: http ? Number(http[1]) : code === 'cancelled' ? 499 : null,
                type: code,
                message: code,
              },
              count: count as number,
            };
          })
      : [];
  out.goodput = num(envelope, 'req_per_s_passing');
  out.good_request_count = null;
  out.error_request_count = failed !== null && failed > 0 ? failed : null;
  const concurrency = getPath(envelope, 'driver_options', 'concurrency');
  const rps = getPath(envelope, 'driver_options', 'rps');
  out.input_config = {
    endpoint: {
      model_names: [getString(envelope, 'model', 'id') ?? ''],
      type: endpointType(envelope),
      streaming: true,
    },
    loadgen: {
      ...(typeof concurrency === 'number' ? { concurrency } : {}),
      ...(typeof rps === 'number' ? { request_rate: rps } : {}),
    },
    input: {
      random_seed:
        typeof getPath(envelope, 'seed') === 'number' ? (getPath(envelope, 'seed') as number) : null,
    },
  };
  return out;
}

const SUMMARY_ROWS: readonly [string, string, string][] = [
  ['Benchmark Duration (sec)', 'benchmark_duration', ''],
  ['Request Throughput (requests/sec)', 'request_throughput', ''],
  ['Request Count', 'request_count', ''],
  ['Output Token Throughput (tokens/sec)', 'output_token_throughput', ''],
];

function cell(value: Json | undefined): string | number | null {
  return typeof value === 'number' ? Number(value.toFixed(2)) : null;
}

/** AIPerf's profile_export_aiperf.csv: statistics section, blank line, summary section. */
export function aiperfCsv(envelope: EnvelopeLike): string {
  const json = aiperfJson(envelope);
  const stats = ['avg', 'min', 'max', ...PERCENTILES, 'std'];
  const lines = [csvLine(['Metric', ...stats])];
  const rows: [string, string, string][] = [
    ...AIPERF_DISTRIBUTIONS.map((m): [string, string, string] => [m.header, m.tag, m.unit]),
    ['Output Sequence Length', 'output_sequence_length', 'tokens'],
    ['Input Sequence Length', 'input_sequence_length', 'tokens'],
  ];
  for (const [header, tag, unit] of rows) {
    const entry = json[tag] as Record<string, Json>;
    lines.push(csvLine([`${header} (${unit})`, ...stats.map((s) => cell(entry[s]))]));
  }
  lines.push('', csvLine(['Metric', 'Value']));
  for (const [header, tag] of SUMMARY_ROWS) {
    lines.push(csvLine([header, cell((json[tag] as Record<string, Json>).avg)]));
  }
  return lines.join('\n');
}

/** One journal record (src/harness/types.ts RequestRecord) as a per-request export line. */
export function requestLine(record: Record<string, unknown>): Record<string, Json> {
  const n = (key: string): number | null => {
    const v = record[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const tSend = n('tSendMs');
  const tFirst = n('tFirstMs');
  const tLast = n('tLastMs');
  const osl = n('oslTokens');
  const errorCode = typeof record.errorCode === 'string' ? record.errorCode : null;
  return {
    request_id: n('id'),
    worker: n('worker'),
    warmup: record.warmup === true,
    outcome: errorCode ?? 'ok',
    http_status: n('httpStatus'),
    t_sched_ms: n('tSchedMs'),
    t_send_ms: tSend,
    ttft_ms: tFirst !== null && tSend !== null ? tFirst - tSend : null,
    e2e_ms: tLast !== null && tSend !== null ? tLast - tSend : null,
    tpot_ms:
      tFirst !== null && tLast !== null && osl !== null && osl >= 2 ? (tLast - tFirst) / (osl - 1) : null,
    input_tokens: n('inputTokens'),
    output_tokens: osl,
    output_tokens_source: typeof record.oslSource === 'string' ? record.oslSource : null,
    finish_reason: typeof record.finishReason === 'string' ? record.finishReason : null,
  };
}
