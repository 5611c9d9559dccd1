"""The scorecard page's content (pages/scorecard/scorecard.py registers it): the service index of
Decision 766 computed from the province's own dossiers (data.service_index, docs/scorecard.md).

The scope's score and each group's points against its maximum, last period beside it; the units
of the chosen level ranked (sortable grid, Excel); a heat table unit x indicator; the total by
month; for the selected unit the indicators ranked by points lost, each with the dossiers that
cost them (a link to /late for lateness, the list below for the others); the what-if for late
land dossiers; and how it is computed, in plain words.
"""
from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.boundaries import boundaries, boundaries_switch, titled
from components.formatting import fmt_int, fmt_number, fmt_pct, month_name, ym_label
from components.i18n import make_translator
from components.kpi import whole_area
from components.lazy import LazyBlock
from components.structure import is_two_tier, structure_note
from components.theme import NEUTRAL_COLOR, base_layout, inked_heatmap, plot_text
from components.ui import card, empty_state, page_header
from components.ui import graph as ui_graph
from data.auth import active_scope
from data.filters import Period
from data.periods import levels_in_period, same_structure
from data.queries import boundaries as qb
from data.queries import scorecard as q
from data.service_index import GROUP_BY_KEY, GROUPS, INDICATOR_BY_KEY, INDICATORS

