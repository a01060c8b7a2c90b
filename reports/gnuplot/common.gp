# SPDX-License-Identifier: GPL-2.0
# common.gp - loaded by every plot template: fonts, grid, border, key box.
# Parameters come from the template that loads it; nothing here is data.
set encoding utf8
set border 3 lw 1 lc rgb "#444444"
set tics nomirror out scale 0.6
set grid xtics ytics mxtics mytics lc rgb "#e4e4e4" lw 1 dt 1, lc rgb "#f2f2f2" lw 1 dt 1
set key box lc rgb "#bbbbbb" opaque samplen 2.5 spacing 1.1
set title font ",13"
