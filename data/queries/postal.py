"""Postal substitution (Decision 2114): post-office staff receiving dossiers at one-stop desks.

Two sources that must not be confused:
- ``postal_deployments``: what each unit reported for a year (postal staff, civil
  servants replaced or supported, procedures moved to the post office / in total);
- ``dossier_month_stats``: what the dossiers say (received by postal staff, and
  whether those were finished on time), so the page can check the reports against
  the desks' actual work.

A record whose moved procedures exceed the total is a data problem: shares are
computed as reported (above 100 %), never capped, and ``bad_record`` says so.
Every query respects the access scope: with ``f.effective_district`` only that
district-level unit and its communes are seen (the province level drops out).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Engine

from ..cache import cached_query
from ..filters import A, DossierFilter, Period, base_stats_select, district_units, stats_table_for, unit_where
from ..periods import ends_without_districts, in_force_terms, levels_in_period
from ..schema import PostalDeployment, Unit
from .summary import ratio

U = Unit.__table__
PD = PostalDeployment.__table__

DOSSIER_MEASURES = ["received", "received_postal_staff", "finished", "finished_in_time",
                    "finished_postal_staff", "finished_in_time_postal_staff"]


def _is_full():
    return and_(PD.c.procedures_total > 0, PD.c.procedures_moved == PD.c.procedures_total)


def _is_bad():
    return or_(PD.c.procedures_moved > PD.c.procedures_total, PD.c.procedures_moved < 0, PD.c.procedures_total < 0)


def _count_if(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


@cached_query
def deployment_years(engine: Engine, f: DossierFilter) -> list[int]:
    """Years with at least one deployment record in scope, oldest first."""
    stmt = (select(PD.c.year).select_from(PD.join(U, U.c.code == PD.c.unit_code))
            .where(*unit_where(f)).group_by(PD.c.year).order_by(PD.c.year))
    with engine.connect() as conn:
        return [int(y) for y in conn.execute(stmt).scalars()]


@cached_query
def level_coverage(engine: Engine, f: DossierFilter, years: tuple[int, ...]) -> pd.DataFrame:
    """One row per (year, level) for ``years`` and all three levels (in scope):
    units at the level, units with a record / with postal staff, staff, civil servants,
    procedures moved and total, units at 100 %, records with moved > total. Each year on its own
    units (those in force in it; counted as they stood on the last day the level existed)."""
    every_year = f.with_(period=Period(min(years) * 100 + 1, max(years) * 100 + 12))
    stmt = (
        select(PD.c.year.label("year"), U.c.level.label("level"),
               func.count().label("records"),
               _count_if(PD.c.postal_staff > 0).label("units_with_staff"),
               func.coalesce(func.sum(PD.c.postal_staff), 0).label("postal_staff"),
               func.coalesce(func.sum(PD.c.civil_servants), 0).label("civil_servants"),
               func.coalesce(func.sum(PD.c.procedures_moved), 0).label("procedures_moved"),
               func.coalesce(func.sum(PD.c.procedures_total), 0).label("procedures_total"),
               _count_if(_is_full()).label("units_full"),
               _count_if(_is_bad()).label("bad_records"))
        .select_from(PD.join(U, U.c.code == PD.c.unit_code))
        .where(PD.c.year.in_(list(years)), *unit_where(every_year))
        .group_by(PD.c.year, U.c.level)
    )
    units_stmt = select(U.c.level, U.c.valid_from, U.c.valid_to).where(*unit_where(every_year))
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(stmt).mappings().all())
        spans = conn.execute(units_stmt).all()
    units = {y: _units_at_last_day([r for r in spans if (r[1] is None or r[1] <= dt.date(y, 12, 31))
                                    and (r[2] is None or r[2] >= dt.date(y, 1, 1))], dt.date(y, 12, 31))
             for y in years}
    first, last = min(years), max(years)
    period_levels = levels_in_period(engine, dt.date(first, 1, 1), dt.date(last, 12, 31))
    levels = [lv for lv in period_levels if not (f.effective_district and lv == "province")]
    grid = pd.DataFrame([(y, lv) for y in years for lv in levels], columns=["year", "level"])
    count_cols = ["records", "units_with_staff", "postal_staff", "civil_servants", "procedures_moved",
                  "procedures_total", "units_full", "bad_records"]
    if rows.empty:
        rows = pd.DataFrame(columns=["year", "level", *count_cols])
    rows["year"] = pd.to_numeric(rows["year"]).astype("int64")
    grid["year"] = grid["year"].astype("int64")
    df = grid.merge(rows, on=["year", "level"], how="left")
    for c in count_cols:
        df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    df["units"] = [units[y].get(lv, 0) for y, lv in zip(df["year"], df["level"])]
    df["units"] = df["units"].astype("int64")
    df["moved_share"] = ratio(df["procedures_moved"], df["procedures_total"])
    return df.reset_index(drop=True)  # the grid's order: years as given, levels province -> commune


def _units_at_last_day(spans, end: dt.date) -> dict[str, int]:
    """Units per level on the last day of the period the level existed (a year that straddles
    1 July 2025 counts the 17 district-level units of June and the 78 communes of December)."""
    out = {}
    for level in {lv for lv, _, _ in spans}:
        mine = [(a, b) for lv, a, b in spans if lv == level]
        day = end if any(b is None or b >= end for _, b in mine) else max(b for _, b in mine)
        out[level] = sum(1 for a, b in mine if (a is None or a <= day) and (b is None or b >= day))
    return out


def _dossier_measures(engine: Engine, f: DossierFilter, key) -> pd.DataFrame:
    """Dossiers received / finished, by postal staff or not, grouped by ``key`` (an agencies column)."""
    stats = stats_table_for(f)
    T = stats.c
    in_time = T.finished_early + T.finished_on_time
    stmt = base_stats_select(
        f, key.label("code"),
        func.coalesce(func.sum(T.received), 0).label("received"),
        func.coalesce(func.sum(T.received_postal_staff), 0).label("received_postal_staff"),
        func.coalesce(func.sum(in_time + T.finished_late), 0).label("finished"),
        func.coalesce(func.sum(in_time), 0).label("finished_in_time"),
        func.coalesce(func.sum(T.finished_postal_staff), 0).label("finished_postal_staff"),
        func.coalesce(func.sum(T.finished_in_time_postal_staff), 0).label("finished_in_time_postal_staff"),
        table=stats,
    ).group_by(key)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).mappings().all())
    if df.empty:
        df = pd.DataFrame(columns=["code", *DOSSIER_MEASURES])
    for c in DOSSIER_MEASURES:
        df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    return df


def add_dossier_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Share received by postal staff; on-time rate of postal-staff dossiers and of the others
    (received by civil servants, online included)."""
    for c in DOSSIER_MEASURES:
        df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    df["postal_share"] = ratio(df["received_postal_staff"], df["received"])
    df["on_time_postal"] = ratio(df["finished_in_time_postal_staff"], df["finished_postal_staff"])
    df["on_time_civil"] = ratio(df["finished_in_time"] - df["finished_in_time_postal_staff"],
                                 df["finished"] - df["finished_postal_staff"])
    return df


