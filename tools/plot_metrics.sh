#!/usr/bin/env bash
# plot_metrics.sh: training curves from a ctnn metrics file, as PNG or SVG (gnuplot; awk parses).
# Run with --help for the usage. Inputs it reads (written by ctnn::fit, formats in
# include/ctnn/train/metrics_writer.hpp):
#   *.jsonl  fit_options::metrics_jsonl: {"kind":"step",...} and {"kind":"epoch",...} lines
#   *.csv    fit_options::metrics_csv (per epoch: epoch,train_loss,...) or
#            fit_options::metrics_steps_csv (per step: epoch,step,loss,lr); columns found by name
# Panels: loss (and learning rate, right axis) against the global step when there are step
# records; per-epoch training loss (and validation loss), with training and validation accuracy on
# the right axis, against the epoch when there are epoch records.
set -euo pipefail

prog=$(basename "$0")
usage() {
  cat <<EOF
usage: $prog [--title TEXT] [--size WxH] METRICS_FILE OUTPUT.png|OUTPUT.svg

Plots a ctnn metrics file (fit_options::metrics_jsonl, metrics_csv or metrics_steps_csv):
  - loss and learning rate against the step (step records: JSONL, per-step CSV);
  - training loss, validation loss/accuracy and training accuracy against the epoch
    (epoch records: JSONL, per-epoch CSV).
The input format is taken from the file's extension (.jsonl/.json or .csv; otherwise from its
first line); the output format from OUTPUT's extension (.png or .svg).

options:
  --title TEXT   title above the plots (default: the input file's name)
  --size WxH     image size in pixels (default 900x700, 900x400 for a single panel)
  -h, --help     this text

example:
  $prog runs/fashion_mnist_mlp/metrics.jsonl runs/fashion_mnist_mlp/curves.png
EOF
}
die() {
  echo "$prog: $*" >&2
  exit 1
}

