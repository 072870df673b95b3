#!/usr/bin/env bash
# Convolution kernels and the CNN example's training epoch, ctnn against libtorch, interleaved:
# every round runs, for each thread count, each shape with ctnn then libtorch (bench_conv,
# bench_conv_torch), then the epoch with ctnn then libtorch (cnn_epoch_ctnn, cnn_epoch_torch).
# Builds the programs first (cmake, -j${JOBS:-1}; make skips what is up to date), appends every
# JSON line, tagged with "run" (this run's id) and "round", to bench/results/conv.jsonl, and prints
# a summary: per shape/pass and thread count the median over rounds of each program's median µs,
# with libtorch/ctnn (> 1: ctnn is faster), then the epoch seconds likewise.
#
#   bench/conv/run.sh [--rounds N] [--quick] [--build DIR] [--out FILE] [--threads "1 2"]
#                     [--budget S] [--samples N] [--repeats R] [--configs "cnn_conv1 ..."] [--no-epoch]
#
#   --rounds N   rounds (3)                    --budget S   seconds per conv measurement (0.3)
#   --samples N  images per epoch (55000)      --repeats R  epochs per epoch run, median taken (1)
#   --build DIR  build directory (build/bench-conv under the repository root)
#   --out FILE   results file (bench/results/conv.jsonl)
#   --quick      smoke test: 1 round, budget 0.02 s, 1024 samples, all shapes in one call per
#                program; writes (afresh) DIR/conv-quick.jsonl unless --out is given (smoke numbers
#                stay out of bench/results)
# Environment, as bench/train/run.sh: GOMP_SPINCOUNT (10000; set it empty for libgomp's default),
# BENCH_OPENBLAS_CORETYPE (OpenBLAS kernel set; default: its own CPUID pick), TORCH_OPENBLAS_<t>
# (openmp | pthread: the OpenBLAS build libtorch loads at t threads; default openmp), JOBS (1).
# libtorch runs with raised malloc thresholds (--mallopt), its best setting in bench/train.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build/bench-conv
OUT=""
ROUNDS=3
THREADS="1 2"
BUDGET=0.3
SAMPLES=55000
REPEATS=1
WARMUP=3
CONFIGS="cnn_conv1 cnn_conv2 c64_32x32"
EPOCH=1
QUICK=0
PER_CONFIG=1   # one program call per shape (finer interleaving); --quick: one call for all shapes
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case $1 in
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --threads) THREADS=${2:?}; shift 2 ;;
    --budget) BUDGET=${2:?}; shift 2 ;;
    --samples) SAMPLES=${2:?}; shift 2 ;;
    --repeats) REPEATS=${2:?}; shift 2 ;;
    --configs) CONFIGS=${2:?}; shift 2 ;;
    --no-epoch) EPOCH=0; shift ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
  esac
done
if ((QUICK)); then
  ROUNDS=1 BUDGET=0.02 SAMPLES=1024 REPEATS=1 WARMUP=1 PER_CONFIG=0
  if [[ -z $OUT ]]; then OUT=$BUILD/conv-quick.jsonl; mkdir -p "$BUILD"; : >"$OUT"; fi
fi
OUT=${OUT:-$ROOT/bench/results/conv.jsonl}

export GOMP_SPINCOUNT=${GOMP_SPINCOUNT-10000}
[[ -n $GOMP_SPINCOUNT ]] || unset GOMP_SPINCOUNT
if [[ -n ${BENCH_OPENBLAS_CORETYPE-} ]]; then export OPENBLAS_CORETYPE=$BENCH_OPENBLAS_CORETYPE; else unset OPENBLAS_CORETYPE; fi
OB_OMP=/usr/lib/x86_64-linux-gnu/openblas-openmp
OB_PT=/usr/lib/x86_64-linux-gnu/openblas-pthread
[[ -e $OB_OMP/libopenblas.so.0 ]] || OB_OMP=""
[[ -e $OB_PT/libopenblas.so.0 ]] || OB_PT=""
torch_ldpath() {
  local v=TORCH_OPENBLAS_$1 d=""
  case ${!v:-openmp} in openmp) d=$OB_OMP ;; pthread) d=$OB_PT ;; esac
  echo "${d}${LD_LIBRARY_PATH:+${d:+:}$LD_LIBRARY_PATH}"
}

# ---- build ----
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_EXAMPLES=OFF >&2
fi
targets=(bench_conv cnn_epoch_ctnn)
known=$(cmake --build "$BUILD" --target help 2>/dev/null || true)   # not piped into grep -q: SIGPIPE + pipefail
if [[ $known == *bench_conv_torch* ]]; then
  targets+=(bench_conv_torch cnn_epoch_torch)
else
  echo "run.sh: libtorch not found by cmake, running ctnn only (bash scripts/setup.sh --bench installs it)" >&2
fi
cmake --build "$BUILD" -j "${JOBS:-1}" --target "${targets[@]}" >&2
D=$BUILD/bench/conv
have_torch=0
[[ -x $D/bench_conv_torch && -x $D/cnn_epoch_torch ]] && [[ " ${targets[*]} " == *" bench_conv_torch "* ]] && have_torch=1

