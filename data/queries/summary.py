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

import datetime as dt
import functools

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, bindparam, case, cast, func, literal, select, union_all
from sqlalchemy.engine import Engine

from ..filters import SE, A, DossierFilter, P, Period, S, filter_values, stats_table_for, stats_where
from ..periods import levels_in_period, segments
from ..schema import Unit

U = Unit.__table__

COUNT_COLUMNS = [
    "received", "received_online", "received_in_person", "received_by_post", "received_postal_staff",
    "received_unknown_channel", "carried_over", "finished_early", "finished_on_time", "finished_late", "withdrawn",
    "in_progress", "in_progress_overdue", "finished_postal_staff", "finished_in_time_postal_staff",
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
    "month": ([S.c.ym.label("ym")], []),  # read from the summed rows (see _report_statement)
    # The level of the desk that received the dossiers (the procedure's own "level" is the level it
    # was written for: after July 2025 communes receive district-level procedures).
    "desk_level": ([A.c.level.label("desk_level")], []),
}


# The flows summed over the period, in the order the report's frames keep them.
FLOW_COLUMNS = [
    "received", "received_online", "received_in_person", "received_by_post", "received_postal_staff",
    "received_unknown_channel", "finished_early", "finished_on_time", "finished_late", "withdrawn",
    "finished_postal_staff", "finished_in_time_postal_staff",
]
STOCK_COLUMNS = ["carried_over", "in_progress", "in_progress_overdue"]
RESULT_COLUMNS = FLOW_COLUMNS + STOCK_COLUMNS

def _coalesced_sum(expr):
    # Cast: PostgreSQL sums a bigint into numeric, which would come back as Decimal.
    return cast(func.coalesce(func.sum(expr), 0), BigInteger)


# The column of dossier_month_stats each grouping's keys and labels hang from: the big
# scan groups by these (small integers, already in primary-key order for ym), and the
# names and codes are joined to the few hundred summed rows, not to every row.
_GROUP_IDS = {"level": "agency_id", "district": "agency_id", "agency": "agency_id",
              "sector": "procedure_id", "procedure": "procedure_id", "month": "ym", "desk_level": "agency_id"}


def _labelled(parts, groups: tuple[str, ...]):
    """The summed rows joined to the tables their keys and labels come from."""
    ids = {_GROUP_IDS[g] for g in groups}
    source = parts
    if "agency_id" in ids:
        source = source.join(A, A.c.id == parts.c.agency_id)
    if "procedure_id" in ids:
        source = source.join(P, P.c.id == parts.c.procedure_id).join(SE, SE.c.id == P.c.sector_id)
    if "district" in groups:
        source = source.outerjoin(U, U.c.code == A.c.district_code)
    return source


@functools.lru_cache(maxsize=256)
def _report_statement(groups: tuple[str, ...], filtered: frozenset, stats=S):
    """The Biểu 06 statement for a grouping and the set of filter values used, over
    ``stats``: dossier_month_stats or its month x agency rollup (``stats_table_for``).

    Inner part: sums grouped by the stats' own ids (``_GROUP_IDS``). Flows are plain sums
    over the period's months and the stocks (carried over, open at the end) sums over the
    two snapshot months, in two branches: cheaper than one scan with a CASE per column.
    By month every month's stock is wanted: one branch over the period and the month
    before it, the latter dropped once its stock is carried over (see _monthly_stocks).
    Outer part: keys and labels joined to the summed rows, which are added up per group
    (keys and labels depend on the ids only, so the groups are those of grouping the
    joined rows directly, as this query did before).
    """
    # In primary-key order (ym, agency_id, procedure_id): grouping by ym and agency_id then
    # follows the index the scan reads, with no sort.
    wanted = {_GROUP_IDS[g] for g in groups}
    ids = [stats.c[c] for c in ("ym", "agency_id", "procedure_id") if c in wanted]
    # Filter values are bound parameters, so one statement per grouping and filter shape is
    # built once and reused (SQLAlchemy caches the compiled SQL; building the expression is
    # what each call would otherwise pay for).
    conds = stats_where(None, stats, fields=filtered)
    lo, first, last = bindparam("lo"), bindparam("first"), bindparam("last")
    T = stats.c

    def branch(measures: dict, *where):
        return (select(*ids, *[measures.get(m, literal(0)).label(m) for m in RESULT_COLUMNS])
                .where(*where, *conds).group_by(*ids))

    flows = {m: func.sum(T[m]) for m in FLOW_COLUMNS}
    if "month" in groups:
        # The month before the period only carries its stock over: its flows are dropped with it.
        parts = branch({**flows, "in_progress": func.sum(T.open_end),
                        "in_progress_overdue": func.sum(T.open_overdue_end)},
                       T.ym >= lo, T.ym <= last).subquery("parts")
    else:
        stocks = {"carried_over": func.sum(case((T.ym == lo, T.open_end), else_=0)),
                  "in_progress": func.sum(case((T.ym == last, T.open_end), else_=0)),
                  "in_progress_overdue": func.sum(case((T.ym == last, T.open_overdue_end), else_=0))}
        parts = union_all(branch(flows, T.ym >= first, T.ym <= last),
                          branch(stocks, T.ym.in_([lo, last]))).subquery("parts")
    keys, labels = [], []
    for g in groups:
        k, lab = GROUPINGS[g]
        keys += [parts.c.ym.label("ym")] if g == "month" else k  # the summed rows' own month
        labels += lab
    return (select(*keys, *labels, *[_coalesced_sum(parts.c[m]).label(m) for m in RESULT_COLUMNS])
            .select_from(_labelled(parts, groups)).group_by(*keys, *labels))


