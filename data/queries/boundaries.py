"""Past periods on today's boundaries ("theo địa giới hiện nay") through the successor records.

Every unit version that ended hands its territory on to the version(s) that took over
(``unit_successors``, with the share each took; docs/units.md). Following the links to the units
in force today, a figure of 2023 for Xã Quế Long counts for today's Xã Quế Sơn, and a 2023
district-level desk's figures for the unit that took over its territory (the city: the district
level was abolished). Shares weight the counts, so every re-aggregation sums to the same
province totals as the figures "as they were" (``theo địa giới khi đó``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ..cache import cached_query, cached_reference
from ..filters import DossierFilter, Period
from ..schema import LEVELS, Agency, Unit, UnitSuccessor
from .summary import COUNT_COLUMNS, add_rates, standard_report

BOUNDARIES = ("historical", "current")
U, A, L = Unit.__table__, Agency.__table__, UnitSuccessor.__table__


@cached_reference
def current_units(engine: Engine) -> dict[str, tuple[tuple[str, float], ...]]:
    """Every unit key -> the units in force today it went into, with the share of it each took
    (a unit still in force is its own, share 1)."""
    with engine.connect() as conn:
        ended = {r.code for r in conn.execute(select(U.c.code).where(U.c.valid_to.isnot(None)))}
        codes = list(conn.execute(select(U.c.code)).scalars())
        links: dict[str, list] = {}
        for a, b, share in conn.execute(select(L.c.from_code, L.c.to_code, L.c.share)):
            links.setdefault(a, []).append((b, share))

    def forward(code: str, depth: int = 0) -> dict[str, float]:
        if code not in ended or depth > 20 or code not in links:  # in force, or an end with no successor
            return {code: 1.0}
        out: dict[str, float] = {}
        for to, share in links[code]:
            for k, s in forward(to, depth + 1).items():
                out[k] = out.get(k, 0.0) + share * s
        return out

    return {c: tuple(sorted(forward(c).items())) for c in codes}


@cached_reference
def _units_frame(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(U.c.code, U.c.name, U.c.short_name, U.c.level, U.c.sort_order)).all(),
                            columns=["code", "name", "short_name", "level", "sort_order"])


def onto_current(engine: Engine, df: pd.DataFrame, keep: list[str], counts: list[str]) -> pd.DataFrame:
    """Rows keyed by a unit as it was (column ``unit_code``) -> rows keyed by today's unit
    (``current_code``, with its name, short_name and level), the ``counts`` weighted by the share
    each of today's units took and summed per ``keep`` columns (e.g. ``ym``). Shares below one
    make fractions: they are apportioned to whole dossiers so that every ``keep`` group (and so
    the province) keeps its total exactly (largest remainders; ties to the earlier code)."""
    mapping = current_units(engine)
    pairs = [(u, c, s) for u in df["unit_code"].unique() for c, s in mapping.get(u, ((u, 1.0),))]
    m = pd.DataFrame(pairs, columns=["unit_code", "current_code", "share"])
    x = df.merge(m, on="unit_code")
    for c in counts:
        x[c] = x[c] * x["share"]
    out = x.groupby(["current_code", *keep], as_index=False)[counts].sum()
    for c in counts:
        out[c] = _apportioned(out, c, keep)
    units = _units_frame(engine).rename(columns={"code": "current_code"})
    return out.merge(units, on="current_code", how="left")


def _apportioned(out: pd.DataFrame, column: str, keep: list[str]) -> pd.Series:
    """Whole numbers summing, per ``keep`` group, to the group's (whole) total: floors, then one
    more to the largest fractional parts."""
    exact = out[column].astype(float)
    floor = np.floor(exact + 1e-9)
    if len(exact) == 0 or (exact - floor).max() < 1e-6:  # whole already (every share 1)
        return np.rint(exact).astype("int64")
    groups = out[keep].astype(str).agg("|".join, axis=1) if keep else pd.Series("", index=out.index)
    frame = pd.DataFrame({"g": groups, "rest": exact - floor, "code": out["current_code"], "floor": floor})
    missing = (frame.groupby("g")["rest"].transform("sum")).round().astype("int64")
    rank = frame.sort_values(["g", "rest", "code"], ascending=[True, False, True]).groupby("g").cumcount()
    return (floor + (rank.reindex(frame.index) < missing)).astype("int64")


def _onto_current(engine: Engine, df: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """Biểu 06 rows by an agency's unit -> today's units, with their rates."""
    return add_rates(onto_current(engine, df, keep, COUNT_COLUMNS))


@cached_reference
def agency_units(engine: Engine) -> dict[int, str]:
    """Agency id -> the unit whose desk it is (what the successor records re-aggregate)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(A.c.id, A.c.unit_code)).all())


