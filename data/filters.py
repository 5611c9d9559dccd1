"""The filter every query takes (period, level, place, sector, procedure), and the one place
it becomes SQL: :func:`stats_where` (aggregates), :func:`dossier_where` (dossier rows),
:func:`unit_where` (units, postal records), all applying a district user's scope.

Built from URL parameters by the pages and from options by the CLI; validated
against the database by :mod:`data.queries.reference` so that a bad code in a
URL never reaches SQL as-is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, or_, select

from .auth import active_scope, active_units
from .schema import LEVELS, Agency, Dossier, DossierMonthAgencyStats, DossierMonthStats, Procedure, Sector, Unit

A = Agency.__table__
P = Procedure.__table__
SE = Sector.__table__
S = DossierMonthStats.__table__
R = DossierMonthAgencyStats.__table__  # S summed over procedures
D = Dossier.__table__
U = Unit.__table__

# Groupings that need the procedure grain of dossier_month_stats (their keys hang from procedure_id).
PROCEDURE_GROUPINGS = frozenset({"sector", "procedure"})


@dataclass(frozen=True)
class Period:
    """A run of whole months, first and last included (``ym`` like 202301)."""

    first_ym: int
    last_ym: int

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(year * 100 + 1, year * 100 + 12)

    @classmethod
    def months(cls, start: str, end: str) -> Period:
        """From 'YYYY-MM' strings."""
        a = dt.date.fromisoformat(start + "-01")
        b = dt.date.fromisoformat(end + "-01")
        if b < a:
            a, b = b, a
        return cls(a.year * 100 + a.month, b.year * 100 + b.month)

    @property
    def start(self) -> dt.date:
        return dt.date(self.first_ym // 100, self.first_ym % 100, 1)

    @property
    def end(self) -> dt.date:
        y, m = self.last_ym // 100, self.last_ym % 100
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def before_first_ym(self) -> int:
        """The month whose end snapshot is this period's carried-over stock."""
        y, m = self.first_ym // 100, self.first_ym % 100
        return (y - 1) * 100 + 12 if m == 1 else y * 100 + m - 1

    @property
    def is_whole_year(self) -> bool:
        return self.first_ym % 100 == 1 and self.last_ym == self.first_ym + 11

    def previous_year(self) -> Period:
        return Period(self.first_ym - 100, self.last_ym - 100)


@dataclass(frozen=True)
class DossierFilter:
    period: Period
    level: str | None = None  # province / district / commune
    district_code: str | None = None  # narrows district and commune levels
    commune_code: str | None = None
    sector_code: str | None = None
    procedure_code: str | None = None
    # Access scope (sign-in): a district user's queries are limited to it whatever else is asked.
    scope_district_code: str | None = None
    # A commune user's units (their commune and the units it was formed from): the same, one level down.
    scope_units: tuple[str, ...] | None = None
    # On today's boundaries, one of today's units: the units as they were that went wholly into it
    # (data.queries.boundaries.territory), whose desks' dossiers are its history.
    territory: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.level is not None and self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}")
        # Deny by default: inside a signed-in district user's request every filter carries
        # their district, however it was built (data.auth sets the scope per request).
        scope = active_scope()
        if scope is not None and self.scope_district_code != scope:
            object.__setattr__(self, "scope_district_code", scope)
        units = active_units()
        if units is not None and self.scope_units != units:
            object.__setattr__(self, "scope_units", units)

    def with_(self, **changes) -> DossierFilter:
        return replace(self, **changes)

    @property
    def effective_district(self) -> str | None:
        return self.scope_district_code or self.district_code


# ---------------------------------------------------------------- the filter as SQL (the one place)
# Every query turns its filter into SQL here: stats_where for the aggregate tables,
# dossier_where for dossier rows, unit_where for the units and their postal records. All
# three read filter_values, where a signed-in district user's scope becomes the district.

def filter_values(f: DossierFilter) -> dict[str, str]:
    """The filter's set values by name: level, district, commune, sector, procedure. The
    district is the effective one: a district user's scope (data.auth, carried by every
    filter built in their request) wins over any district asked for."""
    values = {"level": f.level, "district": f.effective_district, "commune": f.commune_code,
              "sector": f.sector_code, "procedure": f.procedure_code, "units": f.scope_units,
              "territory": f.territory}
    return {name: value for name, value in values.items() if value}


AGENCY_FILTERS = {"level": A.c.level, "district": A.c.district_code, "commune": A.c.commune_code}
PROCEDURE_FILTERS = {"sector": SE.c.code, "procedure": P.c.code}