def _group_columns(groups: list[str]) -> list[str]:
    """Every grouping's keys, then every grouping's labels (the statement's order)."""
    return [c.name for part in (0, 1) for g in groups for c in GROUPINGS[g][part]]


def _report_rows(engine: Engine, f: DossierFilter, groups: list[str], stats=None) -> list:
    period = f.period
    params = filter_values(f)
    stats = stats_table_for(f, groups) if stats is None else stats
    stmt = _report_statement(tuple(groups), frozenset(params), stats)
    params.update(lo=period.before_first_ym, first=period.first_ym, last=period.last_ym)
    with engine.connect() as conn:
        return conn.execute(stmt, params).all()


def standard_report(engine: Engine, f: DossierFilter, by: str | list[str] = "level", stats=None) -> pd.DataFrame:
    """Biểu 06 measures for the filter, one row per group of ``by`` (level, district,
    agency, sector, procedure, month, or a list of them).

    With ``by="month"`` carried-over and in-progress stocks are those of each month.
    ``stats``: the table read; by default ``stats_table_for(f, by)`` chooses (tests pass
    dossier_month_stats to hold the rollup's answers to the detail table's).
    """
    groups = [by] if isinstance(by, str) else list(by)
    rows = _report_rows(engine, f, groups, stats)
    names = _group_columns(groups)
    columns = list(zip(*rows)) if rows else [()] * (len(names) + len(RESULT_COLUMNS))
    data = {name: list(col) for name, col in zip(names, columns)}
    counts = {m: np.array(col, dtype="int64") for m, col in zip(RESULT_COLUMNS, columns[len(names):])}
    if "month" in groups:
        df = _monthly_stocks(pd.DataFrame({**data, **counts}), groups, f.period)
        counts = {m: df[m].to_numpy(dtype="int64") for m in RESULT_COLUMNS}
        data = {name: df[name] for name in names}
    # An empty report keeps the columns in the order COUNT_COLUMNS lists them (as it always has).
    order = RESULT_COLUMNS if rows else COUNT_COLUMNS
    if not rows:
        data = {name: pd.Series([], dtype=object) for name in names}
    return pd.DataFrame({**data, **{m: counts[m] for m in order}, **_derived(counts)})


def _monthly_stocks(df: pd.DataFrame, groups: list[str], period) -> pd.DataFrame:
    """Per month: carried over = open at the previous month's end; keep only the period's months."""
    other = [c for c in df.columns if c not in COUNT_COLUMNS and c != "ym"]
    df = df.sort_values(other + ["ym"]).reset_index(drop=True)
    prev = df.groupby(other, dropna=False)["in_progress"].shift(1) if other else df["in_progress"].shift(1)
    df["carried_over"] = prev.fillna(0)
    df = df[df["ym"] >= period.first_ym].reset_index(drop=True)
    return df


