#!/usr/bin/env bash
# Builds and runs the optimizer / schedule sweep on Fashion-MNIST, then plots it:
#   bash experiments/run_optimizer_sweep.sh [out_dir] [epochs]     (defaults: docs/experiments, 5)
# About 6 minutes at 1 thread on a quiet machine (68 runs × 5 epochs).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/experiments}
epochs=${2:-5}
mkdir -p "$out"
scripts/setup.sh
cmake --preset release -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target optimizer_sweep -j"$(nproc)"
./build/release/experiments/optimizer_sweep "$out" --epochs "$epochs" --threads 1
gnuplot -e "dir='$out'" experiments/optimizer_sweep.gp
echo "plot: $out/optimizers.png"
