"""/late: where late dossiers come from, and the dossiers themselves.

entry (sectors, unit x sector heatmap, monthly trend) -> sector (Pareto of its procedures)
-> procedure (district-level units, then communes) -> the dossier list (server-side grid).
Every step is in the URL (sector, procedure, district, commune, view=list; mode=overdue for
the dossiers still open and past due at the period's end), so a view is a link.
"""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from components import chart_text as ct
from components.boundaries import PARAM as BOUNDARIES
from components.boundaries import UNIT, boundaries, boundaries_switch, titled
from components.download import to_csv_bytes, to_xlsx_bytes
from components.formatting import fmt_int, fmt_pct, period_label
from components.i18n import bilingual, make_translator
from components.lazy import LazyBlock
from components.navigation import go_to, page_location
from components.params import CODE, UNIT_CODE, YEAR_MONTH, build_search, keep_out_of_cache, reference_lists, resolve_view
from components.structure import structure_note
from components.theme import plot_text
from components.ui import by_screen, card, empty_state, graph, page_header
from data.db import get_engine
from data.filters import DossierFilter, Period
from data.periods import levels_in_period, segments
from data.queries import boundaries as qb
from data.queries import late as q
from data.queries import late_current as qc
from data.schema import LEVELS
from pages.late._drill import Drill, breadcrumb, crumbs, fmt_date, item_name, resolve_drill
from pages.late._grid import describe_query, dossier_grid, export_frame, grid_response, list_query
from pages.late._heatmap import MIN_BASE, heat_table, rate_heatmap
from pages.late._pareto import items_to_threshold, pareto, ranked_bars, ranked_bars_by_level, trend, wrap
from server.faults import guard_layout
from server.page_cache import cached_page

dash.register_page(__name__, path="/late", name="late", title="TTHC · Hồ sơ trễ hạn", order=2, nav="nav.late")
PATH = "/late"

