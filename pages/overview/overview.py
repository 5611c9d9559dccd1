"""Overview (/): how the three levels did this year against last year, and what needs attention.

A provincial leader should read it in five seconds: one row of cards per level
(received, on-time rate, share online, share received by postal staff), each with
its change against the previous year, then three findings that link to the page
explaining them, with the filters carried in the link.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components.formatting import fmt_int, period_label, ym_label
from components.i18n import bilingual, level_label, make_translator
from components.kpi import delta_line, fmt_rate, kpi_card, level_badge, scope_title, sector_name
from components.params import parse_search, reference_lists, resolve_view
from components.structure import had_districts, structure_note
from components.theme import LEVEL_COLORS, base_layout
from components.ui import card, empty_state, graph, page_header
from data.db import get_engine
from data.filters import Period
from data.periods import partial_level_months, same_structure
from data.queries import boundaries as qb
from data.queries import levels as q
from server.faults import guard_layout
from server.page_cache import cached_page

# order: the navbar's order; nav: its label (components.i18n); every page with filters is warmed (server.warmup).
dash.register_page(__name__, path="/", name="overview", title="TTHC · Tổng quan", order=0, nav="nav.overview")

STRINGS = {
    "ovw.title": ("Tổng quan", "Overview"),
    "ovw.today": ("Một xã, phường theo địa giới hiện nay, {first}–{last}", "One commune on today's boundaries, {first}–{last}"),
    "ovw.today.sub": ("Hồ sơ tiếp nhận mỗi tháng. Trước 01/07/2025: cộng số liệu của các xã, thị trấn đã hợp thành xã, phường "
                      "này; từ 01/07/2025 xã còn tiếp nhận cả thủ tục trước đây của cấp huyện.",
                      "Dossiers received per month. Before 1 July 2025: the communes it was formed from, added up; from "
                      "1 July 2025 communes also receive the procedures the district level used to."),
    "ovw.today.alt": ("{name}, hồ sơ tiếp nhận theo địa giới hiện nay (trước 01/07/2025: các xã đã hợp thành) — {years}.",
                      "{name}, dossiers received on today's boundaries (before 1 July 2025: the communes it was formed from) — {years}."),
    "ovw.today.pick": ("Xã, phường", "Commune or ward"),
    "ovw.today.received": ("Hồ sơ tiếp nhận mỗi tháng", "Dossiers received per month"),
    "ovw.today.change": ("01/07/2025: xã mới", "1 July 2025: new commune"),
    "ovw.subtitle": ("Năm {year} so với năm {prev}, theo {n} cấp tiếp nhận hồ sơ.",
                     "{year} against {prev}, for the {n} levels that receive dossiers."),
    "ovw.subtitle.district": ("Năm {year} so với năm {prev}. Chỉ cấp huyện và cấp xã thuộc {district}: cấp tỉnh không thuộc huyện nào.",
                              "{year} against {prev}. District and commune level of {district} only: the province level belongs to no district."),
    # No district level all year (2026): a former district's area is the communes formed from it.
    "ovw.subtitle.area": ("Năm {year} so với năm {prev}. Chỉ các xã, phường trên địa bàn {district} cũ: cấp thành phố "
                          "không thuộc địa bàn huyện cũ nào.",
                          "{year} against {prev}. Only the communes and wards in the former {district} area: "
                          "the city level belongs to no former district."),
    "ovw.received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "ovw.received.sub": ("Đang giải quyết cuối kỳ: {open} ({overdue} quá hạn)", "In progress at period end: {open} ({overdue} overdue)"),
    "ovw.on_time": ("Tỷ lệ giải quyết đúng hạn", "On-time rate"),
    "ovw.on_time.sub": ("{late} hồ sơ trễ hạn / {finished} đã giải quyết", "{late} late of {finished} finished"),
    "ovw.online": ("Tỷ lệ nộp trực tuyến", "Share submitted online"),
    "ovw.online.sub": ("{n} hồ sơ nộp trực tuyến", "{n} dossiers submitted online"),
    "ovw.online.unknown": (" · {n} không rõ kênh, không tính", " · {n} with no known channel, left out"),
    "ovw.postal": ("Tỷ lệ do bưu điện tiếp nhận", "Received by postal staff"),
    "ovw.postal.sub": ("= {desk} số hồ sơ không nộp trực tuyến · gửi qua bưu chính: {share}",
                       "= {desk} of dossiers not submitted online · sent by post: {share}"),
    "ovw.no_dossiers": ("Không có hồ sơ nào ở cấp này cho lựa chọn này.", "No dossiers at this level for this selection."),
    "ovw.level.link": ("Xem so sánh chi tiết", "Compare in detail"),
    # After a change of structure a whole-period level is not like for like (the communes of 2025
    # took over the district level's work in July): the comparison says so where it is read.
    "ovw.other_structure": ("{prev}, khi cơ cấu khác", "{prev}, under another structure"),
    "ovw.attention": ("Cần chú ý", "What needs attention"),
    "ovw.att.sector": ("Lĩnh vực có nhiều hồ sơ trễ hạn nhất: {sector} — {late} hồ sơ trễ hạn, {share} tổng số hồ sơ trễ hạn.",
                       "Sector with the most late dossiers: {sector} — {late} late dossiers, {share} of all late dossiers."),
    "ovw.att.sector.none": ("Không có hồ sơ trễ hạn trong lựa chọn này.", "No late dossiers in this selection."),
    "ovw.att.sector.link": ("Xem hồ sơ trễ hạn", "See the late dossiers"),
    "ovw.att.communes_low.all": ("Xã, phường có tỷ lệ đúng hạn thấp nhất (cấp xã {avg}):",
                                 "Communes and wards with the lowest on-time rate (commune level {avg}):"),
    "ovw.att.districts": ("Đơn vị cấp huyện có tỷ lệ đúng hạn thấp nhất (cấp huyện {avg}):",
                          "District-level units with the lowest on-time rate (district level {avg}):"),
    "ovw.att.communes_low": ("Xã có tỷ lệ đúng hạn thấp nhất trong {district} (cấp xã {avg}):",
                             "Communes of {district} with the lowest on-time rate (commune level {avg}):"),
    "ovw.att.ranking.none": ("Chưa đủ hồ sơ đã giải quyết để xếp hạng tỷ lệ đúng hạn.", "Too few finished dossiers to rank on-time rates."),
    "ovw.att.postal": ("{n}/{total} xã ({share}) chưa chuyển thủ tục nào sang bưu chính công ích trong năm {year}.",
                       "{n} of {total} communes ({share}) moved no procedure to the public postal service in {year}."),
    "ovw.att.postal.all": ("Tất cả {total} xã đã chuyển thủ tục sang bưu chính công ích trong năm {year}.",
                           "All {total} communes moved procedures to the public postal service in {year}."),
    "ovw.att.postal.none": ("Không có xã nào trong phạm vi này.", "No communes in this scope."),
    "ovw.att.postal.link": ("Xem chi tiết bưu chính công ích", "See postal substitution"),
    "ovw.att.postal.sector": ("(không phụ thuộc lĩnh vực đã chọn)", "(independent of the chosen sector)"),
    "ovw.no_previous": ("năm {prev}", "{prev}"),
}
t = make_translator(STRINGS)

LOWEST_N = 3


def _level_row(level: str, cur, prev, view, has_prev: bool, versus: str) -> dbc.Row:
    lang = view.lang
    pid = f"ovw-kpi-{level}"
    badge = html.Div([level_badge(level_label(level, lang), LEVEL_COLORS[level]),
                      dcc.Link(t("ovw.level.link", lang), href=view.href("/levels", level=level), className="small level-link",
                               id=f"{pid}-link")], className="level-head")
    if cur["received"] + cur["finished"] + cur["carried_over"] == 0:
        return dbc.Row([dbc.Col(badge, xs=12, xl=2), dbc.Col(empty_state(t("ovw.no_dossiers", lang)), xs=12, xl=10)],
                       className="kpi-row g-2 mb-3", id=pid, style={"--level-color": LEVEL_COLORS[level]})

    def diff(col):
        if not has_prev or prev is None:
            return None
        a, b = cur[col], prev[col]
        if col in ("received",):
            return None if b == 0 else a - b
        return None if a != a or b != b else a - b  # NaN when nothing finished / received

    cards = [
        kpi_card(t("ovw.received", lang), fmt_int(cur["received"], lang),
                 delta_line(diff("received"), "count", lang, versus, good_when_up=None,
                            previous=prev["received"] if prev is not None else None, id=f"{pid}-received-delta"),
                 t("ovw.received.sub", lang, open=fmt_int(cur["in_progress"], lang), overdue=fmt_int(cur["in_progress_overdue"], lang)),
                 id=f"{pid}-received"),
        kpi_card(t("ovw.on_time", lang), fmt_rate(cur["on_time_rate"], lang),
                 delta_line(diff("on_time_rate"), "rate", lang, versus, id=f"{pid}-on_time_rate-delta"),
                 t("ovw.on_time.sub", lang, late=fmt_int(cur["finished_late"], lang), finished=fmt_int(cur["finished"], lang)),
                 id=f"{pid}-on_time_rate"),
        kpi_card(t("ovw.online", lang), fmt_rate(cur["online_share"], lang),
                 delta_line(diff("online_share"), "rate", lang, versus, id=f"{pid}-online_share-delta"),
                 t("ovw.online.sub", lang, n=fmt_int(cur["received_online"], lang))
                 + (t("ovw.online.unknown", lang, n=fmt_int(cur["received_unknown_channel"], lang))
                    if cur["received_unknown_channel"] else ""),
                 id=f"{pid}-online_share"),
        kpi_card(t("ovw.postal", lang), fmt_rate(cur["postal_staff_share"], lang),
                 delta_line(diff("postal_staff_share"), "rate", lang, versus, id=f"{pid}-postal_staff_share-delta"),
                 t("ovw.postal.sub", lang, share=fmt_rate(cur["post_share"], lang),
                   desk=fmt_rate(cur["received_postal_staff"] / (cur["received"] - cur["received_online"])
                                 if cur["received"] > cur["received_online"] else float("nan"), lang)),
                 id=f"{pid}-postal_staff_share"),
    ]
    return dbc.Row([dbc.Col(badge, xs=12, xl=2)] + [dbc.Col(c, xs=6, lg=3, xl=True) for c in cards],
                   className="kpi-row g-2 mb-3", id=pid, style={"--level-color": LEVEL_COLORS[level]})


def _attention(engine, view, summary) -> html.Div:
    lang = view.lang
    f = view.filter()
    items = []

    # 1. The sector with the most late dossiers.
    sectors = q.sectors_by_late(engine, f)
    total_late = int(sectors["finished_late"].sum()) if not sectors.empty else 0
    if total_late > 0:
        top = sectors.iloc[0]
        name = bilingual(top["sector_name"], top["sector_name_en"], lang)
        items.append(html.Li([
            html.Span(t("ovw.att.sector", lang, sector=name, late=fmt_int(top["finished_late"], lang),
                        share=fmt_rate(top["finished_late"] / total_late, lang))), " ",
            dcc.Link(t("ovw.att.sector.link", lang) + " →", href=view.href("/late", sector=top["sector_code"]), id="ovw-att-sector-link"),
        ], id="ovw-att-sector", className="attention-item"))
    else:
        items.append(html.Li(t("ovw.att.sector.none", lang), id="ovw-att-sector", className="attention-item"))

    # 2. The units with the lowest on-time rate: district-level units, or a district's communes.
    if view.district:
        kind, ranked = q.level_breakdown(engine, f, "commune")
        ranked = ranked[ranked["finished"] >= q.MIN_FINISHED_FOR_RANKING].sort_values("on_time_rate")
        head = t("ovw.att.communes_low", lang, district=view.district_name, avg=fmt_rate(summary.loc["commune", "on_time_rate"], lang))
        links = [(r["name"], fmt_rate(r["on_time_rate"], lang), view.href("/late", level="commune", commune=r["key"]))
                 for _, r in ranked.head(LOWEST_N).iterrows()]
    elif "district" in summary.index:
        ranked = q.districts_by_on_time(engine, f)
        head = t("ovw.att.districts", lang, avg=fmt_rate(summary.loc["district", "on_time_rate"], lang))
        links = [(r["district_name"], fmt_rate(r["on_time_rate"], lang), view.href("/late", district=r["district_code"], level="district"))
                 for _, r in ranked.head(LOWEST_N).iterrows()]
    else:  # two tiers (from July 2025): the communes themselves are ranked
        ranked = q.communes_by_on_time(engine, f)
        head = t("ovw.att.communes_low.all", lang, avg=fmt_rate(summary.loc["commune", "on_time_rate"], lang))
        links = [(r["name"], fmt_rate(r["on_time_rate"], lang), view.href("/late", level="commune", commune=r["key"]))
                 for _, r in ranked.head(LOWEST_N).iterrows()]
    if links:
        parts = [html.Span(head), " "]
        for i, (name, rate, href) in enumerate(links):
            if i:
                parts.append(", ")
            parts.append(dcc.Link(f"{name} {rate}", href=href, className="attention-unit"))
        items.append(html.Li(parts, id="ovw-att-units", className="attention-item"))
    else:
        items.append(html.Li(t("ovw.att.ranking.none", lang), id="ovw-att-units", className="attention-item"))

    # 3. Communes with nothing moved to the public postal service.
    communes = q.commune_postal_coverage(engine, f)
    total = len(communes)
    if total == 0:
        text = t("ovw.att.postal.none", lang)
    else:
        n = int((~communes["moved"]).sum())
        text = (t("ovw.att.postal", lang, n=fmt_int(n, lang), total=fmt_int(total, lang), share=fmt_rate(n / total, lang), year=view.year)
                if n else t("ovw.att.postal.all", lang, total=fmt_int(total, lang), year=view.year))
    if view.sector:
        text += " " + t("ovw.att.postal.sector", lang)
    items.append(html.Li([html.Span(text), " ",
                          dcc.Link(t("ovw.att.postal.link", lang) + " →", href=view.href("/postal"), id="ovw-att-postal-link")],
                         id="ovw-att-postal", className="attention-item"))
    return card(t("ovw.attention", lang), html.Ul(items, className="attention-list mb-0"), id="ovw-attention")


@guard_layout
@cached_page
def layout(**kwargs):
    view = resolve_view(kwargs)
    lang = view.lang
    ref = reference_lists()
    if not view.has_data:
        return html.Div([page_header(t("ovw.title", lang), notes=view.notes, id_prefix="ovw-"),
                         empty_state(t("no_data", lang), id="ovw-empty")])
    engine = get_engine()
    f = view.filter()
    cur, prev = q.level_summary_with_previous(engine, f)
    has_prev = (view.year - 1) in ref["years"]
    title = scope_title(t("ovw.title", lang), lang, view.year, view.district_name, sector_name(ref, view.sector, lang))
    district_key = "ovw.subtitle.district" if had_districts(engine, view.year) else "ovw.subtitle.area"
    subtitle = (t(district_key, lang, year=view.year, prev=view.year - 1, district=view.district_name)
                if view.district else t("ovw.subtitle", lang, year=view.year, prev=view.year - 1,
                                        n={2: ("hai", "two"), 3: ("ba", "three")}.get(len(cur), (len(cur),) * 2)[lang == "en"]))
    # The levels of the period (two from July 2025); a level the previous year lacked has no change arrow.
    levels = [lv for lv in cur.index if not (view.district and lv == "province")]
    # A level of part of the year (the district level of 2025) is compared with that part a year earlier.
    partial = partial_level_months(engine, f.period.start, f.period.end)
    versus = {lv: period_label(Period(a - 100, b - 100), lang) for lv, (a, b) in partial.items()}
    before = f.period.previous_year()
    if not same_structure(engine, f.period.start, f.period.end, before.start, before.end):
        for lv in cur.index:
            versus.setdefault(lv, t("ovw.other_structure", lang, prev=view.year - 1))
    rows = [_level_row(lv, cur.loc[lv], prev.loc[lv] if has_prev and lv in prev.index else None, view,
                       has_prev and lv in prev.index, versus.get(lv, str(view.year - 1))) for lv in levels]
    return html.Div([
        page_header(title, subtitle, notes=view.notes, id_prefix="ovw-"),
        structure_note(engine, view.year, lang, id="ovw-structure"),
        html.Div(rows, className="kpi-grid", id="ovw-kpis"),
        _attention(engine, view, cur),
        _today_trend(engine, view, ref),
    ], className="overview-page")


def _today_trend(engine, view, ref) -> html.Div | None:
    """One of today's communes over every year, its earlier years drawn from the communes it was
    formed from (data.queries.boundaries): the trend a commune formed in 2025 can have."""
    communes = qb.current_communes(engine, view.filter())
    communes = communes[communes["predecessors"] > 0]
    if communes.empty:
        return None  # a database with no reorganisation: nothing to carry over
    lang, years = view.lang, sorted(ref["years"])
    first = communes.sort_values(["predecessors", "code"], ascending=[False, True]).iloc[0]["code"]
    pick = dcc.Dropdown(id="ovw-today-pick", options=[{"label": n, "value": c} for c, n in zip(communes["code"], communes["name"])],
                        value=first, clearable=False)
    body = [html.P(t("ovw.today.sub", lang), className="text-muted mb-2"),
            dbc.Row(dbc.Col([dbc.Label(t("ovw.today.pick", lang), html_for="ovw-today-pick"), pick], xs=12, md=6, lg=4),
                    className="mb-2"),
            graph("ovw-today-graph", today_figure(engine, view, first, years), f"commune-today-{years[0]}-{years[-1]}",
                  alt=today_alt(engine, view, first, communes, years))]
    return card(t("ovw.today", lang, first=years[0], last=years[-1]), body, id="ovw-today")


def today_alt(engine, view, code: str, communes, years: list[int]) -> str:
    """The chart's words for a screen reader: the commune and its dossiers received per year."""
    lang = view.lang
    df = qb.current_unit_trend(engine, view.filter(), code, years[0], years[-1])
    per_year = df.groupby(df["ym"] // 100)["received"].sum()
    name = communes.set_index("code").loc[code, "name"]
    parts = [f"{y}: {fmt_int(v, lang)}" for y, v in per_year.items()]
    return t("ovw.today.alt", lang, name=name, years="; ".join(parts))


def today_figure(engine, view, code: str, years: list[int]) -> dict:
    lang = view.lang
    df = qb.current_unit_trend(engine, view.filter(), code, years[0], years[-1])
    x = [f"{ym // 100}-{ym % 100:02d}-01" for ym in df["ym"]]
    data = [dict(type="bar", x=x, y=df["received"].tolist(), name=t("ovw.today.received", lang),
                 marker=dict(color=LEVEL_COLORS["commune"]),
                 hovertext=[f"{ym_label(ym, lang)}: {fmt_int(v, lang)}" for ym, v in zip(df["ym"], df["received"])],
                 hovertemplate="%{hovertext}<extra></extra>")]
    layout = base_layout(lang, 300, margin=dict(t=30), showlegend=False,
                         yaxis=dict(rangemode="tozero", tickformat=",d"),
                         shapes=[dict(type="line", xref="x", x0="2025-07-01", x1="2025-07-01", yref="y domain", y0=0, y1=1,
                                      line=dict(color="#212529", dash="dash", width=1.5))],
                         annotations=[dict(text=t("ovw.today.change", lang), xref="x", x="2025-07-01", xanchor="left",
                                           yref="y domain", y=1, yanchor="top", showarrow=False, font=dict(size=13))])
    return {"data": data, "layout": layout}


@callback(Output("ovw-today-graph", "figure"), Input("ovw-today-pick", "value"), State("url", "search"),
          prevent_initial_call=True)
def pick_commune(code, search):
    """Another of today's communes: its trend (one query, one figure)."""
    view = resolve_view(parse_search(search))
    if not code or not view.has_data:
        return no_update
    return today_figure(get_engine(), view, code, sorted(reference_lists()["years"]))
