# gnuplot -e "dir='out'" experiments/init_signal.gp  →  out/init_signal.png
if (!exists("dir")) dir = "."
set terminal pngcairo size 1500,800 font ",10" noenhanced
set output dir."/init_signal.png"
set datafile separator ","
set multiplot layout 2,3 title "Signal RMS per layer at initialization (ReLU MLP, width 256, one Fashion-MNIST batch)"
set logscale y
set format y "1e%L"
set xlabel "layer index (bound dense layer)"
set key bottom left font ",8"
inits = "normal(0.01) xavier_uniform kaiming_normal orthogonal(sqrt2)"
do for [L in "10 30 50"] {
  set title "forward RMS, L = ".L
  set ylabel "RMS of layer output"
  plot for [i in inits] dir."/init_signal_layers.csv" using (strcol(1) eq L && strcol(2) eq i ? $3/2 : NaN):($5) every ::1 with linespoints pt 7 ps 0.4 title i
}
do for [L in "10 30 50"] {
  set title "backward RMS, L = ".L
  set ylabel "RMS of dL/dz"
  plot for [i in inits] dir."/init_signal_layers.csv" using (strcol(1) eq L && strcol(2) eq i ? $3/2 : NaN):($6) every ::1 with linespoints pt 7 ps 0.4 title i
}
unset multiplot