STRINGS = {
    "title.late": ("Hồ sơ trễ hạn", "Late dossiers"),
    "title.overdue": ("Hồ sơ quá hạn đang giải quyết", "Overdue dossiers still open"),
    "mode.late": ("Đã giải quyết trễ hạn", "Finished late"),
    "mode.overdue": ("Quá hạn, chưa giải quyết", "Overdue, still open"),
    "level.all": ("Mọi cấp", "All levels"),
    "kpi.late": ("{n} hồ sơ giải quyết trễ hạn trên {base} hồ sơ đã giải quyết ({rate})",
                 "{n} dossiers finished late out of {base} finished ({rate})"),
    "kpi.overdue": ("{n} hồ sơ quá hạn trên {base} hồ sơ đang giải quyết tại {date} ({rate})",
                    "{n} overdue out of {base} dossiers still open on {date} ({rate})"),
    "count.late": ("Hồ sơ trễ hạn", "Late dossiers"),
    "count.overdue": ("Hồ sơ quá hạn", "Overdue dossiers"),
    "base.late": ("Hồ sơ đã giải quyết", "Dossiers finished"),
    "base.overdue": ("Hồ sơ đang giải quyết", "Dossiers still open"),
    "rate.late": ("Tỷ lệ trễ hạn", "Late rate"),
    "rate.overdue": ("Tỷ lệ quá hạn", "Overdue rate"),
    "card.sectors": ("Hồ sơ trễ hạn theo lĩnh vực và cấp", "Late dossiers by sector and level"),
    "card.sectors.overdue": ("Hồ sơ quá hạn theo lĩnh vực và cấp", "Overdue dossiers by sector and level"),
    "card.heatmap": ("Tỷ lệ trễ hạn: đơn vị × lĩnh vực", "Late rate: unit × sector"),
    "card.heatmap.overdue": ("Tỷ lệ quá hạn: đơn vị × lĩnh vực", "Overdue rate: unit × sector"),
    # After July 2025 the rows are the former districts' areas (the communes formed from each), as the filter says.
    "card.heatmap.area": ("Tỷ lệ trễ hạn: {rows} × lĩnh vực", "Late rate: {rows} × sector"),
    "card.heatmap.area.overdue": ("Tỷ lệ quá hạn: {rows} × lĩnh vực", "Overdue rate: {rows} × sector"),
    "heat.rows.former": ("Địa bàn huyện cũ", "Former district area"),
    "heat.row.ended": ("{name} (cũ, đến {date})", "{name} (former, until {date})"),
    "heat.rows.split": ("Huyện (từ {date}: địa bàn huyện cũ)", "District (from {date}: its former area)"),
    "card.trend": ("Diễn biến theo tháng", "Month by month"),
    "card.trend.years": ("Diễn biến theo tháng, {first}–{last} (đậm: {period})", "Month by month, {first}–{last} (bold: {period})"),
    "trend.other_years": ("{count}, các tháng khác", "{count}, other months"),
    "card.pareto": ("Thủ tục gây trễ hạn — {sector}", "Procedures behind the lateness — {sector}"),
    "card.pareto.overdue": ("Thủ tục có hồ sơ quá hạn — {sector}", "Procedures with overdue dossiers — {sector}"),
    "card.units": ("Đơn vị — {procedure}", "Units — {procedure}"),
    "card.list": ("Danh sách hồ sơ", "Dossier list"),
    "cum_share": ("Tỷ lệ cộng dồn", "Cumulative share"),
    "pareto.finding": ("{k} trong {n} thủ tục chiếm {share} số hồ sơ trễ hạn của lĩnh vực.",
                       "{k} of {n} procedures account for {share} of the sector's late dossiers."),
    "pareto.finding.overdue": ("{k} trong {n} thủ tục chiếm {share} số hồ sơ quá hạn của lĩnh vực.",
                               "{k} of {n} procedures account for {share} of the sector's overdue dossiers."),
    "leading": ("Lĩnh vực có nhiều hồ sơ trễ hạn nhất: {sector} ({n}, {share} tổng số).",
                "Most late dossiers: {sector} ({n}, {share} of all)."),
    "leading.overdue": ("Lĩnh vực có nhiều hồ sơ quá hạn nhất: {sector} ({n}, {share} tổng số).",
                        "Most overdue dossiers: {sector} ({n}, {share} of all)."),
    "click_hint": ("Bấm vào một cột (hoặc một tên trong bảng) để xem chi tiết.",
                   "Click a bar (or a name in the table) to see what is behind it."),
    # Phones show the table instead of the bar chart (d-none d-sm-block on the chart).
    "tap_hint": ("Chạm vào một tên trong bảng để xem chi tiết.", "Tap a name in the table to see what is behind it."),
    "heat_hint": ("Ô xám: dưới {n} hồ sơ đã giải quyết, tỷ lệ không có ý nghĩa. Bấm vào một ô để xem lĩnh vực tại đơn vị đó.",
                  "Grey cells: fewer than {n} finished dossiers, too few for a rate. Click a cell for that sector in that unit."),
    "heat_hint.overdue": ("Ô xám: dưới {n} hồ sơ đang giải quyết, tỷ lệ không có ý nghĩa.",
                          "Grey cells: fewer than {n} open dossiers, too few for a rate."),
    "few": ("ít HS", "few"),
    "province_row": ("Cấp tỉnh (các sở)", "Province (departments)"),
    "district_agency_row": ("Cấp huyện", "District level"),
    "show_list": ("Xem danh sách {n} hồ sơ", "Show the {n} dossiers"),
    "no_late": ("Không có hồ sơ trễ hạn cho lựa chọn này.", "No late dossiers for this selection."),
    "no_overdue": ("Không có hồ sơ quá hạn đang giải quyết tại {date} cho lựa chọn này.",
                   "No overdue dossiers still open on {date} for this selection."),
    "try_overdue_month": ("Xem thời điểm khác, ví dụ", "Look at another date, e.g."),
    "table.name": ("Tên", "Name"),
    "download.filters.mode": ("Loại danh sách", "List"),
    "download.filters.period": ("Kỳ báo cáo", "Period"),
    "download.filters.level": ("Cấp", "Level"),
    "download.filters.district": ("Huyện / thị xã / thành phố", "District-level unit"),
    "download.filters.commune": ("Xã / phường / thị trấn", "Commune"),
    "download.filters.sector": ("Lĩnh vực", "Sector"),
    "download.filters.procedure": ("Thủ tục", "Procedure"),
    "download.filters.rows": ("Số hồ sơ", "Dossiers"),
    "download.filters.all": ("Tất cả", "All"),
    "download.filters.unit": ("Đơn vị hiện nay (theo địa giới hiện nay)", "Unit of today (on today's boundaries)"),
    "workdays_note": ("Số ngày trễ tính theo ngày làm việc (không tính thứ Bảy, Chủ nhật và ngày lễ, Tết), từ hạn giải quyết "
                      "(đã cộng thời gian chờ bổ sung) đến ngày kết thúc{overdue}.",
                      "Working days late exclude weekends and public holidays (Tết included), counted from the deadline "
                      "(moved on by time waiting for supplements) to the end of processing{overdue}."),
    # Charts' text alternatives (components.chart_text): what a screen reader says for each chart.
    "alt.next": ("Tiếp theo: {list}.", "Next: {list}."),
    "alt.heatmap": ("{rate} cao nhất: {cells}. Ô xám: dưới {n} hồ sơ, không tính tỷ lệ.",
                    "Highest {rate}: {cells}. Grey cells: fewer than {n} dossiers, no rate."),
    "alt.heatmap.none": ("Không ô nào đủ {n} hồ sơ để tính tỷ lệ.", "No cell has the {n} dossiers a rate needs."),
    "alt.trend": ("{count} theo tháng, tổng {total}: nhiều nhất {max_month} ({max_n}; {rate} {max_rate}), ít nhất {min_month} ({min_n}).",
                  "{count} by month, {total} in all: most in {max_month} ({max_n}; {rate} {max_rate}), fewest in {min_month} ({min_n})."),
    # Overdue dossiers are counted at each month's end: a stock, not to be added up over the months.
    "alt.trend.overdue": ("{count} cuối mỗi tháng: nhiều nhất {max_month} ({max_n}; {rate} {max_rate}), ít nhất {min_month} ({min_n}).",
                          "{count} at each month's end: most in {max_month} ({max_n}; {rate} {max_rate}), fewest in {min_month} ({min_n})."),
    "heat_table": ("Bảng số liệu (mỗi tỷ lệ dẫn tới chi tiết)", "As a table (each rate opens its details)"),
    "heat_table.corner": ("Đơn vị", "Unit"),
    "alt.top": ("Nhiều nhất: {name} ({n}; {rate_label} {rate}).", "Most: {name} ({n}; {rate_label} {rate})."),
    "alt.units": ("{count} ở {k} đơn vị.", "{count} in {k} units."),
    "workdays_note.overdue": (" hoặc đến {date} với hồ sơ chưa giải quyết", ", or to {date} for open dossiers"),
    "unit.commune_breakdown": ("Các xã của {district}", "Communes of {district}"),
    # On today's boundaries (components.boundaries, data.queries.late_current).
    "bounds.note": ("Danh sách hồ sơ của một đơn vị hiện nay gồm hồ sơ của các đơn vị cũ đã nhập trọn vào đơn vị đó.",
                    "The dossier list of a unit of today holds the dossiers of the former units merged whole into it."),
    "card.current": ("Hồ sơ trễ hạn theo đơn vị", "Late dossiers by unit"),
    "card.current.overdue": ("Hồ sơ quá hạn theo đơn vị", "Overdue dossiers by unit"),
    "current.top": ("{k} xã, phường nhiều nhất trong {n} xã, phường hiện nay.", "The {k} communes with most, of {n} communes of today."),
    "current.city": (" (các sở, ngành và cấp huyện đến 30/06/2025): {n} {count} ({rate}).",
                     " (the departments and, until 30 June 2025, the district level): {n} {count} ({rate})."),
    "current.no_district": ("Không có bảng theo huyện trên địa giới hiện nay: từ 01/07/2025 không còn cấp huyện. "
                            "Bảng đơn vị × lĩnh vực chỉ có theo địa giới khi đó.",
                            "No table by district on today's boundaries: the district level is gone since 1 July 2025. "
                            "The unit × sector table exists as it was only."),
    "current.split": ("{n} đơn vị cũ chia cho nhiều đơn vị hiện nay không được liệt kê (không biết hồ sơ nào thuộc phần nào).",
                      "{n} former units split between several units of today are not listed (which dossier went where is not known)."),
    "note.unit": ("Không có đơn vị hiện nay mã “{bad}”; đang hiển thị cấp trên.", "No unit of today with code “{bad}”; showing the level above."),
}
t = make_translator(STRINGS)


