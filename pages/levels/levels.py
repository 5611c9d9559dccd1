"""Level comparison (/levels): province vs district level vs commune level.

Received by channel, on-time rate and online share per level (with configured
target lines), the monthly trend of each level across the years in the database,
a level's breakdown into its units (``level=`` in the URL, set by clicking a bar),
the standard report table (Biểu 06) per level and per unit with downloads, and
the busiest procedures that are not offered as full online services.
"""
from __future__ import annotations

import datetime as dt
import math
import textwrap

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from components import chart_text as ct
from components.boundaries import PARAM as BOUNDARIES
from components.boundaries import boundaries, boundaries_switch
from components.download import to_csv_bytes, to_xlsx_bytes
from components.formatting import fmt_int, ym_label
from components.i18n import bilingual, level_label, make_translator
from components.kpi import fmt_rate, scope_title, sector_name
from components.lazy import LazyBlock
from components.navigation import go_to, page_location
from components.params import build_search, parse_search, reference_lists, resolve_view
from components.structure import had_districts, structure_note
from components.theme import CHANNEL_COLORS, DARK_INK, LEVEL_COLORS, LEVEL_DASHES, NEUTRAL_COLOR, base_layout, ink, percent_ticks, plot_text
from components.ui import card, empty_state, page_header
from components.ui import graph as ui_graph
from data.db import get_engine
from data.queries import boundaries as qb
from data.queries import levels as q
from data.schema import LEVELS
from pages.levels._report_table import report_frame, report_table
from pages.levels._targets import target
from server.faults import guard_layout
from server.page_cache import cached_page

dash.register_page(__name__, path="/levels", name="levels", title="TTHC · So sánh các cấp", order=1, nav="nav.levels")

