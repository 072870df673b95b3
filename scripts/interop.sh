#!/usr/bin/env bash
# PyTorch interop check: installs libtorch (scripts/setup.sh --bench), builds interop/ into
# build/interop (CTNN_BUILD_INTEROP=ON, nothing else) and runs it: ctnn::save → a torch
# nn::Sequential, and a torch state_dict → ctnn::load, comparing logits (fails above 1e-5).
#   bash scripts/interop.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench
cmake -S . -B build/interop -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_INTEROP=ON \
  -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_EXAMPLES=OFF -DCTNN_BUILD_BENCH=OFF >/dev/null
cmake --build build/interop --target ctnn_torch_interop -j"${JOBS:-$(nproc)}"
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
./build/interop/interop/ctnn_torch_interop build/interop/files
