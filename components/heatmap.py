"""Unit x category heatmap of a rate, where cells with too few dossiers are greyed and
labelled rather than shown as 0 % or 100 %."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .formatting import fmt_int, fmt_pct
from .theme import style_figure

MIN_BASE = 20  # fewer finished dossiers than this: the rate says nothing
# White to the app's "late" vermilion (colour-blind safe; sequential, so order reads as lightness).
RATE_SCALE = [[0.0, "#FFF7EC"], [0.25, "#FDD49E"], [0.5, "#FC8D59"], [0.75, "#D7301F"], [1.0, "#7F0000"]]
GREY = "#E9ECEF"


def rate_heatmap(df: pd.DataFrame, rows: list[tuple[str, str]], cols: list[tuple[str, str]], lang: str,
                 hrefs: dict, hover: dict, few_label: str, min_base: int = MIN_BASE) -> go.Figure:
    """``df``: row_key, col_key, count, base, rate; ``rows``/``cols``: (key, label) in display order
    (first row on top). ``hrefs[(row_key, col_key)]`` is the query string a click leads to.
    ``hover``: labels for 'count', 'base', 'rate'."""
    idx = {(r, c): i for i, (r, c) in enumerate(zip(df["row_key"], df["col_key"]))}
    nr, nc = len(rows), len(cols)
    z = np.full((nr, nc), np.nan)
    grey = np.full((nr, nc), np.nan)
    text = [["" for _ in range(nc)] for _ in range(nr)]
    custom = [[["", "", "", "", ""] for _ in range(nc)] for _ in range(nr)]
    for i, (rk, rl) in enumerate(rows):
        for j, (ck, cl) in enumerate(cols):
            k = idx.get((rk, ck))
            count = int(df["count"].iat[k]) if k is not None else 0
            base = int(df["base"].iat[k]) if k is not None else 0
            rate = float(df["rate"].iat[k]) if k is not None and base > 0 else np.nan
            if base >= min_base:
                z[i, j] = rate
                text[i][j] = fmt_pct(rate, lang, 0 if rate >= 0.095 else 1)
                shown = fmt_pct(rate, lang)
            else:
                grey[i, j] = 1.0
                text[i][j] = few_label if base > 0 else "–"
                shown = few_label
            custom[i][j] = [hrefs.get((rk, ck), ""), fmt_int(count, lang), fmt_int(base, lang), shown, f"{rl} · {cl}"]
    ylabels = [label for _, label in rows]
    xlabels = [label for _, label in cols]
    top = np.nanmax(z) if np.isfinite(z).any() else 1.0
    fig = go.Figure()
    fig.add_heatmap(
        z=grey, x=xlabels, y=ylabels, colorscale=[[0, GREY], [1, GREY]], showscale=False, customdata=custom,
        text=text, texttemplate="%{text}", textfont=dict(size=12, color="#6C757D"), xgap=2, ygap=2,
        hovertemplate=(f"<b>%{{customdata[4]}}</b><br>{hover['count']}: %{{customdata[1]}}<br>{hover['base']}: "
                       f"%{{customdata[2]}}<br>{hover['rate']}: %{{customdata[3]}}<extra></extra>"),
    )
    fig.add_heatmap(
        z=z, x=xlabels, y=ylabels, colorscale=RATE_SCALE, zmin=0, zmax=max(float(top), 0.05), customdata=custom,
        text=text, texttemplate="%{text}", textfont=dict(size=13), xgap=2, ygap=2,
        colorbar=dict(title=dict(text=hover["rate"], side="right"), tickformat=".0%", thickness=14, len=0.8),
        hovertemplate=(f"<b>%{{customdata[4]}}</b><br>{hover['count']}: %{{customdata[1]}}<br>{hover['base']}: "
                       f"%{{customdata[2]}}<br>{hover['rate']}: %{{customdata[3]}}<extra></extra>"),
    )
    style_figure(fig, lang, height=max(300, 30 * nr + 150))
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="white")
    fig.update_xaxes(side="top", tickangle=0, fixedrange=True, showgrid=False)
    fig.update_yaxes(autorange="reversed", fixedrange=True, showgrid=False)
    return fig