title="" size=""
args=()
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --title) (($# >= 2)) || die "--title needs a value"; title=$2; shift 2 ;;
    --size) (($# >= 2)) || die "--size needs a value"; size=$2; shift 2 ;;
    --) shift; args+=("$@"); break ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) args+=("$1"); shift ;;
  esac
done
((${#args[@]} == 2)) || { usage >&2; exit 2; }
input=${args[0]} output=${args[1]}

[[ -e "$input" ]] || die "'$input': no such file"
[[ -f "$input" && -r "$input" ]] || die "'$input': not a readable file"
[[ -s "$input" ]] || die "'$input' is empty (no metrics written yet?)"
case "${output,,}" in
  *.png) kind=png ;;
  *.svg) kind=svg ;;
  *) die "'$output': the output's extension must be .png or .svg" ;;
esac
[[ -z "$size" || "$size" =~ ^[0-9]+x[0-9]+$ ]] || die "--size '$size' is not WxH (e.g. 900x700)"
command -v gnuplot >/dev/null || die "gnuplot is not installed (Debian: apt-get install gnuplot-nox)"
out_dir=$(dirname -- "$output")
[[ -d "$out_dir" ]] || die "'$out_dir': the output's directory does not exist"

case "${input,,}" in
  *.jsonl | *.json) format=jsonl ;;
  *.csv) format=csv ;;
  *) if [[ $(head -c 1 -- "$input") == "{" ]]; then format=jsonl; else format=csv; fi ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Both parsers write steps.dat (step loss lr) and epochs.dat (epoch train_loss train_accuracy
# val_accuracy val_loss), "NaN" where a value does not exist, and report malformed lines by number.
if [[ $format == jsonl ]]; then
  awk -v steps="$tmp/steps.dat" -v epochs="$tmp/epochs.dat" -v src="$input" '
    # The value of "key" in a flat JSON object (numbers, null, strings without commas), or "NaN".
    function get(key,    m, v) {
      if (!match($0, "\"" key "\"[ \t]*:[ \t]*[^,}]*")) return "NaN"
      v = substr($0, RSTART, RLENGTH); sub(/^[^:]*:[ \t]*/, "", v); gsub(/"/, "", v)
      return (v == "null" || v == "") ? "NaN" : v
    }
    /^[ \t]*$/ { next }
    !/^[ \t]*\{.*\}[ \t]*$/ { printf "%s:%d: not a JSON object: %s\n", src, NR, substr($0, 1, 80) > "/dev/stderr"; bad = 1; exit 1 }
    { kind = get("kind") }
    kind == "step" { print get("step"), get("loss"), get("lr") > steps; next }
    kind == "epoch" { print get("epoch"), get("train_loss"), get("train_accuracy"), get("val_accuracy"), get("val_loss") > epochs; next }
  ' "$input" || die "'$input' is not a ctnn metrics JSONL file"
else
  awk -F, -v steps="$tmp/steps.dat" -v epochs="$tmp/epochs.dat" -v src="$input" '
    function val(name,    v) {
      if (!(name in col)) return "NaN"
      v = $(col[name]); gsub(/[ \t\r]/, "", v)
      return (v == "" || tolower(v) ~ /nan|inf/) ? "NaN" : v
    }
    NR == 1 { for (i = 1; i <= NF; ++i) { h = $i; gsub(/[ \t\r"]/, "", h); col[h] = i }
              if (!("epoch" in col)) { printf "%s:1: no \"epoch\" column in the header\n", src > "/dev/stderr"; exit 1 }
              per_step = ("step" in col) && ("loss" in col); next }
    /^[ \t\r]*$/ { next }
    per_step { print val("step"), val("loss"), val("lr") > steps; next }
    { print val("epoch"), val("train_loss"), val("train_accuracy"), val("validation_accuracy"), val("validation_loss") > epochs }
  ' "$input" || die "'$input' is not a ctnn metrics CSV file"
fi

count() { if [[ -s "$1" ]]; then wc -l <"$1"; else echo 0; fi; }
n_steps=$(count "$tmp/steps.dat") n_epochs=$(count "$tmp/epochs.dat")
have_steps=$((n_steps > 0)) have_epochs=$((n_epochs > 0))
((have_steps || have_epochs)) || die "'$input' holds no step or epoch records"
# Columns present at all (not NaN everywhere) in epochs.dat: 3 train acc, 4 val acc, 5 val loss.
present() { awk -v c="$1" '$c != "NaN" { found = 1 } END { exit !found }' "$2"; }
has_lr=0 has_tacc=0 has_vacc=0 has_vloss=0
((have_steps)) && present 3 "$tmp/steps.dat" && has_lr=1
if ((have_epochs)); then
  present 3 "$tmp/epochs.dat" && has_tacc=1
  present 4 "$tmp/epochs.dat" && has_vacc=1
  present 5 "$tmp/epochs.dat" && has_vloss=1
fi

# A trailing mean of the batch losses over about 2% of the steps (column 4), so the trend shows
# through the batch-to-batch noise.
window=$((n_steps / 50 > 1 ? n_steps / 50 : 1))
if ((have_steps)); then
  awk -v w="$window" '{ v[NR % w] = $2; s += $2; if (NR > w) s -= old; old = v[(NR + 1) % w]
                        print $0, (NR >= w ? s / w : "NaN") }' "$tmp/steps.dat" >"$tmp/steps2.dat"
  mv "$tmp/steps2.dat" "$tmp/steps.dat"
fi
epoch_tics=$(((n_epochs + 14) / 15))  # whole epochs, at most ~15 labels
panels=$((have_steps + have_epochs))
[[ -n "$size" ]] || { ((panels == 2)) && size=900x700 || size=900x400; }
width=${size%x*} height=${size#*x}
[[ -n "$title" ]] || title=$(basename -- "$input")
if [[ $kind == png ]]; then
  if gnuplot -e "set terminal" 2>&1 | grep -qw pngcairo; then term="pngcairo size $width,$height noenhanced"
  else term="png size $width,$height noenhanced"; fi
else
  term="svg size $width,$height dynamic noenhanced"
fi

q() { printf '"%s"' "${1//\"/\\\"}"; }  # a gnuplot string literal
{
  echo "set terminal $term"
  echo "set output $(q "$output")"
  echo 'set datafile missing "NaN"'
  echo "set grid; set key outside top center horizontal"
  echo "set multiplot layout $panels,1 title $(q "$title")"
  if ((have_steps)); then
    echo "set xlabel 'step'; set ylabel 'loss'; set ytics nomirror"
    if ((has_lr)); then
      echo "set y2label 'learning rate'; set y2tics"
      lr_plot=", '' using 1:3 axes x1y2 with lines lw 2 dt 2 title 'learning rate'"
    else
      echo "unset y2label; unset y2tics"
      lr_plot=""
    fi
    smooth=""
    ((window > 1)) && smooth=", '' using 1:4 with lines lw 2 title 'loss (mean of $window steps)'"
    echo "plot $(q "$tmp/steps.dat") using 1:2 with lines lw 1 lc rgb '#b0b0e0' title 'loss (batch)'$smooth$lr_plot"
  fi
  if ((have_epochs)); then
    echo "set xlabel 'epoch'; set ylabel 'loss'; set ytics nomirror; unset y2label; unset y2tics; set xtics $epoch_tics"
    plot="plot $(q "$tmp/epochs.dat") using 1:2 with linespoints pt 7 ps 0.6 title 'train loss'"
    ((has_vloss)) && plot+=", '' using 1:5 with linespoints pt 5 ps 0.6 title 'validation loss'"
    if ((has_tacc || has_vacc)); then
      echo "set y2label 'accuracy'; set y2tics"
      ((has_tacc)) && plot+=", '' using 1:3 axes x1y2 with linespoints pt 9 ps 0.6 title 'train accuracy'"
      ((has_vacc)) && plot+=", '' using 1:4 axes x1y2 with linespoints pt 11 ps 0.6 title 'validation accuracy'"
    fi
    echo "$plot"
  fi
  echo "unset multiplot"
} >"$tmp/plot.gp"

gnuplot "$tmp/plot.gp" 2>"$tmp/gnuplot.err" || { cat "$tmp/gnuplot.err" >&2; die "gnuplot failed on '$input'"; }
[[ -s "$output" ]] || die "gnuplot wrote nothing to '$output'"
echo "$prog: wrote $output ($n_steps steps, $n_epochs epochs)"