def _by_agency(engine: Engine, f: DossierFilter, by=("agency",)) -> pd.DataFrame:
    df = standard_report(engine, f, list(by))
    df["unit_code"] = df["agency_id"].map(agency_units(engine))
    return df


@cached_query
def report_by_current_unit(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Biểu 06 counts and rates per unit in force today (code ``current_code``, name, level) for
    the filter's period, whatever structure it was on. Sums to the period's province totals."""
    return _onto_current(engine, _by_agency(engine, f), [])


@cached_query
def summary_by_current_level(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """The period's figures per level of today's structure (indexed by level)."""
    df = report_by_current_unit(engine, f)
    out = df.groupby("level")[COUNT_COLUMNS].sum()
    levels = [lv for lv in LEVELS if lv in out.index]
    return add_rates(out.loc[levels].astype("int64"))


@cached_query
def current_unit_trend(engine: Engine, f: DossierFilter, unit_code: str, first_year: int, last_year: int) -> pd.DataFrame:
    """Month by month from January ``first_year`` to December ``last_year``, the figures of the
    territory of today's unit ``unit_code``: its own, and before it existed its predecessors'
    (weighted by the share each handed on). Columns: ym + counts and rates."""
    ff = f.with_(period=Period(first_year * 100 + 1, last_year * 100 + 12))
    df = _by_agency(engine, ff, ("agency", "month"))
    df = df[[any(c == unit_code for c, _ in current_units(engine).get(u, ((u, 1.0),))) for u in df["unit_code"]]]
    if df.empty:
        return add_rates(pd.DataFrame({"ym": pd.Series([], dtype="int64"),
                                       **{c: pd.Series([], dtype="int64") for c in COUNT_COLUMNS}}))
    out = _onto_current(engine, df, ["ym"])
    return out[out["current_code"] == unit_code].sort_values("ym").reset_index(drop=True)


@cached_query
def current_communes(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Today's communes (code, name, short_name) in the filter's place (a district: those formed
    from its communes), with how many earlier units each was formed from (``predecessors``)."""
    from ..filters import district_units, filter_values

    values = filter_values(f)
    q = select(U.c.code, U.c.name, U.c.short_name).where(U.c.level == "commune", U.c.valid_to.is_(None))
    if values.get("district"):
        q = q.where(district_units(values["district"]))
    if values.get("units"):  # a commune user: their own commune
        q = q.where(U.c.code.in_(values["units"]))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q.order_by(U.c.sort_order, U.c.code)).all(), columns=["code", "name", "short_name"])
    mapping = current_units(engine)
    formed: dict[str, int] = {}
    for old, targets in mapping.items():
        for code, _ in targets:
            if code != old:
                formed[code] = formed.get(code, 0) + 1
    df["predecessors"] = df["code"].map(formed).fillna(0).astype("int64")
    return df


@cached_query
def monthly_by_current_level(engine: Engine, f: DossierFilter, first_year: int, last_year: int) -> pd.DataFrame:
    """Month x level measures on today's boundaries from January ``first_year`` to December
    ``last_year`` (data.queries.levels.monthly_by_level as it was): every month on today's levels,
    summing to the same totals."""
    ff = f.with_(period=Period(first_year * 100 + 1, last_year * 100 + 12))
    df = _onto_current(engine, _by_agency(engine, ff, ("agency", "month")), ["ym"])
    out = df.groupby(["level", "ym"], as_index=False)[COUNT_COLUMNS].sum()
    return add_rates(out).sort_values(["level", "ym"]).reset_index(drop=True)


@cached_query
def communes_on_current_boundaries(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """The period's commune-level figures per commune of today (key, name, name_en + measures): a
    ranking of today's communes for any year (level_breakdown's shape)."""
    df = report_by_current_unit(engine, f.with_(level="commune"))
    df = df[df["level"] == "commune"].drop(columns=["name"]).rename(columns={"current_code": "key", "short_name": "name"})
    df["name_en"] = df["name"]
    df = df[df["received"] + df["finished"] + df["carried_over"] > 0]
    return df.sort_values(["on_time_rate", "received"], ascending=[False, False], na_position="last").reset_index(drop=True)


@cached_query
def territory(engine: Engine, unit_code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Today's unit's history as units as they were: (the units that went wholly into it, itself
    included; the units split with other units of today, only part of whose figures are its own).
    The first are what a list of its dossiers can honestly show; the second cannot be listed."""
    whole, split = [], []
    for old, targets in current_units(engine).items():
        for code, share in targets:
            if code == unit_code:
                (whole if share >= 1 - 1e-9 else split).append(old)
    return tuple(sorted(whole)), tuple(sorted(split))


def is_current_unit(engine: Engine, code: str | None) -> bool:
    """Whether ``code`` is a unit in force today (what a ranking on today's boundaries lists)."""
    return bool(code) and any(c == code for targets in current_units(engine).values() for c, _ in targets)
