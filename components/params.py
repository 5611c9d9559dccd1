"""URL query string <-> the view a page shows.

The parameter names are a public interface (people share links): ``year``,
``district`` (official code, e.g. 509 for Quế Sơn), ``sector``, ``lang``; pages
add their own. Every value is checked against the database: a bad one becomes
the nearest valid view plus a note saying what was changed, never an error.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from data.auth import DENY_ALL, active_scope, active_units, scope_unit_name
from data.cache import cached_query
from data.db import get_engine
from data.filters import DossierFilter, Period
from data.queries import reference

from .i18n import DEFAULT_LANG, normalise_lang, t

GLOBAL_PARAMS = ("year", "district", "sector", "lang")
# The one spelling of each URL parameter under which a rendered page may be cached; a page
# gives its own parameters' spellings where it declares them (server.page_cache.cached_page).
# Anything else ("+2023", "dd", " 509", a long string) is rendered but neither looked up nor
# stored, so no URL can add entries to the cache beyond the real views (issue 13, finding 5).
# Values that have this form but are not valid make the page show a note, and such renders
# are not stored either.
CANONICAL_VALUES = {"year": r"\d{4}", "district": r"[0-9A-Za-z]{1,10}", "sector": r"[A-Z0-9_.-]{1,20}", "lang": r"vi|en"}
CODE = r"[A-Z0-9_.-]{1,30}"  # a sector or procedure code, as pages spell theirs
UNIT_CODE = r"[0-9A-Za-z]{1,10}"  # an official unit code
YEAR_MONTH = r"\d{4}-\d{2}"


def known_params(kwargs: dict, page_params=()) -> dict:
    """Only the parameters the page reads (the global ones and its own); the rest is dropped."""
    known = GLOBAL_PARAMS + tuple(page_params)
    return {k: v for k, v in kwargs.items() if k in known}


@functools.lru_cache(maxsize=64)
def _pattern(spelling: str) -> re.Pattern:
    return re.compile(spelling)


def is_canonical(params: dict, page_params: dict | None = None) -> bool:
    """Every value spelled the one way a page cache key may hold it (the global parameters'
    spellings and ``page_params``, the page's own: name -> regular expression)."""
    spellings = {**CANONICAL_VALUES, **(page_params or {})}
    for key, value in params.items():
        spelling = spellings.get(key)
        if spelling is None or not isinstance(value, str) or not _pattern(spelling).fullmatch(value):
            return False
    return True


# Set while a page renders (server.page_cache): a page that corrected its URL (a bad value
# and a note naming it) says so through keep_out_of_cache(), and such a render is served but
# never stored, so odd URLs cannot fill the cache with one entry each.
_corrections: contextvars.ContextVar[list | None] = contextvars.ContextVar("tthc_url_corrections", default=None)


def keep_out_of_cache() -> None:
    """The page being rendered is not a canonical view (it corrected the URL): do not store it."""
    flags = _corrections.get()
    if flags is not None:
        flags.append("corrected")


@contextlib.contextmanager
def watching_corrections():
    """Within: collect :func:`keep_out_of_cache` calls; yields a list, non-empty if any."""
    token = _corrections.set([])
    try:
        yield _corrections.get()
    finally:
        _corrections.reset(token)
_SCOPE_NOTE = ("Tài khoản của bạn chỉ xem được số liệu của {name}; đang hiển thị {name}.",
               "Your account sees {name} only; showing {name}.")


@cached_query
def _reference(engine):
    """Valid values for the global filters (small; cached)."""
    years = reference.years_with_data(engine)
    latest = reference.latest_complete_year(engine)
    districts = reference.districts(engine)
    sectors = reference.sectors(engine)
    return {
        "years": years,
        "latest": latest,
        "districts": districts[["code", "name", "short_name"]].to_dict("records"),
        # The districts each year's filter offers (in force, or the former ones after July 2025).
        "districts_by_year": reference.districts_by_year(engine, years),
        "sectors": sectors[["code", "name", "name_en"]].to_dict("records"),
    }


def reference_lists(engine=None) -> dict:
    """Valid filter values; a district user's district list holds only their district."""
    ref = _reference(engine or get_engine())
    scope = active_scope()
    if scope is not None:
        ref = dict(ref, districts=[d for d in ref["districts"] if d["code"] == scope])
    return ref


@dataclass
class ViewState:
    lang: str = DEFAULT_LANG
    year: int | None = None
    district: str | None = None
    sector: str | None = None
    extra: dict = field(default_factory=dict)  # the page's own parameters, unvalidated
    notes: list[str] = field(default_factory=list)  # what was corrected, in the user's language
    district_name: str | None = None

    @property
    def has_data(self) -> bool:
        return self.year is not None

    def filter(self, **changes) -> DossierFilter:
        # The signed-in user's scope (data.auth) wins over any district the view asks for.
        base = DossierFilter(period=Period.year(self.year), district_code=self.district, sector_code=self.sector,
                             scope_district_code=active_scope())
        return base.with_(**changes) if changes else base

    def params(self, **overrides) -> dict:
        out = {"year": self.year, "district": self.district, "sector": self.sector, "lang": self.lang, **self.extra}
        out.update(overrides)
        if out.get("lang") == DEFAULT_LANG:
            out.pop("lang")
        return {k: v for k, v in out.items() if v not in (None, "")}

    def href(self, path: str, keep_extra: bool = False, **overrides) -> str:
        """A link to ``path`` carrying the global filters (and ``overrides``)."""
        base = ViewState(self.lang, self.year, self.district, self.sector, self.extra if keep_extra else {})
        q = urlencode(base.params(**overrides))
        return f"{path}?{q}" if q else path


def resolve_view(kwargs: dict, engine=None) -> ViewState:
    """Validate the URL's parameters against the database."""
    lang = normalise_lang(kwargs.get("lang"))
    ref = reference_lists(engine)
    view = ViewState(lang=lang, extra={k: v for k, v in kwargs.items() if k not in GLOBAL_PARAMS})

    raw_year = kwargs.get("year")
    view.year = ref["latest"]
    if raw_year not in (None, ""):
        try:
            year = int(str(raw_year).strip())
        except ValueError:
            year = None
        if year in ref["years"]:
            view.year = year
        elif ref["latest"] is not None:
            view.notes.append(t("note.year", lang, bad=str(raw_year)[:20], good=ref["latest"]))

    raw_district = kwargs.get("district")
    if raw_district not in (None, ""):
        match = next((d for d in ref["districts"] if d["code"] == str(raw_district).strip()), None)
        if match:
            view.district, view.district_name = match["code"], match["short_name"]
        else:
            view.notes.append(t("note.district", lang, bad=str(raw_district)[:20]))

    scope = active_scope()
    if scope is not None and scope != DENY_ALL and view.district != scope:
        # A district user sees their own district, whatever the link asked for.
        match = next((d for d in ref["districts"] if d["code"] == scope), None)
        if raw_district not in (None, ""):
            if view.notes and view.notes[-1] == t("note.district", lang, bad=str(raw_district)[:20]):
                view.notes.pop()
            view.notes.append(_SCOPE_NOTE[lang == "en"].format(name=match["short_name"] if match else scope))
        view.district, view.district_name = (match["code"], match["short_name"]) if match else (scope, None)
    units = active_units()
    if units is not None:
        # A commune user: the pages name their commune, not the former district around it.
        view.district_name = scope_unit_name(engine or get_engine(), units) or view.district_name

    raw_sector = kwargs.get("sector")
    if raw_sector not in (None, ""):
        match = next((s for s in ref["sectors"] if s["code"] == str(raw_sector).strip().upper()), None)
        if match:
            view.sector = match["code"]
        else:
            view.notes.append(t("note.sector", lang, bad=str(raw_sector)[:20]))
    return view


def parse_search(search: str | None) -> dict:
    """'?year=2023&district=509' -> {'year': '2023', 'district': '509'} (last value wins)."""
    return dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=False))


def build_search(params: dict) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(clean) if clean else ""
