"""Which structure was in force in a period: its levels, its province, and where it splits.

Units have life spans (migration 0009, docs/units.md). A period is read on the structure(s) in
force during it: three levels (province, district, commune) until 30 June 2025, two (province,
commune) from 1 July 2025. A period that straddles such a change is split into *segments*, each
with its own levels (2025: 1 January–30 June, three; 1 July–31 December, two). Changes that keep
the levels (the commune mergers of 1 January 2025) do not split a period.

A database whose units have no life spans (the test fixture, an older import) is one segment with
the levels its units have.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine

from .cache import cached_reference
from .schema import LEVELS, Unit

U = Unit.__table__


def in_force_terms(table, start: dt.date, end: dt.date) -> list:
    """WHERE terms: the rows of ``table`` (units or agencies) in force on some day of [start, end]."""
    return [or_(table.c.valid_from.is_(None), table.c.valid_from <= end),
            or_(table.c.valid_to.is_(None), table.c.valid_to >= start)]


@dataclass(frozen=True)
class Segment:
    """Part of a period on one structure's levels."""

    start: dt.date
    end: dt.date
    levels: tuple[str, ...]
    province_code: str | None
    province_name: str | None  # "Tỉnh Quảng Nam", "Thành phố Đà Nẵng"
    province_short: str | None

    @property
    def months(self) -> tuple[int, int]:
        return self.start.year * 100 + self.start.month, self.end.year * 100 + self.end.month


@cached_reference
def _units(engine: Engine) -> tuple:
    with engine.connect() as conn:
        return tuple(tuple(r) for r in conn.execute(
            select(U.c.code, U.c.level, U.c.name, U.c.short_name, U.c.valid_from, U.c.valid_to)))


def _in_force(row, on: dt.date) -> bool:
    start, end = row[4], row[5]
    return (start is None or start <= on) and (end is None or on <= end)


def segments(engine: Engine, start: dt.date, end: dt.date) -> list[Segment]:
    """The period [start, end] split where the levels in force change."""
    units = _units(engine)
    changes = sorted({d for r in units for d in (r[4], r[5] and r[5] + dt.timedelta(days=1))
                      if d is not None and start < d <= end})
    out: list[Segment] = []
    for a, b in zip([start, *changes], [*[c - dt.timedelta(days=1) for c in changes], end]):
        live = [r for r in units if _in_force(r, a)]
        levels = tuple(lv for lv in LEVELS if any(r[1] == lv for r in live)) or LEVELS
        province = next((r for r in live if r[1] == "province"), None)
        if out and out[-1].levels == levels and out[-1].province_code == (province and province[0]):
            last = out[-1]
            out[-1] = Segment(last.start, b, levels, last.province_code, last.province_name, last.province_short)
            continue
        out.append(Segment(a, b, levels, province and province[0], province and province[2], province and province[3]))
    return out


def partial_level_months(engine: Engine, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """The levels that existed for only part of [start, end] -> (first, last) month they existed in
    it (the district level of 2025: (202501, 202506)). A level there the whole time is not listed."""
    spans: dict[str, list[tuple[int, int]]] = {}
    segs = segments(engine, start, end)
    for s in segs:
        for lv in s.levels:
            spans.setdefault(lv, []).append(s.months)
    whole = (segs[0].months[0], segs[-1].months[1]) if segs else None
    out = {}
    for lv, months in spans.items():
        span = (min(a for a, _ in months), max(b for _, b in months))
        if span != whole:
            out[lv] = span
    return out


def same_structure(engine: Engine, start: dt.date, end: dt.date, before_start: dt.date, before_end: dt.date) -> bool:
    """True when [start, end] and [before_start, before_end] have the same levels month for month
    (2024 and 2023; not 2025 and 2024, whose communes took over the district level's work in
    July 2025; not 2026 and 2025). A level compared across a change is not like for like."""
    def shape(a: dt.date, b: dt.date) -> list:
        return [((s.start.year - a.year) * 12 + s.start.month - a.month,
                 (s.end.year - a.year) * 12 + s.end.month - a.month, s.levels) for s in segments(engine, a, b)]

    return shape(start, end) == shape(before_start, before_end)


def ends_without_districts(engine: Engine, year: int) -> bool:
    """Whether ``year`` ends without a district level (2025 does: its second half has two tiers)."""
    return "district" not in segments(engine, dt.date(year, 1, 1), dt.date(year, 12, 31))[-1].levels


def levels_in_period(engine: Engine, start: dt.date, end: dt.date) -> tuple[str, ...]:
    """The levels that existed at some time in [start, end], in LEVELS order."""
    found = {lv for s in segments(engine, start, end) for lv in s.levels}
    return tuple(lv for lv in LEVELS if lv in found)


def province_on(engine: Engine, on: dt.date) -> Segment:
    """The structure in force on ``on`` (its province's code and names: the app's title follows it)."""
    return segments(engine, on, on)[0]
