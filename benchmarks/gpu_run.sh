#!/usr/bin/env bash
# The GPU measurements in one go, for a machine with JAX (CUDA), PyTorch and no Keras:
# installs the Keras wheels carried in .whl/ (made here by benchmarks/gpu_wheels.sh),
# records the device and the versions, then runs the fair comparison
# benchmarks/gpu_fair_step.py (issue 27) and, if given time, the older
# benchmarks/gpu_step.py and benchmarks/gpu_time_to_quality.py (issue 16), each under its
# own time limit so that a slow part cannot eat the next one's time. Every part writes its
# JSON as it goes; logs and JSON land in $OUT (or /tmp/gpu_out) and are copied to
# benchmarks/results/.
#
#   bash benchmarks/gpu_run.sh            # the fair comparison (~9 minutes, under the 10 of a call)
#   bash benchmarks/gpu_run.sh --smoke    # tiny configurations, for a CPU check of the plumbing
#
# Settings (environment): FAIR_S, STEP_S and TTQ_S, the time limits in seconds of
# gpu_fair_step.py, gpu_step.py and the time-to-quality run (0 skips a part; the last two
# default to 0, measured in issue 16); ROW_S, gpu_fair_step.py's cap per row; TTQ_MINUTES,
# the time-to-quality training budget (evaluation excluded); TTQ_EVAL_EVERY, generator steps
# between its FCD evaluations; FAIR_ARGS, STEP_ARGS and TTQ_ARGS, extra arguments for each
# script (e.g. FAIR_ARGS="--nets mnist"); PYTHON.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT" benchmarks/results
SMOKE=""
if [ "${1:-}" = "--smoke" ]; then SMOKE="--smoke"; fi
FAIR_S=${FAIR_S:-500}
ROW_S=${ROW_S:-75}
STEP_S=${STEP_S:-0}
TTQ_S=${TTQ_S:-0}
TTQ_MINUTES=${TTQ_MINUTES:-2}
PY=${PYTHON:-python3}
T0=$(date +%s)
export PYTHONUNBUFFERED=1 KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false TF_CPP_MIN_LOG_LEVEL=2

# Where Keras is already installed (a CPU check here), the wheels are not needed.
if ! "$PY" -c "import keras" 2>/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo "gpu_run: installing the wheels in .whl failed (made by benchmarks/gpu_wheels.sh?)"; exit 1; }
fi
export PYTHONPATH=/tmp/site:$PWD
# The FCD classifier trained on the CPU machine, carried so that FCD means the same there and here.
if [ -d .devcache ]; then export KERAS_WGAN_CACHE=$PWD/.devcache; fi

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "no nvidia-smi"
  "$PY" - <<'EOF' 2>&1
import platform, jax, keras, numpy, scipy
print("python", platform.python_version(), "| jax", jax.__version__, jax.devices(), "| keras", keras.__version__,
      keras.backend.backend(), "| numpy", numpy.__version__, "| scipy", scipy.__version__)
try:
    import torch
    print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available(),
          torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
except ImportError as error:
    print("torch missing:", error)
import keras_wgan
print("keras_wgan from", keras_wgan.__file__)
EOF
} | tee "$OUT/gpu_env.txt"

# --budget-s: no row starts in the last ROW_S s of the limit (the one under way finishes or is cut).
FAIR_RC=skipped
if [ "$FAIR_S" -gt 0 ]; then
  FAIR_SMOKE=""
  if [ -n "$SMOKE" ]; then FAIR_SMOKE="--cpu-smoke --nets mnist"; fi
  # shellcheck disable=SC2086  # FAIR_SMOKE and FAIR_ARGS are lists of words
  timeout -k 10 "$FAIR_S" "$PY" benchmarks/gpu_fair_step.py $FAIR_SMOKE --budget-s $((FAIR_S - ROW_S - 5)) \
    --row-s "$ROW_S" --json "$OUT/gpu_fair_step.json" ${FAIR_ARGS:-} > "$OUT/gpu_fair_step.log" 2>&1
  FAIR_RC=$?
  tail -n 60 "$OUT/gpu_fair_step.log"
  echo "gpu_run: gpu_fair_step.py exit $FAIR_RC after $(( $(date +%s) - T0 )) s"
fi

# --budget-s: no new configuration starts in the last 50 s of the limit (the one under way finishes).
STEP_RC=skipped
if [ "$STEP_S" -gt 0 ]; then
  # shellcheck disable=SC2086  # SMOKE and STEP_ARGS are lists of words
  timeout -k 10 "$STEP_S" "$PY" benchmarks/gpu_step.py $SMOKE --budget-s $((STEP_S - 50)) \
    --json "$OUT/gpu_step.json" ${STEP_ARGS:-} > "$OUT/gpu_step.log" 2>&1
  STEP_RC=$?
  tail -n 40 "$OUT/gpu_step.log"
  echo "gpu_run: gpu_step.py exit $STEP_RC after $(( $(date +%s) - T0 )) s"
fi

TTQ_RC=skipped
if [ "$TTQ_S" -gt 0 ]; then
  WALL_MINUTES=$("$PY" -c "print(($TTQ_S - 25) / 60)")
  # shellcheck disable=SC2086
  timeout -k 10 "$TTQ_S" "$PY" benchmarks/gpu_time_to_quality.py $SMOKE --minutes "$TTQ_MINUTES" \
    --eval-every "${TTQ_EVAL_EVERY:-500}" --wall-minutes "$WALL_MINUTES" \
    --json "$OUT/gpu_time_to_quality.json" ${TTQ_ARGS:-} > "$OUT/gpu_time_to_quality.log" 2>&1
  TTQ_RC=$?
  tail -n 25 "$OUT/gpu_time_to_quality.log"
  echo "gpu_run: gpu_time_to_quality.py exit $TTQ_RC after $(( $(date +%s) - T0 )) s"
fi

if [ -z "$SMOKE" ]; then
  for f in gpu_fair_step.json gpu_fair_step.log gpu_step.json gpu_step.log gpu_time_to_quality.json \
    gpu_time_to_quality.log gpu_env.txt; do
    if [ -f "$OUT/$f" ]; then cp "$OUT/$f" benchmarks/results/; fi
  done
fi
echo "gpu_run: done in $(( $(date +%s) - T0 )) s (gpu_fair_step exit $FAIR_RC, gpu_step exit $STEP_RC," \
  "time to quality exit $TTQ_RC)"
