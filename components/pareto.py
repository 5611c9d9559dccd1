"""Figure builders for "where does it come from" views: ranked bars (stacked by level),
a Pareto chart (bars plus cumulative share), and a monthly count-and-rate trend.

Every bar carries ``customdata`` = the URL query string of the view one level down, so a
page can turn a click into navigation with one small callback.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .formatting import fmt_int, fmt_pct, ym_label
from .theme import LATE_COLOR, LEVEL_COLORS, NEUTRAL_COLOR, style_figure

BAR_PX = 44  # height per bar on horizontal charts: readable on a projector, tappable on a phone


def pct_suffix(lang: str) -> str:
    """Percent axes in the language's style: '20 %' (vi), '20%' (en)."""
    return "\u00a0%" if lang == "vi" else "%"


def wrap(text: str, width: int = 28, lines: int = 2) -> str:
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "<br>".join(parts)


def ranked_bars_by_level(df: pd.DataFrame, category: str, labels: dict, hrefs: dict, lang: str,
                         level_names: dict, x_title: str, hover_count: str, hover_base: str) -> go.Figure:
    """Horizontal bars, one per category (largest on top), stacked by level.

    ``df``: category, level, count, base, rate; ``labels``/``hrefs``: category -> text / query string."""
    totals = df.groupby(category)[["count", "base"]].sum()
    order = totals.sort_values("count", ascending=True, kind="stable").index.tolist()  # plotly draws bottom-up
    fig = go.Figure()
    ylabels = [wrap(labels.get(c, c), 30) for c in order]
    for level in ("province", "district", "commune"):
        part = df[df["level"] == level].set_index(category).reindex(order)
        if part["count"].fillna(0).sum() == 0:
            continue
        counts = part["count"].fillna(0).astype(int)
        fig.add_bar(
            y=ylabels, x=counts, orientation="h", name=level_names[level], marker_color=LEVEL_COLORS[level],
            customdata=np.stack([[hrefs.get(c, "") for c in order],
                                 [fmt_int(v, lang) for v in counts],
                                 [fmt_int(v, lang) for v in part["base"].fillna(0)],
                                 [fmt_pct(v, lang) for v in part["rate"]]], axis=-1),
            hovertemplate=(f"<b>%{{y}}</b><br>{level_names[level]}<br>{hover_count}: %{{customdata[1]}}"
                           f"<br>{hover_base}: %{{customdata[2]}}<br>%{{customdata[3]}}<extra></extra>"),
        )
    # Total and rate at the end of each bar.
    tot = totals.reindex(order)
    rate = np.where(tot["base"] > 0, tot["count"] / tot["base"].where(tot["base"] > 0, 1), np.nan)
    fig.add_scatter(y=ylabels, x=tot["count"], mode="text", showlegend=False, hoverinfo="skip",
                    text=[f"  {fmt_int(c, lang)} · {fmt_pct(r, lang)}" for c, r in zip(tot["count"], rate)],
                    textposition="middle right", textfont=dict(size=14))
    style_figure(fig, lang, height=max(260, BAR_PX * len(order) + 90))
    fig.update_layout(barmode="stack", margin=dict(l=10, r=30, t=40, b=10), clickmode="event")
    fig.update_xaxes(title_text=x_title, range=[0, float(tot["count"].max() or 1) * 1.35], fixedrange=True)
    fig.update_yaxes(fixedrange=True)
    return fig


def ranked_bars(df: pd.DataFrame, labels: list[str], hrefs: list[str], lang: str, x_title: str,
                hover_count: str, hover_base: str, color: str = LATE_COLOR) -> go.Figure:
    """Horizontal bars in ``df`` order (first on top): count with its rate at the end."""
    d = df.iloc[::-1]
    ylabels = [wrap(x, 30) for x in labels[::-1]]
    fig = go.Figure(go.Bar(
        y=ylabels, x=d["count"], orientation="h", marker_color=color,
        customdata=np.stack([hrefs[::-1], [fmt_int(v, lang) for v in d["count"]],
                             [fmt_int(v, lang) for v in d["base"]], [fmt_pct(v, lang) for v in d["rate"]]], axis=-1),
        text=[f"{fmt_int(c, lang)} · {fmt_pct(r, lang)}" for c, r in zip(d["count"], d["rate"])],
        textposition="outside", cliponaxis=False,
        hovertemplate=f"<b>%{{y}}</b><br>{hover_count}: %{{customdata[1]}}<br>{hover_base}: %{{customdata[2]}}"
                      f"<br>%{{customdata[3]}}<extra></extra>",
    ))
    style_figure(fig, lang, height=max(240, BAR_PX * len(d) + 80))
    fig.update_layout(showlegend=False, margin=dict(l=10, r=30, t=20, b=10))
    fig.update_xaxes(title_text=x_title, range=[0, float(d["count"].max() or 1) * 1.35], fixedrange=True)
    fig.update_yaxes(fixedrange=True)
    return fig


