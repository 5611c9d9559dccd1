"""Queries of the overview and level-comparison pages.

Most answers are Biểu 06 measures (:func:`data.queries.summary.standard_report`)
grouped another way; this module names those groupings for the pages and adds the
one thing the aggregates do not hold: which communes have moved nothing to the
public postal service (``postal_deployments``).
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.engine import Engine

from ..cache import cached_query
from ..filters import DossierFilter, Period, district_units, unit_where
from ..periods import in_force_terms, levels_in_period, partial_level_months, segments
from ..schema import LEVELS, PostalDeployment, Unit
from .summary import COUNT_COLUMNS, add_rates, standard_report, summary_by_level

U = Unit.__table__
PD = PostalDeployment.__table__

# Below this many finished dossiers a unit's on-time rate says little: it is not ranked.
MIN_FINISHED_FOR_RANKING = 20

_INT_COUNTS = dict.fromkeys(COUNT_COLUMNS, "int64")  # one astype for all the counts


@cached_query
def level_summary(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Biểu 06 per level (always the three levels) for the filter's period."""
    return summary_by_level(engine, f)


@cached_query
def level_summary_with_previous(engine: Engine, f: DossierFilter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """This period and the same months a year earlier, per level (for the change arrows). A level
    that existed for only part of the period is compared with that part a year earlier: 2025's
    district level (January-June) with January-June 2024, not with the whole of 2024."""
    prev = summary_by_level(engine, f.with_(period=f.period.previous_year()))
    for level, (first, last) in partial_level_months(engine, f.period.start, f.period.end).items():
        part = summary_by_level(engine, f.with_(period=Period(first - 100, last - 100)))
        if level in part.index and level in prev.index:
            prev.loc[level] = part.loc[level]
    return summary_by_level(engine, f), prev


@cached_query
def monthly_by_level(engine: Engine, f: DossierFilter, first_year: int, last_year: int) -> pd.DataFrame:
    """Month x level measures from January of ``first_year`` to December of ``last_year``
    (the filter's period is replaced; its place and sector stay)."""
    ff = f.with_(period=Period(first_year * 100 + 1, last_year * 100 + 12))
    df = standard_report(engine, ff, ["level", "month"])
    # A level only in the months it existed: after June 2025 the district level's last dossiers
    # still finish, but a "district level" line past its end would be a line of leftovers.
    live = {}
    for s in segments(engine, ff.period.start, ff.period.end):
        a, b = s.months
        for lv in s.levels:
            live.setdefault(lv, []).append((a, b))
    keep = [any(a <= ym <= b for a, b in live.get(lv, ())) for lv, ym in zip(df["level"], df["ym"])]
    return df[keep].sort_values(["level", "ym"]).reset_index(drop=True)


def _label(df: pd.DataFrame, key: str, name: str, name_en: str | None = None) -> pd.DataFrame:
    out = df.rename(columns={key: "key", name: "name"})
    out["key"] = out["key"].astype(str)
    out["name_en"] = out[name_en] if name_en and name_en in out else out["name"]
    return out


@cached_query
def level_breakdown(engine: Engine, f: DossierFilter, level: str) -> tuple[str, pd.DataFrame]:
    """One level split into its units, for the drill under a level's bar.

    Returns (unit kind, frame with key, name, name_en and the Biểu 06 measures):
    province -> provincial departments ("agency"); district and commune level ->
    district-level units ("district", 18 rows); with a district filter the commune
    level splits into that district's communes ("commune") and the district level
    into sectors ("sector"), since one bar would say nothing.
    """
    if level not in LEVELS:
        raise ValueError(level)
    ff = f.with_(level=level)
    if level == "province":
        kind, df = "agency", _label(standard_report(engine, ff, "agency"), "agency_code", "agency_name", "agency_name_en")
    elif f.effective_district and level == "commune":
        kind, df = "commune", _label(standard_report(engine, ff, "agency"), "commune_code", "agency_name", "agency_name_en")
        names = _commune_names(engine, f.effective_district)
        df["name"] = df["key"].map(names).fillna(df["name"])
        df["name_en"] = df["name"]
    elif f.effective_district:
        kind, df = "sector", _label(standard_report(engine, ff, "sector"), "sector_code", "sector_name", "sector_name_en")
    elif level == "commune" and not _has_districts(engine, f):
        # Two tiers (from July 2025): the city's communes themselves, no district to group them by.
        kind, df = "commune", _label(standard_report(engine, ff, "agency"), "commune_code", "agency_name", "agency_name_en")
        df["name"] = df["name"].str.removeprefix("UBND ")
        df["name_en"] = df["name"]
    else:
        kind, df = "district", _label(standard_report(engine, ff, "district"), "district_code", "district_name")
    df = df[df["received"] + df["finished"] + df["carried_over"] > 0]
    return kind, df.sort_values(["on_time_rate", "received"], ascending=[False, False], na_position="last").reset_index(drop=True)


def _all_communes(engine: Engine) -> dict[str, tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(select(U.c.code, U.c.short_name, U.c.sort_order).where(U.c.level == "commune")).all()
    return {r.code: (r.short_name, r.sort_order) for r in rows}


def _commune_names(engine: Engine, district_code: str) -> dict[str, str]:
    return {code: name for code, (name, _) in _commune_units(engine, district_code).items()}


def _commune_units(engine: Engine, district_code: str) -> dict[str, tuple[str, int]]:
    """code -> (short name, official order) for the communes of a district-level unit."""
    with engine.connect() as conn:
        rows = conn.execute(select(U.c.code, U.c.short_name, U.c.sort_order)
                            .where(U.c.level == "commune", district_units(district_code))).all()
    return {r.code: (r.short_name, r.sort_order) for r in rows}


def _has_districts(engine: Engine, f: DossierFilter) -> bool:
    return "district" in levels_in_period(engine, f.period.start, f.period.end)


@cached_query
def communes_by_on_time(engine: Engine, f: DossierFilter, min_finished: int = MIN_FINISHED_FOR_RANKING) -> pd.DataFrame:
    """Commune desks ranked by on-time rate, lowest first (the ranking of a period with no district
    level); communes with fewer than ``min_finished`` finished dossiers are not ranked."""
    df = _label(standard_report(engine, f.with_(level="commune"), "agency"), "commune_code", "agency_name", "agency_name_en")
    df["name"] = df["name"].str.removeprefix("UBND ")
    df = df[df["finished"] >= min_finished]
    return df.sort_values(["on_time_rate", "finished_late"], ascending=[True, False]).reset_index(drop=True)


@cached_query
def report_by_unit(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Biểu 06 per unit, grouped province -> district -> commune as the form is.

    Rows: each provincial department; each district-level unit's own desk; the
    communes of each district-level unit together (with a district filter: each
    commune of that district). Columns: level, key, name, name_en + measures.
    No total rows: :func:`with_totals` adds them.
    """
    parts = []
    if not f.effective_district:
        prov = _label(standard_report(engine, f.with_(level="province"), "agency"), "agency_code", "agency_name", "agency_name_en")
        prov["level"] = "province"
        parts.append(prov.sort_values("key"))  # by department code: the same order on every database
    dist = _label(standard_report(engine, f.with_(level="district"), "district"), "district_code", "district_name")
    dist["level"] = "district"
    dist = dist.sort_values("district_order")
    parts.append(dist)
    if f.effective_district or not _has_districts(engine, f):  # each commune (two tiers: no district to group by)
        com = _label(standard_report(engine, f.with_(level="commune"), "agency"), "commune_code", "agency_name", "agency_name_en")
        units = _commune_units(engine, f.effective_district) if f.effective_district else _all_communes(engine)
        com["name"] = com["key"].map({k: v[0] for k, v in units.items()}).fillna(com["name"])
        com["name_en"] = com["name"]
        com["order"] = com["key"].map({k: v[1] for k, v in units.items()})
        com = com.sort_values(["order", "key"])  # official order, not code-point order of names
    else:
        com = _label(standard_report(engine, f.with_(level="commune"), "district"), "district_code", "district_name")
        com = com.sort_values("district_order")
    com["level"] = "commune"
    parts.append(com)
    cols = ["level", "key", "name", "name_en"] + COUNT_COLUMNS
    df = pd.concat([p[cols] for p in parts if not p.empty], ignore_index=True) if any(not p.empty for p in parts) \
        else pd.DataFrame(columns=cols)
    df = df[(df[COUNT_COLUMNS].sum(axis=1) > 0)].reset_index(drop=True)
    return add_rates(df.astype(_INT_COUNTS))


def with_totals(df: pd.DataFrame) -> pd.DataFrame:
    """Per-unit rows under a subtotal row per level (as the form groups them) and a grand total at the end
    (``row_kind``: unit / level_total / total). Rates recomputed from the sums."""
    out = []
    for level in LEVELS:
        part = df[df["level"] == level]
        if part.empty:
            continue
        units = part.copy()
        units["row_kind"] = "unit"
        sub = part[COUNT_COLUMNS].sum().to_frame().T
        sub["level"], sub["key"], sub["name"], sub["name_en"], sub["row_kind"] = level, "", "", "", "level_total"
        out += [sub, units]
    if not out:
        return df.assign(row_kind=pd.Series(dtype=str))
    total = df[COUNT_COLUMNS].sum().to_frame().T
    total["level"], total["key"], total["name"], total["name_en"], total["row_kind"] = "", "", "", "", "total"
    out.append(total)
    return add_rates(pd.concat(out, ignore_index=True).astype(_INT_COUNTS))


@cached_query
def sectors_by_late(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Sectors ranked by late dossiers finished in the period (most first)."""
    df = standard_report(engine, f, "sector")
    return df.sort_values(["finished_late", "received"], ascending=False).reset_index(drop=True)


@cached_query
def districts_by_on_time(engine: Engine, f: DossierFilter, min_finished: int = MIN_FINISHED_FOR_RANKING) -> pd.DataFrame:
    """District-level desks (the UBND huyện level) ranked by on-time rate, lowest first;
    units with fewer than ``min_finished`` finished dossiers are left out of the ranking, and so
    are units gone before the period began (Nông Sơn, merged into Quế Sơn on 1 January 2025, still
    finished dossiers received in 2024: they count in the totals, as on /scorecard, not in a ranking)."""
    df = standard_report(engine, f.with_(level="district"), "district")
    with engine.connect() as conn:
        gone = {c for (c,) in conn.execute(select(Unit.code).where(Unit.level == "district",
                                                                    Unit.valid_to < f.period.start))}
    df = df[(df["finished"] >= min_finished) & ~df["district_code"].astype(str).isin(gone)]
    return df.sort_values(["on_time_rate", "finished_late"], ascending=[True, False]).reset_index(drop=True)


@cached_query
def procedures_not_full_online(engine: Engine, f: DossierFilter, limit: int = 10) -> pd.DataFrame:
    """Procedures not offered as full online services (partly or not online),
    ranked by dossiers received in the period, the busiest first. A procedure an import added
    (online level "unknown" until the procedures catalogue says) is not listed as not online.

    ``level`` is the procedure's level; in a period with a part on two tiers (from July 2025) it is
    the level of the desks that received it, a row per procedure and level (a district-level
    procedure was received by district desks until June 2025 and by communes since), and the
    procedure's own level is ``procedure_level``."""
    if any("district" not in s.levels for s in segments(engine, f.period.start, f.period.end)):
        df = standard_report(engine, f, ["procedure", "desk_level"])
        df = df.rename(columns={"level": "procedure_level"}).rename(columns={"desk_level": "level"})
    else:
        df = standard_report(engine, f, "procedure")
    df = df[df["online_level"].isin(["partial", "none"]) & (df["received"] > 0)]
    return df.sort_values(["received", "procedure_code", "level"], ascending=[False, True, True]).head(limit).reset_index(drop=True)


@cached_query
def commune_postal_coverage(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Every commune of the province (or of the filter's district) and whether it moved
    any procedure to the public postal service in the filter's year (a deployment record
    with ``procedures_moved > 0``). Columns: code, name, district_code, district_name, moved."""
    year = f.period.last_ym // 100
    D = U.alias("d")
    moved = (select(PD.c.unit_code).where(and_(PD.c.year == year, PD.c.procedures_moved > 0))).subquery("moved")
    stmt = (select(U.c.code, U.c.short_name.label("name"), U.c.parent_code.label("district_code"),
                   D.c.short_name.label("district_name"), moved.c.unit_code.isnot(None).label("moved"))
            .select_from(U.outerjoin(moved, moved.c.unit_code == U.c.code).outerjoin(D, D.c.code == U.c.parent_code))
            .where(U.c.level == "commune", *in_force_terms(U, f.period.end, f.period.end))  # the year's end structure
            .order_by(D.c.sort_order, U.c.sort_order, U.c.code))
    stmt = stmt.where(*unit_where(f))  # the communes of a district user's or the chosen district
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["code", "name", "district_code", "district_name", "moved"])
    df["moved"] = df["moved"].astype(bool)
    return df
