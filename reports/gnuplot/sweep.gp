# SPDX-License-Identifier: GPL-2.0
# sweep.gp - template: a metric against a swept scenario parameter, median
# over repetitions with its bootstrap 95% interval, one line per strategy.
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 900,520 noenhanced font "DejaVu Sans,11"
    } else {
        set terminal svg size 900,520 noenhanced font "DejaVu Sans,11" background rgb "white"
    }
    set output "$base.".fmt
    load "$common"
    set title "$title"
    $xscale
    set xlabel "$xlabel"
    set ylabel "$ylabel"
    set yrange [0:*]
    set offsets graph 0.03, graph 0.03, graph 0.05, 0
    set key left top
    plot $plot
    unset logscale
    unset output
}
