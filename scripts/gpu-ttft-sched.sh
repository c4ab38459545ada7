#!/usr/bin/env bash
# Issue 17, case 1 on a real GPU: `ttft` and `ttft_sched` agree in closed loop and diverge in an
# open-loop run above capacity (coordinated omission made visible). Runs on the GPU host in one call:
#   1. starts the real engine of ../shared/tools/gpu-engine.py (HF transformers continuous batching,
#      Llama-3.1-8B shapes, random weights) on 127.0.0.1:8000;
#   2. (a) closed loop, c=8, 20 s — capacity = its req_per_s_all;
#   3. (b) open loop at 1.5 × capacity (Poisson), --max-concurrency 8, 20 s: the client queues;
#   4. writes the envelopes and $OUT/ttft-sched-summary.txt (ttft vs ttft_sched p50/p99, client queue
#      delay, offered vs achieved rate) — the numbers the closing note of issue 17 reports.
#
# Prepare here (the GPU host has Python/PyTorch/aiohttp/transformers, no Node):
#   npm run build && ../shared/tools/gpu-pack.sh && cp ../shared/tools/gpu-engine.py .gpu/
# then run, carrying .gpu (about 30 MiB), e.g. with timeout_s 600:
#   xz -d -c .gpu/node.xz > /tmp/node && chmod +x /tmp/node && tar xf .gpu/payload.tar && \
#   export PATH=/tmp:$PATH; scripts/gpu-ttft-sched.sh
# Environment: MODEL (llama-3.1-8b | llama-1b), CONC (8), DURATION (20), OVERLOAD (1.5), PORT (8000).
set -uo pipefail
cd "$(dirname "$0")/.."
final=${OUT:-./gpu-ttft-sched-out}
mkdir -p "$final"
work=/tmp/ttft-sched
rm -rf "$work"; mkdir -p "$work"
export NO_COLOR=1 PYTHONUNBUFFERED=1
model=${MODEL:-llama-3.1-8b}
conc=${CONC:-8}
duration=${DURATION:-20}
overload=${OVERLOAD:-1.5}
port=${PORT:-8000}
base="http://127.0.0.1:${port}/v1"
summary="$final/ttft-sched-summary.txt"
log() { echo "$*" | tee -a "$summary" >&2; }

# shellcheck source=scripts/gpu-engine-up.sh
source scripts/gpu-engine-up.sh
gpu_engine_up gpu-ttft-sched "$final/engine.log"
# One throwaway request compiles/allocates what the first real one would otherwise pay for.
python3 - "$base" "$model" <<'PY' || log "warm-up request failed"
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/chat/completions", method="POST",
    data=json.dumps({"model": sys.argv[2], "messages": [{"role": "user", "content": "warm up"}], "max_tokens": 16}).encode(),
    headers={"content-type": "application/json"})
urllib.request.urlopen(req, timeout=120).read()
PY

key="$work/key"
node dist/bench.js keygen "$key" --force >/dev/null
common=(llm.inference.chatbot-short --base-url "$base" --model "$model" --engine hf-cb --hardware h200
  --duration "$duration" --no-tui --json --dev-key "$key" --gate-timeout 30)

run_point() { # name, extra flags…
  local name=$1; shift
  log "\$ bench run ${common[*]} --output $work/$name $*"
  timeout 420 node dist/bench.js run "${common[@]}" --output "$work/$name" "$@" \
    >"$work/$name.json" 2>"$work/$name.stderr"
  log "(exit $?)"
  grep -i 'warning' "$work/$name.stderr" | head -8 >>"$summary"
}

run_point closed --concurrency "$conc"
capacity=$(python3 - "$work/closed" <<'PY'
import glob, json, sys
files = sorted(glob.glob(sys.argv[1] + "/*.json"))
m = json.load(open(files[-1]))["metrics"] if files else {}
print(m.get("req_per_s_all") or 0)
PY
)
rps=$(python3 -c "print(round(max(0.5, float('$capacity') * float('$overload')), 2))")
log "closed-loop capacity at c=$conc: $capacity req/s → open loop at $rps req/s (×$overload), max in flight $conc"
run_point open --rps "$rps" --arrival poisson --max-concurrency "$conc"

python3 - "$work" "$rps" "$conc" >>"$summary" <<'PY'
import glob, json, sys
work, rps, conc = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
def load(name):
    files = sorted(glob.glob(f"{work}/{name}/*.json"))
    return json.load(open(files[-1])) if files else None
def f(v, unit=""):
    return "—" if v is None else (f"{v:.2f}{unit}" if isinstance(v, (int, float)) else str(v))
print()
print(f"{'run':<8} {'ttft p50':>10} {'ttft_sched p50':>15} {'ttft p99':>10} {'ttft_sched p99':>15} "
      f"{'queue p50':>10} {'queue p99':>10} {'req/s':>7} {'n':>6}")
for name in ("closed", "open"):
    e = load(name)
    if e is None:
        print(f"{name:<8} (no envelope)"); continue
    m = e["metrics"]
    print(f"{name:<8} {f(m.get('ttft_p50_ms')):>10} {f(m.get('ttft_sched_p50_ms')):>15} "
          f"{f(m.get('ttft_p99_ms')):>10} {f(m.get('ttft_sched_p99_ms')):>15} "
          f"{f(m.get('client_queue_delay_p50_ms')):>10} {f(m.get('client_queue_delay_p99_ms')):>10} "
          f"{f(m.get('req_per_s_all')):>7} {f(m.get('n_requests')):>6}")
    for w in e.get("warnings", []):
        if any(k in w for k in ("ttft_sched", "queue", "offered", "achieved", "coordinated")):
            print(f"  warning: {w}")
o = load("open")
if o is not None:
    m = o["metrics"]
    print(f"\nopen loop: offered {rps} req/s, achieved {f(m.get('req_per_s_all'))} req/s, "
          f"max in flight {conc}; ttft_sched p99 − ttft p99 = "
          f"{f((m.get('ttft_sched_p99_ms') or 0) - (m.get('ttft_p99_ms') or 0), ' ms')}")
PY
cat "$summary"
# Envelopes (≤ 8 files come back): the two newest point envelopes, plus the summary and engine log.
for name in closed open; do
  newest=$(ls -t "$work/$name"/*.json 2>/dev/null | head -1)
  [[ -n $newest ]] && cp "$newest" "$final/$name-$(basename "$newest")"
done
tar czf "$final/ttft-sched-runs.tgz" -C /tmp ttft-sched 2>/dev/null