def _agencies_and_procedures(values: dict, bound: bool):
    """Subqueries of the agency ids and procedure ids the values keep (None: not filtered).
    ``bound``: the values as bind parameters named after them, so that one statement serves
    every filter with the same fields set (data.queries.summary builds each shape once)."""
    def value(name):
        return bindparam(name) if bound else values[name]

    agency = [column == value(name) for name, column in AGENCY_FILTERS.items() if name in values]
    for name in ("units", "territory"):  # a commune user's units: their desks only; a territory's units
        if name in values:
            agency.append(A.c.unit_code.in_(bindparam(name, expanding=True) if bound else values[name]))
    procedure = [column == value(name) for name, column in PROCEDURE_FILTERS.items() if name in values]
    agencies = select(A.c.id).where(*agency) if agency else None
    procedures = select(P.c.id).join(SE, SE.c.id == P.c.sector_id).where(*procedure) if procedure else None
    return agencies, procedures


def stats_where(f: DossierFilter | None, table=S, *, fields: frozenset = frozenset()) -> list:
    """WHERE terms over an aggregate table (dossier_month_stats or its rollup) for the filter's
    place, level, sector and procedure; the months are each query's own. Agencies and
    procedures are matched by id (small subqueries), so the big table needs no join to be
    filtered. ``f=None`` with ``fields``: the same terms with bind parameters for those fields."""
    values = filter_values(f) if f is not None else dict.fromkeys(fields)
    agencies, procedures = _agencies_and_procedures(values, bound=f is None)
    terms = []
    if agencies is not None:
        terms.append(table.c.agency_id.in_(agencies))
    if procedures is not None:
        # Only dossier_month_stats has procedures: stats_table_for gives the rollup to filters without.
        terms.append(table.c.procedure_id.in_(procedures))
    return terms


def dossier_where(f: DossierFilter) -> list:
    """WHERE terms over dossiers for the filter's place, level, sector and procedure (the period
    and the mode are the list's own). The district on the dossier's own column and procedures
    by id, so the planner can use ix_dossiers_district_finished / ix_dossiers_procedure_finished."""
    values = filter_values(f)
    agencies, procedures = _agencies_and_procedures(
        {k: v for k, v in values.items() if k != "district" or _by_agency(values)}, bound=False)
    terms = []
    if "district" in values:
        terms.append(D.c.district_code == values["district"])
    if procedures is not None:
        terms.append(D.c.procedure_id.in_(procedures))
    if agencies is not None and _by_agency(values):
        terms.append(D.c.agency_id.in_(agencies))
    return terms


def _by_agency(values: dict) -> bool:
    """Whether the dossiers must be matched by their agency (more than the district's own column says)."""
    return any(k in values for k in ("level", "commune", "units", "territory"))


def district_units(district: str, unit_table=U):
    """A district-level unit and its communes: those under it, and after July 2025 (no district
    level) the communes formed from its communes, whose People's Committees carry it as their
    ``district_code`` (data.unit_versions): a district user's scope (docs/security.md)."""
    formed = select(A.c.unit_code).where(A.c.district_code == district, A.c.level == "commune")
    return or_(unit_table.c.code == district, unit_table.c.parent_code == district, unit_table.c.code.in_(formed))


def unit_where(f: DossierFilter, unit_table=U) -> list:
    """WHERE terms over units (and so their postal-deployment records): those in force at some
    time in the filter's period, all of them or one district-level unit and its communes."""
    terms = [or_(unit_table.c.valid_from.is_(None), unit_table.c.valid_from <= f.period.end),
             or_(unit_table.c.valid_to.is_(None), unit_table.c.valid_to >= f.period.start)]
    values = filter_values(f)
    if values.get("district"):
        terms.append(district_units(values["district"], unit_table))
    if values.get("units"):  # a commune user: their commune and its predecessors
        terms.append(unit_table.c.code.in_(values["units"]))
    return terms


def stats_table_for(f: DossierFilter, groups=()):
    """The stats table a query over ``f`` grouped by ``groups`` (grouping names, as
    ``data.queries.summary.standard_report`` takes them) reads.

    dossier_month_agency_stats, 8x smaller, whenever it gives the same answer: the filter
    has no sector or procedure and no grouping is by one. The month x agency rows are
    exact sums of the detail rows (``data.aggregates`` keeps them in step), and every
    other filter and grouping is a property of the agency or the month.
    """
    if f.sector_code or f.procedure_code or PROCEDURE_GROUPINGS.intersection(groups):
        return S
    return R


def stats_from(table=S):
    """A stats table joined to the tables its rows' labels come from: agencies, and for
    dossier_month_stats procedures and sectors (the rollup has no procedures)."""
    source = table.join(A, A.c.id == table.c.agency_id)
    if table is S:
        source = source.join(P, P.c.id == S.c.procedure_id).join(SE, SE.c.id == P.c.sector_id)
    return source


def base_stats_select(f: DossierFilter, *columns, months: tuple[int, int] | None = None, table=S):
    """SELECT ``columns`` over the stats table for the filter: its months (or ``months``), its place and sector."""
    lo, hi = months or (f.period.first_ym, f.period.last_ym)
    return (select(*columns).select_from(stats_from(table))
            .where(table.c.ym >= lo, table.c.ym <= hi, *stats_where(f, table)))
