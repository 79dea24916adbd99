set terminal pngcairo size 1200,560 font 'sans,10'
set output '/work/main/bench/results/scaling.png'
set multiplot layout 1,2
set logscale y
set grid
set xlabel 'threads'
set ylabel 'MB/s (uncompressed)'
set xrange [0.7:2.3]
set xtics ('1' 1, '2' 2)
set key outside right top
set title 'compression, 81.9 MB'
plot '/work/main/bench/results/scaling.dat' index 0 with linespoints lw 2 pt 5 ps 1.3 lc rgb '#d62728' title 'parxz -0', \
  '/work/main/bench/results/scaling.dat' index 1 with linespoints lw 2 pt 5 ps 1.3 lc rgb '#1f77b4' title 'xz -0', \
  '/work/main/bench/results/scaling.dat' index 2 with linespoints lw 2 pt 5 ps 1.3 lc rgb '#2ca02c' title 'pixz -0', \
  '/work/main/bench/results/scaling.dat' index 3 with linespoints lw 2 pt 5 ps 1.3 lc rgb '#9467bd' title 'plzip -0', \
  '/work/main/bench/results/scaling.dat' index 4 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#d62728' title 'parxz -6', \
  '/work/main/bench/results/scaling.dat' index 5 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#1f77b4' title 'xz -6', \
  '/work/main/bench/results/scaling.dat' index 6 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#2ca02c' title 'pixz -6', \
  '/work/main/bench/results/scaling.dat' index 7 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#9467bd' title 'plzip -6', \
  '/work/main/bench/results/scaling.dat' index 8 with points lw 2 pt 9 ps 1.3 lc rgb '#d62728' title 'parxz -9', \
  '/work/main/bench/results/scaling.dat' index 9 with points lw 2 pt 9 ps 1.3 lc rgb '#1f77b4' title 'xz -9', \
  '/work/main/bench/results/scaling.dat' index 10 with points lw 2 pt 9 ps 1.3 lc rgb '#2ca02c' title 'pixz -9', \
  '/work/main/bench/results/scaling.dat' index 11 with points lw 2 pt 9 ps 1.3 lc rgb '#9467bd' title 'plzip -9', \
  '/work/main/bench/results/scaling.dat' index 12 with linespoints lw 2 pt 5 ps 1.3 lc rgb '#ff7f0e' title 'zstd -3', \
  '/work/main/bench/results/scaling.dat' index 13 with linespoints lw 2 pt 9 ps 1.3 lc rgb '#ff7f0e' title 'zstd -19'
set title 'decompression, 81.9 MB'
plot '/work/main/bench/results/scaling.dat' index 14 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#d62728' title 'parxz -6', \
  '/work/main/bench/results/scaling.dat' index 15 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#1f77b4' title 'xz -6', \
  '/work/main/bench/results/scaling.dat' index 16 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#2ca02c' title 'pixz -6', \
  '/work/main/bench/results/scaling.dat' index 17 with linespoints lw 2 pt 7 ps 1.3 lc rgb '#9467bd' title 'plzip -6', \
  '/work/main/bench/results/scaling.dat' index 18 with linespoints lw 2 pt 5 ps 1.3 lc rgb '#ff7f0e' title 'zstd -3', \
  '/work/main/bench/results/scaling.dat' index 19 with linespoints lw 2 pt 9 ps 1.3 lc rgb '#ff7f0e' title 'zstd -19'
unset multiplot