STRINGS = {
    "lvl.title": ("So sánh các cấp", "Level comparison"),
    "lvl.subtitle.two_tier": ("Cấp tỉnh (thành phố) và cấp xã. Bấm vào cột của một cấp để xem từng đơn vị.",
                              "Province (city) and commune level. Click a level's bar to see its units."),
    "lvl.subtitle": ("Cấp tỉnh, cấp huyện và cấp xã. Bấm vào cột của một cấp để xem từng đơn vị.",
                     "Province, district and commune level. Click a level's bar to see its units."),
    "lvl.subtitle.district": ("Cấp huyện và cấp xã thuộc {district} (cấp tỉnh không thuộc huyện nào). Bấm vào cột của một cấp để xem chi tiết.",
                              "District and commune level of {district} (the province level belongs to no district). Click a level's bar for its details."),
    # No district level all year (2026): a former district's area is the communes formed from it.
    "lvl.subtitle.area": ("Các xã, phường trên địa bàn {district} cũ (cấp thành phố không thuộc địa bàn huyện cũ nào). "
                          "Bấm vào cột để xem chi tiết.",
                          "The communes and wards in the former {district} area (the city level belongs to no "
                          "former district). Click the bar for its details."),
    "lvl.channels": ("Hồ sơ tiếp nhận, theo kênh nộp", "Dossiers received, by channel"),
    "lvl.on_time": ("Tỷ lệ giải quyết đúng hạn", "On-time rate"),
    "lvl.online": ("Tỷ lệ nộp trực tuyến", "Share submitted online"),
    "lvl.target": ("Mục tiêu {value}", "Target {value}"),
    "lvl.no_dossiers": ("không có<br>hồ sơ", "no<br>dossiers"),
    "lvl.none_finished": ("chưa có hồ sơ<br>giải quyết xong", "nothing<br>finished"),
    "lvl.hover.count": ("{level}<br>{channel}: {n} ({share})", "{level}<br>{channel}: {n} ({share})"),
    "lvl.total_label": ("Tổng", "Total"),
    "lvl.breakdown": ("{level} theo {unit}", "{level} by {unit}"),
    "lvl.unit.agency": ("sở, ngành", "provincial department"),
    "lvl.unit.district": ("đơn vị cấp huyện", "district-level unit"),
    "lvl.unit.commune": ("xã, phường, thị trấn", "commune"),
    "lvl.unit.commune.new": ("xã, phường", "commune or ward"),  # today's communes: no townships since July 2025
    "lvl.unit.sector": ("lĩnh vực", "sector"),
    "lvl.breakdown.hint": ("Bấm vào cột của một cấp trong các biểu đồ trên, hoặc chọn:", "Click a level's bar in the charts above, or choose:"),
    "lvl.breakdown.clear": ("Bỏ chọn", "Clear"),
    "lvl.breakdown.title": ("Chi tiết từng đơn vị", "Units of a level"),
    "lvl.breakdown.on_time": ("Tỷ lệ đúng hạn (xếp hạng)", "On-time rate (ranked)"),
    "lvl.breakdown.online": ("Tỷ lệ nộp trực tuyến (xếp hạng)", "Share online (ranked)"),
    "lvl.breakdown.avg": ("{level}: {value}", "{level}: {value}"),
    "lvl.breakdown.empty": ("{level} không có hồ sơ cho lựa chọn này.", "{level} has no dossiers for this selection."),
    "lvl.breakdown.province_district": ("Cấp tỉnh không thuộc huyện nào: bỏ bộ lọc huyện để xem cấp tỉnh.",
                                        "The province level belongs to no district: clear the district filter to see it."),
    "lvl.hover.unit": ("{name}<br>Tiếp nhận: {received}<br>Đúng hạn: {rate}<br>Trễ hạn: {late}<br>Trực tuyến: {online}",
                       "{name}<br>Received: {received}<br>On time: {rate}<br>Late: {late}<br>Online: {online}"),
    "lvl.trend": ("Diễn biến theo tháng, {first}–{last}", "Monthly trend, {first}–{last}"),
    "lvl.trend.received": ("Hồ sơ tiếp nhận mỗi tháng", "Dossiers received per month"),
    "lvl.trend.on_time": ("Tỷ lệ đúng hạn (hồ sơ giải quyết xong trong tháng)", "On-time rate (dossiers finished in the month)"),
    "lvl.trend.online": ("Tỷ lệ nộp trực tuyến", "Share submitted online"),
    "lvl.trend.year": ("Năm {year}", "{year}"),
    "lvl.report": ("Báo cáo tình hình giải quyết hồ sơ theo cấp", "Dossier handling by level (standard report)"),
    "lvl.report.units": ("Theo từng đơn vị ({n} đơn vị, bấm để mở)", "By unit ({n} units, click to open)"),
    "lvl.report.level": ("Cấp", "Level"),
    "lvl.report.unit": ("Đơn vị", "Unit"),
    "lvl.report.total": ("Tổng cộng", "Total"),
    "lvl.report.communes_of": ("Các xã thuộc {name}", "Communes of {name}"),
    "lvl.report.file_title": ("Tình hình giải quyết hồ sơ TTHC theo cấp (Biểu 06/VPCP/KSTT)",
                              "Administrative-procedure dossiers by level (form 06/VPCP/KSTT)"),
    "lvl.report.empty": ("Không có hồ sơ cho lựa chọn này.", "No dossiers for this selection."),
    "lvl.proc": ("Thủ tục nhiều hồ sơ nhưng chưa cung cấp dịch vụ công trực tuyến toàn trình",
                 "High-volume procedures not offered as full online services"),
    "lvl.proc.sub": ("10 thủ tục có nhiều hồ sơ tiếp nhận nhất trong số thủ tục chỉ trực tuyến một phần hoặc không trực tuyến. Màu theo cấp.",
                     "The 10 busiest procedures among those only partly online or not online at all. Colour by level."),
    "lvl.proc.text": ("{n} hồ sơ · {online} trực tuyến · {kind}", "{n} dossiers · {online} online · {kind}"),
    "lvl.proc.empty": ("Mọi thủ tục có hồ sơ trong lựa chọn này đều là dịch vụ công trực tuyến toàn trình.",
                       "Every procedure with dossiers in this selection is a full online service."),
    "lvl.proc.hover": ("{name}<br>{level} · {sector}<br>Tiếp nhận: {received}<br>Nộp trực tuyến: {online}",
                       "{name}<br>{level} · {sector}<br>Received: {received}<br>Submitted online: {online}"),
    "lvl.axis.dossiers": ("Số hồ sơ", "Dossiers"),
    "lvl.proc.written_for": ("TTHC {level}", "a {level} procedure"),
    "lvl.empty.sector": ("Lĩnh vực {sector} không có hồ sơ nào trong năm {year} trong phạm vi này.",
                         "The sector {sector} has no dossiers in {year} in this scope."),
    "lvl.empty.action": ("Xem tất cả lĩnh vực", "Show all sectors"),
    "lvl.note.level": ("Không có cấp “{bad}”; hiển thị cả ba cấp.", "No level “{bad}”; showing all three levels."),
    "lvl.file.year": ("Năm", "Year"),
    "lvl.file.district": ("Phạm vi", "Scope"),
    "lvl.file.sector": ("Lĩnh vực", "Sector"),
    "lvl.file.whole": ("Toàn tỉnh", "Whole province"),
    "lvl.file.all_sectors": ("Tất cả lĩnh vực", "All sectors"),
    # Charts' text alternatives (components.chart_text): what a screen reader says for each chart.
    "lvl.alt.channels": ("{Level} tiếp nhận nhiều hồ sơ nhất: {n}{others}. Nộp trực tuyến: {online}.",
                         "{Level} received the most dossiers: {n}{others}. Submitted online: {online}."),
    "lvl.alt.on_time": ("giải quyết đúng hạn", "on time"),
    "lvl.alt.online": ("có tỷ lệ nộp trực tuyến", "submitted online"),
    "lvl.alt.breakdown": ("{title}, {n} đơn vị: {range}; {level} chung {avg}.", "{title}, {n} units: {range}; {level} overall {avg}."),
    "lvl.alt.trend": ("{title}, {first}–{last}: {parts}.", "{title}, {first}–{last}: {parts}."),
    "lvl.alt.proc": ("{n} thủ tục; nhiều hồ sơ nhất: {name} ({level}, {count} hồ sơ, {online} nộp trực tuyến).",
                     "{n} procedures; the busiest: {name} ({level}, {count} dossiers, {online} submitted online)."),
}
t = make_translator(STRINGS)

