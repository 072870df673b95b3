#!/usr/bin/env bash
# Sets everything up, builds the tests and runs them (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Tests ON explicitly: after command (1), the build tree's cache holds CTNN_BUILD_TESTS=OFF.
cmake --preset release -DCTNN_BUILD_TESTS=ON -DCTNN_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release -j"$(nproc)"
ctest --preset release -j"$(nproc)" --no-tests=error
