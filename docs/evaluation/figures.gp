# Draws the evaluation's figures: cd docs/evaluation && gnuplot figures.gp
set terminal pngcairo size 900,560 font 'DejaVu Sans,11' noenhanced
set grid
set key outside right
set output 'depth_bank.png'
set title 'Cases waiting by hour of the day: bank replay (anonymous-bank, 33066 calls), days resampled'
set xlabel 'hour of the day'
set ylabel 'cases waiting (mean)'
set xrange [0:23]
set yrange [0:*]
plot 'depth_bank.dat' using 1:2 with linespoints title 'outcome', 'depth_bank.dat' using 1:3 with linespoints title 'longest_idle', 'depth_bank.dat' using 1:4 with linespoints title 'round_robin', 'depth_bank.dat' using 1:5 with linespoints title 'least_occupied', 'depth_bank.dat' using 1:6 with linespoints title 'fastest_handle', 'depth_bank.dat' using 1:7 with linespoints title 'oracle'
unset xrange
set output 'depth_synthetic.png'
set title 'Cases waiting by hour of the day: synthetic (168h, 126 cases/h)'
set xlabel 'hour of the day'
set ylabel 'cases waiting (mean)'
set xrange [0:23]
set yrange [0:*]
plot 'depth_synthetic.dat' using 1:2 with linespoints title 'outcome', 'depth_synthetic.dat' using 1:3 with linespoints title 'longest_idle', 'depth_synthetic.dat' using 1:4 with linespoints title 'round_robin', 'depth_synthetic.dat' using 1:5 with linespoints title 'least_occupied', 'depth_synthetic.dat' using 1:6 with linespoints title 'fastest_handle', 'depth_synthetic.dat' using 1:7 with linespoints title 'oracle'
unset xrange
set output 'depth_twcs.png'
set title 'Cases waiting by hour of the day: tweets replay (twcs, 1480 cases), days resampled'
set xlabel 'hour of the day'
set ylabel 'cases waiting (mean)'
set xrange [0:23]
set yrange [0:*]
plot 'depth_twcs.dat' using 1:2 with linespoints title 'outcome', 'depth_twcs.dat' using 1:3 with linespoints title 'longest_idle', 'depth_twcs.dat' using 1:4 with linespoints title 'round_robin', 'depth_twcs.dat' using 1:5 with linespoints title 'least_occupied', 'depth_twcs.dat' using 1:6 with linespoints title 'fastest_handle', 'depth_twcs.dat' using 1:7 with linespoints title 'oracle'
unset xrange
set output 'depth_incident.png'
set title 'Cases waiting by hour of the day: incident replay (incident-event-log, 890 cases), days resampled'
set xlabel 'hour of the day'
set ylabel 'cases waiting (mean)'
set xrange [0:23]
set yrange [0:*]
plot 'depth_incident.dat' using 1:2 with linespoints title 'outcome', 'depth_incident.dat' using 1:3 with linespoints title 'longest_idle', 'depth_incident.dat' using 1:4 with linespoints title 'round_robin', 'depth_incident.dat' using 1:5 with linespoints title 'least_occupied', 'depth_incident.dat' using 1:6 with linespoints title 'fastest_handle', 'depth_incident.dat' using 1:7 with linespoints title 'oracle'
unset xrange
set output 'tradeoff.png'
set title 'Time to answer against true first-contact resolution (bank)'
set xlabel 'mean time to answer (s)'
set ylabel 'true first-contact resolution'
set xrange [0:*]
set yrange [*:*]
plot 'tradeoff_sweep.dat' using 1:2 with points pt 6 ps 1.5 title 'outcome, weights swept', '' using 1:2:3 with labels left offset 1,0 font ',8' notitle, 'tradeoff_strategies.dat' using 1:2 with points pt 7 ps 1.5 title 'strategies', '' using 1:2:3 with labels offset 0,-1 notitle
