#!/usr/bin/env bash
# Everything the GPU machine verifies, in one call (device time is scarce):
#   1. scripts/gpu-check.sh — NVML telemetry vs a PyTorch matmul load (power, util, energy counter vs
#      power integral, 10 ms sampling rate), a bench run and bench doctor;
#   2. bench doctor while the GPU is loaded;
#   3. a 30 s bench profile of a fixture envelope against `bench engine serve` under the same load.
# Everything lands in one folder, packed into $OUT/gpu-verify.tgz (the device returns ≤ 8 files).
set -uo pipefail
cd "$(dirname "$0")/.."
final=${OUT:-./gpu-verify-out}
out=/tmp/gpu-verify
rm -rf "$out"; mkdir -p "$out" "$final"
export NO_COLOR=1
OUT="$out/check" scripts/gpu-check.sh >"$out/gpu-check.txt" 2>&1
echo "gpu-check exit $?" >>"$out/gpu-check.txt"

python3 - >"$out/load.log" 2>&1 <<'PY' &
import time, torch
a = torch.randn(8192, 8192, device="cuda", dtype=torch.float16)
b = torch.randn(8192, 8192, device="cuda", dtype=torch.float16)
end = time.time() + 120
while time.time() < end:
    for _ in range(20):
        c = a @ b
    torch.cuda.synchronize()
PY
load=$!
sleep 8
node dist/bench.js doctor >"$out/doctor-loaded.txt" 2>&1
echo "doctor exit $?" >>"$out/doctor-loaded.txt"
key=/tmp/gpu-k.key
node dist/bench.js keygen "$key" --force >/dev/null
node dist/bench.js engine serve --port 18200 --model Qwen/Qwen2.5-72B-Instruct --quant bf16 --tp 8 >/tmp/engine.log 2>&1 &
engine=$!
sleep 2
{
  node dist/bench.js profile fixtures/inferencebench-envelopes/c4-95cbfd4f49dc.json \
    --base-url http://127.0.0.1:18200/v1 --duration 30 --no-tui --output /tmp/profile-results --dev-key "$key"
  echo "profile exit $?"
  ls /tmp/profile-results
} >"$out/profile.txt" 2>"$out/profile-progress.txt"
cp /tmp/profile-results/profile-*.json "$out/" 2>/dev/null
kill "$engine" 2>/dev/null
wait "$load"
tar czf "$final/gpu-verify.tgz" -C /tmp gpu-verify
for f in gpu-check.txt doctor-loaded.txt profile.txt; do echo "===== $f"; cat "$out/$f"; done