CHANNEL_COLUMNS = [(2, "received_online"), (1, "received_in_person"), (3, "received_by_post")]
TOP_PROCEDURES = 10


def graph(id, figure, filename, alt: str):
    """The page's charts sit in stretched flex columns: in a plain block (components.ui.graph)."""
    return ui_graph(id, figure, filename, alt=alt, box="graph-box")


# ---------------------------------------------------------------- what the charts say

def alt_channels(summary: pd.DataFrame, levels: list[str], lang: str) -> str:
    received = {lv: int(summary.loc[lv, "received"]) for lv in levels}
    top = max(received, key=received.get)
    others = [lv for lv in levels if lv != top]
    words = [ct.level_word(lv, lang) for lv in others]
    return t("lvl.alt.channels", lang, Level=ct.cap(ct.level_word(top, lang)), n=fmt_int(received[top], lang),
             others=f" ({ct.pairs(words, [received[lv] for lv in others], fmt_int, lang)})" if others else "",
             online=ct.pairs([ct.level_word(lv, lang) for lv in levels],
                             [int(summary.loc[lv, "received_online"]) for lv in levels], fmt_int, lang))


def alt_rate(summary: pd.DataFrame, levels: list[str], measure: str, lang: str) -> str:
    what = STRINGS["lvl.alt.on_time" if measure == "on_time_rate" else "lvl.alt.online"]
    return ct.lowest_level({lv: summary.loc[lv, measure] for lv in levels}, what, lang)


def alt_breakdown(df: pd.DataFrame, measure: str, level: str, lang: str, average, title: str) -> str:
    d = df[df[measure].notna()]
    names = (d["name"] if lang == "vi" else d["name_en"].fillna(d["name"])).tolist()
    return t("lvl.alt.breakdown", lang, title=title, n=len(d), range=ct.extremes(names, d[measure].tolist(), fmt_rate, lang),
             level=ct.level_word(level, lang), avg=fmt_rate(average, lang))


def alt_trend(monthly: pd.DataFrame, levels: list[str], measure: str, lang: str, years: list[int], title: str) -> str:
    parts = ct.level_ranges(monthly, levels, measure, fmt_int if measure == "received" else fmt_rate, lang)
    return t("lvl.alt.trend", lang, title=title, first=min(years), last=max(years), parts=parts)


def alt_procedures(df: pd.DataFrame, lang: str) -> str:
    top = df.sort_values("received", ascending=False).iloc[0]
    return t("lvl.alt.proc", lang, n=len(df), name=bilingual(top["procedure_name"], top["procedure_name_en"], lang),
             level=ct.level_word(top["level"], lang), count=fmt_int(top["received"], lang), online=fmt_rate(top["online_share"], lang))



# ---------------------------------------------------------------- view state

def _selected_level(view) -> str | None:
    raw = view.extra.get("level")
    if raw in (None, ""):
        return None
    if raw not in LEVELS:
        view.notes.append(t("lvl.note.level", view.lang, bad=str(raw)[:20]))
        view.extra.pop("level", None)
        return None
    return raw


def _levels_shown(view, summary: pd.DataFrame | None = None) -> list[str]:
    """The levels of the period (``summary``'s: two from July 2025); a district filter narrows the
    district and commune levels, and the province level drops out."""
    levels = LEVELS if summary is None else list(summary.index)
    return [lv for lv in levels if not (view.district and lv == "province")]


# ---------------------------------------------------------------- figures
# Plain dicts laid out by theme.base_layout: building these seven charts as plotly
# go.Figure objects (which validate every property) cost ~125 ms CPU a page view, ~160 ms
# with a level's breakdown; as dicts ~15 ms.

LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0)
HOVER_TEXT = "%{hovertext}<extra></extra>"


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def _faded(levels: list[str], selected: str | None) -> list[bool]:
    """With a level selected, the other levels' bars are drawn pale (their labels stay dark and legible)."""
    return [selected is not None and lv != selected for lv in levels]


def _outline(levels: list[str], selected: str | None) -> dict:
    return dict(color=["#212529" if lv == selected else "rgba(0,0,0,0)" for lv in levels], width=3)


def _bar_marker(colors: list[str], levels: list[str], selected: str | None) -> dict:
    faded = _faded(levels, selected)
    return dict(color=[_rgba(c, 0.3) if f else c for c, f in zip(colors, faded)], line=_outline(levels, selected))


def _hline(y: float, line: dict) -> dict:
    """A horizontal line across the plot at ``y`` (what plotly's add_hline draws)."""
    return dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, line=line)


def _vline(x: float, line: dict) -> dict:
    return dict(type="line", xref="x", x0=x, x1=x, yref="y domain", y0=0, y1=1, line=line)


