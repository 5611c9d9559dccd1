"""A drilldown whose every step lives in the URL: parameters checked against the database,
the step they lead to, and the breadcrumb that goes back up.

Used by /late (sector -> procedure -> district-level unit -> commune -> dossier list);
written so another page with the same hierarchy can reuse it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from dash import dcc, html

from components.i18n import bilingual, make_translator
from components.params import build_search
from data.auth import active_scope
from data.filters import DossierFilter, Period
from data.schema import LEVELS

STRINGS = {
    "crumb.root": ("Tất cả lĩnh vực", "All sectors"),
    "crumb.list": ("Danh sách hồ sơ", "Dossier list"),
    "crumb.label": ("Đường dẫn", "Path"),
    "note.level": ("Không có cấp “{bad}”; đang hiển thị mọi cấp.", "No level “{bad}”; showing every level."),
    "note.mode": ("Không có chế độ “{bad}”; đang hiển thị hồ sơ trễ hạn.", "No view “{bad}”; showing late dossiers."),
    "note.period": ("Khoảng thời gian “{bad}” không hợp lệ (dạng 2023-01 đến 2023-06); đang hiển thị năm {year}.",
                    "Period “{bad}” is not valid (write 2023-01 to 2023-06); showing {year}."),
    "note.period_nodata": ("Không có số liệu trong khoảng {bad}; đang hiển thị năm {year}.",
                           "No data from {bad}; showing {year}."),
    "note.procedure": ("Không có thủ tục mã “{bad}”; đang hiển thị cấp trên.", "No procedure with code “{bad}”; showing the level above."),
    "note.procedure_sector": ("Thủ tục “{bad}” không thuộc lĩnh vực {sector}; đang hiển thị lĩnh vực {sector}.",
                              "Procedure “{bad}” is not in the sector {sector}; showing {sector}."),
    "note.procedure_level": ("Thủ tục “{bad}” không thuộc {level}; đang hiển thị cấp trên.",
                             "Procedure “{bad}” is not handled at {level}; showing the level above."),
    "note.commune": ("Không có xã mã “{bad}”; đang hiển thị cấp trên.", "No commune with code “{bad}”; showing the level above."),
    "note.commune_district": ("Xã “{bad}” không thuộc {district}; đang hiển thị {district}.",
                              "Commune “{bad}” is not in {district}; showing {district}."),
    "note.child_of_bad_parent": ("Bỏ qua “{bad}” vì cấp trên không hợp lệ.", "Ignored “{bad}”: the level above is not valid."),
}
t = make_translator(STRINGS)

YM_RE = re.compile(r"^\d{4}-\d{2}$")


@dataclass
class Drill:
    """The validated drill state of a page (everything the URL said, corrected)."""

    mode: str = "late"
    level: str | None = None
    period: Period | None = None
    period_params: dict = field(default_factory=dict)  # {"from": .., "to": ..} when a month range
    sector: dict | None = None  # {"code", "name", "name_en"}
    procedure: dict | None = None  # {"code", "name", "name_en", "level", "sector_code"}
    district: dict | None = None  # {"code", "short_name"}
    commune: dict | None = None  # {"code", "short_name", "parent_code"}
    list_view: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def step(self) -> str:
        """entry -> sector -> units -> list."""
        if self.list_view or self.is_leaf:
            return "list"
        if self.procedure:
            return "units"
        if self.sector:
            return "sector"
        return "entry"

    @property
    def is_leaf(self) -> bool:
        """No unit level left below: the dossiers are what remains to show."""
        if self.commune:
            return True
        if self.procedure:
            if self.procedure["level"] == "province":
                return True
            if self.procedure["level"] == "district" and self.district:
                return True
        return False

    def filter(self, base: DossierFilter) -> DossierFilter:
        return base.with_(
            period=self.period or base.period, level=self.level,
            sector_code=self.sector["code"] if self.sector else None,
            procedure_code=self.procedure["code"] if self.procedure else None,
            district_code=self.district["code"] if self.district else None,
            commune_code=self.commune["code"] if self.commune else None)

    def params(self) -> dict:
        """The page's own URL parameters (global ones live in the ViewState)."""
        out = dict(self.period_params)
        if self.mode != "late":
            out["mode"] = self.mode
        if self.level:
            out["level"] = self.level
        if self.procedure:
            out["procedure"] = self.procedure["code"]
        if self.commune:
            out["commune"] = self.commune["code"]
        if self.list_view and not self.is_leaf:
            out["view"] = "list"
        return out


