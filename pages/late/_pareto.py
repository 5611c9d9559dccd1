"""Figure builders for "where does it come from" views: ranked bars (stacked by level),
a Pareto chart (bars plus cumulative share), and a monthly count-and-rate trend.

Figures are plain dicts (what dcc.Graph sends to the browser anyway): building them
through plotly.graph_objects validation costs ~100 ms a figure, too slow for a drill
step that must answer in 50 ms. Their layout is ``components.theme.base_layout``.

Every bar carries ``customdata[0]`` = the URL query string of the view one level down, so
a page can turn a click into navigation with one small callback.
"""
from __future__ import annotations

import textwrap
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.io as pio

from components import theme
from components.formatting import fmt_int, fmt_pct, ym_label
from components.theme import LATE_COLOR, LEVEL_COLORS, NEUTRAL_COLOR, ink
from data.queries.summary import ratio

OTHER_PERIOD_COLOR = "#EDB899"  # LATE_COLOR, paler: the months outside the chosen period

BAR_PX = 44  # height per bar on horizontal charts: readable on a projector, tappable on a phone

fi = lru_cache(maxsize=50_000)(fmt_int)
_fp = lru_cache(maxsize=50_000)(fmt_pct)


def fp(x, lang: str, digits: int = 1) -> str:
    return _fp(None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 6), lang, digits)


@lru_cache(maxsize=1)
def plotly_white_template() -> dict:
    """Plotly's own "plotly_white" layout defaults as a template dict (built once)."""
    return {"layout": pio.templates["plotly_white"].to_plotly_json()["layout"]}


def base_layout(lang: str, height: int, **extra) -> dict:
    """theme.base_layout with fixed (unzoomable) axes and plotly's full white template, whose
    axis-title spacing, hover alignment and strict number typing these charts were drawn with."""
    return theme.base_layout(lang, height, template=plotly_white_template(),
                             **theme.merge({"xaxis": {"fixedrange": True}, "yaxis": {"fixedrange": True}}, extra))


def pct_suffix(lang: str) -> str:
    """Percent axes in the language's style: '20 %' (vi), '20%' (en)."""
    return "\u00a0%" if lang == "vi" else "%"


def wrap(text: str, width: int = 28, lines: int = 2) -> str:
    """A name from data as a chart label: escaped (theme.plot_text), on at most ``lines`` lines."""
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "<br>".join(theme.plot_text(p) for p in parts)


def _ints(values) -> list[int]:
    return [int(v) for v in np.nan_to_num(np.asarray(values, dtype=float))]


def ranked_bars_by_level(df: pd.DataFrame, category: str, labels: dict, hrefs: dict, lang: str,
                         level_names: dict, x_title: str, hover_count: str, hover_base: str) -> dict:
    """Horizontal bars, one per category (largest on top), stacked by level.

    ``df``: category, level, count, base, rate; ``labels``/``hrefs``: category -> text / query string."""
    totals = df.groupby(category)[["count", "base"]].sum()
    order = totals.sort_values("count", ascending=True, kind="stable").index.tolist()  # drawn bottom-up
    ylabels = [wrap(labels.get(c, c), 30) for c in order]
    data = []
    for level in ("province", "district", "commune"):
        part = df[df["level"] == level].set_index(category).reindex(order)
        counts = _ints(part["count"])
        if sum(counts) == 0:
            continue
        bases = _ints(part["base"])
        data.append({
            "type": "bar", "orientation": "h", "y": ylabels, "x": counts, "name": level_names[level],
            "marker": {"color": LEVEL_COLORS[level]},
            "customdata": [[hrefs.get(c, ""), fi(n, lang), fi(b, lang), fp(r, lang)]
                           for c, n, b, r in zip(order, counts, bases, ratio(counts, bases))],
            "hovertemplate": (f"<b>%{{y}}</b><br>{level_names[level]}<br>{hover_count}: %{{customdata[1]}}"
                              f"<br>{hover_base}: %{{customdata[2]}}<br>%{{customdata[3]}}<extra></extra>"),
        })
    tot = totals.reindex(order)
    data.append({"type": "scatter", "mode": "text", "y": ylabels, "x": _ints(tot["count"]), "showlegend": False,
                 "hoverinfo": "skip", "textposition": "middle right", "textfont": {"size": 14},
                 "text": [f"  {fi(int(c), lang)} · {fp(r, lang)}" for c, r in zip(tot["count"], ratio(tot["count"], tot["base"]))]})
    top = float(tot["count"].max() or 1)
    layout = base_layout(lang, max(260, BAR_PX * len(order) + 90), barmode="stack", clickmode="event",
                         legend={"traceorder": "normal"},
                         margin={"l": 10, "r": 30, "t": 40, "b": 10},
                         xaxis={"title": {"text": x_title}, "range": [0, top * 1.35], "tickformat": ",d"})
    return {"data": data, "layout": layout}