def _values(series: pd.Series) -> list:
    """A column as plain Python values, missing ones as None."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in series.tolist()]


def fig_channels(summary: pd.DataFrame, levels: list[str], lang: str, selected: str | None) -> dict:
    names = [level_label(lv, lang) for lv in levels]
    received = summary.loc[levels, "received"].tolist()
    data = []
    # Dossiers whose channel an import could not know get a bar segment of their own, only when there are any.
    unknown = [(0, "received_unknown_channel")] if summary.loc[levels, "received_unknown_channel"].sum() else []
    for channel, col in CHANNEL_COLUMNS + unknown:
        values = summary.loc[levels, col].tolist()
        channel_name = t(f"channel.{channel}", lang)
        hover = [t("lvl.hover.count", lang, level=n, channel=channel_name, n=fmt_int(v, lang),
                   share=fmt_rate(v / r if r else float("nan"), lang)) for n, v, r in zip(names, values, received)]
        data.append(dict(type="bar", x=names, y=values, name=channel_name,
                         # Outline only, no fading: the legend takes its swatch from the first bar's colour.
                         marker=dict(color=[CHANNEL_COLORS[channel]] * len(levels), line=_outline(levels, selected),
                                     **({"pattern": {"shape": "/", "fgcolor": NEUTRAL_COLOR, "solidity": 0.3}} if channel == 0 else {})),
                         customdata=levels, hovertext=hover, hovertemplate=HOVER_TEXT))
    data.append(dict(type="scatter", x=names, y=received, mode="text", text=[fmt_int(v, lang) for v in received],
                     textposition="top center", textfont=dict(size=16), showlegend=False, hoverinfo="skip", customdata=levels))
    layout = base_layout(lang, 350, barmode="stack", clickmode="event", legend=dict(LEGEND_BELOW, traceorder="normal"),
                         yaxis=dict(title=dict(text=t("lvl.axis.dossiers", lang)), rangemode="tozero",
                                    range=[0, max(max(received), 1) * 1.15], tickformat=",d"))
    return {"data": data, "layout": layout}


def fig_rate(summary: pd.DataFrame, levels: list[str], measure: str, lang: str, selected: str | None) -> dict:
    names = [level_label(lv, lang) for lv in levels]
    values = _values(summary.loc[levels, measure])
    received = summary.loc[levels, "received"].tolist()
    empty = ["lvl.none_finished" if measure == "on_time_rate" and r > 0 else "lvl.no_dossiers" for r in received]
    text = [fmt_rate(v, lang) if v is not None else t(e, lang) for v, e in zip(values, empty)]
    data = [dict(
        type="bar", x=names, y=[0.0 if v is None else v for v in values],
        # Labels inside the bar tops: clear of a target line crossing just above a bar.
        text=[x if v is not None else "" for x, v in zip(text, values)], textposition="auto", insidetextanchor="end",
        textfont=dict(size=17),
        insidetextfont=dict(color=[DARK_INK if f else ink(LEVEL_COLORS[lv]) for lv, f in zip(levels, _faded(levels, selected))]),
        outsidetextfont=dict(color="#212529"), cliponaxis=False,
        marker=_bar_marker([LEVEL_COLORS[lv] for lv in levels], levels, selected),
        customdata=levels, hovertext=[f"{n}: {x.replace('<br>', ' ')}" for n, x in zip(names, text)],
        hovertemplate=HOVER_TEXT, showlegend=False,
    )]
    layout = base_layout(lang, 350, clickmode="event", showlegend=False,
                         yaxis=dict(range=[0, 1.12], **percent_ticks(lang, 0, 1.12)))
    # No bar to carry the words: say it on the axis instead of leaving a gap.
    notes = [dict(x=name, y=0, yanchor="bottom", text=label, showarrow=False, font=dict(size=14, color=NEUTRAL_COLOR))
             for name, v, label in zip(names, values, text) if v is None]
    if notes:
        layout["annotations"] = notes
    goal = target(measure)
    if goal is not None:
        # The target is named in a legend under the axis: a label on the line would cover a bar's figure.
        line = dict(color="#212529", dash="dash", width=2)
        layout["shapes"] = [_hline(goal, line)]
        data.append(dict(type="scatter", x=[None], y=[None], mode="lines", line=line,
                         name=t("lvl.target", lang, value=fmt_rate(goal, lang))))
        layout.update(showlegend=True, legend=dict(layout["legend"], **LEGEND_BELOW))
    return {"data": data, "layout": layout}


def _month_date(ym: int) -> str:
    return f"{int(ym) // 100:04d}-{int(ym) % 100:02d}-01"


def fig_trend(monthly: pd.DataFrame, levels: list[str], measure: str, lang: str, year: int, years: list[int]) -> dict:
    fmt = fmt_int if measure == "received" else fmt_rate
    data = []
    for lv in levels:
        part = monthly[monthly["level"] == lv]
        if part.empty:
            continue
        yms, values = part["ym"].tolist(), _values(part[measure])
        name = level_label(lv, lang)
        data.append(dict(type="scatter", x=[_month_date(ym) for ym in yms], y=values, mode="lines", name=name,
                         line=dict(color=LEVEL_COLORS[lv], dash=LEVEL_DASHES[lv], width=3),
                         hovertext=[f"{name} · {ym_label(ym, lang)}: {fmt(v, lang)}" for ym, v in zip(yms, values)],
                         hovertemplate=HOVER_TEXT))
    first, last = min(years), max(years)
    ticks = [y * 100 + m for y in range(first, last + 1) for m in (1, 7)]
    layout = base_layout(
        lang, 340, hovermode="closest",
        # Legend under the axis: above the plot it collides with the toolbar on narrow screens.
        legend=dict(LEGEND_BELOW, y=-0.22), margin=dict(t=30),
        xaxis=dict(tickvals=[_month_date(ym) for ym in ticks], ticktext=[ym_label(ym, lang) for ym in ticks],
                   range=[(dt.date(first, 1, 1) - dt.timedelta(days=10)).isoformat(),
                          (dt.date(last, 12, 31) + dt.timedelta(days=10)).isoformat()]),
        # The selected year shaded and named.
        shapes=[dict(type="rect", xref="x", x0=f"{year:04d}-01-01", x1=f"{year:04d}-12-31", yref="y domain", y0=0, y1=1,
                     fillcolor="#ADB5BD", opacity=0.18, line=dict(width=0))],
        annotations=[dict(text=t("lvl.trend.year", lang, year=year), xref="x", x=f"{year:04d}-01-01", xanchor="left",
                          yref="y domain", y=1, yanchor="top", showarrow=False, font=dict(size=13))],
    )
    if measure == "received":
        layout["yaxis"].update(rangemode="tozero", tickformat=",d")
    else:
        # Lines encode by position, not length: start the axis near the lowest month so changes show.
        low = monthly.loc[monthly["level"].isin(levels), measure].min()
        floor = 0.0 if pd.isna(low) else max(0.0, math.floor((low - 0.05) * 10) / 10)
        layout["yaxis"].update(range=[floor, 1.03], **percent_ticks(lang, floor, 1.03))
        goal = target(measure)
        if goal is not None:
            layout["shapes"].append(_hline(goal, dict(color="#212529", dash="dash", width=1.5)))
    return {"data": data, "layout": layout}


def fig_breakdown(df: pd.DataFrame, measure: str, level: str, lang: str, average) -> dict:
    d = df[df[measure].notna()].sort_values([measure, "received"], ascending=[True, True])
    names = [plot_text(n) for n in (d["name"] if lang == "vi" else d["name_en"].fillna(d["name"])).tolist()]
    values = d[measure].tolist()
    hover = [t("lvl.hover.unit", lang, name=n, received=fmt_int(r, lang), rate=fmt_rate(o, lang),
               late=fmt_int(late, lang), online=fmt_rate(s, lang))
             for n, r, o, late, s in zip(names, d["received"].tolist(), d["on_time_rate"].tolist(),
                                         d["finished_late"].tolist(), d["online_share"].tolist())]
    data = [dict(
        type="bar", y=names, x=values, orientation="h", marker=dict(color=LEVEL_COLORS[level]),
        # Labels inside the bar end where they fit (a phone has no room past 100 %), outside short bars.
        text=[fmt_rate(v, lang) for v in values], textposition="auto", insidetextanchor="end", cliponaxis=False,
        textfont=dict(size=14), insidetextfont=dict(color=ink(LEVEL_COLORS[level])),
        outsidetextfont=dict(color="#212529"),
        hovertext=hover, hovertemplate=HOVER_TEXT,
    )]
    # Plotly writes no label on a zero-length bar: a missing label would read as missing data.
    notes = [dict(x=0, y=name, xanchor="left", text=fmt_rate(0.0, lang), showarrow=False, font=dict(size=14))
             for name, v in zip(names, values) if v == 0]
    # Reference lines (the level's own rate, the configured target), labelled above the plot area;
    # the lower one's label runs left of its line, the higher one's right, so they never overlap.
    marks = []
    if pd.notna(average):
        marks.append((float(average), t("lvl.breakdown.avg", lang, level=level_label(level, lang), value=fmt_rate(average, lang)),
                      dict(color="#212529", dash="dot", width=2)))
    goal = target(measure)
    if goal is not None:
        marks.append((goal, t("lvl.target", lang, value=fmt_rate(goal, lang)), dict(color=NEUTRAL_COLOR, dash="dash", width=2)))
    marks.sort(key=lambda m: m[0])
    lines = []
    for i, (x, label, line) in enumerate(marks):
        lines.append(_vline(x, line))
        notes.append(dict(x=x, y=1, yref="paper", yanchor="bottom", showarrow=False, text=label, font=dict(size=13),
                          xanchor="right" if (i == 0 and len(marks) == 2) or (len(marks) == 1 and x > 0.5) else "left"))
    layout = base_layout(lang, max(260, 30 * len(d) + 90), showlegend=False, margin=dict(t=45),
                         xaxis=dict(range=[0, 1.15], **percent_ticks(lang, 0, 1.15)))
    if notes:
        layout["annotations"] = notes
    if lines:
        layout["shapes"] = lines
    return {"data": data, "layout": layout}


def _level_words(row: dict, lang: str) -> str:
    """'cấp xã', or 'cấp xã; TTHC cấp huyện' for a procedure received at another level than its own."""
    words = level_label(row["level"], lang).lower()
    own = row.get("procedure_level")
    if isinstance(own, str) and own != row["level"]:
        words += "; " + t("lvl.proc.written_for", lang, level=level_label(own, lang).lower())
    return words


def fig_procedures(df: pd.DataFrame, lang: str, sectors: dict) -> dict:
    rows = df.iloc[::-1].to_dict("records")
    names = [bilingual(r["procedure_name"], r["procedure_name_en"], lang) for r in rows]
    # The same procedure name at two levels (certified copies) must stay two bars: named by the
    # level that received it, and after July 2025 by the level it was written for too (a commune
    # now receives the district-level procedure of the same name).
    dup = {n for n in names if names.count(n) > 1}
    tags = [f"({_level_words(r, lang)})" if n in dup else None for n, r in zip(names, rows)]

    def wrapped(name: str, tag: str | None) -> list[str]:
        # Names run to 75 characters: on one line they took half a laptop's chart and were cut off
        # on a phone. Three short lines read on both (the level that tells two bars apart on a line
        # of its own); a longer name ends in "…" on the axis and is whole in the hover.
        room = 2 if tag else 3
        lines = textwrap.wrap(name, 24) or [name]
        if len(lines) > room:
            last = lines[room - 1]
            if len(last) > 23:  # room for "…", cut between words where there are words
                last = last[:23].rsplit(" ", 1)[0] if " " in last[:23] else last[:23]
            lines = lines[:room - 1] + [last.rstrip(" ,;") + "…"]
        return lines + ([tag] if tag else [])

    lines = [wrapped(n, tag) for n, tag in zip(names, tags)]
    short = ["<br>".join(plot_text(x) for x in ls) for ls in lines]  # escaped line by line, then our <br>
    short = [s if short.count(s) == 1 else f"{s} [{r['procedure_code']}]" for s, r in zip(short, rows)]
    names = [plot_text(n) for n in names]
    data = []
    for lv in LEVELS:
        mine = [i for i, r in enumerate(rows) if r["level"] == lv]
        if not mine:
            continue
        level_name = level_label(lv, lang)
        data.append(dict(
            type="bar", y=[short[i] for i in mine], x=[rows[i]["received"] for i in mine], orientation="h", name=level_name,
            marker=dict(color=LEVEL_COLORS[lv]),
            text=[t("lvl.proc.text", lang, n=fmt_int(rows[i]["received"], lang), online=fmt_rate(rows[i]["online_share"], lang),
                    kind=t(f"online.{rows[i]['online_level']}", lang)) for i in mine],
            textposition="outside", cliponaxis=False, textfont=dict(size=13),
            hovertext=[t("lvl.proc.hover", lang, name=names[i], level=level_name,
                         sector=plot_text(sectors.get(rows[i]["sector_code"], rows[i]["sector_code"])),
                         received=fmt_int(rows[i]["received"], lang), online=fmt_rate(rows[i]["online_share"], lang))
                       for i in mine],
            hovertemplate=HOVER_TEXT,
        ))
    row_heights = [max(38, 17 * len(ls) + 12) for ls in lines]
    layout = base_layout(lang, max(300, sum(row_heights) + 90), barmode="overlay",
                         yaxis=dict(categoryorder="array", categoryarray=short, tickfont=dict(size=13)),
                         xaxis=dict(title=dict(text=t("lvl.axis.dossiers", lang)),
                                    range=[0, max(r["received"] for r in rows) * 1.6], tickformat=",d"))
    return {"data": data, "layout": layout}


# ---------------------------------------------------------------- report table

def report_rows(engine, view) -> pd.DataFrame:
    """Per-unit Biểu 06 rows under level subtotals, with a grand total, labelled in the view's language."""
    lang = view.lang
    df = q.with_totals(q.report_by_unit(engine, view.filter()))
    shown = [lv for lv in LEVELS if lv in set(df["level"])]
    numerals = dict(zip(shown, ("I", "II", "III")))  # as many as the period's levels
    grouped = "district" in q.level_summary(engine, view.filter()).index  # communes under their districts

    def label(r):
        if r["row_kind"] == "total":
            return t("lvl.report.total", lang)
        if r["row_kind"] == "level_total":
            return f"{numerals[r['level']]}. {level_label(r['level'], lang)}"
        name = bilingual(r["name"], r["name_en"], lang)
        if r["level"] == "commune" and not view.district and grouped:
            return t("lvl.report.communes_of", lang, name=name)
        return name

    df["label"] = [label(r) for r in df.to_dict("records")]
    df["level_label"] = [level_label(lv, lang) if lv else "" for lv in df["level"]]
    return df