def _months_with_data(years: list[int]) -> tuple[int, int] | None:
    if not years:
        return None
    return min(years) * 100 + 1, max(years) * 100 + 12


def resolve_drill(kwargs: dict, view, ref: dict) -> Drill:
    """Check the page's parameters; a bad one becomes the nearest valid level plus a note.

    ``view`` is the shell's ViewState (year, district, sector validated there);
    ``ref`` holds DataFrames ``procedures`` and ``units`` (data.queries.late.reference_maps)
    and ``years`` (years with data). One step per parameter, top down: a child parameter
    is checked against its parent's resolved value."""
    d = Drill()
    _resolve_mode_and_level(d, kwargs, view.lang)
    _resolve_period(d, kwargs, view, ref.get("years", []))
    bad_sector = kwargs.get("sector") not in (None, "") and view.sector is None
    if view.sector:
        d.sector = _sector(ref["sectors"], view.sector)
    _resolve_procedure(d, kwargs.get("procedure"), ref, bad_sector, view.lang)
    bad_district = kwargs.get("district") not in (None, "") and view.district is None
    if view.district:
        row = ref["units"][ref["units"]["code"] == view.district].iloc[0]
        d.district = {"code": row["code"], "short_name": row["short_name"]}
    _resolve_commune(d, kwargs.get("commune"), ref["units"], bad_district, view.lang)
    d.list_view = str(kwargs.get("view") or "").strip().lower() == "list"
    return d


def _sector(sectors, code: str) -> dict:
    row = sectors[sectors["code"] == code].iloc[0]
    return {"code": row["code"], "name": row["name"], "name_en": row["name_en"]}


def _resolve_mode_and_level(d: Drill, kwargs: dict, lang: str) -> None:
    mode = str(kwargs.get("mode") or "late").strip().lower()
    if mode in ("late", "overdue"):
        d.mode = mode
    else:
        d.notes.append(t("note.mode", lang, bad=mode[:20]))
    level = kwargs.get("level")
    if level not in (None, ""):
        level = str(level).strip().lower()
        if level in LEVELS:
            d.level = level
        else:
            d.notes.append(t("note.level", lang, bad=level[:20]))


def _resolve_period(d: Drill, kwargs: dict, view, years: list[int]) -> None:
    """The view's year, or a month range ``from``/``to`` that overlaps the data."""
    d.period = Period.year(view.year) if view.year else None
    raw_from, raw_to = kwargs.get("from"), kwargs.get("to")
    if raw_from in (None, "") and raw_to in (None, ""):
        return
    a = str(raw_from or raw_to).strip()[:7]
    b = str(raw_to or raw_from).strip()[:7]
    bad = f"{raw_from or ''}–{raw_to or ''}"[:30]
    try:
        if not (YM_RE.match(a) and YM_RE.match(b)):
            raise ValueError(bad)
        period = Period.months(a, b)
    except ValueError:
        d.notes.append(t("note.period", view.lang, bad=bad, year=view.year))
        return
    span = _months_with_data(years)
    if span and period.first_ym <= span[1] and period.last_ym >= span[0]:
        d.period = period
        d.period_params = {"from": f"{period.first_ym // 100}-{period.first_ym % 100:02d}",
                           "to": f"{period.last_ym // 100}-{period.last_ym % 100:02d}"}
    else:
        d.notes.append(t("note.period_nodata", view.lang, bad=bad, year=view.year))


def _resolve_procedure(d: Drill, raw, ref: dict, bad_sector: bool, lang: str) -> None:
    """A procedure of the chosen sector and level (it names its sector when none was chosen)."""
    if raw in (None, ""):
        return
    procs = ref["procedures"]
    code = str(raw).strip().upper()[:30]
    match = procs[procs["code"] == code]
    if bad_sector:
        d.notes.append(t("note.child_of_bad_parent", lang, bad=code))
    elif match.empty:
        d.notes.append(t("note.procedure", lang, bad=code))
    else:
        row = match.iloc[0]
        proc = {k: row[k] for k in ("code", "name", "name_en", "level", "sector_code")}
        if d.sector and proc["sector_code"] != d.sector["code"]:
            d.notes.append(t("note.procedure_sector", lang, bad=code, sector=item_name(d.sector, lang)))
        elif d.level and proc["level"] != d.level:
            d.notes.append(t("note.procedure_level", lang, bad=code, level=t(f"level.{d.level}", lang)))
        else:
            d.procedure = proc
            if d.sector is None:  # a procedure names its sector
                d.sector = _sector(ref["sectors"], proc["sector_code"])