STRINGS = {
    "title": ("Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)", "Service index (Decision 766)"),
    "subtitle": ("Tính từ hồ sơ của chính tỉnh theo 6 nhóm tiêu chí của Quyết định 766/QĐ-TTg. Tổng điểm là trên số "
                 "điểm đo được: nhóm nào dữ liệu chưa có thì ghi “chưa đo được”.",
                 "Computed from the province's own dossiers in the six groups of Decision 766/QĐ-TTg. The total is out "
                 "of the points measured: a group the data does not carry says “not measured”."),
    # The year ends with the city (Thành phố Đà Nẵng from July 2025): its own dossiers, not a province's.
    "subtitle.city": ("Tính từ hồ sơ của chính thành phố theo 6 nhóm tiêu chí của Quyết định 766/QĐ-TTg. Tổng điểm là trên "
                      "số điểm đo được: nhóm nào dữ liệu chưa có thì ghi “chưa đo được”.",
                      "Computed from the city's own dossiers in the six groups of Decision 766/QĐ-TTg. The total is out "
                      "of the points measured: a group the data does not carry says “not measured”."),
    "period.year": ("năm {year}", "{year}"),
    "period.month": ("tháng {month}/{year}", "{month} {year}"),
    "total": ("Tổng điểm", "Total"),
    "of": ("/ {max} điểm đo được", "of {max} points measured"),
    "of.all": ("/ 100 điểm", "of 100 points"),
    "prev": ("{period}: {value}", "{period}: {value}"),
    # As on the overview: a period of another structure is not like for like (2025 against 2024).
    "prev.other_structure": ("{period}, khi cơ cấu khác: {value}", "{period}, under another structure: {value}"),
    "province.beside": ("{area}: {value} / {max}", "{area}: {value} of {max}"),
    "not_measured": ("chưa đo được", "not measured"),
    "groups.title": ("Điểm từng nhóm so với điểm tối đa", "Each group's points against its maximum"),
    "groups.prev": ("Kỳ trước ({period})", "Last period ({period})"),
    "groups.now": ("Kỳ này", "This period"),
    "groups.max": ("Điểm tối đa", "Maximum"),
    "rank.title": ("Xếp hạng {level}", "Ranking: {level}"),
    "level.department": ("Sở, ban, ngành", "Provincial departments"),
    "level.district": ("Cấp huyện", "District-level units"),
    "level.commune": ("Cấp xã", "Communes"),
    "level.pick": ("Xếp hạng", "Rank"),
    "month.pick": ("Kỳ", "Period"),
    "month.all": ("Cả năm", "Whole year"),
    "rank.note": ("Xếp theo tổng điểm trên số điểm đo được. Bấm tiêu đề cột để sắp xếp, bấm một dòng để xem đơn vị đó mất "
                  "điểm ở đâu.", "Ranked by total over the points measured. Click a column header to sort, a row to "
                  "see where that unit loses points."),
    "rank.none": ("Không có hồ sơ nào ở cấp này trong kỳ.", "No dossiers at this level in the period."),
    "col.rank": ("#", "#"),
    "col.unit": ("Đơn vị", "Unit"),
    "col.total": ("Tổng", "Total"),
    "col.max": ("Đo được", "Measured"),
    "col.share": ("Tỷ lệ điểm", "Share"),
    "col.land": ("+ nếu đất đai đúng hạn", "+ if land on time"),
    "dl.xlsx": ("Tải Excel", "Download Excel"),
    "dl.title": ("Chỉ số phục vụ (QĐ 766): {level}", "Service index (Decision 766): {level}"),
    "dl.period": ("Kỳ", "Period"),
    "dl.scope": ("Phạm vi", "Scope"),
    "dl.sector": ("Lĩnh vực", "Sector"),
    "heat.title": ("Tỷ lệ từng chỉ tiêu theo đơn vị", "Each indicator's rate by unit"),
    "heat.many": ("{n} xã: chọn một huyện ở thanh lọc để xem bảng màu các xã của huyện đó.",
                  "{n} communes: pick a district in the filter bar to see its communes' heat table."),
    "heat.many.two_tier": ("{n} xã, phường: chọn một địa bàn huyện cũ ở thanh lọc để xem bảng màu các xã, phường "
                           "hình thành từ huyện đó.",
                           "{n} communes and wards: pick a former district area in the filter bar to see the heat "
                           "table of the communes formed from it."),
    "rank.two_tier": ("Từ 01/07/2025 không còn cấp huyện: xếp hạng các xã, phường và các sở, ban, ngành.",
                      "Since 1 July 2025 there is no district level: the communes and wards and the departments are "
                      "ranked."),
    "former": ("{name} (cũ, đến {date})", "{name} (former, until {date})"),
    "rank.ended": ("{n} đơn vị đã sáp nhập trước kỳ này không xếp hạng; {d} hồ sơ chúng tiếp nhận trước khi sáp nhập "
                   "kết thúc hoặc còn giải quyết trong kỳ được tính vào tổng điểm chung.",
                   "{n} units merged away before this period are not ranked; {d} dossiers they received before the "
                   "merger that finished or were open in it count in the overall total."),
    # On today's boundaries (components.boundaries, data.queries.scorecard.current_unit_counts).
    "bounds.communes": ("Theo địa giới hiện nay: điểm của mỗi xã, phường hiện nay tính từ hồ sơ của UBND các xã cũ đã "
                        "nhập vào (cộng số hồ sơ rồi mới tính điểm); hồ sơ của cấp huyện trước 01/07/2025 thuộc thành "
                        "phố, không tính cho xã, phường nào.",
                        "On today's boundaries: each commune of today is scored from the dossiers of the former "
                        "communes' People's Committees merged into it (their counts summed, then scored); the "
                        "district level's dossiers before 1 July 2025 belong to the city, to no commune."),
    "bounds.district": ("Đang lọc một huyện: mỗi xã, phường hiện nay chỉ gồm hồ sơ của các xã cũ thuộc huyện đó.",
                        "A district is picked: each commune of today holds only the dossiers of its former communes "
                        "in that district."),
    "bounds.as_was": ("Xếp hạng {level} luôn theo địa giới khi đó (cấp huyện không còn từ 01/07/2025; mỗi sở, ngành "
                      "là một cơ quan); chỉ xếp hạng cấp xã theo được địa giới hiện nay.",
                      "The ranking of {level} is always as it was (the district level is gone since 1 July 2025; "
                      "each department is one agency); only the commune ranking follows today's boundaries."),
    "dl.bounds": ("Địa giới", "Boundaries"),
    "heat.published": ("Công khai", "Published"),
    "heat.progress": ("Đúng hạn", "On time"),
    "heat.online_share": ("Nộp trực tuyến", "Online"),
    "heat.full_online_procedures": ("TT toàn trình", "Fully online"),
    "heat.paid_online": ("Thanh toán TT", "Paid online"),
    "heat.satisfied": ("Hài lòng", "Satisfied"),
    "heat.digitised": ("Số hóa", "Digitised"),
    "heat.e_result": ("KQ điện tử", "e-result"),
    "trend.title": ("Tổng điểm theo tháng (trên 100, theo số điểm đo được)", "Total by month (per 100 points measured)"),
    "trend.y": ("Điểm / 100", "Points / 100"),
    "lost.title": ("Mất điểm ở đâu: {unit}", "Where the points are lost: {unit}"),
    "lost.pick": ("Bấm một dòng trong bảng xếp hạng để chọn đơn vị.", "Click a row of the ranking to pick a unit."),
    "lost.col.indicator": ("Chỉ tiêu", "Indicator"),
    "lost.col.points": ("Điểm mất", "Points lost"),
    "lost.col.rate": ("Tỷ lệ đạt", "Rate"),
    "lost.col.dossiers": ("Hồ sơ làm mất điểm", "Dossiers that cost them"),
    "lost.none": ("Không mất điểm nào ở các chỉ tiêu đo được.", "No points lost on the measured indicators."),
    "lost.procedures": ("{n} thủ tục chưa trực tuyến toàn trình", "{n} procedures not fully online"),
    "lost.list": ("Danh sách", "List"),
    "lost.late": ("Xem ở trang Trễ hạn", "See on the Late page"),
    "kind.late": ("hồ sơ trễ hạn", "late dossiers"),
    "kind.not_online": ("hồ sơ không nộp trực tuyến", "not received online"),
    "kind.not_paid_online": ("hồ sơ có phí không thanh toán trực tuyến", "fee not paid online"),
    "kind.not_digitised": ("hồ sơ chưa số hóa", "not digitised"),
    "kind.no_e_result": ("hồ sơ không trả kết quả điện tử", "no electronic result"),
    "kind.not_satisfied": ("đánh giá chưa hài lòng", "ratings not satisfied"),
    "kind.unpublished": ("hồ sơ chưa công khai trên Cổng", "not published on the portal"),
    "whatif": ("Nếu {n} hồ sơ đất đai trễ hạn của {unit} được giải quyết đúng hạn, {unit} được thêm {points} điểm "
               "(tiến độ giải quyết).",
               "If these {n} late land dossiers of {unit} had been on time, {unit} would gain {points} points "
               "(progress of resolution)."),
    "whatif.none": ("{unit} không có hồ sơ đất đai trễ hạn trong kỳ.", "{unit} has no late land dossiers in the period."),
    "list.title": ("{kind}: {unit}, {n} hồ sơ", "{kind}: {unit}, {n} dossiers"),
    "list.more": ("Hiển thị {shown} hồ sơ đầu tiên.", "Showing the first {shown}."),
    "list.close": ("Đóng danh sách", "Close the list"),
    "list.col.code": ("Mã hồ sơ", "Dossier"),
    "list.col.procedure": ("Thủ tục", "Procedure"),
    "list.col.agency": ("Cơ quan", "Agency"),
    "list.col.received": ("Ngày tiếp nhận", "Received"),
    "list.col.deadline": ("Hạn", "Deadline"),
    "list.col.finished": ("Ngày kết thúc", "Finished"),
    "list.col.rating": ("Đánh giá", "Rating"),
    "rating.satisfied": ("hài lòng", "satisfied"),
    "rating.neutral": ("bình thường", "neutral"),
    "rating.dissatisfied": ("không hài lòng", "dissatisfied"),
    "how.title": ("Cách tính", "How is this computed"),
    "how.body": ("Điểm được tính từ chính hồ sơ của tỉnh theo 6 nhóm của Quyết định 766/QĐ-TTg. Mỗi tỷ lệ được quy ra "
                 "điểm theo tỷ lệ thuận (ví dụ 75 % của 20 điểm là 15 điểm) vì bảng quy đổi của Quyết định chưa được công "
                 "bố. Nhóm có hai chỉ tiêu chia đều điểm. Nhóm nào dữ liệu không có (ví dụ chưa có đánh giá hài lòng) thì "
                 "ghi “chưa đo được” và không tính vào tổng: tổng điểm là trên số điểm đo được. Một số chỉ tiêu của Quyết "
                 "định (công bố thủ tục đúng hạn, tái sử dụng dữ liệu số hóa) không đo được từ hồ sơ.",
                 "Points are computed from the province's own dossiers in the six groups of Decision 766/QĐ-TTg. Each "
                 "rate becomes points proportionally (75 % of a 20-point indicator is 15 points), because the decision's "
                 "conversion tables are not public. A group with two indicators splits its points equally. A group the "
                 "data cannot measure (for example, no satisfaction ratings) says “not measured” and leaves the total, "
                 "which is out of the points measured. Some of the decision's indicators (procedures published on time, "
                 "re-use of digitised data) cannot be measured from dossiers."),
    "how.col.group": ("Nhóm (điểm tối đa)", "Group (maximum)"),
    "how.col.indicator": ("Chỉ tiêu tính ở đây", "Indicator computed here"),
    "how.col.points": ("Điểm", "Points"),
    "how.progress": ("(hồ sơ giải quyết trước hạn, đúng hạn trong kỳ + hồ sơ đang giải quyết còn trong hạn cuối kỳ) / "
                     "(hồ sơ đã giải quyết trong kỳ + hồ sơ đang giải quyết cuối kỳ)",
                     "(finished early or on time in the period + open within deadline at its end) / "
                     "(finished in the period + open at its end)"),
    "no_data": ("Chưa có hồ sơ nào trong cơ sở dữ liệu.", "No dossiers in the database yet."),
    # Charts' text alternatives (components.chart_text): what a screen reader says for each chart.
    "alt.groups": ("{title}: {groups}.", "{title}: {groups}."),
    "alt.group": ("{name} {now}/{max} (kỳ trước {before})", "{name} {now} of {max} (last period {before})"),
    "alt.heat": ("{title}, {n} đơn vị × {k} chỉ tiêu; thấp nhất: {cells}.", "{title}, {n} units × {k} indicators; lowest: {cells}."),
    "alt.heat.none": ("{title}: chưa đo được chỉ tiêu nào.", "{title}: no indicator measured."),
    "alt.trend": ("{title}: {years}.", "{title}: {years}."),
    "alt.trend.year": ("năm {year} thấp nhất {low} ({low_month}), cao nhất {high} ({high_month})",
                       "{year} lowest {low} ({low_month}), highest {high} ({high_month})"),
}
t = make_translator(STRINGS)

