# SPDX-License-Identifier: GPL-2.0
# palette.py - one fixed colour per strategy, the same in every plot and
# table; a strategy not in the table gets a colour derived from its name.

import colorsys
import hashlib

STRATEGY_COLOURS = {
    "seqretry": "#1f5fa8",          # blue
    "rangelock": "#c8352b",         # red
    "hybrid": "#2e8b3a",            # green
    "rangelock-2015": "#d98a10",    # orange
    "validflag": "#a8327a",         # magenta
    "broken": "#6b3fa0",            # purple
}


def colour(strategy):
    """'#rrggbb' for @strategy: from the table, else from a hash of the
    name (stable across runs and machines, mid lightness so it reads on
    white)."""
    if strategy in STRATEGY_COLOURS:
        return STRATEGY_COLOURS[strategy]
    h = hashlib.sha256(strategy.encode("utf-8")).digest()
    hue = int.from_bytes(h[:2], "big") / 65536.0
    sat = 0.55 + (h[2] / 255.0) * 0.3
    light = 0.35 + (h[3] / 255.0) * 0.15
    r, g, b = colorsys.hls_to_rgb(hue, light, sat)
    return "#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255))