# ---- measure ----
mkdir -p "$(dirname "$OUT")"
run_id=$(date -u +%Y%m%dT%H%M%SZ)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
emit() {  # JSON lines on stdin -> tagged, to stdout, this run's file and the results file
  sed -E "s/^\{/{\"run\":\"$run_id\",\"round\":$1,/" | tee -a "$tmp" >>"$OUT"
}
echo "run.sh: run $run_id, $ROUNDS round(s), threads $THREADS, budget $BUDGET s, $SAMPLES samples; results -> $OUT" >&2
for ((r = 1; r <= ROUNDS; ++r)); do
  for t in $THREADS; do
    if ((PER_CONFIG)); then cfgs=$CONFIGS; else cfgs=all; fi
    for cfg in $cfgs; do
      echo "round $r, $t thread(s), $cfg" >&2
      sel=(); [[ $cfg == all ]] || sel=(--config "$cfg")
      lines=$(OMP_NUM_THREADS=$t "$D/bench_conv" --threads "$t" "${sel[@]}" --budget "$BUDGET")
      emit "$r" <<<"$lines"
      peak=$(sed -nE 's/.*"bench":"fma_peak".*"gflops":([0-9.]+).*/\1/p' <<<"$lines" | head -1)
      if ((have_torch)); then
        LD_LIBRARY_PATH=$(torch_ldpath "$t") OMP_NUM_THREADS=$t "$D/bench_conv_torch" --threads "$t" "${sel[@]}" \
          --budget "$BUDGET" ${peak:+--peak "$peak"} --mallopt | emit "$r"
      fi
    done
    if ((EPOCH)); then
      echo "round $r, $t thread(s), cnn_epoch ($SAMPLES samples)" >&2
      OMP_NUM_THREADS=$t "$D/cnn_epoch_ctnn" --threads "$t" --samples "$SAMPLES" --repeats "$REPEATS" \
        --warmup "$WARMUP" | emit "$r"
      if ((have_torch)); then
        LD_LIBRARY_PATH=$(torch_ldpath "$t") OMP_NUM_THREADS=$t "$D/cnn_epoch_torch" --threads "$t" \
          --samples "$SAMPLES" --repeats "$REPEATS" --warmup "$WARMUP" --mallopt | emit "$r"
      fi
    fi
  done
done

# ---- summary: median over rounds ----
awk '
  function field(name,   v) {
    if (!match($0, "\"" name "\":\"?[^,\"}]*")) return ""
    v = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3); sub(/^"/, "", v); return v
  }
  function median(key,   m, a, b, x, v) {
    m = n[key]; if (!m) return -1
    for (a = 1; a <= m; ++a) v[a] = V[key, a]
    for (a = 2; a <= m; ++a) for (b = a; b > 1 && v[b] < v[b - 1]; --b) { x = v[b]; v[b] = v[b - 1]; v[b - 1] = x }
    return v[int((m + 1) / 2)]
  }
  function add(key, val) { V[key, ++n[key]] = val }
  /"bench":"conv"/ {
    c = field("config"); t = field("threads"); i = field("impl")
    if (!((c, t) in seen)) { seen[c, t] = 1; order[++nk] = c SUBSEP t }
    add(c SUBSEP t SUBSEP i, field("median_us") + 0)
    if (i == "libtorch") layout[c, t] = field("layout")
  }
  /"bench":"cnn_epoch"/ {
    t = field("threads"); i = field("impl")
    if (!(t in eseen)) { eseen[t] = 1; eorder[++ne] = t }
    add("epoch" SUBSEP t SUBSEP i, field("seconds") + 0); esamples = field("samples")
  }
  END {
    printf "%-28s %3s %12s %12s %7s  %s\n", "config/pass", "thr", "ctnn_us", "libtorch_us", "ratio", "layout"
    for (j = 1; j <= nk; ++j) {
      split(order[j], p, SUBSEP)
      a = median(p[1] SUBSEP p[2] SUBSEP "ctnn"); b = median(p[1] SUBSEP p[2] SUBSEP "libtorch")
      printf "%-28s %3s %12s %12s %7s  %s\n", p[1], p[2], a < 0 ? "-" : sprintf("%.1f", a), b < 0 ? "-" : sprintf("%.1f", b),
             (a > 0 && b > 0) ? sprintf("%.2f", b / a) : "-", ((p[1], p[2]) in layout) ? layout[p[1], p[2]] : ""
    }
    if (ne) {
      printf "\n%-28s %3s %12s %12s %7s\n", "cnn_epoch (" esamples " samples)", "thr", "ctnn_s", "libtorch_s", "ratio"
      for (j = 1; j <= ne; ++j) {
        t = eorder[j]; a = median("epoch" SUBSEP t SUBSEP "ctnn"); b = median("epoch" SUBSEP t SUBSEP "libtorch")
        printf "%-28s %3s %12s %12s %7s\n", "", t, a < 0 ? "-" : sprintf("%.3f", a), b < 0 ? "-" : sprintf("%.3f", b),
               (a > 0 && b > 0) ? sprintf("%.2f", b / a) : "-"
      }
    }
    print "ratio: libtorch / ctnn (> 1: ctnn faster); medians over rounds"
  }' "$tmp"