LEVELS = ("district", "commune", "department")


def levels_offered(engine, period: Period) -> tuple[str, ...]:
    """The ranking's levels in ``period``, the first the one the page opens on (and the URL leaves out):
    the district level only where it existed on some day of it (not in 2026 nor from July 2025 on,
    when the page opens on the communes)."""
    found = levels_in_period(engine, period.start, period.end)
    return tuple(lv for lv in LEVELS if lv != "district" or "district" in found)

# Red (low) to green (high), spelled out: plotly.js knows no "RdYlGn" by name.
HEAT_SCALE = [[0, "#d73027"], [0.5, "#fee08b"], [1, "#1a9850"]]
HEAT_MAX_UNITS = 40  # more rows than a projector can read: the commune heat table wants a district


def group_name(key: str, lang: str) -> str:
    g = GROUP_BY_KEY[key]
    return g.name if lang == "vi" else g.name_en


def indicator_name(key: str, lang: str) -> str:
    i = INDICATOR_BY_KEY[key]
    return i.name if lang == "vi" else i.name_en


def unit_name(u: dict, lang: str) -> str:
    """A ranked unit's name, marked as former when it ended within the period (2025: the communes
    merged on 1 July, Quảng Nam's departments), so it is never read as one of today's units."""
    name = u["name"] if lang == "vi" else u["name_en"]
    if u.get("valid_to") is None:
        return name
    return t("former", lang, name=name, date=f"{u['valid_to']:%d/%m/%Y}")