def _reference(engine):
    ref = q.reference_maps(engine)
    return {**ref, "years": reference_lists(engine)["years"]}


class Ctx:
    """What every builder on the page needs: the view, the drill, the filter, the words."""

    def __init__(self, view, drill: Drill, engine, bounds: str = "historical", unit: dict | None = None):
        self.view, self.drill, self.engine = view, drill, engine
        self.lang = view.lang
        self.mode = drill.mode
        # On today's boundaries (``boundaries=current``), ``unit``: one of today's units whose history is listed.
        self.bounds, self.unit = bounds, unit
        self.f: DossierFilter = drill.filter(view.filter())
        if unit:
            self.f = self.f.with_(territory=unit["whole"])
        self.period_text = period_label(self.f.period, self.lang)

    @property
    def step(self) -> str:
        return "list" if self.unit else self.drill.step

    def params(self, **changes) -> dict:
        """The page's state as URL parameters, plus ``changes`` (None removes a parameter)."""
        params = {"year": self.view.year, "lang": None if self.lang == "vi" else self.lang,
                  "district": self.drill.district["code"] if self.drill.district else None,
                  "sector": self.drill.sector["code"] if self.drill.sector else None,
                  **self.drill.params(), **self.bounds_params()}
        params.update(changes)
        return params

    def bounds_params(self) -> dict:
        return {"boundaries": "current", "unit": self.unit["code"] if self.unit else None} if self.bounds == "current" else {}

    def href(self, **changes) -> str:
        """This page with the current state plus ``changes``."""
        return PATH + build_search(self.params(**changes))

    def word(self, key: str, **fmt) -> str:
        """A mode-specific string when there is one (key.overdue), else the plain key."""
        k = f"{key}.{self.mode}" if self.mode == "overdue" and f"{key}.overdue" in STRINGS else key
        return t(k, self.lang, **fmt)

    @property
    def count_label(self):
        return t(f"count.{self.mode}", self.lang)

    @property
    def base_label(self):
        return t(f"base.{self.mode}", self.lang)

    @property
    def rate_label(self):
        return t(f"rate.{self.mode}", self.lang)

    def filename(self, what: str) -> str:
        parts = [f"{self.mode}-{what}"]
        for item in (self.drill.sector, self.drill.procedure, self.drill.district, self.drill.commune):
            if item:
                parts.append(item["code"])
        parts.append(self.period_text.replace("/", "-").replace(" ", ""))
        return "-".join(parts)


@guard_layout
@cached_page(params={"mode": "late|overdue", "level": "province|district|commune", "from": YEAR_MONTH, "to": YEAR_MONTH,
                     "procedure": CODE, "commune": UNIT_CODE, "view": "list", "boundaries": BOUNDARIES, "unit": UNIT})
def layout(**kwargs):
    view = resolve_view(kwargs)
    lang = view.lang
    if not view.has_data:
        return html.Div([page_header(t("title.late", lang), notes=view.notes),
                         empty_state(t("no_data", lang))])
    engine = get_engine()
    drill = resolve_drill(kwargs, view, _reference(engine))
    bounds = boundaries(kwargs)
    c = Ctx(view, drill, engine, bounds, _current_unit(engine, kwargs.get("unit"), bounds, drill.notes, lang))
    title = t(f"title.{c.mode}", lang) + " — " + ", ".join(
        [x for x in [item_name(drill.district, lang), c.unit and c.unit["short_name"]] if x] + [c.period_text])
    totals = q.totals(engine, c.f, c.mode)
    children = [
        page_header(title, subtitle=_subtitle(c), notes=view.notes + drill.notes, id_prefix="late-"),
        structure_note(engine, view.year, lang, id="late-structure"),
        _controls(c),
        _breadcrumb(c),
        html.P(_kpi_text(c, totals), className="late-kpi", id="late-kpi"),
    ]
    if totals["count"] == 0:
        children.append(_nothing(c))
    elif c.step == "entry":
        children += _entry(c, totals)
    elif c.step == "sector":
        children += _sector_step(c)
    elif c.step == "units":
        children += _units_step(c)
    else:
        children += _list_step(c, totals)
    children.append(dcc.Store(id="late-state", data=_state(c)))
    children.append(dcc.Download(id="late-download"))
    children.append(page_location("late"))
    return html.Div(children, className="late-page")


def _current_unit(engine, raw, bounds: str, notes: list, lang: str) -> dict | None:
    """The URL's ``unit`` on today's boundaries: one of today's units and its history's units (else None and a note)."""
    if bounds != "current" or raw in (None, ""):
        return None
    code = str(raw).strip()[:20]
    names = q.reference_maps(engine)["lookups"]["unit_name"]
    if not qb.is_current_unit(engine, code) or code not in names:
        notes.append(t("note.unit", lang, bad=code))
        keep_out_of_cache()  # a corrected URL: served, not stored
        return None
    whole, split = qb.territory(engine, code)
    return {"code": code, "short_name": names[code], "whole": whole, "split": split}


