#!/usr/bin/env bash
# Issue 17, case 4 on a real GPU: a trace replay measures the trace. Runs on the GPU host in one call:
#   1. starts the real engine of ../shared/tools/gpu-engine.py (HF transformers continuous batching,
#      random weights) on 127.0.0.1:8000;
#   2. replays the first ENTRIES entries of fixtures/datasets/mooncake-trace-sample.jsonl at
#      --time-scale SCALE against it (no gate, no warm-up, the window to the last response);
#   3. writes $OUT/trace-summary.txt: entries sent / skipped, schedule lag, n measured, ttft and
#      ttft_sched, the window, the exit code — and the envelope.
#
# Prepare and run as scripts/gpu-ttft-sched.sh says (npm run build, gpu-pack, carry .gpu).
# Environment: MODEL (llama-3.1-8b | llama-1b), ENTRIES (20), SCALE (30), PORT (8000).
set -uo pipefail
cd "$(dirname "$0")/.."
final=${OUT:-./gpu-trace-out}
mkdir -p "$final"
work=/tmp/gpu-trace
rm -rf "$work"; mkdir -p "$work"
export NO_COLOR=1 PYTHONUNBUFFERED=1
model=${MODEL:-llama-3.1-8b}
entries=${ENTRIES:-20}
scale=${SCALE:-30}
port=${PORT:-8000}
base="http://127.0.0.1:${port}/v1"
summary="$final/trace-summary.txt"
log() { echo "$*" | tee -a "$summary" >&2; }

# shellcheck source=scripts/gpu-engine-up.sh
source scripts/gpu-engine-up.sh
gpu_engine_up gpu-trace "$final/trace-engine.log"
head -n "$entries" fixtures/datasets/mooncake-trace-sample.jsonl >"$work/trace.jsonl"
key="$work/key"
node dist/bench.js keygen "$key" --force >/dev/null
args=(run llm.inference.trace --dataset-path "$work/trace.jsonl" --time-scale "$scale" --base-url "$base"
  --model "$model" --engine hf-cb --hardware h200 --no-tui --dev-key "$key" --output "$work/out")
log "\$ bench ${args[*]}"
start=$(date +%s.%N)
timeout 500 node dist/bench.js "${args[@]}" >"$work/stdout.txt" 2>"$work/stderr.txt"
code=$?
log "(exit $code after $(python3 -c "import time; print(round(time.time() - $start, 1))") s)"
grep -E '^(Trace|Tier):|ttft|client_queue|n=|exit 1' "$work/stdout.txt" "$work/stderr.txt" | head -20 >>"$summary"
python3 - "$work/out" >>"$summary" <<'PY'
import glob, json, sys
files = sorted(glob.glob(sys.argv[1] + "/*.json"))
if not files:
    print("no envelope"); sys.exit()
e = json.load(open(files[-1]))
rc, m = e["run_context"], e["metrics"]
print(f"driver {rc['driver']} · concurrency {rc['concurrency']} · warm-up {rc['warmup_requests']} · gate {e['driver_options']['gate']['enabled']}")
print(f"trace {json.dumps(rc.get('trace'))}")
print(f"n_requests {m.get('n_requests')} · window {m.get('window_s')} s · ok_rate {m.get('ok_rate')}")
for k in ("ttft_p50_ms", "ttft_p99_ms", "ttft_sched_p50_ms", "ttft_sched_p99_ms", "tpot_p50_ms", "client_queue_delay_p99_ms", "req_per_s_all"):
    print(f"  {k} {m.get(k)}")
print("warnings:"); [print("  -", w) for w in e["warnings"]]
PY
cat "$summary"
newest=$(ls -t "$work/out"/*.json 2>/dev/null | head -1)
[[ -n $newest ]] && cp "$newest" "$final/trace-$(basename "$newest")"
exit 0