def points(x, lang: str) -> str:
    return t("not_measured", lang) if x is None else fmt_number(x, lang, 1)


# ---------------------------------------------------------------- the view's choices

class Choice:
    """The page's own parameters, checked: level, month, selected unit, lost-dossier list."""

    def __init__(self, view, kwargs: dict, engine):
        try:
            month = int(kwargs.get("month") or 0)
        except ValueError:
            month = 0
        self.month = month if 1 <= month <= 12 else None
        self.unit = kwargs.get("unit") or None
        self.lost = kwargs.get("lost") if kwargs.get("lost") in INDICATOR_BY_KEY else None
        year = view.year
        self.period = Period(year * 100 + self.month, year * 100 + self.month) if self.month else Period.year(year)
        if self.month:
            prev = self.period.before_first_ym
            self.previous = Period(prev, prev)
        else:
            self.previous = Period.year(year - 1)
        self.like_previous = same_structure(engine, self.period.start, self.period.end, self.previous.start, self.previous.end)
        # A level the period did not have (the district level after June 2025) falls back to the default.
        self.levels = levels_offered(engine, self.period)
        self.two_tier = "district" not in self.levels
        self.level = kwargs.get("level") if kwargs.get("level") in self.levels else self.levels[0]
        # The switch "theo địa giới khi đó / hiện nay": only the commune ranking can follow it.
        self.bounds = boundaries(kwargs)
        self.current = q.is_current(self.level, self.bounds)

    def period_text(self, view, period: Period | None = None) -> str:
        p = period or self.period
        if p.first_ym == p.last_ym:
            return ym_label(p.first_ym, view.lang)
        return t("period.year", view.lang, year=p.first_ym // 100)


def page_data(view, choice: Choice, engine) -> dict:
    f = view.filter(period=choice.period)
    # The ranking and the heat table: every unit of the level in view. A district picked in the
    # filter bar narrows the communes to its own; at district level it stays among its peers
    # (selected), with the province's total beside its own. A district user's scope (data.auth)
    # still holds whatever is asked: they see their own unit and communes only.
    peers = choice.level == "district" and view.district is not None and active_scope() is None
    ranked = f.with_(district_code=None) if peers else f
    units = q.unit_scores(engine, ranked, choice.level, choice.bounds)
    # Merged away before the period: not ranked, said (on today's boundaries their dossiers are in today's units).
    ended = (0, 0) if choice.current else q.ended_units(engine, ranked, choice.level)
    # The scope now and the period before, and the trend (this year and the one before), from one read of months.
    scope, prev, both = q.scope_and_trend(engine, f, choice.previous)
    province = None
    if view.district is not None and active_scope() is None:
        province = q.scope_and_trend(engine, f.with_(district_code=None), choice.previous)[0]
    year = choice.period.first_ym // 100
    months, prev_months = both[both["ym"] // 100 == year], both[both["ym"] // 100 == year - 1]
    return {"f": f, "units": units, "ended": ended, "scope": scope, "prev": prev, "months": months, "prev_months": prev_months,
            "province": province}


# ---------------------------------------------------------------- headline

def _share(result) -> float | None:
    return None if result["total"] is None else result["total"] / result["max_measured"] * 100


def headline(view, choice: Choice, data: dict, scope_name: str) -> dbc.Row:
    lang, s, p = view.lang, data["scope"], data["prev"]
    of = t("of.all", lang) if s["max_measured"] == 100 else t("of", lang, max=fmt_int(s["max_measured"], lang))
    prev_text = t("prev" if choice.like_previous else "prev.other_structure", lang, period=choice.period_text(view, choice.previous),
                  value=f"{points(p['total'], lang)} / {fmt_int(p['max_measured'], lang)}" if p["total"] is not None
                  else t("not_measured", lang))
    total = dbc.Card(dbc.CardBody([
        html.Div(f"{t('total', lang)} — {scope_name}, {choice.period_text(view)}", className="sco-total-label"),
        html.Div([html.Span(points(s["total"], lang), className="sco-total-value", id="sco-total"),
                  html.Span(" " + of, className="sco-total-of")]),
        html.Div(prev_text, className="sco-total-prev text-muted", id="sco-total-prev"),
        *([html.Div(t("province.beside", lang, area=whole_area(view.year, lang).capitalize(), value=points(data["province"]["total"], lang),
                      max=fmt_int(data["province"]["max_measured"], lang)),
                    className="sco-total-prev", id="sco-total-province")] if data.get("province") else []),
    ]), className="mb-3 shadow-sm sco-total-card h-100")
    return dbc.Row([dbc.Col(total, xs=12, lg=4, className="mb-3"),
                    dbc.Col(card(t("groups.title", lang), groups_chart(view, choice, s, p)), xs=12, lg=8)],
                   className="g-3", id="sco-headline")


def groups_chart(view, choice: Choice, s: dict, p: dict):
    lang = view.lang
    names = [group_name(g.key, lang) for g in GROUPS][::-1]
    maxima = [g.max_points for g in GROUPS][::-1]
    now = [s["groups"][g.key]["points"] for g in GROUPS][::-1]
    before = [p["groups"][g.key]["points"] for g in GROUPS][::-1]
    texts = [f"{points(v, lang)} / {m}" for v, m in zip(now, maxima)]
    traces = [
        dict(type="bar", orientation="h", y=names, x=maxima, name=t("groups.max", lang), marker=dict(color="#e9ecef"),
             hoverinfo="skip"),
        dict(type="bar", orientation="h", y=names, x=[v or 0 for v in now], name=t("groups.now", lang),
             marker=dict(color="#1f6feb"), text=texts, textposition="outside", cliponaxis=False,
             hovertemplate="%{y}: %{text}<extra></extra>"),
        dict(type="scatter", mode="markers", y=names, x=[v if v is not None else None for v in before],
             name=t("groups.prev", lang, period=choice.period_text(view, choice.previous)),
             marker=dict(symbol="line-ns-open", size=24, color="#212529", line=dict(width=3, color="#212529")),
             hovertemplate="%{y}: %{x:.1f}<extra></extra>"),
    ]
    layout = base_layout(lang, 330, barmode="overlay", bargap=0.35, margin=dict(l=10, r=70, t=10, b=10),
                         xaxis=dict(range=[0, 25], showgrid=False, zeroline=False, showticklabels=False),
                         legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0))
    alt = t("alt.groups", lang, title=t("groups.title", lang), groups="; ".join(
        t("alt.group", lang, name=n, now=points(v, lang), max=m, before=points(b, lang))
        for n, v, m, b in zip(names[::-1], now[::-1], maxima[::-1], before[::-1])))
    return ui_graph("sco-groups", {"data": traces, "layout": layout}, "service-index-groups", alt=alt, fit_height=True)


# ---------------------------------------------------------------- ranking

def ranking_rows(units: list[dict], lang: str) -> list[dict]:
    rows = []
    for i, u in enumerate(units, start=1):
        row = {"rank": i, "code": u["code"], "unit": unit_name(u, lang),
               "total": None if u["total"] is None else round(u["total"], 1), "max": u["max_measured"],
               "share": None if u["total"] is None else round(u["total"] / u["max_measured"] * 100, 1),
               "land": round(u["land_gain"], 1)}
        for g in GROUPS:
            v = u["groups"][g.key]["points"]
            row[g.key] = None if v is None else round(v, 1)
        rows.append(row)
    return rows


def ranking_grid(units: list[dict], view, choice: Choice):
    lang = view.lang
    rows = ranking_rows(units, lang)
    num = {"type": "rightAligned", "minWidth": 80, "flex": 1,
           "valueFormatter": {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value)"
                              + (".replace(/,/g, ' ').replace('.', ',').replace(/ /g, '.')" if lang == "vi" else "")}}
    defs = [{"field": "rank", "headerName": t("col.rank", lang), "maxWidth": 64, "sortable": True},
            # Wrapped, not cut: a former unit's mark ("cũ, đến 30/06/2025") comes after its name.
            {"field": "unit", "headerName": t("col.unit", lang), "pinned": "left", "minWidth": 130, "flex": 1.6,
             "wrapText": True, "autoHeight": True, "cellStyle": {"lineHeight": "1.3", "wordBreak": "normal",
                                                                "paddingTop": "4px", "paddingBottom": "4px"}},
            {"field": "total", "headerName": t("col.total", lang), **num, "sort": None},
            {"field": "max", "headerName": t("col.max", lang), "type": "rightAligned", "minWidth": 80, "flex": 0.8},
            {"field": "share", "headerName": t("col.share", lang), **num}]
    defs += [{"field": g.key, "headerName": f"{group_name(g.key, lang)} ({g.max_points})", **num} for g in GROUPS]
    defs.append({"field": "land", "headerName": t("col.land", lang), **num})
    for d in defs:
        d.setdefault("sortable", True)
        d.update(wrapHeaderText=True, autoHeaderHeight=True)
    selected = [r["code"] for r in rows if r["code"] == choice.unit]
    return dag.AgGrid(
        id="sco-rank", rowData=rows, columnDefs=defs, getRowId="params.data.code",
        defaultColDef={"resizable": True, "suppressMovable": True},
        dashGridOptions={"domLayout": "autoHeight" if len(rows) <= RANK_AUTO_HEIGHT_ROWS else "normal", "suppressCellFocus": True,
                         # AG Grid 32.2+ spelling ("single" is deprecated and warns in the console); a row is picked by a click, no checkbox.
                         "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
                         "animateRows": False},
        selectedRows={"ids": selected} if selected else [],
        className="ag-theme-alpine sco-rank", style={"width": "100%", **({} if len(rows) <= RANK_AUTO_HEIGHT_ROWS else {"height": f"{RANK_SCROLL_PX}px"})},
    )


