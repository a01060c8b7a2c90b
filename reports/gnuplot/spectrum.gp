# SPDX-License-Identifier: GPL-2.0
# spectrum.gp - template: a latency percentile spectrum (p50 ... p99.99, max)
# on a log time axis, one line per strategy, bars spanning the repetitions.
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 900,520 noenhanced font "DejaVu Sans,11"
    } else {
        set terminal svg size 900,520 noenhanced font "DejaVu Sans,11" background rgb "white"
    }
    set output "$base.".fmt
    load "$common"
    set title "$title"
    set xrange [0:5.4]
    set xtics ("p50" 0.30103, "p90" 1, "p99" 2, "p99.9" 3, "p99.99" 4, "max" 5)
    unset mxtics
    set xlabel "percentile"
    $yscale
    set ylabel "$ylabel"
    set key left top
    plot $plot
    unset logscale
    set ytics autofreq
    unset output
}
