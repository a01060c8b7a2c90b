# SPDX-License-Identifier: GPL-2.0
# bars.gp - template: two panels of clustered bars (one cluster per scenario,
# one bar per strategy) with bootstrap 95% intervals as error bars.
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,500 noenhanced font "DejaVu Sans,11"
    } else {
        set terminal svg size 1100,500 noenhanced font "DejaVu Sans,11" background rgb "white"
    }
    set output "$base.".fmt
    load "$common"
    set multiplot layout 1,2 title "$title" font ",13"
    set style data histogram
    set style histogram errorbars gap 1.5 lw 1.2
    set style fill solid 0.85 border rgb "#333333"
    set boxwidth 0.9
    set grid noxtics
    set xtics scale 0
    set yrange [0:*]
    set key outside bottom center horizontal
    set title "$title_left"
    set ylabel "$ylabel_left"
    plot $plot_left
    set title "$title_right"
    set ylabel "$ylabel_right"
    plot $plot_right
    unset multiplot
    unset output
}
