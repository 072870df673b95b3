#!/usr/bin/env bash
# Sets everything up, builds the main example and trains it on Fashion-MNIST (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target fashion_mnist_mlp -j"$(nproc)"
./build/release/examples/fashion_mnist_mlp "$@"
