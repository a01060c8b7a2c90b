# SPDX-License-Identifier: GPL-2.0
# markup.py - the HTML pieces every section of the report shares: escaping,
# a strategy's name in its colour, a figure with its links, a folded block.
# It imports nothing of snapreport_lib but the palette, so any section can
# use it without importing another section (no import circle).

import html

from .palette import colour


def esc(text):
    """@text (anything) as HTML text or an attribute value."""
    return html.escape(str(text), quote=True)


def strategy(name):
    """A strategy's name in bold, in its colour of every plot."""
    return '<span class="strategy" style="color:%s">%s</span>' % (colour(name), esc(name))


def figure(p):
    """A plots.Plot: its question, the PNG linking its SVG, data and
    gnuplot script, or why it was skipped."""
    out = ['<p class="question">%s</p>' % esc(p.question)]
    if p.png:
        out.append('<figure><img src="%s" alt="%s"><figcaption>%s — <a href="%s">SVG</a>, '
                   '<a href="plot-data/%s.dat">data</a>, <a href="plot-data/%s.gp">gnuplot script</a>'
                   "</figcaption></figure>" % (esc(p.png), esc(p.title), esc(p.title), esc(p.svg),
                                               esc(p.ident), esc(p.ident)))
    else:
        out.append('<p class="skip">Plot skipped: %s.</p>' % esc(p.note))
    return "\n".join(out)


def fold(summary, body, anchor=None, open_=False):
    """@body under a <details> whose <summary> is @summary (HTML)."""
    if not body:
        return ""
    return '<details%s%s><summary>%s</summary>\n%s\n</details>' % (
        ' id="%s"' % anchor if anchor else "", " open" if open_ else "", summary, body)