def _breadcrumb(c: Ctx):
    """The path once there is one (at the top, a lone "all sectors" would look like a text box)."""
    drill = replace(c.drill, list_view=False) if c.unit else c.drill  # the unit's list is its own step
    items = crumbs(drill, c.view, PATH, c.lang, extra=c.bounds_params() | {"unit": None})
    if c.unit:  # today's unit's list, below the step it was chosen from
        items = items[:-1] + [(items[-1][0], c.href(unit=None, view=None)), (c.unit["short_name"], None)]
    if len(items) < 2:
        return html.Div(id="late-breadcrumb", className="d-none")
    return breadcrumb(items, c.lang, id="late-breadcrumb")


def _subtitle(c: Ctx) -> str:
    parts = [c.period_text, t("level.all", c.lang) if not c.drill.level else t(f"level.{c.drill.level}", c.lang)]
    if c.drill.sector:
        parts.append(item_name(c.drill.sector, c.lang))
    if c.drill.procedure:
        parts.append(item_name(c.drill.procedure, c.lang))
    if c.drill.commune:
        parts.append(c.drill.commune["short_name"])
    if c.unit:
        parts.append(c.unit["short_name"])
    return " · ".join(parts)


def _controls(c: Ctx) -> html.Div:
    """Mode (late / overdue) and level as links: each is a URL, like the drill itself."""
    def pill(label, href, active, id):
        return dcc.Link(label, href=href, id=id, className="btn btn-sm " + ("btn-primary" if active else "btn-outline-primary"))

    modes = [pill(t(f"mode.{m}", c.lang), c.href(mode=None if m == "late" else m), c.mode == m, f"late-mode-{m}")
             for m in ("late", "overdue")]
    levels = [pill(t("level.all", c.lang), c.href(level=None, procedure=None, commune=None, view=None),
                   c.drill.level is None, "late-level-all")]
    levels += [pill(t(f"level.{lv}", c.lang), c.href(level=lv, procedure=None, commune=None, view=None),
                    c.drill.level == lv, f"late-level-{lv}")
               for lv in levels_in_period(c.engine, c.f.period.start, c.f.period.end)]  # two from July 2025
    # Leaving today's unit's list goes back to the step it was chosen from.
    switch = boundaries_switch(c.bounds, c.lang, "late-", lambda b: c.href(boundaries=b, unit=None, **({"view": None} if c.unit else {})),
                               note=t("bounds.note", c.lang) if c.bounds == "current" else None)
    return html.Div([html.Div(modes, className="btn-group me-3 mb-2", role="group"),
                     html.Div(levels, className="btn-group me-3 mb-2 flex-wrap", role="group"), switch],
                    className="late-controls d-flex flex-wrap align-items-center")


def _kpi_text(c: Ctx, totals: dict) -> str:
    return t(f"kpi.{c.mode}", c.lang, n=fmt_int(totals["count"], c.lang), base=fmt_int(totals["base"], c.lang),
             rate=fmt_pct(totals["rate"], c.lang), date=c.f.period.end.strftime("%d/%m/%Y"))


def _nothing(c: Ctx):
    if c.mode == "late":
        return empty_state(t("no_late", c.lang), id="late-empty")
    date = c.f.period.end.strftime("%d/%m/%Y")
    action = None
    if c.f.period.is_whole_year:
        y = c.f.period.first_ym // 100
        href = c.href(**{"from": f"{y}-01", "to": f"{y}-11"})
        action = html.P([t("try_overdue_month", c.lang), " ",
                         dcc.Link(period_label(Period.months(f"{y}-01", f"{y}-11"), c.lang), href=href, id="late-try-range")])
    return empty_state(t("no_overdue", c.lang, date=date), action=action, id="late-empty")


def _graph(id: str, fig, filename: str, alt: str, scroll: str | None = None):
    """A clickable figure that says its message (``alt``). ``scroll``: 'wide' / 'medium' keep a
    minimum width on phones, where the figure scrolls sideways instead of squeezing its labels into nothing."""
    return graph({"type": "late-drill-graph", "name": id}, fig, filename, alt=alt, className="late-graph",
                 box=f"late-scroll late-scroll-{scroll}" if scroll else None)


def _alt_ranked(c: Ctx, rows: list[dict], lead: str = "") -> str:
    """A ranked chart's words: its leading sentence (or the first row), then the next three rows."""
    if not rows:
        return lead
    first = rows[0]
    text = lead or t("alt.top", c.lang, name=first["label"], n=fmt_int(first["count"], c.lang), rate_label=c.rate_label.lower(),
                     rate=fmt_pct(first["rate"], c.lang))
    nxt = rows[1:4]
    if nxt:
        text += " " + t("alt.next", c.lang, list=ct.pairs([r["label"] for r in nxt], [r["count"] for r in nxt], fmt_int, c.lang, brackets=True))
    return text


def _alt_trend(c: Ctx, df) -> str:
    d = df[df["count"].notna()]
    if d.empty or not d["count"].sum():
        return c.word("no_late") if c.mode == "late" else c.count_label + ": 0."
    hi, lo = d.loc[d["count"].idxmax()], d.loc[d["count"].idxmin()]
    return c.word("alt.trend", count=c.count_label, total=fmt_int(d["count"].sum(), c.lang), max_month=ct.month_name(hi["ym"], c.lang),
             max_n=fmt_int(hi["count"], c.lang), rate=c.rate_label.lower(), max_rate=fmt_pct(hi["rate"], c.lang),
             min_month=ct.month_name(lo["ym"], c.lang), min_n=fmt_int(lo["count"], c.lang))


def _alt_heatmap(c: Ctx, hm, rows: list[tuple[str, str]], cols: list[tuple[str, str]]) -> str:
    units, sectors = dict(rows), dict(cols)
    cells = hm[(hm["base"] >= MIN_BASE) & hm["unit_code"].isin(units) & hm["sector_code"].isin(sectors)].copy()
    if cells.empty:
        return t("alt.heatmap.none", c.lang, n=MIN_BASE)
    cells["share"] = cells["count"] / cells["base"]
    top = cells.sort_values(["share", "count"], ascending=False).head(3)
    plain = lambda s: s.replace("<br>", " ").replace("–<br>", "–").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    names = [f"{plain(units[u])} · {plain(sectors[s])}" for u, s in zip(top["unit_code"], top["sector_code"])]
    return ct.cap(t("alt.heatmap", c.lang, rate=c.rate_label.lower(), cells=ct.pairs(names, top["share"].tolist(), fmt_pct, c.lang), n=MIN_BASE))


