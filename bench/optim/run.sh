#!/usr/bin/env bash
# The fused optimizer update alone against a STREAM-like triad (same process, interleaved) and
# libtorch's optimizer step. Prints JSON lines on stdout and a median-of-rounds table on stderr.
#
#   bench/optim/run.sh <build-dir> [> optim.jsonl]
#
# Environment: ROUNDS (3 program runs, alternating ctnn and libtorch), SIZES ("1M,10M"),
#              THREADS ("1,2"), INNER (rounds inside one program run, 5), BUDGET (seconds per
#              measurement per inner round, 0.15), OMP_WAIT_POLICY (PASSIVE, as bench/train).
set -euo pipefail
BUILD=${1:?usage: run.sh <build-dir>}
DIR="$BUILD/bench/optim"
ROUNDS=${ROUNDS:-3}
SIZES=${SIZES:-1M,10M}
THREADS=${THREADS:-1,2}
INNER=${INNER:-5}
BUDGET=${BUDGET:-0.15}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY-PASSIVE}
[[ -n $OMP_WAIT_POLICY ]] || unset OMP_WAIT_POLICY
unset OPENBLAS_CORETYPE

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for r in $(seq 1 "$ROUNDS"); do
  "$DIR/bench_optim" --sizes "$SIZES" --threads "$THREADS" --rounds "$INNER" --budget "$BUDGET" | tee -a "$tmp"
  if [[ -x $DIR/bench_optim_torch ]]; then
    "$DIR/bench_optim_torch" --sizes "$SIZES" --threads "$THREADS" --rounds "$INNER" --budget "$BUDGET" | tee -a "$tmp"
  fi
done

# Median over rounds of gbps and pct_triad per (config, impl, threads).
python3 - "$tmp" >&2 <<'PY'
import json, sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    rows.setdefault((d["config"], d["threads"], d["impl"]), []).append(d)
print(f"{'config':<18}{'thr':>4}  {'impl':<16}{'median_us':>11}{'GB/s':>9}{'% triad':>9}")
for (c, t, i), v in sorted(rows.items(), key=lambda kv: (kv[0][0].split('_')[-1], kv[0][0], kv[0][1], kv[0][2])):
    print(f"{c:<18}{t:>4}  {i:<16}{st.median(x['median_us'] for x in v):>11.1f}"
          f"{st.median(x['gbps'] for x in v):>9.2f}{st.median(x['pct_triad'] for x in v):>9.1f}")
PY
