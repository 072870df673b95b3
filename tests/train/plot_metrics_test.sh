#!/usr/bin/env bash
# CTest: tools/plot_metrics.sh on small generated metrics files (JSONL, per-epoch CSV, per-step
# CSV) to PNG and SVG, and its errors (missing file, empty file, bad extension, not JSON).
# Without gnuplot it says so and exits 77, which CTest reports as skipped.
#   plot_metrics_test.sh TOOL WORKDIR
set -uo pipefail
tool=$1 dir=$2
if ! command -v gnuplot >/dev/null; then
  echo "SKIPPED: gnuplot is not installed (Debian: apt-get install gnuplot-nox); tools/plot_metrics.sh not tested"
  exit 77
fi
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
# expect_success OUT ARGS...: runs the tool, checks OUT is a PNG/SVG by its first bytes.
expect_success() {
  local out=$1; shift
  if ! bash "$tool" "$@"; then fail "$* exited non-zero"; return; fi
  case "$out" in
    *.png) [[ $(head -c 8 "$out" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] && ok "$out is a PNG" || fail "$out is not a PNG" ;;
    *.svg) grep -q "<svg" "$out" && ok "$out is an SVG" || fail "$out is not an SVG" ;;
  esac
}
# expect_error MESSAGE ARGS...: the tool must fail and print MESSAGE on stderr.
expect_error() {
  local msg=$1; shift
  local err
  if err=$(bash "$tool" "$@" 2>&1 >/dev/null); then fail "$* succeeded"; return; fi
  [[ $err == *"$msg"* ]] && ok "$* -> $err" || fail "$*: expected '$msg', got '$err'"
}

# What fit writes for 3 epochs of 4 steps (metrics_writer.hpp's formats).
step=0
for e in 1 2 3; do
  for k in 1 2 3 4; do
    step=$((step + 1))
    loss=$(awk -v s=$step 'BEGIN { printf "%.9g", 1 / sqrt(s) }')
    echo "{\"kind\":\"step\",\"epoch\":$e,\"step\":$step,\"loss\":$loss,\"lr\":0.05}" >>m.jsonl
    echo "$e,$step,$loss,0.05" >>steps.body
  done
  echo "{\"kind\":\"epoch\",\"epoch\":$e,\"step\":$step,\"train_loss\":0.$((9 - e)),\"train_accuracy\":0.$((6 + e)),\"val_accuracy\":0.$((5 + e)),\"seconds\":0.5,\"samples_per_second\":1000}" >>m.jsonl
done
{ echo "epoch,step,loss,lr"; cat steps.body; } >steps.csv
{
  echo "epoch,train_loss,train_accuracy,validation_accuracy,validation_loss,seconds,samples_per_second"
  echo "1,0.800000,0.700000,0.650000,nan,0.5000,1000.0"
  echo "2,0.600000,0.800000,0.750000,nan,0.5000,1000.0"
} >epochs.csv

expect_success m.png m.jsonl m.png
expect_success m.svg m.jsonl m.svg
expect_success epochs.png epochs.csv epochs.png
expect_success steps.svg --title "steps only" steps.csv steps.svg
bash "$tool" --help | grep -q "^usage:" && ok "--help" || fail "--help prints no usage"

: >empty.jsonl
echo "not json" >bad.jsonl
echo '{"kind":"other"}' >other.jsonl
expect_error "no such file" missing.jsonl out.png
expect_error "is empty" empty.jsonl out.png
expect_error "must be .png or .svg" m.jsonl out.jpg
expect_error "not a JSON object" bad.jsonl out.png
expect_error "holds no step or epoch records" other.jsonl out.png

((failures == 0)) && echo "plot_metrics: all checks passed" || echo "plot_metrics: $failures check(s) failed"
exit $((failures > 0))
