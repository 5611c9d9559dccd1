"""The standard report (Biểu số 06/VPCP/KSTT) for any grouping, from the aggregates.

Columns follow the form officials know by heart:
received (online; in person or by post; carried over from the previous period),
finished (early; on time; late), in progress at the period's end (within
deadline; overdue), plus returned/withdrawn and the rates. "On time" is the
national portal's rule, decided when the aggregates are built (see
``data.aggregates``): finished on or before the due date moved on by the
applicant's supplement time, at most one supplement request.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.engine import Engine

from ..filters import A, P, S, SE, DossierFilter, stats_from
from ..filters import agency_conditions, procedure_conditions
from ..schema import LEVELS, Unit

U = Unit.__table__

COUNT_COLUMNS = [
    "received", "received_online", "received_in_person", "received_by_post", "received_postal_staff",
    "carried_over", "finished_early", "finished_on_time", "finished_late", "withdrawn",
    "in_progress", "in_progress_overdue", "finished_postal_staff", "finished_in_time_postal_staff",
]
DERIVED_COLUMNS = [
    "received_in_person_or_post", "handled", "finished", "finished_in_time", "in_progress_within",
    "on_time_rate", "late_rate", "online_share", "post_share", "postal_staff_share",
]

# What each grouping is keyed by, and the label columns that come with it.
GROUPINGS = {
    "level": ([A.c.level.label("level")], []),
    "district": ([A.c.district_code.label("district_code")], [U.c.short_name.label("district_name"), U.c.sort_order.label("district_order")]),
    "agency": ([A.c.id.label("agency_id")], [A.c.code.label("agency_code"), A.c.name.label("agency_name"),
                                               A.c.name_en.label("agency_name_en"), A.c.level.label("level"),
                                               A.c.district_code.label("district_code"),
                                               A.c.commune_code.label("commune_code")]),
    "sector": ([SE.c.code.label("sector_code")], [SE.c.name.label("sector_name"), SE.c.name_en.label("sector_name_en")]),
    "procedure": ([P.c.code.label("procedure_code")], [P.c.name.label("procedure_name"), P.c.name_en.label("procedure_name_en"),
                                                      P.c.online_level.label("online_level"), P.c.level.label("level"),
                                                      SE.c.code.label("sector_code")]),
    "month": ([S.c.ym.label("ym")], []),
}


def _sum_if(col, cond):
    return func.coalesce(func.sum(case((cond, col), else_=0)), 0)


def standard_report(engine: Engine, f: DossierFilter, by: str | list[str] = "level") -> pd.DataFrame:
    """Biểu 06 measures for the filter, one row per group of ``by`` (level, district,
    agency, sector, procedure, month, or a list of them).

    With ``by="month"`` carried-over and in-progress stocks are those of each month.
    """
    groups = [by] if isinstance(by, str) else list(by)
    keys, labels = [], []
    for g in groups:
        k, lab = GROUPINGS[g]
        keys += k
        labels += lab
    period = f.period
    in_period = and_(S.c.ym >= period.first_ym, S.c.ym <= period.last_ym)
    monthly = "month" in groups
    if monthly:
        carried = literal(0)  # filled below from the previous month's stock
        at_end_open = func.sum(S.c.open_end)
        at_end_overdue = func.sum(S.c.open_overdue_end)
    else:
        carried = _sum_if(S.c.open_end, S.c.ym == period.before_first_ym)
        at_end_open = _sum_if(S.c.open_end, S.c.ym == period.last_ym)
        at_end_overdue = _sum_if(S.c.open_overdue_end, S.c.ym == period.last_ym)
    lo = period.before_first_ym  # the month before the period holds the carried-over stock
    flows = {m: _sum_if(S.c[m], in_period) for m in (
        "received", "received_online", "received_in_person", "received_by_post", "received_postal_staff",
        "finished_early", "finished_on_time", "finished_late", "withdrawn",
        "finished_postal_staff", "finished_in_time_postal_staff")}
    source = stats_from(f)
    if "district" in groups:
        source = source.outerjoin(U, U.c.code == A.c.district_code)
    stmt = (
        select(*keys, *labels,
               *[v.label(k) for k, v in flows.items()],
               carried.label("carried_over"), at_end_open.label("in_progress"),
               at_end_overdue.label("in_progress_overdue"))
        .select_from(source)
        .where(S.c.ym >= lo, S.c.ym <= period.last_ym, *agency_conditions(f), *procedure_conditions(f))
        .group_by(*keys, *labels)
    )
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).mappings().all())
    if df.empty:
        df = pd.DataFrame(columns=[k.name for k in keys] + [lab.name for lab in labels] + COUNT_COLUMNS)
    if monthly:
        df = _monthly_stocks(df, groups, period)
    for c in COUNT_COLUMNS:
        df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    return add_rates(df)


def _monthly_stocks(df: pd.DataFrame, groups: list[str], period) -> pd.DataFrame:
    """Per month: carried over = open at the previous month's end; keep only the period's months."""
    other = [c for c in df.columns if c not in COUNT_COLUMNS and c != "ym"]
    df = df.sort_values(other + ["ym"]).reset_index(drop=True)
    prev = df.groupby(other, dropna=False)["in_progress"].shift(1) if other else df["in_progress"].shift(1)
    df["carried_over"] = prev.fillna(0)
    df = df[df["ym"] >= period.first_ym].reset_index(drop=True)
    return df


def _ratio(num, den):
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    df["received_in_person_or_post"] = df["received_in_person"] + df["received_by_post"]
    df["finished"] = df["finished_early"] + df["finished_on_time"] + df["finished_late"]
    df["finished_in_time"] = df["finished_early"] + df["finished_on_time"]
    df["in_progress_within"] = df["in_progress"] - df["in_progress_overdue"]
    df["handled"] = df["received"] + df["carried_over"]
    df["on_time_rate"] = _ratio(df["finished_in_time"], df["finished"])
    df["late_rate"] = _ratio(df["finished_late"], df["finished"])
    df["online_share"] = _ratio(df["received_online"], df["received"])
    df["post_share"] = _ratio(df["received_by_post"], df["received"])
    df["postal_staff_share"] = _ratio(df["received_postal_staff"], df["received"])
    return df


def summary_by_level(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """One row per level (province, district, commune), always all three, indexed by level."""
    df = standard_report(engine, f, "level").set_index("level")
    df = df.reindex(list(LEVELS))
    for c in COUNT_COLUMNS:
        df[c] = df[c].fillna(0).astype("int64")
    return add_rates(df.rename_axis("level"))


def summary_json(engine: Engine, year: int) -> dict:
    """What ``tthc summary --year Y --json`` prints: rates as unrounded fractions."""
    from ..filters import Period

    df = summary_by_level(engine, DossierFilter(period=Period.year(year)))
    levels = {}
    for level, row in df.iterrows():
        out = {c: int(row[c]) for c in COUNT_COLUMNS + ["received_in_person_or_post", "finished", "finished_in_time", "in_progress_within"]}
        for c in ("on_time_rate", "late_rate", "online_share", "post_share", "postal_staff_share"):
            out[c] = None if pd.isna(row[c]) else float(row[c])
        levels[level] = out
    return {"year": year, "levels": levels}
