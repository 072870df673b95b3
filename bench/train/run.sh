#!/usr/bin/env bash
# Interleaved training-step benchmark: ctnn, libtorch, eigen_openblas, one after the other,
# for every config and thread count, repeated ROUNDS times. Prints one JSON object per line
# (round_trip and fma_peak lines, then train lines) and, on stderr, a median-of-rounds summary
# table.
#
#   bench/train/run.sh <build-dir> [> results.jsonl]
#
# Environment: ROUNDS (3), CONFIGS ("mlp784_b64 mlp784_b256 tiny_b32 deep_b128"), THREADS ("1 2"),
#              BUDGET (seconds of timed steps per program run, 0.8), IMPLS ("ctnn libtorch eigen_openblas").
#              GOMP_SPINCOUNT (10000, for every program: idle OpenMP threads spin about 10 µs, then
#              sleep; libgomp's default 300000 collapses 2-thread runs 10-100x as soon as another
#              process wants a core, and sleeping at once (OMP_WAIT_POLICY=PASSIVE) makes every
#              parallel region pay a wake-up; set it empty for libgomp's default), OMP_WAIT_POLICY,
#              BENCH_OPENBLAS_CORETYPE (OpenBLAS kernel set; default: its own CPUID pick), TORCH_OPENBLAS_<t> and
#              EIGEN_OPENBLAS_<t> (pthread | openmp: which OpenBLAS build a peer loads at t threads).
# Peers run in their best setting per thread count (see bench/README.md):
#   libtorch:        OpenMP build of OpenBLAS (LD_LIBRARY_PATH) + raised malloc thresholds (--mallopt)
#   eigen_openblas:  OpenMP build of OpenBLAS (at 1 thread the pthread build is equal within noise)
set -euo pipefail

BUILD=${1:?usage: run.sh <build-dir>}
DIR="$BUILD/bench/train"
ROUNDS=${ROUNDS:-3}
CONFIGS=${CONFIGS:-"mlp784_b64 mlp784_b256 tiny_b32 deep_b128"}
THREADS=${THREADS:-"1 2"}
BUDGET=${BUDGET:-0.8}
IMPLS=${IMPLS:-"ctnn libtorch eigen_openblas"}
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT-10000}   # set it empty for libgomp's default
[[ -n $GOMP_SPINCOUNT ]] || unset GOMP_SPINCOUNT
# OpenBLAS picks its kernels from CPUID (Cooperlake, AVX-512, on the Zen 5 dev box) unless
# OPENBLAS_CORETYPE forces one; a shell that exports OPENBLAS_CORETYPE=Haswell (as the dev box's
# does) halves both peers' GEMM speed. So: autodetect, unless BENCH_OPENBLAS_CORETYPE names a core.
if [[ -n ${BENCH_OPENBLAS_CORETYPE-} ]]; then export OPENBLAS_CORETYPE=$BENCH_OPENBLAS_CORETYPE; else unset OPENBLAS_CORETYPE; fi

OB_OMP=/usr/lib/x86_64-linux-gnu/openblas-openmp
OB_PT=/usr/lib/x86_64-linux-gnu/openblas-pthread
[[ -e $OB_OMP/libopenblas.so.0 ]] || OB_OMP=""   # libopenblas0-openmp not installed: system default
[[ -e $OB_PT/libopenblas.so.0 ]] || OB_PT=""

bin_of() {
  case $1 in
    ctnn) echo "$DIR/bench_train_ctnn" ;;
    libtorch) echo "$DIR/bench_train_torch" ;;
    eigen_openblas) echo "$DIR/bench_train_eigen" ;;
  esac
}

# Best peer settings per thread count: prints "LD_LIBRARY_PATH-value|extra args".
# Override the OpenBLAS build with TORCH_OPENBLAS_<t> / EIGEN_OPENBLAS_<t> = pthread | openmp.
ob_dir() { case $1 in openmp) echo "$OB_OMP" ;; pthread) echo "$OB_PT" ;; *) echo "" ;; esac; }
setting_of() {
  local impl=$1 t=$2 v
  case $impl in
    libtorch) v=TORCH_OPENBLAS_$t; echo "$(ob_dir "${!v:-openmp}")|--mallopt" ;;
    eigen_openblas)
      v=EIGEN_OPENBLAS_$t
      echo "$(ob_dir "${!v:-openmp}")|" ;;
    *) echo "|" ;;
  esac
}