def _table_only_hint(lang: str) -> html.P:
    """The hint under a chart that phones replace by its table: no bars to click there."""
    return html.P(by_screen(t("click_hint", lang), t("tap_hint", lang)), className="text-muted small mb-0 late-hint")


def _link_table(rows: list[dict], c: Ctx, id: str, show_base: bool = True) -> html.Table:
    """The chart's numbers as a table whose names are links one level down (keyboard and phone friendly)."""
    head = html.Thead(html.Tr([html.Th(t("table.name", c.lang)), html.Th(c.count_label, className="text-end"),
                               html.Th(c.rate_label, className="text-end")]))
    body = []
    for i, r in enumerate(rows):
        name = dcc.Link(r["label"], href=r["href"], id=f"{id}-link-{i}") if r.get("href") else r["label"]
        body.append(html.Tr([html.Td(name), html.Td(fmt_int(r["count"], c.lang), className="text-end"),
                             html.Td(fmt_pct(r["rate"], c.lang), className="text-end")]))
    return html.Table([head, html.Tbody(body)], className="table table-sm table-hover late-table mb-0", id=id)


def _list_button(c: Ctx, n: int):
    return dcc.Link(t("show_list", c.lang, n=fmt_int(n, c.lang)), href=c.href(view="list"),
                    className="btn btn-outline-dark btn-sm mb-3", id="late-show-list")


def _trend_card(c: Ctx):
    if not c.unit:
        df = q.late_trend(c.engine, c.f, c.mode)
        fig = trend(df, c.lang, c.count_label, c.rate_label)
        title = t("card.trend", c.lang)
    else:
        # One of today's units: its territory's every year as one line (2023 drawn from the units it
        # was formed from), the chosen period's months in full colour.
        years = reference_lists(c.engine)["years"] or [c.view.year]
        first, last = min(years), max(years)
        df = q.late_trend(c.engine, c.f.with_(period=Period(first * 100 + 1, last * 100 + 12)), c.mode)
        fig = trend(df, c.lang, c.count_label, c.rate_label,
                    highlight=(c.f.period.first_ym, c.f.period.last_ym, f"{c.count_label}, {c.period_text}",
                               t("trend.other_years", c.lang, count=c.count_label)))
        title = t("card.trend.years", c.lang, first=first, last=last, period=c.period_text)
    return card(titled(title, c.bounds, c.lang), _graph("trend", fig, c.filename("trend"), _alt_trend(c, df)), id="late-trend-card")


# ---------------------------------------------------------------- steps

def _entry(c: Ctx, totals: dict) -> list:
    lang = c.lang
    by_sector = q.late_by_sector(c.engine, c.f, c.mode)
    by_sector = by_sector[by_sector["sector_total"] > 0]  # sectors with nothing to show stay off the chart
    names = {r.sector_code: bilingual(r.sector_name, r.sector_name_en, lang)
             for r in by_sector.itertuples()}
    hrefs = {code: build_search(_query(c, sector=code)) for code in names}
    level_names = {lv: t(f"level.{lv}", lang) for lv in LEVELS}
    fig = ranked_bars_by_level(by_sector, "sector_code", names, hrefs, lang, level_names, c.count_label,
                               c.count_label, c.base_label)
    sector_tot = by_sector.groupby("sector_code", sort=False)[["count", "base"]].sum()
    sector_tot = sector_tot[sector_tot["count"] > 0]
    rows = [{"label": names[code], "href": PATH + hrefs[code], "count": r["count"],
             "rate": r["count"] / r["base"] if r["base"] else float("nan")} for code, r in sector_tot.iterrows()]
    lead = rows[0] if rows else None
    finding = (c.word("leading", sector=lead["label"], n=fmt_int(lead["count"], lang),
                      share=fmt_pct(lead["count"] / totals["count"], lang)) if lead else "")
    # Its levels are those of the time whichever the switch: said when today's boundaries are chosen.
    sectors_title = titled(c.word("card.sectors"), "historical", lang) if c.bounds == "current" else c.word("card.sectors")
    sectors_card = card(sectors_title, [
        html.P(finding, className="late-finding", id="late-finding"),
        dbc.Row([dbc.Col(_graph("sectors", fig, c.filename("by-sector"), _alt_ranked(c, rows, finding)), lg=8, className="d-none d-sm-block"),
                 dbc.Col(_link_table(rows, c, "late-sector-table"), lg=4)]),
        _table_only_hint(lang),
    ], id="late-sectors-card")
    units = _current_units_card(c) if c.bounds == "current" else _heatmap_card(c)
    return [sectors_card, units, _trend_card(c), _list_button(c, totals["count"])]


def _query(c: Ctx, **changes) -> dict:
    return c.params(**changes)