def pareto(df: pd.DataFrame, labels: list[str], hrefs: list[str], lang: str, y_title: str, cum_title: str,
           hover_count: str, hover_base: str, threshold: float = 0.8) -> go.Figure:
    """Bars (count, descending) and the cumulative share line on a 0-100 % axis, with the
    ``threshold`` (80 %) marked, so "3 procedures make 80 %" is visible at a glance."""
    xlabels = [wrap(x, 22, 3) for x in labels]
    fig = go.Figure()
    fig.add_bar(
        x=xlabels, y=df["count"], marker_color=LATE_COLOR, name=y_title,
        customdata=np.stack([hrefs, [fmt_int(v, lang) for v in df["count"]], [fmt_int(v, lang) for v in df["base"]],
                             [fmt_pct(v, lang) for v in df["rate"]], [fmt_pct(v, lang) for v in df["cum_share"]]], axis=-1),
        hovertemplate=(f"<b>%{{x}}</b><br>{hover_count}: %{{customdata[1]}}<br>{hover_base}: %{{customdata[2]}}"
                       f"<br>%{{customdata[3]}}<br>{cum_title}: %{{customdata[4]}}<extra></extra>"),
        text=[fmt_int(v, lang) for v in df["count"]], textposition="outside", cliponaxis=False,
    )
    fig.add_scatter(x=xlabels, y=df["cum_share"] * 100, yaxis="y2", mode="lines+markers", name=cum_title,
                    line=dict(color="#222222", width=3), marker=dict(size=9), hoverinfo="skip")
    style_figure(fig, lang, height=460)
    fig.update_layout(
        yaxis=dict(title=y_title, rangemode="tozero", fixedrange=True),
        yaxis2=dict(title=cum_title, overlaying="y", side="right", range=[0, 105], ticksuffix=pct_suffix(lang),
                    showgrid=False, fixedrange=True),
        margin=dict(l=10, r=10, t=40, b=10), bargap=0.25,
    )
    fig.update_xaxes(tickangle=0, fixedrange=True)
    fig.add_hline(y=threshold * 100, yref="y2", line=dict(color=NEUTRAL_COLOR, dash="dash", width=1.5))
    fig.add_annotation(xref="paper", x=1, yref="y2", y=threshold * 100, text=fmt_pct(threshold, lang, 0), showarrow=False,
                       xanchor="right", yanchor="bottom", font=dict(color=NEUTRAL_COLOR, size=13))
    return fig


def items_to_threshold(cum_share: pd.Series, threshold: float = 0.8) -> int:
    """How many of the first items reach ``threshold`` of the total (0 when there is none)."""
    values = cum_share.to_numpy(dtype=float)
    if len(values) == 0 or np.isnan(values).all():
        return 0
    return int(np.argmax(values >= threshold - 1e-9) + 1) if (values >= threshold - 1e-9).any() else len(values)


def trend(df: pd.DataFrame, lang: str, count_title: str, rate_title: str) -> go.Figure:
    """Monthly bars (count) with the rate as a line on a right-hand percentage axis."""
    x = [ym_label(ym, lang) for ym in df["ym"]]
    fig = go.Figure()
    fig.add_bar(x=x, y=df["count"], name=count_title, marker_color=LATE_COLOR,
                customdata=np.stack([[fmt_int(v, lang) for v in df["count"]], [fmt_pct(v, lang) for v in df["rate"]]],
                                    axis=-1),
                hovertemplate=f"<b>%{{x}}</b><br>{count_title}: %{{customdata[0]}}<br>{rate_title}: %{{customdata[1]}}<extra></extra>")
    fig.add_scatter(x=x, y=df["rate"] * 100, name=rate_title, yaxis="y2", mode="lines+markers",
                    line=dict(color="#222222", width=3), marker=dict(size=8), hoverinfo="skip", connectgaps=False)
    style_figure(fig, lang, height=340)
    top = float(np.nanmax(df["rate"].to_numpy(dtype=float))) if df["rate"].notna().any() else 0.1
    fig.update_layout(
        yaxis=dict(title=count_title, rangemode="tozero", fixedrange=True),
        yaxis2=dict(title=rate_title, overlaying="y", side="right", range=[0, max(top * 125, 1)], ticksuffix=pct_suffix(lang),
                    showgrid=False, fixedrange=True),
        margin=dict(l=10, r=10, t=30, b=10),
    )
    fig.update_xaxes(fixedrange=True)
    return fig