def _with_deployment(units: pd.DataFrame, dep: pd.DataFrame) -> pd.DataFrame:
    df = units.merge(dep, on="code", how="left")
    df["has_record"] = df["postal_staff"].notna()
    for c in ("postal_staff", "civil_servants", "procedures_moved", "procedures_total"):
        df[c] = pd.to_numeric(df[c]).astype("Int64")
    moved = df["procedures_moved"].astype("float")
    total = df["procedures_total"].astype("float")
    df["moved_share"] = ratio(moved.fillna(np.nan), total.fillna(0))
    df["is_full"] = df["has_record"] & (total > 0) & (moved == total)
    df["bad_record"] = df["has_record"] & ((moved > total) | (moved < 0) | (total < 0))
    df["nothing_moved"] = ~df["has_record"] | (moved.fillna(0) <= 0)
    return df


def _deployments_for(engine: Engine, year: int, level: str, f: DossierFilter, parent: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    unit_cols = [U.c.code, U.c.name, U.c.short_name, U.c.division_type, U.c.parent_code,
                 U.c.tile_row, U.c.tile_col, U.c.sort_order]
    conds = [U.c.level == level, *unit_where(f)]
    if parent:  # its communes (after July 2025: those formed from its communes)
        conds.append(district_units(parent))
    if level == "commune" and parent is None:  # every commune: the structure at the year's end
        conds += in_force_terms(U, f.period.end, f.period.end)
    units_stmt = select(*unit_cols).where(*conds).order_by(U.c.sort_order, U.c.code)
    dep_stmt = (select(PD.c.unit_code.label("code"), PD.c.postal_staff, PD.c.civil_servants,
                       PD.c.procedures_moved, PD.c.procedures_total, PD.c.note)
                .select_from(PD.join(U, U.c.code == PD.c.unit_code))
                .where(PD.c.year == year, *conds))
    with engine.connect() as conn:
        units = pd.DataFrame(conn.execute(units_stmt).mappings().all(), columns=[c.name for c in unit_cols])
        dep = pd.DataFrame(conn.execute(dep_stmt).mappings().all(),
                           columns=["code", "postal_staff", "civil_servants", "procedures_moved", "procedures_total", "note"])
    return units, dep


@cached_query
def district_coverage(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """One row per district-level unit in scope for the filter's year (``f.period.first_ym // 100``):
    the unit's deployment record (staff, civil servants, procedures moved / total, share moved,
    at 100 %, data problem), its communes with / without postal staff, and what its own
    one-stop desk's dossiers say (district-level dossiers: share received by postal staff,
    on-time rate of those against the rest)."""
    year = f.period.first_ym // 100
    units, dep = _deployments_for(engine, year, "district", f)
    df = _with_deployment(units, dep)
    # Communes per district, and those with postal staff this year.
    C = U.alias("communes")
    with engine.connect() as conn:
        communes = pd.DataFrame(conn.execute(
            select(C.c.parent_code.label("code"), func.count().label("communes"),
                   _count_if(PD.c.postal_staff > 0).label("communes_with_staff"))
            .select_from(C.outerjoin(PD, and_(PD.c.unit_code == C.c.code, PD.c.year == year)))
            .where(C.c.level == "commune", *unit_where(f, C))
            .group_by(C.c.parent_code)).mappings().all(), columns=["code", "communes", "communes_with_staff"])
    df = df.merge(communes, on="code", how="left")
    df["communes"] = pd.to_numeric(df["communes"]).fillna(0).astype("int64")
    df["communes_with_staff"] = pd.to_numeric(df["communes_with_staff"]).fillna(0).astype("int64")
    df["communes_without_staff"] = df["communes"] - df["communes_with_staff"]
    if ends_without_districts(engine, year):
        # The year ended without districts (2025): its commune records are the new communes',
        # which belong to no district; "0 of 13 old communes" would read as nothing deployed.
        df["communes_with_staff"] = df["communes_without_staff"] = float("nan")
    dossiers = _dossier_measures(engine, f.with_(level="district"), A.c.district_code)
    df = add_dossier_rates(df.merge(dossiers, on="code", how="left"))
    return df.reset_index(drop=True)


@cached_query
def commune_coverage(engine: Engine, f: DossierFilter, district_code: str) -> pd.DataFrame:
    """The communes of one district-level unit for the filter's year: deployment record,
    nothing moved (no record or 0 procedures), and their own dossiers' share through postal staff."""
    year = f.period.first_ym // 100
    if f.scope_district_code and f.scope_district_code != district_code:
        district_code = f.scope_district_code
    units, dep = _deployments_for(engine, year, "commune", f, parent=district_code)
    df = _with_deployment(units, dep)
    dossiers = _dossier_measures(engine, f.with_(level="commune", district_code=district_code), A.c.commune_code)
    df = add_dossier_rates(df.merge(dossiers, on="code", how="left"))
    return df.reset_index(drop=True)


@cached_query
def monthly_postal_share(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Per level and month of ``f.period``: dossiers received, received by postal staff, share."""
    df = monthly_received(engine, f, A.c.level, "level")
    df["postal_share"] = ratio(df["received_postal_staff"], df["received"])
    return df


def monthly_received(engine: Engine, f: DossierFilter, key, name: str) -> pd.DataFrame:
    """Per ``key`` (an agencies column, named ``name``) and month: dossiers received and received by postal staff."""
    stats = stats_table_for(f, ["level", "month"])
    T = stats.c
    stmt = base_stats_select(
        f, key.label(name), T.ym.label("ym"),
        func.coalesce(func.sum(T.received), 0).label("received"),
        func.coalesce(func.sum(T.received_postal_staff), 0).label("received_postal_staff"),
        table=stats,
    ).group_by(key, T.ym).order_by(key, T.ym)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[name, "ym", "received", "received_postal_staff"])
    for c in ("ym", "received", "received_postal_staff"):
        df[c] = pd.to_numeric(df[c]).astype("int64")
    return df
