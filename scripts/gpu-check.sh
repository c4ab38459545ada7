#!/usr/bin/env bash
# NVML telemetry check on a GPU machine, one command:
#   scripts/gpu-check.sh [gpu-check args…]     e.g. --idle-s 5 --window-100ms-s 20 --window-10ms-s 15
# Needs node, dist/gpu-check.js (built here when esbuild is installed: node scripts/build-gpu-check.mjs),
# node_modules/koffi (+ @koromix), python3 with torch (the matmul load), libnvidia-ml.so.1.
# Writes gpu-check.json (stdout of the check), gpu-check.log (stderr) and, when dist/bench.js is
# present, bench-run/ (a `bench run` against the embedded engine under the load, its envelope) and
# doctor.txt (bench doctor) under $OUT (default ./gpu-check-out). Exit status of the check.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-./gpu-check-out}
mkdir -p "$out"
if [[ -d node_modules/esbuild ]]; then
  node scripts/build-gpu-check.mjs || { echo "gpu-check: build failed" >&2; exit 2; }
fi
if [[ ! -f dist/gpu-check.js ]]; then
  echo "gpu-check: dist/gpu-check.js is missing; run 'node scripts/build-gpu-check.mjs' before packing" >&2
  exit 2
fi
{ command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,power.draw,power.limit,utilization.gpu --format=csv; } \
  >"$out/nvidia-smi.csv" 2>&1 || true
bench_run=()
[[ -f dist/bench.js ]] && bench_run=(--bench-run dist/bench.js)
node dist/gpu-check.js --out "$out" ${bench_run[@]+"${bench_run[@]}"} "$@" >"$out/gpu-check.json" 2> >(tee "$out/gpu-check.log" >&2)
rc=$?
cat "$out/gpu-check.json"
if [[ -f dist/bench.js ]]; then
  node dist/bench.js doctor >"$out/doctor.txt" 2>&1 || true
fi
echo "gpu-check: exit $rc; outputs in $out" >&2
exit $rc
