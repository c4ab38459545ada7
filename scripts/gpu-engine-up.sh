# Sourced by the scripts/gpu-*.sh checks: finds ../shared/tools/gpu-engine.py (or $GPU_ENGINE, or a
# carried copy), checks that node is on PATH, and starts the engine on 127.0.0.1:$port unless one
# already answers /health there; waits up to 240 s for it and kills it when the script exits.
# Needs, from the caller: $port, $model, $summary and a log() function.
# Usage: gpu_engine_up <script name> <engine log file>
gpu_healthy() {
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${port}/health', timeout=2)" 2>/dev/null
}

gpu_engine_up() {
  local name=$1 engine_log=$2 engine_py="" candidate
  for candidate in "${GPU_ENGINE:-}" .gpu-engine.py .gpu/gpu-engine.py ../shared/tools/gpu-engine.py; do
    [[ -n $candidate && -f $candidate ]] && { engine_py=$candidate; break; }
  done
  [[ -n $engine_py ]] || { log "$name: gpu-engine.py not found (set GPU_ENGINE or carry .gpu/gpu-engine.py)"; exit 2; }
  command -v node >/dev/null || { log "$name: node not on PATH (unpack .gpu/node.xz first)"; exit 2; }
  [[ -f dist/bench.js ]] || { log "$name: dist/bench.js missing (npm run build, then gpu-pack)"; exit 2; }
  : >"$summary"
  log "host: $(nproc) cores · $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
  gpu_healthy && return 0
  python3 "$engine_py" --port "$port" --model "$model" >"$engine_log" 2>&1 &
  gpu_engine_pid=$!
  trap 'kill "$gpu_engine_pid" 2>/dev/null' EXIT
  for _ in $(seq 1 240); do
    gpu_healthy && return 0
    kill -0 "$gpu_engine_pid" 2>/dev/null || { log "engine exited:"; tail -20 "$engine_log" >>"$summary"; exit 1; }
    sleep 1
  done
  log "engine not healthy after 240 s"
  exit 1
}