def ratio(num, den) -> np.ndarray:
    """num / den element-wise, NaN where the denominator is not positive (a rate of nothing
    is no rate, never 0 % or a division error): every rate of the app is computed here."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _derived(c) -> dict[str, np.ndarray]:
    """The derived columns and rates from the counts (a mapping of column -> int64 array), in one pass."""
    finished_in_time = c["finished_early"] + c["finished_on_time"]
    finished = finished_in_time + c["finished_late"]
    received = c["received"]
    # Dossiers whose channel an export did not give are left out of the channel shares' base.
    known = received - c["received_unknown_channel"]
    return {
        "received_in_person_or_post": c["received_in_person"] + c["received_by_post"],
        "received_known_channel": known,
        "finished": finished,
        "finished_in_time": finished_in_time,
        "in_progress_within": c["in_progress"] - c["in_progress_overdue"],
        "handled": received + c["carried_over"],
        "on_time_rate": ratio(finished_in_time, finished),
        "late_rate": ratio(c["finished_late"], finished),
        "online_share": ratio(c["received_online"], known),
        "post_share": ratio(c["received_by_post"], known),
        "postal_staff_share": ratio(c["received_postal_staff"], received),
    }


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the derived columns and rates (re)computed from its count columns."""
    derived = _derived({c: df[c].to_numpy() for c in COUNT_COLUMNS})
    if any(c in df.columns for c in derived):
        for c, values in derived.items():
            df[c] = values
        return df
    return pd.concat([df, pd.DataFrame(derived, index=df.index)], axis=1)


def summary_by_level(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """One row per level that existed in the filter's period (province, district, commune until
    June 2025; province and commune after: data.periods), indexed by level."""
    rows = _report_rows(engine, f, ["level"])
    levels = levels_in_period(engine, f.period.start, f.period.end)
    at = {level: i for i, level in enumerate(levels)}
    counts = {m: np.zeros(len(levels), dtype="int64") for m in RESULT_COLUMNS}
    for row in rows:
        i = at.get(row[0])
        if i is None:
            continue  # an agency of no known level: not a row of the report
        for m, v in zip(RESULT_COLUMNS, row[1:]):
            counts[m][i] = v
    index = pd.Index(list(levels), name="level")
    order = RESULT_COLUMNS if rows else COUNT_COLUMNS
    return pd.DataFrame({**{m: counts[m] for m in order}, **_derived(counts)}, index=index)


def _levels_json(df: pd.DataFrame) -> dict:
    levels = {}
    for level, row in df.iterrows():
        out = {c: int(row[c]) for c in COUNT_COLUMNS + ["received_in_person_or_post", "received_known_channel", "finished",
                                                         "finished_in_time", "in_progress_within"]}
        for c in ("on_time_rate", "late_rate", "online_share", "post_share", "postal_staff_share"):
            out[c] = None if pd.isna(row[c]) else float(row[c])
        levels[level] = out
    return levels


def summary_json(engine: Engine, year: int, boundaries: str = "historical") -> dict:
    """What ``tthc summary --year Y --json`` prints: rates as unrounded fractions, one entry per
    level that existed in the year; a year that straddles a change of levels is also given per
    part (``segments``). ``boundaries="current"``: the year re-aggregated onto today's units
    (data.queries.boundaries), so its levels are today's."""
    from .boundaries import summary_by_current_level  # boundaries reads this module

    period = Period.year(year)
    parts = segments(engine, period.start, period.end)
    end = parts[-1]
    out = {"year": year, "boundaries": boundaries,
           "province": {"code": end.province_code, "name": end.province_name}}
    if boundaries == "current":  # today's units, so today's province (or city)
        today = segments(engine, dt.date.today(), dt.date.today())[-1]
        out["province"] = {"code": today.province_code, "name": today.province_name}
        out["levels"] = _levels_json(summary_by_current_level(engine, DossierFilter(period=period)))
        return out
    out["levels"] = _levels_json(summary_by_level(engine, DossierFilter(period=period)))
    if len(parts) > 1:
        out["segments"] = []
        for s in parts:
            sub = Period(*s.months)
            df = summary_by_level(engine, DossierFilter(period=sub))
            out["segments"].append({"from": s.start.isoformat(), "to": s.end.isoformat(), "levels": _levels_json(df),
                                    "province": {"code": s.province_code, "name": s.province_name}})
    return out
