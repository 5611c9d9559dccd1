"""The filter every query takes: period, level, place, sector, procedure.

Built from URL parameters by the pages and from options by the CLI; validated
against the database by :mod:`data.queries.reference` so that a bad code in a
URL never reaches SQL as-is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import and_, select

from .auth import active_scope
from .schema import LEVELS, Agency, DossierMonthAgencyStats, DossierMonthStats, Procedure, Sector

A = Agency.__table__
P = Procedure.__table__
SE = Sector.__table__
S = DossierMonthStats.__table__
R = DossierMonthAgencyStats.__table__  # S summed over procedures

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

    def __post_init__(self):
        if self.level is not None and self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}")
        # Deny by default: inside a signed-in district user's request every filter carries
        # their district, however it was built (data.auth sets the scope per request).
        scope = active_scope()
        if scope is not None and self.scope_district_code != scope:
            object.__setattr__(self, "scope_district_code", scope)

    def with_(self, **changes) -> DossierFilter:
        return replace(self, **changes)

    @property
    def effective_district(self) -> str | None:
        return self.scope_district_code or self.district_code


def agency_conditions(f: DossierFilter, agency_table=A):
    """Conditions on the agencies table (level and place), joined by the caller."""
    conds = []
    if f.level:
        conds.append(agency_table.c.level == f.level)
    district = f.effective_district
    if district:
        # A district filter narrows the district and commune levels; the province
        # level has no district, so it drops out of a district-filtered view.
        conds.append(agency_table.c.district_code == district)
    if f.commune_code:
        conds.append(agency_table.c.commune_code == f.commune_code)
    return conds


def procedure_conditions(f: DossierFilter, procedure_table=P, sector_table=SE):
    conds = []
    if f.sector_code:
        conds.append(sector_table.c.code == f.sector_code)
    if f.procedure_code:
        conds.append(procedure_table.c.code == f.procedure_code)
    return conds


def stats_table_for(f: DossierFilter, groups=()):
    """The stats table a query over ``f`` grouped by ``groups`` (grouping names, as
    ``data.queries.summary.standard_report`` takes them) reads.

    dossier_month_agency_stats, 8x smaller, whenever it gives the same answer: the filter
    has no sector or procedure and no grouping is by one. The month x agency rows are
    exact sums of the detail rows (``data.aggregates`` keeps them in step), and every
    other filter and grouping is a property of the agency or the month.
    """
    if procedure_conditions(f) or PROCEDURE_GROUPINGS.intersection(groups):
        return S
    return R


def stats_from(f: DossierFilter, table=S):
    """A stats table joined to what the filter needs: agencies, procedures, sectors
    (the rollup has no procedures: ``stats_table_for`` gives it only to filters without)."""
    source = table.join(A, A.c.id == table.c.agency_id)
    if table is S:
        source = source.join(P, P.c.id == S.c.procedure_id).join(SE, SE.c.id == P.c.sector_id)
    return source


def stats_where(f: DossierFilter, months: tuple[int, int] | None = None, table=S):
    lo, hi = months or (f.period.first_ym, f.period.last_ym)
    return and_(table.c.ym >= lo, table.c.ym <= hi, *agency_conditions(f), *procedure_conditions(f))


def base_stats_select(f: DossierFilter, *columns, months: tuple[int, int] | None = None, table=S):
    return select(*columns).select_from(stats_from(f, table)).where(stats_where(f, months, table))