def file_filters(view, ref) -> list[tuple[str, str]]:
    lang = view.lang
    return [(t("lvl.file.year", lang), str(view.year)),
            (t("lvl.file.district", lang), view.district_name or t("lvl.file.whole", lang)),
            (t("lvl.file.sector", lang), sector_name(ref, view.sector, lang) or t("lvl.file.all_sectors", lang))]


def report_download(search: str, fmt: str) -> dict:
    """What the download buttons send: the per-unit table with subtotals and total, filters in the header rows."""
    view = resolve_view(parse_search(search))
    lang = view.lang
    ref = reference_lists()
    rows = report_rows(get_engine(), view)
    frame = report_frame(rows, lang, [("level_label", t("lvl.report.level", lang)), ("label", t("lvl.report.unit", lang))])
    title = t("lvl.report.file_title", lang)
    filters = file_filters(view, ref)
    stem = f"bieu06-cac-cap-{view.year}" + (f"-{view.district}" if view.district else "") + (f"-{view.sector.lower()}" if view.sector else "")
    if fmt == "xlsx":
        return dcc.send_bytes(to_xlsx_bytes(frame, title, filters, sheet="Bieu06"), f"{stem}.xlsx")
    return dcc.send_bytes(to_csv_bytes(frame, title, filters), f"{stem}.csv")


