#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) and fuzzes each for a given time.
#   fuzz/run.sh [seconds per target, default 60] [targets...]     (from the repository root)
#   fuzz/run.sh --smoke [targets...]   CI's smoke run: ${FUZZ_SMOKE_SECONDS:-15} s per target over the
#                                      seed corpus only (no work dir kept), a closing "fuzz: N passed,
#                                      N failed" line; still exits non-zero on any finding
# Needs clang++, libclang-rt-dev and g++ (for make_corpus) (apt-get install -y clang libclang-rt-14-dev).
# Builds into build-fuzz/, seeds build-fuzz/corpus/<target>/ with valid files from make_corpus,
# and prints one "target: N execs in S s, findings: K" line per target. Exits non-zero on a finding
# (the reproducer is left as build-fuzz/<target>-crash-* / leak-* / timeout-*).
set -eu
SMOKE=0
if [ "${1:-}" = "--smoke" ]; then
  SMOKE=1
  shift
  SECONDS_PER=${FUZZ_SMOKE_SECONDS:-15}
else
  SECONDS_PER=${1:-60}
  [ $# -gt 0 ] && shift
fi
TARGETS=${*:-"safetensors npy csv idx"}
START=$(date +%s)
CXX=${CXX:-clang++}
CORPUS_CXX=${CORPUS_CXX:-g++}  # make_corpus needs the whole library, which clang 14 cannot compile
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build-fuzz
mkdir -p "$OUT"
INC="-I$ROOT/include"
FLAGS="-std=c++20 -g -O1 -fno-omit-frame-pointer"
LIBS="-lz -lfmt"

if [ ! -x "$OUT/make_corpus" ] || [ "$ROOT/fuzz/make_corpus.cpp" -nt "$OUT/make_corpus" ]; then
  $CORPUS_CXX -std=c++20 -O1 -fopenmp $INC "$ROOT/fuzz/make_corpus.cpp" -o "$OUT/make_corpus" $LIBS
fi
"$OUT/make_corpus" "$OUT/corpus" >/dev/null

status=0
passed=0
failed=0
for t in $TARGETS; do
  bin=$OUT/fuzz_$t
  if [ ! -x "$bin" ] || [ -n "$(find "$ROOT/include" "$ROOT/fuzz/fuzz_$t.cpp" -newer "$bin" -print -quit)" ]; then
    $CXX $FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fopenmp $INC \
      "$ROOT/fuzz/fuzz_$t.cpp" -o "$bin" $LIBS
  fi
  # The smoke run starts from the seeds alone each time, so its result does not depend on what
  # an earlier long run left in work/.
  [ "$SMOKE" -eq 1 ] && rm -rf "$OUT/work/$t"
  mkdir -p "$OUT/work/$t"
  log=$OUT/fuzz_$t.log
  set +e
  (cd "$OUT" && "$bin" -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
     -artifact_prefix="$OUT/$t-" "$OUT/work/$t" "$OUT/corpus/$t") >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/.*Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
  findings=$(ls "$OUT/$t-"* 2>/dev/null | wc -l)
  echo "$t: ${execs:-?} execs in ${secs:-?} s, findings: $findings (exit $rc, log $log)"
  if [ "$rc" -ne 0 ] || [ "$findings" -ne 0 ]; then
    status=1
    failed=$((failed + 1))
    [ "$SMOKE" -eq 1 ] && tail -n 60 "$log"
  else
    passed=$((passed + 1))
  fi
done
if [ "$SMOKE" -eq 1 ]; then
  echo "fuzz smoke: built and ran in $(($(date +%s) - START)) s"
  echo "fuzz: $passed passed, $failed failed"
fi
exit $status
