#!/usr/bin/env bash
# The client-performance benchmarks of issue 7 on the lent 16-core GPU host, in one call. Needs the
# bundle from `node scripts/bundle-bench.mjs .bench-dist`, carried in .gpu/payload.tar
# (`../shared/tools/gpu-pack.sh .bench-dist`), and node on PATH. Output: $OUT/perf.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-./gpu-perf-out}
mkdir -p "$out"
export BENCH_CLI=.bench-dist/cli/bench.js NO_COLOR=1
run() {
  echo "\$ $*" >>"$out/perf.txt"
  timeout 300 "$@" >>"$out/perf.txt" 2>&1
  echo "(exit $?)" >>"$out/perf.txt"
  echo >>"$out/perf.txt"
}
echo "cores: $(nproc)" >"$out/perf.txt"
run node --expose-gc .bench-dist/memory.js --requests 1000000
run node .bench-dist/whole-run-ingest.js --duration 5 --workers 0,2,4,auto
run node .bench-dist/accuracy.js --duration 10 --workers 4
run node .bench-dist/scale-out.js --duration 5 --reps 2 --workers 1,2,4
