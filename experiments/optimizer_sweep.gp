# Plots the optimizer sweep: test accuracy and train loss against epochs, the best lr per
# optimizer (left) and SGD + momentum under each schedule (right).
#   gnuplot -e "dir='docs/experiments'" experiments/optimizer_sweep.gp
if (!exists("dir")) dir = "."
f = dir."/optimizer_best_curves.csv"
set terminal pngcairo size 1600,1100 font ",10" noenhanced
set output dir."/optimizers.png"
set datafile separator whitespace
opts = system("awk '$1==\"optimizer\"{print $2}' ".f." | uniq | tr '\\n' ' '")
scheds = system("awk '$1==\"schedule\"{print $2}' ".f." | uniq | tr '\\n' ' '")
set multiplot layout 2,2 title "Fashion-MNIST MLP 784-256-256-10, batch 128 (ctnn)"
set xlabel "epoch"
set xtics 1
set grid
set key outside right top font ",8"
set ytics nomirror
set title "test accuracy, best lr per optimizer"
set ylabel "test accuracy"
set yrange [0.75:0.9]
plot for [i=1:words(opts)] f using (strcol(1) eq "optimizer" && strcol(2) eq word(opts,i) ? $4 : 1/0):6 with linespoints lc ((i-1)%8+1) dt 1+(i-1)/8 pt ((i-1)/8*2+7) ps 0.6 title word(opts,i)
set title "test accuracy, SGD + momentum 0.9 (lr 0.05) per schedule"
plot for [i=1:words(scheds)] f using (strcol(1) eq "schedule" && strcol(2) eq word(scheds,i) ? $4 : 1/0):6 with linespoints lc ((i-1)%8+1) dt 1+(i-1)/8 pt ((i-1)/8*2+7) ps 0.6 title word(scheds,i)
set title "train loss (mean over the epoch), best lr per optimizer"
set ylabel "train loss"
set yrange [0.2:0.7]
plot for [i=1:words(opts)] f using (strcol(1) eq "optimizer" && strcol(2) eq word(opts,i) ? $4 : 1/0):5 with linespoints lc ((i-1)%8+1) dt 1+(i-1)/8 pt ((i-1)/8*2+7) ps 0.6 title word(opts,i)
set title "train loss, SGD + momentum per schedule"
plot for [i=1:words(scheds)] f using (strcol(1) eq "schedule" && strcol(2) eq word(scheds,i) ? $4 : 1/0):5 with linespoints lc ((i-1)%8+1) dt 1+(i-1)/8 pt ((i-1)/8*2+7) ps 0.6 title word(scheds,i)
unset multiplot