RANK_ROW_PX, RANK_HEADER_PX, RANK_AUTO_HEIGHT_ROWS, RANK_SCROLL_PX = 42, 77, 30, 640  # ag-theme-alpine rows; wrapped headers


def ranking_height(n_rows: int) -> int:
    """The grid's height before it is drawn (held by its lazy block, so nothing below it moves)."""
    return RANK_HEADER_PX + RANK_ROW_PX * n_rows if n_rows <= RANK_AUTO_HEIGHT_ROWS else RANK_SCROLL_PX


def ranking_card(view, choice: Choice, units: list[dict], ended: tuple[int, int] = (0, 0)):
    lang = view.lang
    controls = html.Div([
        html.Div([html.Label(t("level.pick", lang), htmlFor="sco-level", className="me-2"),
                  dbc.RadioItems(id="sco-level", value=choice.level, inline=True, className="d-inline-block",
                                 options=[{"label": t(f"level.{lv}", lang), "value": lv} for lv in choice.levels])],
                 className="me-4 mb-2"),
        html.Div([html.Label(t("month.pick", lang), htmlFor="sco-month", className="me-2"),
                  dcc.Dropdown(id="sco-month", value=choice.month or 0, clearable=False, searchable=False,
                               options=[{"label": t("month.all", lang), "value": 0}]
                               + [{"label": month_name(m, lang, short=False), "value": m} for m in range(1, 13)],
                               style={"minWidth": "150px"})],
                 className="d-flex align-items-center me-4 mb-2"),
        dbc.Button(t("dl.xlsx", lang), id="sco-dl-xlsx-btn", color="secondary", outline=True, size="sm",
                   className="mb-2 ms-auto"),
        dcc.Download(id="sco-dl-xlsx"),
    ], className="d-flex flex-wrap align-items-center")
    note = t("rank.note", lang) + (" " + t("rank.two_tier", lang) if choice.two_tier else "")
    body = [controls, bounds_switch(view, choice), html.P(note, className="text-muted small mb-2", id="sco-rank-note")]
    if ended[0]:
        body.append(html.P(t("rank.ended", lang, n=fmt_int(ended[0], lang), d=fmt_int(ended[1], lang)),
                           className="text-muted small mb-2", id="sco-rank-ended"))
    # Below the total and its chart on a phone: dash-ag-grid (~520 KB) loads when the grid nears the screen (components.lazy).
    body.append(LazyBlock(ranking_grid(units, view, choice), height=ranking_height(len(units))) if units
                else empty_state(t("rank.none", lang), id="sco-rank-none"))
    title = t("rank.title", lang, level=t(f"level.{choice.level}", lang).lower())
    return card(titled(title, "current", lang) if choice.current else title, body, id="sco-rank-card")