def ranked_bars(df: pd.DataFrame, labels: list[str], hrefs: list[str], lang: str, x_title: str,
                hover_count: str, hover_base: str, color: str = LATE_COLOR) -> dict:
    """Horizontal bars in ``df`` order (first on top): count with its rate at the end."""
    d = df.iloc[::-1]
    counts, bases = _ints(d["count"]), _ints(d["base"])
    rates = ratio(counts, bases)
    data = [{
        "type": "bar", "orientation": "h", "y": [wrap(x, 30) for x in labels[::-1]], "x": counts,
        "marker": {"color": color}, "textposition": "outside", "cliponaxis": False,
        "customdata": [[h, fi(n, lang), fi(b, lang), fp(r, lang)] for h, n, b, r in zip(hrefs[::-1], counts, bases, rates)],
        "text": [f"{fi(n, lang)} · {fp(r, lang)}" for n, r in zip(counts, rates)],
        "hovertemplate": (f"<b>%{{y}}</b><br>{hover_count}: %{{customdata[1]}}<br>{hover_base}: %{{customdata[2]}}"
                          f"<br>%{{customdata[3]}}<extra></extra>"),
    }]
    top = float(max(counts) if counts else 1) or 1.0
    layout = base_layout(lang, max(240, BAR_PX * len(d) + 80), showlegend=False,
                         margin={"l": 10, "r": 30, "t": 20, "b": 10},
                         xaxis={"title": {"text": x_title}, "range": [0, top * 1.35], "tickformat": ",d"})
    return {"data": data, "layout": layout}


def pareto(df: pd.DataFrame, labels: list[str], hrefs: list[str], lang: str, y_title: str, cum_title: str,
           hover_count: str, hover_base: str, threshold: float = 0.8) -> dict:
    """A Pareto chart laid on its side so long procedure names stay readable (projector and
    phone): bars (count, largest on top) on the bottom axis, the cumulative share as a line on
    a 0-100 % panel beside them with the ``threshold`` (80 %) marked, so "3 procedures make 80 %" shows."""
    d = df.iloc[::-1]
    ylabels = [wrap(x, 34) for x in labels][::-1]
    counts, bases = _ints(d["count"]), _ints(d["base"])
    cum = [float(x) for x in d["cum_share"]]
    data = [
        {"type": "bar", "orientation": "h", "y": ylabels, "x": counts, "marker": {"color": LATE_COLOR}, "name": y_title,
         "customdata": [[h, fi(n, lang), fi(b, lang), fp(r, lang), fp(s, lang)]
                        for h, n, b, r, s in zip(hrefs[::-1], counts, bases, ratio(counts, bases), cum)],
         "hovertemplate": (f"<b>%{{y}}</b><br>{hover_count}: %{{customdata[1]}}<br>{hover_base}: %{{customdata[2]}}"
                           f"<br>%{{customdata[3]}}<br>{cum_title}: %{{customdata[4]}}<extra></extra>"),
         "text": [fi(n, lang) for n in counts], "textposition": "inside", "insidetextanchor": "end",
         "textfont": {"color": ink(LATE_COLOR)}},
        {"type": "scatter", "y": ylabels, "x": [s * 100 for s in cum], "xaxis": "x2", "mode": "lines+markers+text",
         "name": cum_title, "line": {"color": "#222222", "width": 3}, "marker": {"size": 9}, "hoverinfo": "skip",
         "text": [fp(s, lang, 0) for s in cum], "textposition": "middle right", "textfont": {"size": 13}},
    ]
    layout = base_layout(
        lang, max(300, BAR_PX * len(d) + 130), bargap=0.25,
        margin={"l": 10, "r": 10, "t": 20, "b": 10}, showlegend=False,
        xaxis={"title": {"text": y_title}, "rangemode": "tozero", "tickformat": ",d", "domain": [0, 0.66],
               "range": [0, max(counts or [1]) * 1.08]},
        xaxis2={"title": {"text": cum_title}, "anchor": "y", "domain": [0.72, 1], "range": [0, 125],
                "ticksuffix": pct_suffix(lang), "tickmode": "array", "tickvals": [0, 50, 80, 100],
                "showgrid": True, "fixedrange": True, "automargin": True},
        shapes=[{"type": "line", "xref": "x2", "yref": "paper", "x0": threshold * 100, "x1": threshold * 100,
                 "y0": 0, "y1": 1, "line": {"color": NEUTRAL_COLOR, "dash": "dash", "width": 1.5}}],
    )
    return {"data": data, "layout": layout}