# ---------------------------------------------------------------- layout

def _breakdown_section(engine, view, summary, level) -> html.Div:
    lang = view.lang
    buttons = html.Div(
        [dcc.Link(level_label(lv, lang), href=view.href("/levels", keep_extra=True, level=lv),
                  className=f"btn btn-sm {'btn-primary' if lv == level else 'btn-outline-primary'}", id=f"lvl-pick-{lv}")
         for lv in _levels_shown(view, summary)]
        + ([dcc.Link(t("lvl.breakdown.clear", lang), href=view.href("/levels", keep_extra=True, level=None),
                     className="btn btn-sm btn-outline-secondary", id="lvl-pick-clear")] if level else []),
        className="lvl-level-buttons")
    if level == "commune" and not view.district:  # a ranking of communes: on today's ones too
        buttons = html.Div([buttons, _boundaries_switch(view, "lvl-rank-")], className="d-flex flex-wrap gap-3 align-items-center")
    if level is None:
        if view.district and view.extra.get("level") == "province":
            pass
        return card(t("lvl.breakdown.title", lang), [html.P(t("lvl.breakdown.hint", lang), className="lvl-hint mb-2"), buttons],
                    id="lvl-breakdown")
    today = boundaries(view.extra) == "current" and level == "commune" and not view.district
    if today:
        kind, df = "commune", qb.communes_on_current_boundaries(engine, view.filter())  # today's communes, any year
    else:
        kind, df = q.level_breakdown(engine, view.filter(), level)
    new_communes = kind == "commune" and (today or not had_districts(engine, view.year))
    title = t("lvl.breakdown", lang, level=level_label(level, lang), unit=t(f"lvl.unit.{kind}" + (".new" if new_communes else ""), lang))
    if df.empty:
        body = [buttons, empty_state(t("lvl.breakdown.empty", lang, level=level_label(level, lang)), id="lvl-breakdown-empty")]
    else:
        body = [buttons, dbc.Row([
            dbc.Col([html.H3(t(f"lvl.breakdown.{key}", lang), className="h6 mt-2"),
                     graph(f"lvl-breakdown-{key.replace('_', '-')}", fig_breakdown(df, measure, level, lang, summary.loc[level, measure]),
                           f"levels-{level}-{key.replace('_', '-')}-{view.year}",
                           alt_breakdown(df, measure, level, lang, summary.loc[level, measure], t(f"lvl.breakdown.{key}", lang)))],
                    xs=12, lg=6)
            for key, measure in (("on_time", "on_time_rate"), ("online", "online_share"))
        ])]
    return card(title, body, id="lvl-breakdown")


