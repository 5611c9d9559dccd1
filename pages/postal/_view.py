"""The postal-substitution page's content (pages/postal.py registers it): who has handed the
one-stop desk to the post office, and does it work.

Headline per level (with last year beside it), the 18 district-level units as a ranked
chart and a schematic tile map, a sortable and downloadable district table, the drill
into one district (the URL's ``district``: its communes, and those with nothing moved),
and coverage over time. Clicking a tile or a bar writes the district into the URL.

Figures are plain dicts laid out by theme.base_layout: plotly's object validation cost more
than the SQL (about half a second a chart on the shared server), and a tile click re-renders the page.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components import chart_text as ct
from components.boundaries import boundaries, boundaries_switch, titled
from components.formatting import fmt_int, fmt_pct, ym_label
from components.i18n import level_label, make_translator
from components.kpi import whole_area
from components.lazy import LazyBlock
from components.params import build_search, parse_search, resolve_view
from components.structure import had_districts, is_two_tier, structure_note
from components.theme import LEVEL_COLORS, LEVEL_DASHES, NEUTRAL_COLOR, base_layout, percent_ticks, plot_text
from components.ui import card, empty_state, page_header
from components.ui import graph as ui_graph
from data.db import get_engine
from data.filters import Period
from data.periods import levels_in_period
from data.queries import postal as q
from data.queries import postal_current as qc
from data.schema import LEVELS
from pages.postal._tilemap import coverage_bin, coverage_legend, tile_label, tile_map

STRINGS = {
    "title": ("Bưu chính công ích tiếp nhận hồ sơ thay công chức", "Postal staff at the one-stop desks"),
    "subtitle": ("Nhân viên bưu điện tiếp nhận hồ sơ tại bộ phận một cửa thay thế hoặc hỗ trợ công chức (Quyết định 2114). "
                 "Bấm vào một huyện trên bản đồ hoặc biểu đồ để xem các xã.",
                 "Post-office staff receive dossiers at one-stop desks in place of, or alongside, civil servants (Decision 2114). "
                 "Click a district on the map or the chart to see its communes."),
    # No district level all year (2026): no map or chart of districts to click.
    "subtitle.two_tier": ("Nhân viên bưu điện tiếp nhận hồ sơ tại bộ phận một cửa thay thế hoặc hỗ trợ công chức (Quyết định 2114).",
                          "Post-office staff receive dossiers at one-stop desks in place of, or alongside, civil servants "
                          "(Decision 2114)."),
    "none.any": ("Chưa ghi nhận việc thay thế bằng bưu chính công ích.", "No postal substitution recorded."),
    "none.year": ("Chưa ghi nhận việc thay thế bằng bưu chính công ích năm {year}.", "No postal substitution recorded for {year}."),
    "none.year.other": ("Có số liệu các năm: {years}.", "Records exist for: {years}."),
    "none.level": ("Chưa ghi nhận thay thế bằng bưu chính ở cấp này năm {year}.", "No postal substitution recorded at this level in {year}."),
    "none.district": ("Chưa ghi nhận việc thay thế bằng bưu chính công ích tại {name} năm {year}.",
                      "No postal substitution recorded at {name} in {year}."),
    "bad.title": ("Số liệu cần kiểm tra", "Data problem"),
    "bad.item": ("{name} ({year}): báo cáo {moved} thủ tục đã chuyển, lớn hơn tổng số {total} thủ tục.",
                 "{name} ({year}): reports {moved} procedures moved, more than its {total} procedures in total."),
    "bad.tail": ("Tỷ lệ được hiển thị đúng như báo cáo (trên 100 %), không được làm tròn xuống; đơn vị không được tính là đạt 100 %.",
                 "Shares are shown as reported (above 100%), not capped; the unit is not counted as at 100%."),
    "sector.note": ("Số liệu triển khai (nhân viên, thủ tục) không tách theo lĩnh vực; chỉ các tỷ lệ hồ sơ theo lĩnh vực đã chọn.",
                    "Deployment figures (staff, procedures) are not kept per sector; only the dossier shares follow the chosen sector."),
    "stat.staff": ("Nhân viên bưu điện", "Postal staff"),
    "stat.cs.province": ("Công chức được thay thế", "Civil servants replaced"),
    "stat.cs.district": ("Công chức được hỗ trợ", "Civil servants supported"),
    "stat.cs.commune": ("Công chức được thay thế / hỗ trợ", "Civil servants replaced or supported"),
    "stat.moved": ("Thủ tục đã chuyển / tổng số", "Procedures moved / total"),
    "stat.full": ("Đơn vị chuyển 100 % thủ tục", "Units with 100% moved"),
    "stat.with_staff": ("Đơn vị có nhân viên bưu điện", "Units with postal staff"),
    "stat.with_staff.commune": ("Xã có nhân viên bưu điện", "Communes with postal staff"),
    "prev": ("năm {year}: {value}", "{year}: {value}"),
    "rank.title": ("Tỷ lệ thủ tục đã chuyển cho bưu chính, cấp huyện, {year}", "Share of procedures moved to postal staff, district level, {year}"),
    "rank.x": ("Tỷ lệ thủ tục đã chuyển", "Share of procedures moved"),
    "rank.norecord": ("chưa ghi nhận", "not recorded"),
    "hover.moved": ("Thủ tục đã chuyển", "Procedures moved"),
    "hover.staff": ("Nhân viên bưu điện", "Postal staff"),
    "hover.click": ("Bấm để xem các xã", "Click to see its communes"),
    "rank.laggards": ("Chưa chuyển hết: {n} / {total} đơn vị; thấp nhất {names}.", "Not all moved: {n} of {total} units; lowest {names}."),
    "rank.all_full": ("Cả {total} đơn vị đã chuyển 100 % thủ tục.", "All {total} units have moved 100% of their procedures."),
    "map.title": ("Bản đồ ô: tỷ lệ thủ tục đã chuyển", "Tile map: share of procedures moved"),
    "map.note": ("Mỗi ô một đơn vị cấp huyện, xếp theo vị trí tương đối: miền núi phía tây, ven biển phía đông.",
                 "One equal tile per district-level unit, in rough position: mountains in the west, the coast in the east."),
    "table.title": ("Các đơn vị cấp huyện, {year}", "District-level units, {year}"),
    "table.note.two_tier": ("Xã có / chưa có NV bưu điện: “—”, vì số liệu năm {year} được ghi cho các xã, phường mới (từ 01/07/2025), "
                            "không thuộc huyện nào; xem bảng các xã, phường ở trên.",
                            "Communes with / without postal staff: “—”, since {year}'s records are the new communes' (from "
                            "1 July 2025), which belong to no district; see the communes' table above."),
    "col.unit": ("Đơn vị", "Unit"),
    "col.staff": ("NV bưu điện", "Postal staff"),
    "col.cs": ("Công chức được hỗ trợ", "Civil servants supported"),
    "col.moved": ("Thủ tục đã chuyển", "Procedures moved"),
    "col.total": ("Tổng số thủ tục", "Procedures in total"),
    "col.share": ("Tỷ lệ đã chuyển", "Share moved"),
    "col.communes_with": ("Xã có NV bưu điện", "Communes with postal staff"),
    "col.communes_without": ("Xã chưa có", "Communes without"),
    "col.postal_share": ("Hồ sơ do NV bưu điện tiếp nhận", "Dossiers received by postal staff"),
    "col.on_time_postal": ("Đúng hạn: NV bưu điện", "On time: postal staff"),
    "col.on_time_civil": ("Đúng hạn: công chức", "On time: civil servants"),
    "col.status": ("Ghi chú", "Note"),
    "status.full": ("100 %", "100%"),
    "status.none": ("chưa ghi nhận", "not recorded"),
    "status.bad": ("⚠ đã chuyển > tổng số", "⚠ moved > total"),
    "table.note": ("Hồ sơ: hồ sơ cấp huyện tiếp nhận trong năm tại bộ phận một cửa của đơn vị (theo dữ liệu hồ sơ, không theo báo cáo). "
                   "Đúng hạn: hồ sơ đã giải quyết trong năm; “công chức” gồm mọi hồ sơ không do nhân viên bưu điện tiếp nhận (kể cả trực tuyến). "
                   "Bấm tiêu đề cột để sắp xếp.",
                   "Dossiers: district-level dossiers received in the year at the unit's one-stop desk (from the dossier records, not the reports). "
                   "On time: dossiers finished in the year; “civil servants” means every dossier not received by postal staff (online included). "
                   "Click a column header to sort."),
    "drill.title": ("{name}: các xã, phường, thị trấn, {year}", "{name}: communes, {year}"),
    # From July 2025 there are no townships (thị trấn): communes and wards.
    "drill.title.two_tier": ("{name}: các xã, phường, {year}", "{name}: communes and wards, {year}"),
    "drill.back": ("← {area}", "← {area}"),
    "drill.summary": ("{staff} nhân viên bưu điện hỗ trợ {cs} công chức; đã chuyển {moved} / {total} thủ tục ({share}); "
                      "{dossiers} hồ sơ cấp huyện do nhân viên bưu điện tiếp nhận.",
                      "{staff} postal staff support {cs} civil servants; {moved} of {total} procedures moved ({share}); "
                      "{dossiers} of district-level dossiers received by postal staff."),
    "drill.col.commune": ("Xã, phường, thị trấn", "Commune"),
    "drill.col.commune.two_tier": ("Xã, phường", "Commune or ward"),
    "drill.col.dossiers": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "drill.col.share": ("Do NV bưu điện tiếp nhận", "Received by postal staff"),
    "drill.nothing": ("Chưa chuyển thủ tục nào cho bưu chính: {n} / {total} xã", "Nothing moved to postal staff: {n} of {total} communes"),
    "drill.all_moved": ("Mọi xã của {name} đều đã chuyển thủ tục cho bưu chính.", "Every commune of {name} has moved procedures to postal staff."),
    "drill.no_communes": ("Không có xã nào trong dữ liệu đơn vị.", "No communes in the unit list."),
    "time.title": ("Quá trình triển khai, {area}", "Coverage over time, {area}"),
    "time.staff": ("Nhân viên bưu điện theo cấp", "Postal staff by level"),
    "time.full": ("Đơn vị cấp huyện chuyển 100 % thủ tục", "District-level units with 100% moved"),
    "time.full.two_tier": ("Đơn vị chuyển 100 % thủ tục: cấp huyện, từ 01/07/2025 cấp xã",
                           "Units with 100% moved: district level, from 1 July 2025 communes"),
    "time.share": ("Tỷ lệ hồ sơ do nhân viên bưu điện tiếp nhận, theo tháng", "Share of dossiers received by postal staff, by month"),
    "time.share.note.current": ("Theo địa giới hiện nay, hồ sơ cấp huyện đến 30/06/2025 được tính cho thành phố, nên tỷ lệ của "
                                "thành phố giảm từ tháng 7/2025, khi các xã nhận việc của cấp huyện: đó là thay đổi cơ cấu, "
                                "không phải của bưu điện.",
                                "On today's boundaries the district-level desks' dossiers until 30 June 2025 count for the city, "
                                "so the city's share falls from July 2025, when the communes took over the district level's work: "
                                "a change of structure, not of the postal service."),
    "time.share.note": ("Hồ sơ nộp trực tuyến không qua quầy một cửa, nên tỷ lệ này giảm khi tỷ lệ trực tuyến tăng.",
                        "Online dossiers never reach the desk, so this share falls as the online share rises."),
    "time.units": ("đơn vị", "units"),
    "time.share_units": ("Tỷ lệ đơn vị", "Share of units"),
    "time.year": ("Năm", "Year"),
    "dl.title": ("Bưu chính công ích thay thế công chức: các đơn vị cấp huyện", "Postal substitution: district-level units"),
    "dl.year": ("Năm", "Year"),
    "dl.sector": ("Lĩnh vực (chỉ tỷ lệ hồ sơ)", "Sector (dossier shares only)"),
    # Charts' text alternatives (components.chart_text): what a screen reader says for each chart.
    "alt.rank": ("{laggards} {full}/{total} đơn vị đã chuyển 100 % thủ tục.", "{laggards} {full} of {total} units have moved 100% of procedures."),
    "alt.staff": ("{title}: {years}.", "{title}: {years}."),
    "alt.staff.year": ("năm {year}: {levels}", "{year}: {levels}"),
    "alt.full": ("{title}: {years}.", "{title}: {years}."),
    "alt.full.year": ("năm {year}: {n}/{total}", "{year}: {n} of {total}"),
    "alt.full.level": ("{level}: {years}", "{level}: {years}"),
    "alt.share": ("{title}: {levels}.", "{title}: {levels}."),
    # On today's boundaries (components.boundaries): what can follow the successor records, and what cannot.
    "bounds.note": ("Số nhân viên bưu điện, công chức được thay thế và thủ tục đã chuyển được ghi theo từng huyện, không có tỷ lệ "
                    "để chia cho các xã hiện nay, nên luôn theo địa giới khi đó.",
                    "Postal staff, civil servants replaced and procedures moved were recorded per district, with no share to "
                    "split them onto today's communes by: they stay as it was."),
    "current.title": ("Tỷ lệ hồ sơ do nhân viên bưu điện tiếp nhận, theo xã, {year}",
                      "Share of dossiers received by postal staff, by commune, {year}"),
    "current.lead": ("{zero} xã, phường chưa có hồ sơ nào do nhân viên bưu điện tiếp nhận; biểu đồ: {k} xã có tỷ lệ thấp nhất trong {n} xã còn lại.",
                     "{zero} communes had no dossier received by postal staff; the chart: the {k} lowest of the other {n}."),
    "current.lead.all": ("{zero} xã, phường chưa có hồ sơ nào do nhân viên bưu điện tiếp nhận; biểu đồ: {n} xã còn lại, thấp nhất trước.",
                         "{zero} communes had no dossier received by postal staff; the chart: the other {n}, lowest first."),
    "current.none": ("Chưa có: {names}.", "None yet: {names}."),
    "current.hover": ("{name}<br>Tiếp nhận: {received}<br>Do NV bưu điện: {postal} ({share})",
                      "{name}<br>Received: {received}<br>By postal staff: {postal} ({share})"),
    "current.x": ("Tỷ lệ hồ sơ do nhân viên bưu điện tiếp nhận", "Share received by postal staff"),
    "alt.current": ("{lead} Thấp nhất: {names}.", "{lead} Lowest: {names}."),
}
t = make_translator(STRINGS)

LEVEL_ORDER = {lv: i for i, lv in enumerate(LEVELS)}
BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0)


def _share_top(monthly) -> float:
    """The highest monthly postal share (the axis's top; 0.05 when there is none)."""
    shares = [float(v) for v in monthly["postal_share"] if not _nan(v)]
    return max(shares + [0.05]) * 1.05


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def graph(id, fig, filename: str, alt: str):
    """The page's charts sit in flex columns: as tall as their figures (components.ui.graph)."""
    return ui_graph(id, fig, filename, alt=alt, fit_height=True)


def pct(x, lang: str) -> str:
    """A share for the headline: whole percentages without decimals ("100 %"), others with one."""
    if _nan(x):
        return fmt_pct(None, lang)
    whole = abs(x * 100 - round(x * 100)) < 1e-9
    return fmt_pct(x, lang, 0 if whole else 1)


def vn_key(name: str) -> str:
    """Vietnamese alphabetical order (Đ after D, not after Z) for sorting names."""
    base = str(name).replace("Đ", "D\uffff").replace("đ", "d\uffff")
    return "".join(ch for ch in unicodedata.normalize("NFD", base) if not unicodedata.combining(ch)).lower()


def _int(x):
    return None if _nan(x) else int(x)


# ---------------------------------------------------------------- data for the page

def page_data(view, engine) -> dict:
    """Everything the layout needs, from the data layer (cached)."""
    f_all = view.filter(district_code=None)  # the overview shows every unit in scope
    # Every year's records, each on its own units (a 2026 page still shows 2022's coverage over time).
    years = q.deployment_years(engine, f_all.with_(period=Period(200001, 209912)))
    year = view.year
    data = {"years": years, "year": year,
            # The levels of the year (two from July 2025) and whether it ends without districts.
            "year_levels": levels_in_period(engine, dt.date(year, 1, 1), dt.date(year, 12, 31)),
            "two_tier": is_two_tier(engine, year)}
    shown_years = tuple(sorted({year - 1, year} | set(years)))
    data["levels"] = q.level_coverage(engine, f_all, shown_years)
    data["districts"] = q.district_coverage(engine, f_all)
    if view.district:
        data["communes"] = q.commune_coverage(engine, view.filter(), view.district)
    elif data["two_tier"]:  # no district level: every commune, as the year ended
        data["communes"] = q.commune_coverage(engine, view.filter(), None)
    if years:
        ref_years = q.level_coverage(engine, f_all.with_(period=Period(years[0] * 100 + 1, years[-1] * 100 + 12)),
                                     tuple(years))
        data["over_time"] = ref_years
        first, last = years[0], max(years[-1], year)
        # The units at 100 %: district-level units while they existed, the communes for a year that ends on two tiers.
        data["two_tier_years"] = {y for y in years if is_two_tier(engine, y)}
        monthly = qc.monthly_postal_share_current if boundaries(view.extra) == "current" else q.monthly_postal_share
        data["monthly"] = monthly(engine, f_all.with_(period=Period(first * 100 + 1, last * 100 + 12)))
    return data


# ---------------------------------------------------------------- headline

def _stat(label, value, prev=None, id=None):
    right = [html.Span(value, className="post-stat-value", **({"id": id} if id else {}))]
    if prev is not None:
        right.append(html.Span(prev, className="post-stat-prev"))
    return html.Div([html.Div(label, className="post-stat-label"), html.Div(right)], className="post-stat")


def level_card(level: str, cur: pd.Series, prev: pd.Series | None, year: int, lang: str) -> dbc.Col:
    title = level_label(level, lang)
    if cur is None or cur["records"] == 0:
        body = empty_state(t("none.level", lang, year=year))
    else:
        py = year - 1

        def pv(fmt):
            return t("prev", lang, year=py, value=fmt(prev) if prev is not None and prev["records"] > 0 else "—")

        def of_units(n, r):
            # A count of units read against its own year's total (241 communes in 2024, 78 from July 2025).
            return f"{fmt_int(n, lang)} / {fmt_int(r['units'], lang)}"

        moved = f"{fmt_int(cur['procedures_moved'], lang)} / {fmt_int(cur['procedures_total'], lang)}"
        staff_label = t("stat.with_staff.commune" if level == "commune" else "stat.with_staff", lang)
        body = [
            _stat(t("stat.staff", lang), fmt_int(cur["postal_staff"], lang), pv(lambda r: fmt_int(r["postal_staff"], lang)),
                  id=f"post-{level}-staff"),
            _stat(t(f"stat.cs.{level}", lang), fmt_int(cur["civil_servants"], lang),
                  pv(lambda r: fmt_int(r["civil_servants"], lang)), id=f"post-{level}-cs"),
            _stat(t("stat.moved", lang), [moved, html.Span(f" ({pct(cur['moved_share'], lang)})", id=f"post-{level}-share")]
                  + ([html.Span(" ⚠", title=t("bad.title", lang), className="text-danger", id=f"post-{level}-bad")]
                     if cur["bad_records"] else []),
                  pv(lambda r: f"{fmt_int(r['procedures_moved'], lang)} / {fmt_int(r['procedures_total'], lang)}"),
                  id=f"post-{level}-moved"),
            _stat(t("stat.full", lang), of_units(cur["units_full"], cur),
                  pv(lambda r: of_units(r["units_full"], r)), id=f"post-{level}-full"),
            _stat(staff_label, of_units(cur["units_with_staff"], cur),
                  pv(lambda r: of_units(r["units_with_staff"], r)), id=f"post-{level}-units"),
        ]
    return dbc.Col(dbc.Card([dbc.CardHeader(html.H2(title, className="card-title-text")), dbc.CardBody(body)],
                            className="mb-3 shadow-sm post-level-card h-100",
                            style={"--level-color": LEVEL_COLORS[level]}, id=f"post-card-{level}"),
                   xs=12, md=4, className="mb-3")


def headline(levels: pd.DataFrame, year: int, lang: str, year_levels=LEVELS) -> dbc.Row:
    cols = []
    for level in year_levels:
        cur = levels[(levels["year"] == year) & (levels["level"] == level)]
        if cur.empty:
            continue  # out of the access scope (the province level for a district user)
        prev = levels[(levels["year"] == year - 1) & (levels["level"] == level)]
        cols.append(level_card(level, cur.iloc[0], prev.iloc[0] if not prev.empty else None, year, lang))
    return dbc.Row(cols, className="g-3", id="post-headline")


# ---------------------------------------------------------------- district view

def _hover(r, lang) -> str:
    if not r["has_record"]:
        return f"{r['short_name']}: {t('rank.norecord', lang)}"
    return (f"{r['short_name']}\n{t('hover.moved', lang)}: {fmt_int(r['procedures_moved'], lang)} / "
            f"{fmt_int(r['procedures_total'], lang)} ({fmt_pct(r['moved_share'], lang)})\n"
            f"{t('hover.staff', lang)}: {fmt_int(r['postal_staff'], lang)}\n{t('hover.click', lang)}")


def ranked_chart(df: pd.DataFrame, view) -> dict:
    lang = view.lang
    # Sorted by the names as written; drawn with them escaped (theme.plot_text).
    keyed = df.assign(_k=df["short_name"].map(vn_key), short_name=df["short_name"].map(plot_text))
    rec = keyed[keyed["has_record"]].sort_values(["moved_share", "_k"], ascending=[True, False])
    missing = keyed[~keyed["has_record"]].sort_values("_k", ascending=False)
    # Bottom to top: units without a record, then rising share; 100 % on top.
    order = list(missing["short_name"]) + list(rec["short_name"])
    colours, texts, lines, hovers = [], [], [], []
    for r in rec.to_dict("records"):
        colours.append(coverage_bin(r["moved_share"], True, r["bad_record"])[1])
        texts.append(tile_label(r["moved_share"], True, r["bad_record"], lang))
        lines.append(3 if r["code"] == view.district else 0.5)
        hovers.append(_hover(r, lang).replace("\n", "<br>"))
    bar = dict(type="bar", x=[float(v) for v in rec["moved_share"]], y=list(rec["short_name"]), orientation="h",
               marker=dict(color=colours, line=dict(color="#212529", width=lines)), text=texts, textposition="outside",
               cliponaxis=False, customdata=list(rec["code"]), hovertext=hovers, hoverinfo="text",
               textfont=dict(size=15), name="")
    top = max(1.0, float(rec["moved_share"].max()) if not rec.empty else 1.0)
    layout = base_layout(
        lang, max(320, 30 * len(order) + 90),
        showlegend=False, bargap=0.25, margin=dict(l=10, r=20, t=20, b=10), clickmode="event",
        annotations=[dict(x=0, y=name, text=t("rank.norecord", lang), showarrow=False, xanchor="left",
                          font=dict(color=NEUTRAL_COLOR, size=14)) for name in missing["short_name"]],
        shapes=[dict(type="line", x0=1, x1=1, xref="x", y0=0, y1=1, yref="paper",
                     line=dict(color="#212529", width=1, dash="dot"))],
        xaxis=dict(range=[0, top * 1.16], **percent_ticks(lang, 0, top * 1.16), title=dict(text=t("rank.x", lang)), fixedrange=True),
        yaxis=dict(categoryorder="array", categoryarray=order, range=[-0.6, len(order) - 0.4], fixedrange=True),
    )
    return {"data": [bar], "layout": layout}


def laggards_sentence(df: pd.DataFrame, lang: str) -> str:
    """One sentence a leader can read out: how many units are short of 100 %, and the lowest three."""
    rec = df[df["has_record"] & ~df["bad_record"]]
    short = rec[~rec["is_full"]].sort_values("moved_share")
    if short.empty:
        return t("rank.all_full", lang, total=fmt_int(len(rec), lang))
    names = ", ".join(f"{r['short_name']} ({fmt_pct(r['moved_share'], lang, 0)})" for r in short.head(3).to_dict("records"))
    return t("rank.laggards", lang, n=fmt_int(len(short), lang), total=fmt_int(len(df), lang), names=names)


def district_map(df: pd.DataFrame, view):
    rows = [dict(code=r["code"], short_name=r["short_name"], tile_row=r["tile_row"], tile_col=r["tile_col"],
                 share=None if _nan(r["moved_share"]) else float(r["moved_share"]), has_record=bool(r["has_record"]),
                 bad=bool(r["bad_record"])) for _, r in df.iterrows()]
    hover = {r["code"]: _hover(r, view.lang) for _, r in df.iterrows()}
    return html.Div([
        tile_map(rows, view.lang, selected=view.district, id_type="post-tile", hover=hover),
        coverage_legend(view.lang),
        html.P(t("map.note", view.lang), className="compass-note"),
    ], id="post-map")


def table_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The district table with numbers as numbers (for sorting and downloads)."""
    out = pd.DataFrame({
        "code": df["code"],
        "unit": df["short_name"],
        "postal_staff": df["postal_staff"].map(_int),
        "civil_servants": df["civil_servants"].map(_int),
        "procedures_moved": df["procedures_moved"].map(_int),
        "procedures_total": df["procedures_total"].map(_int),
        "moved_share": df["moved_share"],
        "communes_with": df["communes_with_staff"],
        "communes_without": df["communes_without_staff"],
        "postal_share": df["postal_share"],
        "on_time_postal": df["on_time_postal"],
        "on_time_civil": df["on_time_civil"],
    })
    out["status"] = [t("status.bad", lang) if b else t("status.none", lang) if not h else t("status.full", lang) if f else ""
                     for b, h, f in zip(df["bad_record"], df["has_record"], df["is_full"])]
    out["_k"] = out["unit"].map(vn_key)
    out = out.sort_values(["moved_share", "_k"], ascending=[False, True], na_position="last")
    return out.drop(columns="_k").reset_index(drop=True)


PCT_COLS = ("moved_share", "postal_share", "on_time_postal", "on_time_civil")
# AG Grid's alpine row height and its lowest header: the grid's place held until it is drawn (never more than it takes)
GRID_ROW_PX, GRID_HEADER_MIN_PX = 42, 48
INT_COLS = ("postal_staff", "civil_servants", "procedures_moved", "procedures_total", "communes_with", "communes_without")
TABLE_COLS = [("unit", "col.unit"), ("postal_staff", "col.staff"), ("civil_servants", "col.cs"),
              ("procedures_moved", "col.moved"), ("procedures_total", "col.total"), ("moved_share", "col.share"),
              ("communes_with", "col.communes_with"), ("communes_without", "col.communes_without"),
              ("postal_share", "col.postal_share"), ("on_time_postal", "col.on_time_postal"),
              ("on_time_civil", "col.on_time_civil"), ("status", "col.status")]


def district_grid(frame: pd.DataFrame, lang: str) -> dag.AgGrid:
    rows = []
    for r in frame.to_dict("records"):
        row = {k: (None if _nan(v) else v) for k, v in r.items()}
        for c in PCT_COLS:
            row[f"{c}_fmt"] = fmt_pct(r[c], lang)
        for c in INT_COLS:
            row[f"{c}_fmt"] = fmt_int(r[c], lang)
        rows.append(row)
    defs = []
    for field, key in TABLE_COLS:
        d = {"field": field, "headerName": t(key, lang), "sortable": True, "wrapHeaderText": True, "autoHeaderHeight": True}
        if field == "unit":
            d.update(pinned="left", minWidth=120, flex=1.4)
        elif field == "status":
            d.update(minWidth=140, flex=1.3)
        else:
            d.update(type="rightAligned", minWidth=95, flex=1,
                     valueFormatter={"function": f"params.data ? params.data.{field}_fmt : ''"})
        if field == "moved_share":
            d["cellClassRules"] = {"post-cell-full": "params.value >= 1 && params.value <= 1",
                                   "post-cell-bad": "params.value > 1"}
        defs.append(d)
    return dag.AgGrid(
        id="post-table", rowData=rows, columnDefs=defs, getRowId="params.data.code",
        defaultColDef={"resizable": True, "suppressMovable": True},
        dashGridOptions={"domLayout": "autoHeight", "suppressCellFocus": True},
        className="ag-theme-alpine", style={"width": "100%"},
    )


# ---------------------------------------------------------------- drill

def drill_section(view, districts: pd.DataFrame, communes: pd.DataFrame, two_tier: bool = False,
                  district_level: bool = True) -> dbc.Card:
    """``two_tier``: the communes are those of a year that ended on two tiers (no townships any more);
    ``district_level``: the year had a district level (2026 has none: no district record to miss)."""
    suffix = ".two_tier" if two_tier else ""
    lang = view.lang
    row = districts[districts["code"] == view.district]
    name = view.district_name or whole_area(view.year, lang).capitalize()
    back = dcc.Link(t("drill.back", lang, area=whole_area(view.year, lang).capitalize()), href=view.href("/postal", district=None), id="post-drill-back",
                    className="btn btn-outline-secondary btn-sm mb-2")
    parts = [back] if view.district else []
    if not view.district or not district_level:
        pass  # every commune of the city's area, or a former district's in 2026: no district record to sum up
    elif row.empty or not bool(row.iloc[0]["has_record"]):
        parts.append(dbc.Alert(t("none.district", lang, name=name, year=view.year), color="secondary", id="post-drill-none"))
    else:
        r = row.iloc[0]
        parts.append(html.P(t("drill.summary", lang, staff=fmt_int(r["postal_staff"], lang), cs=fmt_int(r["civil_servants"], lang),
                              moved=fmt_int(r["procedures_moved"], lang), total=fmt_int(r["procedures_total"], lang),
                              share=pct(r["moved_share"], lang), dossiers=fmt_pct(r["postal_share"], lang)),
                            className="post-drill-summary", id="post-drill-summary"))
        if bool(r["bad_record"]):
            parts.append(dbc.Alert(t("bad.item", lang, name=name, year=view.year, moved=fmt_int(r["procedures_moved"], lang),
                                     total=fmt_int(r["procedures_total"], lang)), color="danger", className="py-2"))
    if communes.empty:
        parts.append(empty_state(t("drill.no_communes", lang)))
        return card(t("drill.title" + suffix, lang, name=name, year=view.year), parts + [html.Span(id="post-scroll-done")], id="post-drill")
    c = communes.copy()
    c["_order"] = c["has_record"].map({True: 0, False: 1})
    c["_k"] = c["short_name"].map(vn_key)
    c = c.sort_values(["_order", "moved_share", "_k"], ascending=[True, False, True])
    head = html.Thead(html.Tr([html.Th(t("drill.col.commune" + suffix, lang)), html.Th(t("col.staff", lang), className="text-end"),
                               # On a phone the share says what 'moved / total' does; with both the table scrolled sideways.
                               html.Th(t("col.moved", lang), className="text-end d-none d-sm-table-cell"),
                               html.Th(t("col.share", lang), className="text-end"),
                               html.Th(t("drill.col.dossiers", lang), className="text-end d-none d-sm-table-cell"),
                               html.Th(t("drill.col.share", lang), className="text-end")]))
    body = []
    for _, r in c.iterrows():
        if r["has_record"]:
            moved = f"{fmt_int(r['procedures_moved'], lang)} / {fmt_int(r['procedures_total'], lang)}"
            share = tile_label(r["moved_share"], True, bool(r["bad_record"]), lang)
            staff = fmt_int(r["postal_staff"], lang)
        else:
            moved, share, staff = "—", t("status.none", lang), "—"
        cls = "table-danger" if r["bad_record"] else ""
        body.append(html.Tr([html.Td(r["short_name"]), html.Td(staff, className="text-end"), html.Td(moved, className="text-end d-none d-sm-table-cell"),
                             html.Td(share, className="text-end"), html.Td(fmt_int(r["received"], lang), className="text-end d-none d-sm-table-cell"),
                             html.Td(fmt_pct(r["postal_share"], lang), className="text-end")],
                            className=cls, **{"data-code": r["code"]}))
    table = dbc.Table([head, html.Tbody(body)], striped=True, hover=True, size="sm", responsive=True, id="post-commune-table")
    nothing = c[c["nothing_moved"]]
    if nothing.empty:
        nothing_part = html.P(t("drill.all_moved", lang, name=name), id="post-nothing-moved")
    else:
        nothing_part = html.Div([
            html.H3(t("drill.nothing", lang, n=fmt_int(len(nothing), lang), total=fmt_int(len(c), lang)), className="h6 mt-2"),
            html.Div([dbc.Badge(n, color="light", text_color="dark", className="border")
                      for n in sorted(nothing["short_name"], key=vn_key)], className="post-commune-badges"),
        ], id="post-nothing-moved")
    if c["has_record"].any():
        parts += [dbc.Row([dbc.Col(table, lg=8), dbc.Col(nothing_part, lg=4)])]
    else:
        # No commune has a record: a table of dashes would only hide the one fact that matters.
        parts += [nothing_part]
    return card(t("drill.title" + suffix, lang, name=name, year=view.year), parts + [html.Span(id="post-scroll-done")], id="post-drill")


# ---------------------------------------------------------------- over time

def full_levels(lv: pd.DataFrame, two_tier_years: set) -> list[tuple[str, pd.DataFrame]]:
    """The units at 100 % over the years, level by level: the district-level units in every year
    they existed, the communes in the years that end on two tiers (2025, 2026: they took over the
    district-level desks' procedures). Without a change of structure, the district level alone."""
    dist = lv[(lv["level"] == "district") & (lv["units"] > 0)]
    comm = lv[(lv["level"] == "commune") & lv["year"].isin(two_tier_years)]
    return [(level, rows) for level, rows in (("district", dist), ("commune", comm)) if not rows.empty]


def over_time(data: dict, view) -> dbc.Card:
    lang = view.lang
    bounds = boundaries(view.extra)
    # The deployment records stay as it was; only the dossiers' share follows the switch (said when it is on).
    kept = (lambda title: titled(title, "historical", lang)) if bounds == "current" else (lambda title: title)
    lv = data["over_time"]
    years = sorted(lv["year"].unique())
    staff_traces = []
    for level in LEVELS:
        d = lv[lv["level"] == level]
        if d.empty:
            continue
        staff = [int(v) if n else None for v, n in zip(d["postal_staff"], d["records"])]  # no record: no bar, not 0
        name = level_label(level, lang)
        staff_traces.append(dict(type="bar", x=[str(y) for y in d["year"]], y=staff, name=name,
                                 marker=dict(color=LEVEL_COLORS[level]), text=[fmt_int(v, lang) if v is not None else "" for v in staff],
                                 textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{y}<extra>" + name + "</extra>"))
    # Legends under the plots: the toolbar sits on the top edge and would cover them on a phone.
    fig_staff = {"data": staff_traces, "layout": base_layout(
        lang, 340, barmode="group", margin=dict(l=10, r=10, t=30, b=10), legend=BOTTOM_LEGEND,
        yaxis=dict(rangemode="tozero", fixedrange=True), xaxis=dict(type="category", fixedrange=True))}

    full_traces, full_said = [], []
    by_level = full_levels(lv, data.get("two_tier_years", set()))
    for level, rows in by_level:
        name = level_label(level, lang)
        # The share of the level's units, labelled "a/b": 17 district-level units and 78 communes on one axis.
        full_traces.append(dict(
            type="bar", x=[str(y) for y in rows["year"]], y=[a / b for a, b in zip(rows["units_full"], rows["units"])],
            name=name, marker=dict(color=LEVEL_COLORS[level]), textfont=dict(size=12),
            text=[f"{fmt_int(a, lang)}/{fmt_int(b, lang)}" for a, b in zip(rows["units_full"], rows["units"])],
            textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{text} " + t("time.units", lang) + "<extra>" + name + "</extra>"))
        full_said.append((name, "; ".join(t("alt.full.year", lang, year=y, n=fmt_int(a, lang), total=fmt_int(b, lang))
                                          for y, a, b in zip(rows["year"], rows["units_full"], rows["units"]))))
    two_levels = len(full_traces) > 1
    full_title = kept(t("time.full.two_tier" if two_levels else "time.full", lang))
    fig_full = {"data": full_traces,
                "layout": base_layout(lang, 340, margin=dict(l=10, r=10, t=30, b=10), barmode="group", showlegend=two_levels,
                                      legend=BOTTOM_LEGEND, uniformtext=dict(minsize=11, mode="show"),
                                      yaxis=dict(title=dict(text=t("time.share_units", lang)), **percent_ticks(lang, 0, 1.15),
                                                 range=[0, 1.15], fixedrange=True),
                                      xaxis=dict(type="category", fixedrange=True))}

    m = data["monthly"]
    share_traces = []
    for level in LEVELS:
        d = m[m["level"] == level]
        if d.empty:
            continue
        name = level_label(level, lang)
        share_traces.append(dict(
            type="scatter", mode="lines", x=[f"{v // 100}-{v % 100:02d}-01" for v in d["ym"]],
            y=[None if _nan(v) else float(v) for v in d["postal_share"]], name=name,
            line=dict(color=LEVEL_COLORS[level], dash=LEVEL_DASHES[level], width=3), customdata=[ym_label(v, lang) for v in d["ym"]],
            hovertemplate="%{customdata}: %{y:.1%}<extra>" + name + "</extra>"))
    fig_share = {"data": share_traces, "layout": base_layout(
        lang, 340, margin=dict(l=10, r=10, t=30, b=10), legend=BOTTOM_LEGEND,
        yaxis=dict(rangemode="tozero", fixedrange=True, **percent_ticks(lang, 0, _share_top(m))),
        # Five years of half-year ticks rotated and collided in a third of the page: years, when there are many.
        xaxis=dict(type="date", fixedrange=True, **(dict(dtick="M12", tickformat="%Y", ticklabelmode="period")
                                                     if m["ym"].nunique() > 36 else dict(dtick="M6", tickformat="%m/%Y"))))}
    staff_years = [t("alt.staff.year", lang, year=y, levels=ct.pairs(
        [ct.level_word(level, lang) for level in lv[lv["year"] == y]["level"]],
        [int(v) if n else None for v, n in zip(lv[lv["year"] == y]["postal_staff"], lv[lv["year"] == y]["records"])], fmt_int, lang))
        for y in years]
    share_title = titled(t("time.share", lang), bounds, lang)
    alt_staff = t("alt.staff", lang, title=kept(t("time.staff", lang)), years="; ".join(staff_years))
    alt_full = t("alt.full", lang, title=full_title, years=". ".join(
        t("alt.full.level", lang, level=name, years=said) for name, said in full_said) if two_levels
        else (full_said[0][1] if full_said else "—"))
    if m.empty:
        share_part = [empty_state(t("no_data", lang))]
    else:
        alt_share = t("alt.share", lang, title=share_title, levels=ct.level_ranges(m, LEVELS, "postal_share", fmt_pct, lang))
        share_part = [graph("post-time-share", fig_share, f"postal-share-by-month-{years[0]}-{years[-1]}", alt_share),
                      html.P(t("time.share.note", lang), className="post-table-note")]
        if bounds == "current" and data.get("two_tier_years") and set(years) - data["two_tier_years"]:
            # Today's boundaries put the district-level desks' dossiers (until June 2025) into the city.
            share_part.append(html.P(t("time.share.note.current", lang), className="post-table-note", id="post-time-share-current"))
    return card(t("time.title", lang, area=whole_area(view.year, lang)), dbc.Row([
        dbc.Col([html.H3(kept(t("time.staff", lang)), className="h6"), graph("post-time-staff", fig_staff, f"postal-staff-{years[0]}-{years[-1]}", alt_staff)], lg=4),
        dbc.Col([html.H3(full_title, className="h6"), graph("post-time-full", fig_full, f"postal-units-100-{years[0]}-{years[-1]}", alt_full)], lg=3),
        dbc.Col([html.H3(share_title, className="h6"), *share_part], lg=5),
    ]), id="post-over-time")


# ---------------------------------------------------------------- page

def build(view, engine) -> html.Div:
    lang = view.lang
    title = t("title", lang) + f" — {view.year}" + (f" — {view.district_name}" if view.district else "")
    subtitle = t("subtitle" if had_districts(engine, view.year) else "subtitle.two_tier", lang)
    header = html.Div([page_header(title, subtitle, notes=view.notes, id_prefix="post-"),
                       structure_note(engine, view.year, lang, id="post-structure")])
    if not view.has_data:
        return html.Div([header, empty_state(t("no_data", lang))])
    data = page_data(view, engine)
    if not data["years"]:
        return html.Div([header, empty_state(t("none.any", lang), id="post-none")])
    parts = [header]
    if view.sector:
        parts.append(dbc.Alert(t("sector.note", lang), color="info", className="py-2"))
    levels = data["levels"]
    this_year = levels[levels["year"] == view.year]
    if this_year["records"].sum() == 0:
        parts.append(dbc.Alert([t("none.year", lang, year=view.year), " ",
                                t("none.year.other", lang, years=", ".join(str(y) for y in data["years"]))],
                               color="secondary", id="post-none"))
        parts += _on_boundaries(view, engine)
        parts.append(over_time(data, view))
        return html.Div(parts)
    # Data problems: named, never capped.
    bad = data["districts"][data["districts"]["bad_record"]]
    bad_items = [t("bad.item", lang, name=r["short_name"], year=view.year, moved=fmt_int(r["procedures_moved"], lang),
                   total=fmt_int(r["procedures_total"], lang)) for _, r in bad.iterrows()]
    if "communes" in data:
        cb = data["communes"][data["communes"]["bad_record"]]
        bad_items += [t("bad.item", lang, name=r["short_name"], year=view.year, moved=fmt_int(r["procedures_moved"], lang),
                        total=fmt_int(r["procedures_total"], lang)) for _, r in cb.iterrows()]
    other_bad = int(this_year["bad_records"].sum()) - len(bad_items)
    if other_bad > 0 and not bad_items:
        bad_items.append(t("bad.title", lang) + f": {other_bad}")
    if bad_items or other_bad > 0:
        parts.append(dbc.Alert([html.H4(t("bad.title", lang), className="alert-heading h6"),
                                html.Ul([html.Li(s) for s in bad_items]), html.P(t("bad.tail", lang), className="mb-0")],
                               color="danger", id="post-data-problem"))
    parts.append(headline(levels, view.year, lang, data["year_levels"]))
    districts = data["districts"]
    if view.district or data["two_tier"]:
        # After July 2025 the coverage is the communes' (all of them, or a former district's).
        parts.append(drill_section(view, districts, data["communes"], two_tier=data["two_tier"],
                                   district_level="district" in data["year_levels"]))
    if not districts.empty:
        laggards = laggards_sentence(districts, lang)
        alt = t("alt.rank", lang, laggards=laggards, full=fmt_int(int((districts["has_record"] & districts["is_full"]).sum()), lang),
                total=fmt_int(len(districts), lang))
        chart = [html.P(laggards, className="mb-1 fw-semibold", id="post-laggards"),
                 graph("post-rank-chart", ranked_chart(districts, view), f"postal-share-moved-districts-{view.year}", alt)]
        parts.append(dbc.Row([
            dbc.Col(card(t("rank.title", lang, year=view.year), chart), lg=7),
            dbc.Col(card(t("map.title", lang), district_map(districts, view)), lg=5),
        ], className="g-3", id="post-district-view"))
        frame = table_frame(districts, lang)
        parts.append(card(t("table.title", lang, year=view.year), [
            html.Div([dbc.Button(t("download.csv", lang), id="post-dl-csv-btn", color="secondary", outline=True, size="sm"),
                      dbc.Button(t("download.xlsx", lang), id="post-dl-xlsx-btn", color="secondary", outline=True, size="sm"),
                      dcc.Download(id="post-dl-csv"), dcc.Download(id="post-dl-xlsx")], className="post-downloads mb-2"),
            # Below the fold: the grid (and dash-ag-grid's script) loads when it is scrolled to.
            LazyBlock(district_grid(frame, lang), height=GRID_ROW_PX * len(frame) + GRID_HEADER_MIN_PX),
            html.P(t("table.note", lang), className="post-table-note"),
            *([html.P(t("table.note.two_tier", lang, year=view.year), className="post-table-note", id="post-table-two-tier")]
              if data["two_tier"] else []),
        ], id="post-table-card"))
    parts += _on_boundaries(view, engine)
    parts.append(over_time(data, view))
    return html.Div(parts)


def _on_boundaries(view, engine) -> list:
    """The switch (what stays as it was, and why, beside it) and, on today's boundaries, today's communes ranked."""
    lang, bounds = view.lang, boundaries(view.extra)
    switch = boundaries_switch(bounds, lang, "post-", lambda b: view.href("/postal", keep_extra=True, boundaries=b),
                               note=t("bounds.note", lang))
    if bounds != "current":
        return [switch]
    return [switch, current_communes_card(qc.postal_share_by_current_unit(engine, view.filter()), view)]


CURRENT_LOWEST = 20


def current_communes_card(df: pd.DataFrame, view) -> dbc.Card:
    """Today's communes by the share of their territory's dossiers received by postal staff: those
    with none named in a line, then the lowest of the others charted (twenty bars at 0 % say nothing)."""
    lang = view.lang
    communes = df[df["level"] == "commune"]
    none = communes[communes["received_postal_staff"] == 0]
    low = communes[communes["received_postal_staff"] > 0].head(CURRENT_LOWEST)
    rest = len(communes) - len(none)
    lead = t("current.lead" if len(low) < rest else "current.lead.all", lang, k=len(low), n=rest, zero=len(none))
    body = [html.P(lead, className="mb-1 fw-semibold", id="post-current-lead")]
    if not none.empty:
        body.append(html.P(t("current.none", lang, names=", ".join(sorted(none["short_name"], key=vn_key))),
                           className="small text-muted", id="post-current-none"))
    if not low.empty:
        names = [plot_text(n) for n in low["short_name"]]
        bar = dict(type="bar", orientation="h", y=names[::-1], x=[float(v) for v in low["postal_share"]][::-1],
                   marker=dict(color=LEVEL_COLORS["commune"]), text=[pct(v, lang) for v in low["postal_share"]][::-1],
                   textposition="outside", cliponaxis=False, textfont=dict(size=14), hoverinfo="text",
                   hovertext=[t("current.hover", lang, name=n, received=fmt_int(r, lang), postal=fmt_int(p, lang), share=pct(v, lang))
                              for n, r, p, v in zip(names, low["received"], low["received_postal_staff"], low["postal_share"])][::-1])
        fig = {"data": [bar], "layout": base_layout(lang, max(300, 28 * len(low) + 90), showlegend=False,
                                                    margin=dict(l=10, r=20, t=20, b=10),
                                                    xaxis=dict(range=[0, float(low["postal_share"].max()) * 1.3], **percent_ticks(lang, 0, float(low["postal_share"].max()) * 1.3),
                                                               fixedrange=True, title=dict(text=t("current.x", lang))),
                                                    yaxis=dict(fixedrange=True))}
        alt = t("alt.current", lang, lead=lead, names=ct.pairs(list(low["short_name"].head(3)), list(low["postal_share"].head(3)),
                                                               fmt_pct, lang))
        body.append(graph("post-current-chart", fig, f"postal-share-todays-communes-{view.year}", alt))
    return card(titled(t("current.title", lang, year=view.year), "current", lang), body, id="post-current-card")


# ---------------------------------------------------------------- helpers for the page's callbacks

def with_district(search: str | None, code: str | None) -> str:
    params = parse_search(search)
    if code and params.get("district") != code:
        params["district"] = code
    else:
        params.pop("district", None)  # a second click on the selected unit goes back to the province
    return build_search(params)


def download_frame(search: str | None, engine=None):
    """The district table as a download: localized headers, filters in the header rows."""
    engine = engine or get_engine()
    view = resolve_view(parse_search(search), engine)
    lang = view.lang
    df = q.district_coverage(engine, view.filter(district_code=None))
    frame = table_frame(df, lang).drop(columns=["code"])
    frame = frame.rename(columns={f: t(k, lang) for f, k in TABLE_COLS})
    filters = [(t("dl.year", lang), str(view.year))]
    if view.sector:
        filters.append((t("dl.sector", lang), view.sector))
    return frame, t("dl.title", lang), filters, view
