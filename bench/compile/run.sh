#!/usr/bin/env bash
# Compile time and peak compiler memory, one JSON line per translation unit:
#   bench/compile/run.sh [CXX]
# Measures the main example, a 50-layer repeat<> network and a 50-layer network of 50 distinct
# widths, with the flags the project's own programs use (-O3 -march=native -fopenmp), median of 3.
set -euo pipefail
cd "$(dirname "$0")/../.."
cxx=${1:-g++}
flags=(-std=c++20 -O3 -march=native -fopenmp -Iinclude)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for src in examples/fashion_mnist_mlp.cpp bench/compile/deep50.cpp bench/compile/deep50_distinct.cpp; do
  times=() mems=()
  for round in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$out/t" "$cxx" "${flags[@]}" "$src" -o "$out/a.out" -lfmt -lz
    read -r secs kib <"$out/t"
    times+=("$secs") mems+=("$kib")
  done
  med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  lo=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
  hi=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
  mem=$(printf '%s\n' "${mems[@]}" | sort -n | tail -1)
  size=$(stat -c %s "$out/a.out")
  printf '{"bench":"compile","config":"%s","impl":"ctnn","compiler":"%s","median_s":%s,"min_s":%s,"max_s":%s,"peak_rss_mib":%d,"binary_bytes":%d}\n' \
    "$(basename "$src" .cpp)" "$("$cxx" --version | head -1)" "$med" "$lo" "$hi" $((mem / 1024)) "$size"
done