def _boundaries_switch(view, prefix: str = "lvl-") -> html.Div:
    """The trend's switch says what today's boundaries do; the ranking's (``lvl-rank-``) only switches."""
    return boundaries_switch(boundaries(view.extra), view.lang, prefix,
                             lambda b: view.href("/levels", keep_extra=True, boundaries=b), explain=prefix == "lvl-")


@guard_layout
@cached_page(params={"level": "province|district|commune", "boundaries": BOUNDARIES})
def layout(**kwargs):
    view = resolve_view(kwargs)
    lang = view.lang
    level = _selected_level(view)
    if level == "province" and view.district:
        view.notes.append(t("lvl.breakdown.province_district", lang))
        view.extra.pop("level", None)
        level = None
    ref = reference_lists()
    if not view.has_data:
        return html.Div([page_header(t("lvl.title", lang), notes=view.notes, id_prefix="lvl-"),
                         empty_state(t("no_data", lang), id="lvl-empty")])
    engine = get_engine()
    f = view.filter()
    sname = sector_name(ref, view.sector, lang)
    title = scope_title(t("lvl.title", lang), lang, view.year, view.district_name, sname)
    three = had_districts(engine, view.year)
    subtitle = (t("lvl.subtitle.district" if three else "lvl.subtitle.area", lang, district=view.district_name) if view.district
                else t("lvl.subtitle" if three else "lvl.subtitle.two_tier", lang))
    header = html.Div([page_header(title, subtitle, notes=view.notes, id_prefix="lvl-"),
                       structure_note(get_engine(), view.year, lang, id="lvl-structure")])
    summary = q.level_summary(engine, f)
    if level is not None and level not in summary.index:  # e.g. the district level in 2026
        view.extra.pop("level", None)
        level = None
    levels = _levels_shown(view, summary)
    if summary.loc[levels, ["received", "finished", "carried_over"]].to_numpy().sum() == 0:
        action = dcc.Link(t("lvl.empty.action", lang), href=view.href("/levels", sector=None), className="btn btn-primary", id="lvl-empty-action")
        msg = t("lvl.empty.sector", lang, sector=sname or "", year=view.year) if view.sector else t("no_data", lang)
        return html.Div([header, empty_state(msg, action if view.sector else None, id="lvl-empty")])

    y = view.year
    years = sorted(ref["years"])
    current = boundaries(view.extra) == "current"
    monthly = (qb.monthly_by_current_level if current else q.monthly_by_level)(engine, f, years[0], years[-1])
    sectors = {s["code"]: bilingual(s["name"], s["name_en"], lang) for s in ref["sectors"]}
    procs = q.procedures_not_full_online(engine, f, TOP_PROCEDURES)
    rows = report_rows(engine, view)
    per_level = rows[rows["row_kind"].isin(["level_total", "total"])].copy()
    per_level["label"] = [level_label(lv, lang) if lv else t("lvl.report.total", lang) for lv in per_level["level"]]
    per_level["row_kind"] = ["total" if k == "total" else "unit" for k in per_level["row_kind"]]

    top = dbc.Row([
        dbc.Col(card(t("lvl.channels", lang), graph("lvl-channels", fig_channels(summary, levels, lang, level), f"levels-received-by-channel-{y}",
                                                             alt_channels(summary, levels, lang))),
                xs=12, lg=4),
        dbc.Col(card(t("lvl.on_time", lang), graph("lvl-on-time", fig_rate(summary, levels, "on_time_rate", lang, level), f"levels-on-time-rate-{y}",
                                                            alt_rate(summary, levels, "on_time_rate", lang))),
                xs=12, lg=4),
        dbc.Col(card(t("lvl.online", lang), graph("lvl-online", fig_rate(summary, levels, "online_share", lang, level), f"levels-online-share-{y}",
                                                          alt_rate(summary, levels, "online_share", lang))),
                xs=12, lg=4),
    ], className="g-3")
    trend = card(t("lvl.trend", lang, first=years[0], last=years[-1]), [
        _boundaries_switch(view),
        dbc.Row([
        dbc.Col([html.H3(t(f"lvl.trend.{m}", lang), className="h6"),
                 graph(f"lvl-trend-{m}", fig_trend(monthly, _levels_shown(view), col, lang, y, years), f"levels-trend-{m}-{years[0]}-{years[-1]}",
                       alt_trend(monthly, _levels_shown(view), col, lang, years, t(f"lvl.trend.{m}", lang)))],
                xs=12, xl=4)
        for m, col in (("received", "received"), ("on_time", "on_time_rate"), ("online", "online_share"))
    ], className="g-3")], id="lvl-trend")
    downloads = html.Div([
        dbc.Button(t("download.xlsx", lang), id="lvl-download-xlsx", color="primary", size="sm"),
        dbc.Button(t("download.csv", lang), id="lvl-download-csv", color="secondary", outline=True, size="sm"),
        dcc.Download(id="lvl-download"),
    ], className="download-buttons d-flex justify-content-end mb-2")
    report = card(t("lvl.report", lang), [
        downloads,
        report_table(per_level, lang, "lvl-report-levels", label_title=t("lvl.report.level", lang)),
        # 45 rows for the whole province: folded, so the page stays short; the download holds them too.
        html.Details([html.Summary(t("lvl.report.units", lang, n=int((rows["row_kind"] == "unit").sum())), className="h6 mt-3 rt-summary"),
                      # ~700 cells: built in the browser only when the fold is opened (components.lazy)
                      LazyBlock(report_table(rows, lang, "lvl-report-units", label_title=t("lvl.report.unit", lang)))],
                     open=bool(view.district), id="lvl-report-units-details"),
    ], id="lvl-report")
    if procs.empty:
        proc_body = empty_state(t("lvl.proc.empty", lang), id="lvl-procedures-empty")
    else:
        proc_body = [html.P(t("lvl.proc.sub", lang), className="text-muted mb-1"),
                     graph("lvl-procedures", fig_procedures(procs, lang, sectors), f"levels-not-full-online-{y}", alt_procedures(procs, lang))]
    return html.Div([
        header, top,
        _breakdown_section(engine, view, summary, level),
        trend,
        card(t("lvl.proc", lang), proc_body, id="lvl-procedures-card"),
        report,
        page_location("lvl"),
    ], className="levels-page")


# ---------------------------------------------------------------- callbacks

@callback(
    go_to("lvl"),
    Input("lvl-channels", "clickData"),
    Input("lvl-on-time", "clickData"),
    Input("lvl-online", "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def select_level(click_channels, click_on_time, click_online, search):
    """Clicking a level's bar puts it in the URL (level=...); the page then shows its units."""
    click = {"lvl-channels": click_channels, "lvl-on-time": click_on_time, "lvl-online": click_online}.get(ctx.triggered_id)
    try:
        level = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return no_update
    if level not in LEVELS:
        return no_update
    params = parse_search(search)
    if params.get("level") == level:
        return no_update
    params["level"] = level
    return build_search(params)


@callback(
    Output("lvl-download", "data"),
    Input("lvl-download-xlsx", "n_clicks"),
    Input("lvl-download-csv", "n_clicks"),
    State("url", "search"),
    prevent_initial_call=True,
)
def download_report(n_xlsx, n_csv, search):
    if not (n_xlsx or n_csv):
        return no_update
    return report_download(search, "xlsx" if ctx.triggered_id == "lvl-download-xlsx" else "csv")