def _heatmap_card(c: Ctx):
    lang = c.lang
    hm = q.late_heatmap(c.engine, c.f, c.mode)
    ref = q.reference_maps(c.engine)
    sectors = ref["sectors"]
    present = set(hm.loc[hm["base"] > 0, "sector_code"])
    # Columns: sectors in the order of their count (land first where it leads).
    order = hm.groupby("sector_code")["count"].sum().sort_values(ascending=False, kind="stable").index
    cols = [(code, _short_sector(sectors, code, lang)) for code in order if code in present]
    whole = [(code, plot_text(_sector_name(sectors, code, lang))) for code, _ in cols]  # hover, table, text alternative
    rows_df = hm[["unit_kind", "unit_code", "unit_name", "ended", "sort_order"]].drop_duplicates(["unit_kind", "unit_code"]) \
        .sort_values(["sort_order", "unit_code"])
    # One query string per cell (~200): the fixed part encoded once, the cell's codes appended.
    fixed = {k: v for k, v in _query(c).items() if k not in ("sector", "district", "commune", "level", "view")}
    prefix = build_search(fixed)
    level = c.drill.level

    def cell(**params) -> str:
        params = {"level": level, **params}
        tail = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{prefix}&{tail}" if prefix else f"?{tail}"

    district = c.drill.district["code"] if c.drill.district else None
    rows, hrefs = [], {}
    # A unit gone before the period among units of the period is marked; when all are gone (2026: the rows
    # are the former districts' areas, as the axis says) none is.
    units_of_period = rows_df.loc[rows_df["unit_kind"].isin(["district", "commune"]), "ended"].isna().any()
    for kind, unit, name, ended in zip(rows_df["unit_kind"], rows_df["unit_code"], rows_df["unit_name"], rows_df["ended"]):
        if ended is not None and units_of_period:  # its late dossiers still count, marked as not a unit of the period
            name = t("heat.row.ended", lang, name=name, date=fmt_date(ended, lang))
        label = {"province": t("province_row", lang), "district_agency": t("district_agency_row", lang)}.get(kind, name)
        rows.append((unit, plot_text(label)))
        for code, _ in cols:
            if kind == "district":
                hrefs[(unit, code)] = cell(sector=code, district=unit)
            elif kind == "commune":
                hrefs[(unit, code)] = cell(sector=code, district=district, commune=unit, view="list")
            elif kind == "province":
                hrefs[(unit, code)] = cell(sector=code, level="province")
            else:
                hrefs[(unit, code)] = cell(sector=code, district=district, level="district")
    df = hm.rename(columns={"unit_code": "row_key", "sector_code": "col_key"})
    fig = rate_heatmap(df, rows, cols, lang, hrefs,
                       {"count": c.count_label, "base": c.base_label, "rate": c.rate_label}, t("few", lang), col_names=dict(whole))
    area = _former_area_word(c) if (rows_df["unit_kind"] == "district").any() else None
    title, corner = c.word("card.heatmap"), t("heat_table.corner", lang)
    if area:
        title, corner = c.word("card.heatmap.area", rows=area[:1].lower() + area[1:]), area
        fig["layout"]["yaxis"]["title"] = {"text": area, "font": {"size": 13}}
    title = titled(title, c.bounds, lang)
    hint = c.word("heat_hint", n=MIN_BASE)
    # The same cells as a table of links, folded: what a click on the map does, by keyboard.
    # Its ~400 cells and links are built in the browser only when the fold is opened (components.lazy).
    table = html.Details([html.Summary(t("heat_table", lang), className="small mt-2"),
                          LazyBlock(html.Div(heat_table(df, rows, whole, lang, hrefs, t("few", lang), PATH, corner),
                                             className="late-scroll"))], id="late-heat-table")
    return card(title, [_graph("heatmap", fig, c.filename("heatmap"), _alt_heatmap(c, hm, rows, whole), scroll="wide"),
                                         html.P(hint, className="text-muted small mb-0"), table], id="late-heatmap-card")


def _former_area_word(c: Ctx) -> str | None:
    """What the heat map's district rows are in the period: None for district-level units all
    along; after the change the former districts' areas (the communes formed from each), and for a
    period that straddles it, districts until the change, their areas from then on."""
    parts = segments(c.engine, c.f.period.start, c.f.period.end)
    after = next((s for s in parts if "district" not in s.levels), None)
    if after is None:
        return None
    if all("district" not in s.levels for s in parts):
        return t("heat.rows.former", c.lang)
    return t("heat.rows.split", c.lang, date=f"{after.start:%d/%m/%Y}")


SECTOR_COLUMN_CHARS = 12  # a heat map column is ~90 px wide at 1366 px: longer one-line names ran into the next


def _sector_name(sectors, code: str, lang: str) -> str:
    names = dict(zip(sectors["code"], sectors["name_en"].fillna(sectors["name"]) if lang == "en" else sectors["name"]))
    return str(names.get(code, code))


def _short_sector(sectors, code: str, lang: str) -> str:
    """A heat map column's label: over up to three lines (a longer name is cut; hover and table say it whole)."""
    raw = _sector_name(sectors, code, lang)
    if not any(sep in raw for sep in (" – ", " và ", " and ")) and len(raw) > SECTOR_COLUMN_CHARS:
        return wrap(raw, SECTOR_COLUMN_CHARS, 3)  # 'Giao thông<br>vận tải' (escaped there)
    name = plot_text(raw)  # from data: escaped before our own <br>
    return name.replace(" – ", "–<br>").replace(" và ", "<br>và ").replace(" and ", "<br>and ")


def _sector_step(c: Ctx) -> list:
    lang = c.lang
    df = q.late_by_procedure(c.engine, c.f, c.mode)
    df = df[df["count"] > 0].reset_index(drop=True)
    labels = [bilingual(r.procedure_name, r.procedure_name_en, lang) for r in df.itertuples()]
    hrefs = [build_search(_query(c, procedure=code)) for code in df["procedure_code"]]
    fig = pareto(df, labels, hrefs, lang, c.count_label, t("cum_share", lang), c.count_label, c.base_label)
    k = items_to_threshold(df["cum_share"])
    share = float(df["cum_share"].iloc[k - 1]) if k else float("nan")
    finding = c.word("pareto.finding", k=k, n=len(df), share=fmt_pct(share, lang, 0))
    rows = [{"label": lab, "href": PATH + h, "count": r.count, "rate": r.rate}
            for lab, h, r in zip(labels, hrefs, df.itertuples())]
    body = [html.P(finding, className="late-finding", id="late-finding"),
            dbc.Row([dbc.Col(_graph("pareto", fig, c.filename("pareto"), finding + " " + _alt_ranked(c, rows), scroll="medium"), lg=8),
                     dbc.Col(_link_table(rows, c, "late-procedure-table"), lg=4)]),
            html.P(t("click_hint", lang), className="text-muted small mb-0")]
    return [card(c.word("card.pareto", sector=item_name(c.drill.sector, lang)), body, id="late-pareto-card"),
            _trend_card(c), _list_button(c, int(df["count"].sum()))]


