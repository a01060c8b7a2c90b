# SPDX-License-Identifier: GPL-2.0
# trend.gp - template: headline metrics of one scenario across kernel builds
# in version order, one panel per metric; per strategy the median over
# repetitions as a line and its bootstrap 95% interval as a shaded band
# (error bars when there is one build), a black ring on a flagged regression.
# The panels (titles, scales, plot commands) are written by versions.py; the
# key of the first panel is drawn once, under the figure's title.
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size $width,$height noenhanced font "DejaVu Sans,10"
    } else {
        set terminal svg size $width,$height noenhanced font "DejaVu Sans,10" background rgb "white"
    }
    set output "$base.".fmt
    load "$common"
    set title font ",11"
    set multiplot layout $rows,$cols title "$title\n\n\n" font ",13"
    set xrange [$xmin:$xmax]
    set xtics ($xtics) $xrotate noenhanced font ",9"
    unset mxtics
    set bmargin $bmargin
    set grid noxtics
    set style fill transparent solid 0.18 noborder
    set key at screen 0.5, screen $keyy center top horizontal noenhanced font ",10" samplen 1.5 width 1 maxcols 8
$panels
    unset multiplot
    unset output
}
