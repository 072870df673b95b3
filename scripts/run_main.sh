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
# The curves go to $CTNN_METRICS_DIR (default runs/fashion_mnist_mlp), or to --out DIR if given.
export CTNN_METRICS_DIR=${CTNN_METRICS_DIR:-runs/fashion_mnist_mlp}
metrics_dir=$CTNN_METRICS_DIR
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; ++i)); do
  [[ ${args[i]} == --out ]] && metrics_dir=${args[i + 1]}
done
./build/release/examples/fashion_mnist_mlp "$@"
# Training succeeded; a missing gnuplot or a failed plot is a note, not a failure of the job.
if command -v gnuplot >/dev/null; then
  if tools/plot_metrics.sh --title "Fashion-MNIST MLP" "$metrics_dir/metrics.jsonl" "$metrics_dir/curves.png"; then
    echo "curves: $metrics_dir/curves.png (tools/plot_metrics.sh FILE OUT.png|OUT.svg plots any metrics file)"
  else
    echo "run_main: plotting failed; the metrics are in $metrics_dir" >&2
  fi
else
  echo "run_main: gnuplot not found, no curves drawn; metrics in $metrics_dir (tools/plot_metrics.sh plots them)"
fi
