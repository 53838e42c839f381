#!/usr/bin/env bash
# The wheels the GPU machine lacks, into .whl/ (ignored by git; carried with the run):
# its image has JAX, PyTorch, NumPy, SciPy, h5py, rich, absl-py and ml-dtypes (Python 3.12,
# x86-64) but no Keras, and Keras needs namex and optree beside those. keras_wgan itself
# travels as source (gpu_run.sh puts the checkout on PYTHONPATH).
#
#   bash benchmarks/gpu_wheels.sh     # here, where pip reaches a package index
set -eu
cd "$(dirname "$0")/.."
KERAS=$(python3 -c "import keras; print(keras.__version__)" 2>/dev/null || echo 3.15.1)
rm -rf .whl && mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any \
  -d .whl "keras==$KERAS" namex optree
ls -l .whl