def _units_step(c: Ctx) -> list:
    lang = c.lang
    if c.bounds == "current":  # today's units: no district level to go through
        return [_current_units_card(c), _trend_card(c), _list_button(c, q.totals(c.engine, c.f, c.mode)["count"])]
    df = q.late_by_unit(c.engine, c.f, c.mode)
    df = df[df["count"] > 0].reset_index(drop=True)
    labels, hrefs = [], []
    for r in df.itertuples():
        if r.unit_kind == "district":
            hrefs.append(build_search(_query(c, district=r.unit_code, view=None)))
            labels.append(r.name)
        elif r.unit_kind == "commune":
            hrefs.append(build_search(_query(c, commune=r.unit_code)))
            labels.append(r.name)
        else:
            hrefs.append(build_search(_query(c, view="list")))
            labels.append(bilingual(r.name, r.name_en, lang))
    fig = ranked_bars(df, labels, hrefs, lang, c.count_label, c.count_label, c.base_label)
    rows = [{"label": lab, "href": PATH + h, "count": r.count, "rate": r.rate}
            for lab, h, r in zip(labels, hrefs, df.itertuples())]
    title = t("card.units", lang, procedure=item_name(c.drill.procedure, lang))
    if c.drill.district:
        title += " — " + t("unit.commune_breakdown", lang, district=c.drill.district["short_name"])
    title = titled(title, c.bounds, lang)
    alt = t("alt.units", lang, count=c.count_label, k=len(rows)) + " " + _alt_ranked(c, rows)
    body = [dbc.Row([dbc.Col(_graph("units", fig, c.filename("units"), alt), lg=8, className="d-none d-sm-block"),
                     dbc.Col(_link_table(rows, c, "late-unit-table"), lg=4)]),
            _table_only_hint(lang)]
    return [card(title, body, id="late-units-card"), _trend_card(c), _list_button(c, int(df["count"].sum()))]


CURRENT_TOP = 20  # today's units on the chart and in its table (of 79 in the demo)


def _current_units_card(c: Ctx):
    """The ranking on today's boundaries: the filter's dossiers counted for today's communes, the
    city (its departments and the former district level's desks) in a sentence above them, whose
    bar would flatten theirs; a unit's link lists its history's dossiers. Says that no district
    exists today where the ranking as it was went by district."""
    lang = c.lang
    df = qc.late_by_current_unit(c.engine, c.f, c.mode)
    city, communes = df[df["level"] != "commune"], df[df["level"] == "commune"]
    top = communes[communes["count"] > 0].head(CURRENT_TOP).reset_index(drop=True)
    labels = top["short_name"].fillna(top["current_code"]).tolist()
    hrefs = [build_search(c.params(unit=code, view="list")) for code in top["current_code"]]
    rows = [{"label": lab, "href": PATH + h, "count": r.count, "rate": r.rate} for lab, h, r in zip(labels, hrefs, top.itertuples())]
    lead = t("current.top", lang, k=len(top), n=len(communes))
    body = [html.P(_city_line(c, r), className="mb-2", id="late-current-city") for r in city.head(1).itertuples()]
    if len(communes):  # none when the level chosen is the province or the district level
        body.append(html.P(lead, className="text-muted small mb-2", id="late-current-lead"))
    if rows:
        fig = ranked_bars(top, labels, hrefs, lang, c.count_label, c.count_label, c.base_label)
        body += [dbc.Row([dbc.Col(_graph("current", fig, c.filename("today"), lead + " " + _alt_ranked(c, rows)), lg=8,
                                  className="d-none d-sm-block"),
                          dbc.Col(_link_table(rows, c, "late-current-table"), lg=4)]),
                 _table_only_hint(lang)]
    if c.step == "entry" or c.drill.district:
        body.append(html.P(t("current.no_district", lang), className="small mb-0 mt-2", id="late-current-no-district"))
    title = c.word("card.current")
    if c.drill.procedure:
        title += " — " + item_name(c.drill.procedure, lang)
    return card(titled(title, "current", lang), body, id="late-current-card")


def _city_line(c: Ctx, r) -> list:
    """The city's figure as a sentence whose name opens its list."""
    link = dcc.Link(r.short_name, href=c.href(unit=r.current_code, view="list"), id="late-current-city-link")
    return [link, t("current.city", c.lang, count=c.count_label.lower(), n=fmt_int(r.count, c.lang), rate=fmt_pct(r.rate, c.lang))]


def _list_step(c: Ctx, totals: dict) -> list:
    lang = c.lang
    note = t("workdays_note", lang, overdue=t("workdays_note.overdue", lang, date=c.f.period.end.strftime("%d/%m/%Y"))
             if c.mode == "overdue" else "")
    buttons = html.Div([
        dbc.Button(t("download.csv", lang), id="late-download-csv", color="secondary", size="sm", className="me-2"),
        dbc.Button(t("download.xlsx", lang), id="late-download-xlsx", color="secondary", size="sm"),
    ], className="mb-2")
    grid = dossier_grid("late-grid", lang, c.mode, row_count=totals["count"])
    notes = [html.P(note, className="text-muted small mt-2 mb-0")]
    if c.unit and c.unit["split"]:
        notes.append(html.P(t("current.split", lang, n=len(c.unit["split"])), className="small mt-1 mb-0", id="late-split-note"))
    title = t("card.list", lang) + f" ({fmt_int(totals['count'], lang)})"
    if c.bounds == "current":  # a unit of today's territory, or a drill step's list kept as it was
        title = titled(title, "current" if c.unit else "historical", lang)
    out = [card(title, [buttons, grid, *notes], id="late-list-card")]
    return out + ([_trend_card(c)] if c.unit else [])  # today's unit: its history month by month


# ---------------------------------------------------------------- state for callbacks