def items_to_threshold(cum_share: pd.Series, threshold: float = 0.8) -> int:
    """How many of the first items reach ``threshold`` of the total (0 when there is none)."""
    values = cum_share.to_numpy(dtype=float)
    if len(values) == 0 or np.isnan(values).all():
        return 0
    reached = values >= threshold - 1e-9
    return int(np.argmax(reached) + 1) if reached.any() else len(values)


def _nice_step(top: float) -> float:
    """A round tick step giving about five ticks up to ``top``."""
    raw = max(top, 1e-9) / 5
    mag = 10 ** np.floor(np.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def trend(df: pd.DataFrame, lang: str, count_title: str, rate_title: str,
          highlight: tuple[int, int, str, str] | None = None) -> dict:
    """Monthly bars (count) with the rate as a line on a right-hand percentage axis. ``highlight``:
    (first, last, its name, the others' name): the chosen period's months among several years',
    the others' bars paler, each set named in the legend."""
    x = [ym_label(ym, lang) for ym in df["ym"]]
    counts = _ints(df["count"])
    custom = [[fi(n, lang), fp(r, lang)] for n, r in zip(counts, df["rate"])]
    hover = f"<b>%{{x}}</b><br>{count_title}: %{{customdata[0]}}<br>{rate_title}: %{{customdata[1]}}<extra></extra>"
    if highlight is None:
        bars = [{"type": "bar", "x": x, "y": counts, "name": count_title, "marker": {"color": LATE_COLOR},
                 "customdata": custom, "hovertemplate": hover}]
    else:
        first, last, inside_name, outside_name = highlight
        inside = [first <= ym <= last for ym in df["ym"]]
        # One bar per month either way; stacked ("relative") so the two sets do not sit side by side.
        bars = [{"type": "bar", "x": x, "y": [n if keep == want else None for n, keep in zip(counts, inside)], "name": name,
                 "marker": {"color": color}, "customdata": custom, "hovertemplate": hover}
                for want, name, color in ((True, inside_name, LATE_COLOR), (False, outside_name, OTHER_PERIOD_COLOR))]
    rates = [None if pd.isna(r) else float(r) * 100 for r in df["rate"]]
    top = max([r for r in rates if r is not None] or [1.0])
    step = _nice_step(top * 1.15)
    data = [
        *bars,
        {"type": "scatter", "x": x, "y": rates, "name": rate_title, "yaxis": "y2", "mode": "lines+markers",
         "line": {"color": "#222222", "width": 3}, "marker": {"size": 8}, "hoverinfo": "skip", "connectgaps": False},
    ]
    layout = base_layout(
        lang, 340, margin={"l": 10, "r": 10, "t": 30, "b": 10}, barmode="relative",
        yaxis={"title": {"text": count_title}, "rangemode": "tozero", "tickformat": ",d"},
        yaxis2={"title": {"text": rate_title}, "overlaying": "y", "side": "right", "range": [0, step * 5.2],
                "tickmode": "linear", "tick0": 0, "dtick": step, "ticksuffix": pct_suffix(lang), "showgrid": False,
                "fixedrange": True, "automargin": True},
    )
    return {"data": data, "layout": layout}