def bounds_switch(view, choice: Choice) -> html.Div:
    """The shared switch (ids ``sco-bounds-…``), and beside it what today's communes' figures hold,
    or that this level's ranking stays as it was. Another view of units: the selection goes."""
    lang = view.lang
    if choice.bounds != "current":
        note = None
    elif choice.current:
        # The district filter is the one as it was: a commune of today formed across two districts is in part.
        note = t("bounds.communes", lang) + (" " + t("bounds.district", lang) if view.district else "")
    else:
        note = t("bounds.as_was", lang, level=t(f"level.{choice.level}", lang).lower())
    return boundaries_switch(choice.bounds, lang, "sco-", explain=False, note=note,
                             href=lambda b: view.href("/scorecard", keep_extra=True, boundaries=b, unit=None, lost=None))


def download_frame(units: list[dict], lang: str) -> pd.DataFrame:
    rows = ranking_rows(units, lang)
    cols = {"rank": t("col.rank", lang), "code": "Mã" if lang == "vi" else "Code", "unit": t("col.unit", lang),
            "total": t("col.total", lang), "max": t("col.max", lang), "share": t("col.share", lang) + " (%)",
            **{g.key: f"{group_name(g.key, lang)} ({g.max_points})" for g in GROUPS}, "land": t("col.land", lang)}
    return pd.DataFrame(rows, columns=list(cols)).rename(columns=cols)


# ---------------------------------------------------------------- heat table

def heat_table(view, choice: Choice, units: list[dict]):
    lang = view.lang
    if not units:
        return None
    if len(units) > HEAT_MAX_UNITS:
        many = "heat.many.two_tier" if choice.two_tier or choice.current else "heat.many"
        body = empty_state(t(many, lang, n=fmt_int(len(units), lang)), id="sco-heat-many")
        return card(t("heat.title", lang), body, id="sco-heat-card")
    names = [plot_text(unit_name(u, lang)) for u in units][::-1]
    cols = [t(f"heat.{i.key}", lang) for i in INDICATORS]
    z, text = [], []
    for u in units[::-1]:
        rates = [u["groups"][i.group]["indicators"][i.key]["rate"] for i in INDICATORS]
        z.append([None if r is None else r * 100 for r in rates])
        text.append(["—" if r is None else fmt_pct(r, lang, 0) for r in rates])
    # Each rate in the ink that reads on its cell (WCAG AA; plotly's own choice fails on the mid reds).
    traces = inked_heatmap(dict(type="heatmap", z=z, x=cols, y=names, text=text, texttemplate="%{text}", colorscale=HEAT_SCALE,
                                zmin=0, zmax=100, xgap=2, ygap=2, hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
                                colorbar=dict(title=dict(text="%"), thickness=12)), empty_words=True)
    layout = base_layout(lang, max(260, 28 * len(units) + 150), margin=dict(l=10, r=10, t=40, b=10),
                         xaxis=dict(side="top", tickangle=0, automargin=True, tickfont=dict(size=12)),
                         yaxis=dict(automargin=True), plot_bgcolor="#f8f9fa")
    cells = sorted(((u["groups"][i.group]["indicators"][i.key]["rate"], unit_name(u, lang), t(f"heat.{i.key}", lang))
                    for u in units for i in INDICATORS if u["groups"][i.group]["indicators"][i.key]["rate"] is not None),
                   key=lambda c: c[0])[:3]
    alt = (t("alt.heat", lang, title=t("heat.title", lang), n=len(units), k=len(INDICATORS),
             cells=", ".join(f"{unit} · {ind} {fmt_pct(rate, lang, 0)}" for rate, unit, ind in cells))
           if cells else t("alt.heat.none", lang, title=t("heat.title", lang)))
    chart = ui_graph("sco-heat", {"data": traces, "layout": layout}, "service-index-heat", alt=alt, fit_height=True,
                     box="sco-scroll")
    return card(t("heat.title", lang), chart, id="sco-heat-card")


