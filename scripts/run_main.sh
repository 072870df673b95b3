#!/usr/bin/env bash
# Sets everything up, builds the main example and trains it on Fashion-MNIST (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target fashion_mnist_mlp -j"$(nproc)"
# Threads that wait passively: on a machine shared with other work, spinning OpenMP threads that
# lose their core made the 2-thread run 3x slower than 1 thread (45 s vs 15 s measured).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
./build/release/examples/fashion_mnist_mlp "$@"