def _resolve_commune(d: Drill, raw, units, bad_district: bool, lang: str) -> None:
    """A commune of the chosen district, at commune level (it names its district when none was chosen)."""
    if raw in (None, ""):
        return
    code = str(raw).strip()[:10]
    match = units[(units["code"] == code) & (units["level"] == "commune")]
    scope = active_scope()
    if scope is not None and not match.empty and match.iloc[0]["parent_code"] != scope:
        match = match.iloc[0:0]  # another district's commune does not exist for a district user: no name in the note
    if bad_district:
        d.notes.append(t("note.child_of_bad_parent", lang, bad=code))
    elif match.empty:
        d.notes.append(t("note.commune", lang, bad=code))
    else:
        row = match.iloc[0]
        if d.district and row["parent_code"] != d.district["code"]:
            d.notes.append(t("note.commune_district", lang, bad=row["short_name"], district=d.district["short_name"]))
        elif d.procedure and d.procedure["level"] != "commune" or d.level in ("province", "district"):
            d.notes.append(t("note.procedure_level", lang, bad=row["short_name"],
                             level=t(f"level.{d.level or d.procedure['level']}", lang)))
        else:
            d.commune = {"code": row["code"], "short_name": row["short_name"], "parent_code": row["parent_code"]}
            if d.district is None:  # a commune names its district
                parent = units[units["code"] == row["parent_code"]].iloc[0]
                d.district = {"code": parent["code"], "short_name": parent["short_name"]}


def item_name(item: dict | None, lang: str) -> str:
    """A drill step's name (a sector, procedure, district or commune) in the language."""
    if not item:
        return ""
    return bilingual(item.get("name"), item.get("name_en"), lang) or item.get("short_name") or item.get("code", "")


def crumbs(drill: Drill, view, path: str, lang: str, extra: dict | None = None) -> list[tuple[str, str | None]]:
    """(label, href) from the top to the current step; the current step has no link. ``extra``:
    the page's parameters every step keeps (e.g. ``boundaries``)."""
    base = {"year": view.year, "lang": None if lang == "vi" else lang, **drill.period_params, **(extra or {})}
    if drill.mode != "late":
        base["mode"] = drill.mode
    if drill.level:
        base["level"] = drill.level
    steps = [(t("crumb.root", lang), {})]
    params: dict = {}
    if drill.sector:
        params = {**params, "sector": drill.sector["code"]}
        steps.append((item_name(drill.sector, lang), dict(params)))
    if drill.procedure:
        params = {**params, "procedure": drill.procedure["code"]}
        steps.append((item_name(drill.procedure, lang), dict(params)))
    if drill.district:
        params = {**params, "district": drill.district["code"]}
        steps.append((drill.district["short_name"], dict(params)))
    if drill.commune:
        params = {**params, "commune": drill.commune["code"]}
        steps.append((drill.commune["short_name"], dict(params)))
    if drill.step == "list" and not drill.is_leaf:
        steps.append((t("crumb.list", lang), {**params, "view": "list"}))
    out = []

    for i, (label, p) in enumerate(steps):
        href = None if i == len(steps) - 1 else path + build_search({**base, **p})
        out.append((label, href))
    return out


def breadcrumb(items: list[tuple[str, str | None]], lang: str, id: str) -> html.Nav:
    """Bootstrap breadcrumb; links go back up (client-side navigation, the URL keeps the path)."""
    lis = []
    for i, (label, href) in enumerate(items):
        if href:
            lis.append(html.Li(dcc.Link(label, href=href, id=f"{id}-{i}"), className="breadcrumb-item"))
        else:
            lis.append(html.Li(label, className="breadcrumb-item active", **{"aria-current": "page"}, id=f"{id}-{i}"))
    return html.Nav(html.Ol(lis, className="breadcrumb mb-2"), **{"aria-label": t("crumb.label", lang)}, id=id,
                    className="drill-breadcrumb")


def fmt_date(day, lang: str) -> str:
    if day is None or (isinstance(day, float)):
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.strftime("%d/%m/%Y")