# ---------------------------------------------------------------- trend

def trend_chart(view, choice: Choice, data: dict):
    lang = view.lang
    traces, said = [], []
    for frame, name, dash_style, colour in ((data["prev_months"], str(view.year - 1), "dot", NEUTRAL_COLOR),
                                            (data["months"], str(view.year), "solid", "#1f6feb")):
        if frame.empty:
            continue
        frame = frame[frame["total"].notna()]
        x = [month_name(int(ym) % 100, lang) for ym in frame["ym"]]
        y = [round(tot / mx * 100, 1) for tot, mx in zip(frame["total"], frame["max_measured"])]
        if y:
            lo, hi = y.index(min(y)), y.index(max(y))
            full = [month_name(int(ym) % 100, lang, short=False) for ym in frame["ym"]]  # said, not abbreviated
            said.insert(0, t("alt.trend.year", lang, year=name, low=fmt_number(y[lo], lang, 1), low_month=full[lo],
                             high=fmt_number(y[hi], lang, 1), high_month=full[hi]))
        traces.append(dict(type="scatter", mode="lines+markers", x=x, y=y, name=name,
                           line=dict(dash=dash_style, color=colour, width=3), hovertemplate="%{x}: %{y:.1f}<extra></extra>"))
    layout = base_layout(lang, 320, yaxis=dict(title=dict(text=t("trend.y", lang)), rangemode="tozero"),
                         xaxis=dict(type="category", categoryorder="array",
                                    categoryarray=[month_name(m, lang) for m in range(1, 13)]))
    alt = t("alt.trend", lang, title=t("trend.title", lang), years="; ".join(said) or "—")
    return card(t("trend.title", lang), ui_graph("sco-trend", {"data": traces, "layout": layout}, "service-index-trend",
                                                 alt=alt, fit_height=True), id="sco-trend-card")


# ---------------------------------------------------------------- where the points are lost

def selected_unit(choice: Choice, units: list[dict], scope: dict, scope_name: str,
                  lang: str) -> tuple[dict, str, str | None]:
    """(result, name, code) of the unit the lost points are shown for: the chosen row, else the scope."""
    for u in units:
        if u["code"] == choice.unit:
            return u, unit_name(u, lang), u["code"]
    return scope, scope_name, None


def unit_filter(view, choice: Choice, code: str | None, engine):
    """The filter of the dossiers behind one unit's lost points (and the /late link's parameters).
    A commune of today: the communes that went wholly into it (a split one's part cannot be listed)."""
    f = view.filter(period=choice.period)
    if code is None:
        return f, {}
    if choice.current:
        whole, _ = qb.territory(engine, code)
        return f.with_(level="commune", territory=whole), {"boundaries": "current", "unit": code, "view": "list"}
    if choice.level == "district":
        return f.with_(level="district", district_code=code), {"level": "district", "district": code}
    if choice.level == "commune":
        return f.with_(level="commune", commune_code=code), {"level": "commune", "commune": code}
    return f.with_(level="province"), {"level": "province"}


def lost_card(view, choice: Choice, unit: dict, name: str, code: str | None, engine):
    from data.service_index import points_lost

    lang = view.lang
    _, late_params = unit_filter(view, choice, code, engine)
    period_params = ({"from": f"{view.year}-{choice.month:02d}", "to": f"{view.year}-{choice.month:02d}"}
                     if choice.month else {})
    rows = []
    for r in points_lost(unit):
        if r["lost"] <= 1e-9:
            continue
        if r["kind"] == "procedures":
            what = t("lost.procedures", lang, n=fmt_int(r["dossiers"], lang))
            link = None
        else:
            what = f"{fmt_int(r['dossiers'], lang)} {t('kind.' + r['kind'], lang)}"
            if r["kind"] == "late":
                href = view.href("/late", **late_params, **period_params)
                link = dcc.Link(t("lost.late", lang), href=href, id="sco-lost-late", className="sco-lost-link")
            else:
                href = view.href("/scorecard", keep_extra=True, lost=r["indicator"], unit=code)
                link = dcc.Link(t("lost.list", lang), href=href, id={"type": "sco-lost-link", "key": r["indicator"]},
                                className="sco-lost-link")
        rows.append(html.Tr([html.Td(indicator_name(r["indicator"], lang)),
                             html.Td(fmt_number(r["lost"], lang, 1), className="text-end"),
                             html.Td(fmt_pct(r["rate"], lang, 1), className="text-end"),
                             html.Td([what, " "] + ([link] if link is not None else []))]))
    if not rows:
        body = [empty_state(t("lost.none", lang))]
    else:
        head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("lost.col.indicator", "lost.col.points",
                                                                 "lost.col.rate", "lost.col.dossiers")]))
        body = [dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, responsive=True, className="mb-2",
                          id="sco-lost-table")]
    if code is None:
        body.append(html.P(t("lost.pick", lang), className="text-muted small"))
    n = unit["land_late"]
    gain = fmt_number(unit["land_gain"], lang, 1)
    # The whole area is a heading's 'Toàn địa bàn' (or 'Toàn tỉnh'): inside a sentence it is lower case.
    in_text = name[:1].lower() + name[1:] if code is None and not view.district else name
    text = (t("whatif", lang, n=fmt_int(n, lang), unit=in_text, points=gain) if n
            else t("whatif.none", lang, unit=in_text))
    body.append(dbc.Alert(text[:1].upper() + text[1:], color="info", id="sco-whatif", className="mb-0"))
    return card(t("lost.title", lang, unit=name), body, id="sco-lost-card")


