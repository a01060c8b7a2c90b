# SPDX-License-Identifier: GPL-2.0
# retries_cdf.gp - template: retries per pass as a CDF (left) and its tail
# 1 - CDF on a log scale (right), one line per strategy.  Filled by plots.py.
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,480 noenhanced font "DejaVu Sans,11"
    } else {
        set terminal svg size 1100,480 noenhanced font "DejaVu Sans,11" background rgb "white"
    }
    set output "$base.".fmt
    load "$common"
    set multiplot layout 1,2 title "$title" font ",13"
    set logscale x
    set xrange [1:$xmax]
    set xtics ($xtics)
    set xlabel "retries in one pass (log scale)"
    set ylabel "fraction of passes with at most x retries"
    set yrange [0:1.02]
    set key right bottom
    set title "CDF"
    plot $plot_cdf
    set logscale y
    set yrange [$tail_min:1]
    set format y "%g"
    set ylabel "fraction of passes with more than x retries (log scale)"
    set key right top
    set title "tail (1 − CDF)"
    $tail_label
    plot $plot_tail
    unset label 1
    unset multiplot
    unset logscale
    set format y "% h"
    unset output
}
