#!/usr/bin/env bash
# Builds and runs the init × depth signal sweep, then plots it:
#   bash experiments/run_init_signal.sh [out_dir]     (default docs/experiments)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/experiments}
mkdir -p "$out"
scripts/setup.sh
cmake --preset release -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target init_signal_sweep -j"$(nproc)"
./build/release/experiments/init_signal_sweep "$out"
gnuplot -e "dir='$out'" experiments/init_signal.gp
echo "plot: $out/init_signal.png"