def lost_list(view, choice: Choice, engine, name: str, code: str | None):
    lang = view.lang
    if not choice.lost or choice.lost in ("full_online_procedures", "progress"):
        return None
    f, _ = unit_filter(view, choice, code, engine)
    agency = code if (choice.level == "department" and code) else None
    n, df = q.lost_dossiers(engine, f, choice.lost, agency_code=agency)
    kind = t("kind." + INDICATOR_BY_KEY[choice.lost].lost, lang)
    rows = []
    for r in df.to_dict("records"):
        rows.append({"code": r["code"], "procedure": r["procedure"] if lang == "vi" else (r["procedure_en"] or r["procedure"]),
                     "agency": r["agency"] if lang == "vi" else (r["agency_en"] or r["agency"]), "received": _date(r["received_on"]), "deadline": _date(r["deadline_on"]),
                     "finished": _date(r["finished_on"]),
                     "rating": t("rating." + r["rating"], lang) if isinstance(r["rating"], str) else ""})
    defs = [{"field": k, "headerName": t(f"list.col.{k}", lang), "sortable": True, "resizable": True,
             "flex": 2 if k in ("procedure", "agency") else 1, "minWidth": 110}
            for k in ("code", "procedure", "agency", "received", "deadline", "finished", "rating")]
    close = dcc.Link(t("list.close", lang), href=view.href("/scorecard", keep_extra=True, lost=None),
                     className="btn btn-outline-secondary btn-sm mb-2", id="sco-list-close")
    body = [close]
    if len(rows) < n:
        body.append(html.P(t("list.more", lang, shown=fmt_int(len(rows), lang)), className="text-muted small"))
    body.append(dag.AgGrid(id="sco-list", rowData=rows, columnDefs=defs, className="ag-theme-alpine",
                           dashGridOptions={"suppressCellFocus": True}, style={"height": "420px", "width": "100%"}))
    return card(t("list.title", lang, kind=kind[:1].upper() + kind[1:], unit=name, n=fmt_int(n, lang)), body,
                id="sco-list-card")


def _date(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    d = pd.Timestamp(v)
    return d.strftime("%d/%m/%Y")


# ---------------------------------------------------------------- how it is computed

def how_panel(lang: str):
    rows = []
    for ind in INDICATORS:
        g = GROUP_BY_KEY[ind.group]
        what = t("how.progress", lang) if ind.key == "progress" else indicator_name(ind.key, lang)
        rows.append(html.Tr([html.Td(f"{group_name(g.key, lang)} ({g.max_points})"), html.Td(what),
                             html.Td(fmt_number(ind.max_points, lang, 0), className="text-end")]))
    table = dbc.Table([html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("how.col.group", "how.col.indicator",
                                                                         "how.col.points")])), html.Tbody(rows)],
                      size="sm", bordered=True, responsive=True, className="mt-2 mb-0")
    item = dbc.AccordionItem([html.P(t("how.body", lang)), table], title=t("how.title", lang), item_id="how")
    return dbc.Accordion([item], start_collapsed=True, id="sco-how", className="mb-3")


# ---------------------------------------------------------------- the page

def build(view, kwargs: dict, engine):
    lang = view.lang
    if not view.has_data:
        return html.Div([page_header(t("title", lang), notes=view.notes), empty_state(t("no_data", lang))])
    choice = Choice(view, kwargs, engine)
    data = page_data(view, choice, engine)
    scope_name = view.district_name or whole_area(view.year, lang).capitalize()  # the city's part after June 2025
    title = f"{t('title', lang)} — {scope_name}, {choice.period_text(view)}"
    if choice.unit is None and choice.level == "district" and view.district is not None:
        choice.unit = view.district  # the district picked in the filter bar is the unit looked at
    unit, name, code = selected_unit(choice, data["units"], data["scope"], scope_name, lang)
    children = [
        page_header(title, subtitle=t("subtitle.city" if is_two_tier(engine, view.year) else "subtitle", lang),
                    notes=view.notes, id_prefix="sco-"),
        structure_note(engine, view.year, lang, id="sco-structure"),
        headline(view, choice, data, scope_name),
        ranking_card(view, choice, data["units"], data["ended"]),
        lost_card(view, choice, unit, name, code, engine),
    ]
    listed = lost_list(view, choice, engine, name, code)
    if listed is not None:
        children.append(listed)
    heat = heat_table(view, choice, data["units"])
    if heat is not None:
        children.append(heat)
    children += [trend_chart(view, choice, data), how_panel(lang)]
    return html.Div(children, className="sco-page")
