# SPDX-License-Identifier: GPL-2.0
# pareto.gp - template: driver progress against reclaim stall, one point
# per (scenario, strategy) with bootstrap 95% intervals, log-log axes.
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 900,600 noenhanced font "DejaVu Sans,11"
    } else {
        set terminal svg size 900,600 noenhanced font "DejaVu Sans,11" background rgb "white"
    }
    set output "$base.".fmt
    load "$common"
    set title "$title"
    set logscale xy
    set xtics ($xtics)
    set ytics ($ytics)
    unset mxtics
    unset mytics
    set xrange [$xrange]
    set yrange [$yrange]
    set xlabel "$xlabel"
    set ylabel "$ylabel"
    set key outside right top
    plot $plot
    unset logscale
    set xtics autofreq
    set ytics autofreq
    set mxtics default
    set mytics default
    unset output
}
