#!/usr/bin/env bash
# The GPU checks in one go, on a machine with CuPy and a CUDA device (docs/benchmarks.md, GPU):
#   (a) tests/test_cupy.py: the corpus on CuPy arrays against NumPy, none skipped for want of
#       a device;
#   (b) tests/test_cupy_rules.py: every rule spec row on CuPy arrays against NumPy, and
#       tests/test_number_conditions.py: higher derivatives at numbers' special points;
#   (c) benchmarks/bench_gpu.py: MLP and RNN gradients against hand-written CuPy and PyTorch.
# Logs go to $OUT (default ./gpu-out). Usage, from the repository root:
#   bash benchmarks/gpu_check.sh
# Wheels of missing pure-Python dependencies (gast) may be placed in .whl/ beforehand.
set -uo pipefail
OUT="${OUT:-gpu-out}"
mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH="/tmp/site:${PYTHONPATH:-}"
fi
export PYTHONPATH="$PWD:${PYTHONPATH:-}" PYTHONUNBUFFERED=1
{
    nvidia-smi -L
    python3 -c 'import sys, numpy, cupy, gast; print(sys.version.split()[0], "numpy",
numpy.__version__, "cupy", cupy.__version__, "gast", gast.__version__)'
} 2>&1 | tee "$OUT/machine.txt"

workers="${WORKERS:-12}"
timeout 240 python3 -m pytest -p no:cacheprovider -n "$workers" -rs --tb=short \
    --junitxml="$OUT/junit.xml" tests/test_cupy.py tests/test_cupy_rules.py \
    tests/test_number_conditions.py \
    >"$OUT/pytest.log" 2>&1
echo "pytest exit status: $?" | tee -a "$OUT/pytest.log"
grep -E '^(FAILED|ERROR)|passed|failed' "$OUT/pytest.log" | tail -80

timeout 100 python3 benchmarks/bench_gpu.py 2>&1 | tee "$OUT/bench.txt"