def _state(c: Ctx) -> dict:
    """What the grid and download callbacks need to rebuild the filter (checked again there)."""
    d = c.drill
    return {"mode": c.mode, "lang": c.lang, "first_ym": c.f.period.first_ym, "last_ym": c.f.period.last_ym,
            "level": d.level, "district": d.district["code"] if d.district else None,
            "sector": d.sector["code"] if d.sector else None,
            "procedure": d.procedure["code"] if d.procedure else None,
            "commune": d.commune["code"] if d.commune else None, "boundaries": c.bounds,
            "unit": c.unit["code"] if c.unit else None}


def _filter_from_state(state: dict, engine) -> tuple[DossierFilter, str, str]:
    """The store is client data: rebuild through the same validation as the URL."""
    state = state or {}
    lang = state.get("lang") if state.get("lang") in ("vi", "en") else "vi"
    mode = state.get("mode") if state.get("mode") in q.MODES else "late"
    first, last = int(state.get("first_ym") or 0), int(state.get("last_ym") or 0)
    kwargs = {"lang": lang, "year": str(last // 100), "district": state.get("district"), "sector": state.get("sector"),
              "procedure": state.get("procedure"), "commune": state.get("commune"), "level": state.get("level"),
              "mode": mode, "from": f"{first // 100}-{first % 100:02d}", "to": f"{last // 100}-{last % 100:02d}"}
    view = resolve_view({k: v for k, v in kwargs.items() if k in ("lang", "year", "district", "sector")}, engine)
    drill = resolve_drill(kwargs, view, _reference(engine))
    bounds = boundaries(state)
    unit = _current_unit(engine, state.get("unit"), bounds, [], lang)
    return Ctx(view, drill, engine, bounds, unit).f, drill.mode, lang


@callback(go_to("late"),
          Input({"type": "late-drill-graph", "name": ALL}, "clickData"),
          prevent_initial_call=True)
def drill_on_click(click_data):
    """A click on a bar or a heatmap cell goes one level down (its customdata holds the query string)."""
    triggered = ctx.triggered_id
    if not triggered:
        return no_update
    for item, data in zip(ctx.inputs_list[0], click_data):
        if item["id"] == triggered and data:
            point = (data.get("points") or [{}])[0]
            custom = point.get("customdata")
            search = custom[0] if isinstance(custom, list) and custom else None
            if isinstance(search, str) and search.startswith("?"):
                return search
    return no_update


@callback(Output("late-grid", "getRowsResponse"),
          Input("late-grid", "getRowsRequest"),
          State("late-state", "data"),
          prevent_initial_call=True)
def grid_rows(request, state):
    """One page of the list: the rows asked for, and how many there are."""
    if not request:
        return no_update
    return rows_response(request, state, get_engine())


def rows_response(request: dict, state: dict, engine) -> dict:
    f, mode, lang = _filter_from_state(state, engine)
    lq = list_query(request, lang)
    start = int(request.get("startRow") or 0)
    end = int(request.get("endRow") or start + 100)
    df, total = q.dossier_page(engine, f, mode, start, end, lq, lang)
    return grid_response(df, total, lang)


@callback(Output("late-download", "data"),
          Input("late-download-csv", "n_clicks"),
          Input("late-download-xlsx", "n_clicks"),
          State("late-grid", "getRowsRequest"),
          State("late-state", "data"),
          prevent_initial_call=True)
def download(n_csv, n_xlsx, request, state):
    """The current list with the page's filters and the grid's column filters in the file header."""
    if not (n_csv or n_xlsx):
        return no_update
    kind = "xlsx" if ctx.triggered_id == "late-download-xlsx" else "csv"
    content, filename = build_download(kind, request, state, get_engine())
    return dcc.send_bytes(content, filename)


def build_download(kind: str, request: dict | None, state: dict, engine) -> tuple[bytes, str]:
    """(file bytes, file name) of the list as the grid shows it: same filter, column filters, sort."""
    f, mode, lang = _filter_from_state(state, engine)
    lq = list_query(request, lang)
    df = q.dossier_rows(engine, f, mode, lq, lang)
    table = export_frame(df, lang)
    title = t(f"title.{mode}", lang) + " — " + period_label(f.period, lang)
    filters = _filter_rows(engine, f, mode, lang, len(table)) + describe_query(lq, lang)
    stem = f"{'tre-han' if mode == 'late' else 'qua-han'}-{period_label(f.period, lang).replace('/', '-').replace(' ', '')}"
    if kind == "xlsx":
        return to_xlsx_bytes(table, title, filters, sheet=t("card.list", lang)), f"{stem}.xlsx"
    return to_csv_bytes(table, title, filters), f"{stem}.csv"


def _filter_rows(engine, f: DossierFilter, mode: str, lang: str, n: int) -> list[tuple[str, str]]:
    ref = q.reference_maps(engine)
    every = t("download.filters.all", lang)

    def lookup(df, code, col="name"):
        if not code:
            return every
        row = df[df["code"] == code]
        if row.empty:
            return code
        r = row.iloc[0]
        name = bilingual(r[col], r.get("name_en"), lang) if col == "name" else r[col]
        return f"{name} ({code})"

    units = ref["units"]
    return [
        (t("download.filters.mode", lang), t(f"mode.{mode}", lang)),
        (t("download.filters.period", lang), f"{f.period.start:%d/%m/%Y} – {f.period.end:%d/%m/%Y}"),
        (t("download.filters.level", lang), t(f"level.{f.level}", lang) if f.level else every),
        (t("download.filters.district", lang), lookup(units, f.effective_district, "short_name")),
        (t("download.filters.commune", lang), lookup(units, f.commune_code, "short_name")),
        (t("download.filters.sector", lang), lookup(ref["sectors"], f.sector_code)),
        (t("download.filters.procedure", lang), lookup(ref["procedures"], f.procedure_code)),
        (t("download.filters.rows", lang), fmt_int(n, lang)),
    ] + ([(t("download.filters.unit", lang), lookup(units, _territory_unit(engine, f), "short_name"))] if f.territory else [])


def _territory_unit(engine, f: DossierFilter) -> str | None:
    """The unit of today whose territory the filter lists (the one unit in force among its units)."""
    return next((u for u in f.territory if qb.is_current_unit(engine, u)), None)