available=()
for impl in $IMPLS; do
  if [[ -x $(bin_of "$impl") ]]; then available+=("$impl"); else echo "run.sh: $(bin_of "$impl") not built, skipping $impl" >&2; fi
done
((${#available[@]})) || { echo "run.sh: nothing built under $DIR" >&2; exit 1; }
probe=$(bin_of "${available[0]}")

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# The cache-line round trip between the two threads, before and after each round: the host's
# placement of the vCPUs, which the 2-thread figures follow (bench/README.md, "Two threads").
round_trip() { "$probe" --round-trip --note "round=$1,$2" | tee -a "$tmp"; }

declare -A peak
for ((r = 1; r <= ROUNDS; ++r)); do
  round_trip "$r" before
  for t in $THREADS; do
    line=$("$probe" --fma-peak --threads "$t")
    echo "$line" | tee -a "$tmp"
    peak[$t]=$(sed -E 's/.*"gflops":([0-9.]+).*/\1/' <<<"$line")
  done
  # The programs' order rotates by round, so no program always runs first (or last) in a group.
  order=()
  for ((k = 0; k < ${#available[@]}; ++k)); do order+=("${available[(k + r - 1) % ${#available[@]}]}"); done
  for cfg in $CONFIGS; do
    for t in $THREADS; do
      for impl in "${order[@]}"; do
        IFS='|' read -r ldp extra <<<"$(setting_of "$impl" "$t")"
        # shellcheck disable=SC2086
        LD_LIBRARY_PATH="${ldp}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" OMP_NUM_THREADS="$t" \
          "$(bin_of "$impl")" --config "$cfg" --threads "$t" --peak "${peak[$t]}" --budget "$BUDGET" \
          --note "round=$r" $extra | tee -a "$tmp"
      done
    done
  done
  round_trip "$r" after
done

# ---- summary (stderr): median over rounds of each program's median step time ----
awk '
  /"bench":"train"/ {
    match($0, /"config":"[^"]*"/); c = substr($0, RSTART + 10, RLENGTH - 11)
    match($0, /"impl":"[^"]*"/); i = substr($0, RSTART + 8, RLENGTH - 9)
    match($0, /"threads":[0-9]+/); t = substr($0, RSTART + 10, RLENGTH - 10)
    match($0, /"median_us":[0-9.]+/); us = substr($0, RSTART + 12, RLENGTH - 12)
    match($0, /"gflops":[0-9.]+/); gf = substr($0, RSTART + 9, RLENGTH - 9)
    match($0, /"pct_peak":[0-9.]+/); pp = substr($0, RSTART + 11, RLENGTH - 11)
    k = c SUBSEP t SUBSEP i
    if (!(k in n)) order[++nk] = k
    n[k]++; US[k, n[k]] = us + 0; GF[k, n[k]] = gf + 0; PP[k, n[k]] = pp + 0
  }
  /"bench":"round_trip"/ {
    match($0, /"ns":[0-9.]+/); rt = rt sep substr($0, RSTART + 5, RLENGTH - 5); sep = " "
  }
  END {
    if (rt != "") printf "core round trip (ns), before and after each round: %s\n", rt > "/dev/stderr"
    printf "%-12s %3s  %-15s %12s %9s %7s %6s\n", "config", "thr", "impl", "median_us", "GFLOP/s", "%peak", "rounds" > "/dev/stderr"
    for (j = 1; j <= nk; ++j) {
      k = order[j]; m = n[k]
      # sort this key by time (insertion sort, m is small), take the middle round
      for (a = 1; a <= m; ++a) idx[a] = a
      for (a = 2; a <= m; ++a) for (b = a; b > 1 && US[k, idx[b]] < US[k, idx[b - 1]]; --b) { x = idx[b]; idx[b] = idx[b - 1]; idx[b - 1] = x }
      mid = idx[int((m + 1) / 2)]
      split(k, p, SUBSEP)
      printf "%-12s %3s  %-15s %12.1f %9.1f %7.1f %6d\n", p[1], p[2], p[3], US[k, mid], GF[k, mid], PP[k, mid], m > "/dev/stderr"
    }
  }' "$tmp"
