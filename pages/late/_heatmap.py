"""Unit x category heatmap of a rate, where cells with too few dossiers are greyed and
labelled rather than shown as 0 % or 100 %. A plain-dict figure (see pages.late._pareto)."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from components.theme import inked_heatmap, percent_ticks

from ._pareto import base_layout, fi, fp

MIN_BASE = 20  # fewer finished dossiers than this: the rate says nothing
# White to dark red through the app's "late" oranges (sequential: order reads as lightness).
RATE_SCALE = [[0.0, "#FFF7EC"], [0.25, "#FDD49E"], [0.5, "#FC8D59"], [0.75, "#D7301F"], [1.0, "#7F0000"]]
GREY = "#E9ECEF"



def rate_heatmap(df: pd.DataFrame, rows: list[tuple[str, str]], cols: list[tuple[str, str]], lang: str,
                 hrefs: dict, hover: dict, few_label: str, min_base: int = MIN_BASE, col_names: dict | None = None) -> dict:
    """``df``: row_key, col_key, count, base, rate; ``rows``/``cols``: (key, label) in display order
    (first row on top). ``hrefs[(row_key, col_key)]`` is the query string a click leads to.
    ``hover``: labels for 'count', 'base', 'rate'; ``col_names``: a column's whole name for the hover (its label may be cut)."""
    cells = {(r, c): (int(n), int(b)) for r, c, n, b in zip(df["row_key"], df["col_key"], df["count"], df["base"])}
    z, grey, text, custom = [], [], [], []
    for rk, rl in rows:
        zr, gr, tr, cr = [], [], [], []
        for ck, cl in cols:
            count, base = cells.get((rk, ck), (0, 0))
            if base >= min_base:
                rate = count / base
                zr.append(rate)
                gr.append(None)
                tr.append(fp(rate, lang, 0 if rate >= 0.095 else 1))
                shown = fp(rate, lang)
            else:
                zr.append(None)
                gr.append(1)
                tr.append(few_label if base > 0 else "–")
                shown = few_label if base > 0 else "–"
            cr.append([hrefs.get((rk, ck), "") if base > 0 else "", fi(count, lang), fi(base, lang), shown,
                       f"{rl} · {(col_names or {}).get(ck, cl.replace('<br>', ' '))}"])
        z.append(zr)
        grey.append(gr)
        text.append(tr)
        custom.append(cr)
    ylabels = [label for _, label in rows]
    xlabels = [label for _, label in cols]
    values = [v for r in z for v in r if v is not None]
    top = max(values) if values else 1.0
    hovertemplate = (f"<b>%{{customdata[4]}}</b><br>{hover['count']}: %{{customdata[1]}}<br>{hover['base']}: "
                     f"%{{customdata[2]}}<br>{hover['rate']}: %{{customdata[3]}}<extra></extra>")
    zmax = max(float(top), 0.05)
    # The cells' figures in the ink that reads on each colour (theme.inked_heatmap): plotly's own
    # choice puts #444 on the scale's middle oranges (2.8:1).
    rate_traces = inked_heatmap(
        {"type": "heatmap", "z": z, "x": xlabels, "y": ylabels, "colorscale": RATE_SCALE, "zmin": 0, "zmax": zmax,
         "customdata": custom, "text": [[tx if v is not None else "" for tx, v in zip(tr, zr)] for tr, zr in zip(text, z)],
         "texttemplate": "%{text}", "textfont": {"size": 13}, "xgap": 2, "ygap": 2,
         "hovertemplate": hovertemplate,
         "colorbar": {"title": {"text": hover["rate"], "side": "right"}, **percent_ticks(lang, 0, zmax), "thickness": 14, "len": 0.8}})
    own = lambda keep: [[tx if k else "" for tx, k in zip(tr, kr)] for tr, kr in zip(text, keep)]
    data = [
        {"type": "heatmap", "z": grey, "x": xlabels, "y": ylabels, "colorscale": [[0, GREY], [1, GREY]],
         "showscale": False, "customdata": custom, "text": own([[g is not None for g in gr] for gr in grey]), "texttemplate": "%{text}",
         "textfont": {"size": 12, "color": "#495057"}, "xgap": 2, "ygap": 2, "hovertemplate": hovertemplate},
        *rate_traces,
    ]
    layout = base_layout(lang, max(300, 30 * len(rows) + 150), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         plot_bgcolor="white",
                         xaxis={"side": "top", "tickangle": 0, "showgrid": False},
                         yaxis={"autorange": "reversed", "showgrid": False})
    return {"data": data, "layout": layout}


def heat_table(df: pd.DataFrame, rows: list[tuple[str, str]], cols: list[tuple[str, str]], lang: str, hrefs: dict,
               few_label: str, path: str, corner: str, min_base: int = MIN_BASE) -> html.Table:
    """The heat map as a table (units × sectors): each rate a link to the view a click on its
    cell opens, so a keyboard or a screen reader reaches every cell too."""
    cells = {(r, c): (int(n), int(b)) for r, c, n, b in zip(df["row_key"], df["col_key"], df["count"], df["base"])}
    plain = lambda s: s.replace("–<br>", "–").replace("<br>", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    head = html.Thead(html.Tr([html.Th(corner, scope="col")] + [html.Th(plain(label), scope="col", className="text-end") for _, label in cols]))
    body = []
    for rk, rl in rows:
        tds = [html.Th(plain(rl), scope="row")]
        for ck, _ in cols:
            count, base = cells.get((rk, ck), (0, 0))
            if base >= min_base:
                tds.append(html.Td(dcc.Link(fp(count / base, lang), href=path + hrefs[(rk, ck)]) if hrefs.get((rk, ck)) else fp(count / base, lang),
                                   className="text-end"))
            else:
                tds.append(html.Td(few_label if base > 0 else "–", className="text-end text-muted"))
        body.append(html.Tr(tds))
    return html.Table([head, html.Tbody(body)], className="table table-sm late-table late-heat-table mb-0")
