"""The service-index scorecard (Decision 766, data.service_index) per unit, scope and month.

Everything but the dossier list reads the aggregate tables: flows summed over the period,
stocks (open at the end, and overdue) at its last month, and per unit the number of
procedures it received dossiers for and how many of those are offered fully online (from
dossier_month_stats, whose rows carry the procedure). Levels of the ranking: provincial
departments (``department``: one agency each), district-level units and communes (the
People's Committee's own dossiers, as the level comparison counts them).

On today's boundaries (``boundaries="current"``, issue 19) the commune ranking lists today's
communes: the communes' counts as they were re-aggregated through the successor records
(data.queries.boundaries.onto_current) BEFORE scoring, so a merged commune's score is that of its
predecessors' summed counts (never an average of scores). Only the commune level follows: the
district level has no unit today and a department is the same desk whatever the boundaries.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import BigInteger, and_, case, cast, distinct, func, select
from sqlalchemy.engine import Engine

from ..aggregates import is_late
from ..cache import cached_query
from ..filters import SE, A, D, DossierFilter, P, Period, S, base_stats_select, dossier_where, stats_table_for
from ..schema import FINISHED_STATUSES, RATING_SATISFIED, Unit
from ..service_index import FLOW_COUNTS, GROUPS, INDICATOR_BY_KEY, STOCK_COUNTS, score, what_if_on_time
from .boundaries import current_units, onto_current

U = Unit.__table__

RANK_LEVELS = ("department", "district", "commune")
CURRENT_LEVELS = ("commune",)  # the ranking levels that can be put on today's boundaries
AGENCY_LEVEL = {"department": "province", "district": "district", "commune": "commune"}
GROUP_KEYS = tuple(g.key for g in GROUPS)
LAND_SECTOR = "DD"  # Đất đai: the sector the province named for lateness (catalogue code)


def _key(level: str):
    return {"department": A.c.code, "district": A.c.district_code, "commune": A.c.commune_code}[level]


def _sum(expr):
    return cast(func.coalesce(func.sum(expr), 0), BigInteger)


def _count_columns(f: DossierFilter, table):
    last = f.period.last_ym
    return ([_sum(table.c[m]).label(m) for m in FLOW_COUNTS]
            + [_sum(case((table.c.ym == last, table.c[m]), else_=0)).label(m) for m in STOCK_COUNTS])


def _procedure_columns():
    return [func.count(distinct(case((S.c.received > 0, S.c.procedure_id)))).label("procedures_received"),
            func.count(distinct(case((and_(S.c.received > 0, P.c.online_level == "full"), S.c.procedure_id))))
            .label("procedures_full_online")]


def _rows(engine: Engine, stmt) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


@cached_query
def unit_counts(engine: Engine, f: DossierFilter, level: str) -> pd.DataFrame:
    """One row per unit of ``level`` in the filter's scope: its key (``code``), the counts the
    score reads and the procedure counts. Units with no dossier in the period are left out."""
    if level not in RANK_LEVELS:
        raise ValueError(f"unknown level {level!r} (one of {', '.join(RANK_LEVELS)})")
    g = f.with_(level=AGENCY_LEVEL[level])
    table = stats_table_for(g)
    key = _key(level)
    counts = _rows(engine, base_stats_select(g, key.label("code"), *_count_columns(g, table), table=table)
                   .group_by(key))
    procs = _rows(engine, base_stats_select(g, key.label("code"), *_procedure_columns(), table=S).group_by(key))
    df = pd.DataFrame(counts, columns=["code", *FLOW_COUNTS, *STOCK_COUNTS])
    pr = pd.DataFrame(procs, columns=["code", "procedures_received", "procedures_full_online"])
    df = df.merge(pr, on="code", how="left").fillna(0)
    return df[df["code"].notna()].reset_index(drop=True)


@cached_query
def scope_counts(engine: Engine, f: DossierFilter) -> dict:
    """The counts of the whole scope (the province, or a district user's district and its communes)."""
    table = stats_table_for(f)
    counts = _rows(engine, base_stats_select(f, *_count_columns(f, table), table=table))[0]
    procs = _rows(engine, base_stats_select(f, *_procedure_columns(), table=S))[0]
    return {**counts, **procs}


@cached_query
def monthly_counts(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """One row per month of the period with the scope's counts, each month its own period."""
    table = stats_table_for(f)
    flows = [_sum(table.c[m]).label(m) for m in (*FLOW_COUNTS, *STOCK_COUNTS)]
    counts = _rows(engine, base_stats_select(f, table.c.ym, *flows, table=table).group_by(table.c.ym))
    procs = _rows(engine, base_stats_select(f, S.c.ym, *_procedure_columns(), table=S).group_by(S.c.ym))
    df = pd.DataFrame(counts, columns=["ym", *FLOW_COUNTS, *STOCK_COUNTS])
    pr = pd.DataFrame(procs, columns=["ym", "procedures_received", "procedures_full_online"])
    return df.merge(pr, on="ym", how="left").fillna(0).sort_values("ym").reset_index(drop=True)


@cached_query
def land_late_counts(engine: Engine, f: DossierFilter, level: str | None = None) -> pd.DataFrame:
    """Late land dossiers per unit of ``level`` (or for the scope when None): finished late in
    the period, and open past their deadline at its end. What the what-if moves to on time."""
    g = f.with_(level=AGENCY_LEVEL[level]) if level else f
    key = [_key(level).label("code")] if level else []
    stmt = base_stats_select(
        g, *key, _sum(S.c.finished_late).label("late_finished"),
        _sum(case((S.c.ym == g.period.last_ym, S.c.open_overdue_end), else_=0)).label("late_open"),
        table=S).where(SE.c.code == LAND_SECTOR)
    if level:
        stmt = stmt.group_by(_key(level))
    return pd.DataFrame(_rows(engine, stmt), columns=[*(["code"] if level else []), "late_finished", "late_open"])


@cached_query
def _procedure_pairs(engine: Engine, f: DossierFilter, level: str) -> pd.DataFrame:
    """(code, procedure_id, full): each procedure a unit of ``level`` received dossiers for in the
    period, and whether it is offered fully online (1/0)."""
    g = f.with_(level=AGENCY_LEVEL[level])
    key = _key(level)
    full = func.max(case((P.c.online_level == "full", 1), else_=0)).label("full")
    stmt = (base_stats_select(g, key.label("code"), S.c.procedure_id, full, table=S)
            .where(S.c.received > 0).group_by(key, S.c.procedure_id))
    return pd.DataFrame(_rows(engine, stmt), columns=["code", "procedure_id", "full"])


def _current_procedures(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Per commune of today: the distinct procedures its predecessors received dossiers for, and
    of those fully online (distinct counts do not add up: a procedure two old communes received
    counts once). A predecessor split between communes of today lends its procedures to each."""
    pairs = _procedure_pairs(engine, f, "commune")
    mapping = current_units(engine)
    rows = [(c, p, full) for code, p, full in pairs.itertuples(index=False)
            for c, _ in mapping.get(str(code), ((str(code), 1.0),))]
    df = pd.DataFrame(rows, columns=["current_code", "procedure_id", "full"])
    df = df.groupby(["current_code", "procedure_id"], as_index=False)["full"].max()
    return (df.groupby("current_code").agg(procedures_received=("procedure_id", "size"),
                                           procedures_full_online=("full", "sum")).reset_index())


@cached_query
def current_unit_counts(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """:func:`unit_counts` of the communes on today's boundaries: one row per unit in force today
    (``code``) with the counts of the communes as they were that it took over (flows and stocks
    summed, shares of a split apportioned to whole dossiers so the level's totals are kept), and
    the distinct procedures of its territory. The district level's desks are not communes: their
    dossiers are in no commune's counts (before July 2025 they went to the city)."""
    counts = [*FLOW_COUNTS, *STOCK_COUNTS]
    was = unit_counts(engine, f, "commune")
    cols = ["code", *counts, "procedures_received", "procedures_full_online"]
    if was.empty:
        return pd.DataFrame(columns=cols)
    now = onto_current(engine, was.rename(columns={"code": "unit_code"}), [], counts)
    now = now.merge(_current_procedures(engine, f), on="current_code", how="left").fillna(
        {"procedures_received": 0, "procedures_full_online": 0})
    now = now.rename(columns={"current_code": "code"})[cols]
    return now.astype({c: "int64" for c in cols if c != "code"}).reset_index(drop=True)


@cached_query
def current_land_late_counts(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """:func:`land_late_counts` of the communes re-aggregated onto today's communes."""
    was = land_late_counts(engine, f, "commune")
    if was.empty:
        return was
    now = onto_current(engine, was.rename(columns={"code": "unit_code"}), [], ["late_finished", "late_open"])
    return now.rename(columns={"current_code": "code"})[["code", "late_finished", "late_open"]]


def _current_names(engine: Engine) -> dict:
    """code -> (short name, short name, None) for every unit (today's are in force: no last day)."""
    with engine.connect() as conn:
        return {r[0]: (r[1] or r[2], r[1] or r[2], None) for r in conn.execute(select(U.c.code, U.c.short_name, U.c.name))}


def _names(engine: Engine, level: str) -> dict:
    """code -> (name, name_en, last day in force or None) for the units of a ranking level."""
    if level == "department":
        stmt = select(A.c.code, A.c.name, A.c.name_en, A.c.valid_to).where(A.c.level == "province")
    else:
        stmt = select(U.c.code, U.c.short_name, U.c.short_name, U.c.valid_to).where(U.c.level == level)
    with engine.connect() as conn:
        return {r[0]: (r[1], r[2] or r[1], r[3]) for r in conn.execute(stmt)}


def _ended_before(valid_to, f: DossierFilter) -> bool:
    """The unit was gone before the period began (merged away): its desk is not there to rank,
    though dossiers it received earlier may still finish in the period."""
    return valid_to is not None and valid_to < f.period.start


def ended_units(engine: Engine, f: DossierFilter, level: str) -> tuple[int, int]:
    """(units, dossiers): the units of ``level`` in scope that had ended before the period began
    but still have dossiers finished in it or open at its end (received before the merger). They
    count in the scope's total, not in the ranking."""
    names = _names(engine, level)
    units = dossiers = 0
    for row in unit_counts(engine, f, level).to_dict("records"):
        if _ended_before(names.get(str(row["code"]), (None, None, None))[2], f):
            units += 1
            dossiers += sum(int(row[m]) for m in ("finished_early", "finished_on_time", "finished_late", "open_end"))
    return units, dossiers


def _parents(engine: Engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(U.c.code, U.c.parent_code)).all())


def unit_scores(engine: Engine, f: DossierFilter, level: str, boundaries: str = "historical") -> list[dict]:
    """Every unit of ``level`` in scope and in force on some day of the period with its score
    (data.service_index.score), its land what-if and its counts, ranked by total (best first;
    unmeasured last). ``valid_to``: the unit's last day when it ended within the period (a former
    unit, merged away on the next day), else None. Units gone before the period are left out
    (:func:`ended_units`). ``boundaries="current"`` at commune level: today's communes, scored
    from their predecessors' summed counts (:func:`current_unit_counts`); other levels stay as
    they were."""
    if is_current(level, boundaries):
        counts, land = current_unit_counts(engine, f), current_land_late_counts(engine, f).set_index("code")
        names, parents = _current_names(engine), _parents(engine)
    else:
        counts, land = unit_counts(engine, f, level), land_late_counts(engine, f, level).set_index("code")
        names = _names(engine, level)
        parents = _parents(engine) if level == "commune" else {}
    out = []
    for row in counts.to_dict("records"):
        code = str(row.pop("code"))
        name, name_en, valid_to = names.get(code, (code, code, None))
        if _ended_before(valid_to, f):
            continue
        raw = {k: int(v) for k, v in row.items()}
        result = score(raw)
        late_f = int(land["late_finished"].get(code, 0)) if code in land.index else 0
        late_o = int(land["late_open"].get(code, 0)) if code in land.index else 0
        out.append({"code": code, "name": name, "name_en": name_en, "level": level,
                    "valid_to": valid_to if valid_to is not None and valid_to < f.period.end else None,
                    "parent_code": parents.get(code), **result, "counts": raw,
                    "land_late": late_f + late_o, "land_gain": what_if_on_time(raw, late_f, late_o)})
    out.sort(key=lambda u: (u["total"] is None, -(u["total"] or 0) / max(u["max_measured"], 1), u["code"]))
    return out


def is_current(level: str, boundaries: str) -> bool:
    """Whether a ranking of ``level`` is on today's boundaries when ``boundaries`` asks for it
    (the commune level only: see the module's docstring)."""
    return boundaries == "current" and level in CURRENT_LEVELS


def scope_score(engine: Engine, f: DossierFilter, what_if: bool = True) -> dict:
    """The scope's score; ``what_if=False``: without the land what-if (a period only compared with)."""
    raw = {k: int(v or 0) for k, v in scope_counts(engine, f).items()}
    if what_if:
        land = land_late_counts(engine, f).iloc[0]
        late_f, late_o = int(land["late_finished"]), int(land["late_open"])
    else:
        late_f = late_o = 0
    return {**score(raw), "counts": raw, "land_late": late_f + late_o, "land_gain": what_if_on_time(raw, late_f, late_o)}


def monthly_scores(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """ym, total, max_measured and each group's points, per month of the period."""
    rows = []
    for row in monthly_counts(engine, f).to_dict("records"):
        result = score({k: int(v) for k, v in row.items()})
        rows.append({"ym": int(row["ym"]), "total": result["total"], "max_measured": result["max_measured"],
                     **{k: g["points"] for k, g in result["groups"].items()}})
    return pd.DataFrame(rows)


@cached_query
def yearly_procedure_counts(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Per year of the period: the scope's procedures with a dossier received, and of those fully online."""
    year = S.c.ym // 100
    rows = _rows(engine, base_stats_select(f, year.label("year"), *_procedure_columns(), table=S).group_by(year))
    return pd.DataFrame(rows, columns=["year", "procedures_received", "procedures_full_online"])


def _counts_of(months: pd.DataFrame, yearly: pd.DataFrame, period) -> dict:
    """A period's counts from its months' rows: flows summed, stocks of its last month, and the
    procedures of the month (one month) or of the year (a whole year)."""
    rows = months[(months["ym"] >= period.first_ym) & (months["ym"] <= period.last_ym)]
    out = {m: int(rows[m].sum()) for m in FLOW_COUNTS}
    last = rows[rows["ym"] == period.last_ym]
    for m in STOCK_COUNTS:
        out[m] = int(last[m].sum())
    if period.first_ym == period.last_ym:
        procs = last
    else:
        procs = yearly[yearly["year"] == period.first_ym // 100]
    for m in ("procedures_received", "procedures_full_online"):
        out[m] = int(procs[m].sum())
    return out


def scope_and_trend(engine: Engine, f: DossierFilter, previous) -> tuple[dict, dict, pd.DataFrame]:
    """(the scope's score for f's period with its land what-if, its score for ``previous``, and
    each month's score over the period's year and the year before) in three statements: the
    months' counts, the years' procedures, the land what-if. ``f``'s period is one month or a
    whole year, ``previous`` one month or a whole year within those two years."""
    year = f.period.first_ym // 100
    both = f.with_(period=Period((year - 1) * 100 + 1, year * 100 + 12))
    months = monthly_counts(engine, both)
    yearly = yearly_procedure_counts(engine, both)
    raw = _counts_of(months, yearly, f.period)
    land = land_late_counts(engine, f).iloc[0]
    late_f, late_o = int(land["late_finished"]), int(land["late_open"])
    scope = {**score(raw), "counts": raw, "land_late": late_f + late_o, "land_gain": what_if_on_time(raw, late_f, late_o)}
    prev_raw = _counts_of(months, yearly, previous)
    prev = {**score(prev_raw), "counts": prev_raw, "land_late": 0, "land_gain": 0.0}
    rows = []
    for row in months.to_dict("records"):
        result = score({k: int(v) for k, v in row.items()})
        rows.append({"ym": int(row["ym"]), "total": result["total"], "max_measured": result["max_measured"],
                     **{k: g["points"] for k, g in result["groups"].items()}})
    return scope, prev, pd.DataFrame(rows, columns=["ym", "total", "max_measured", *(g for g in GROUP_KEYS)])


def scorecard_json(engine: Engine, f: DossierFilter, level: str, boundaries: str = "historical") -> dict:
    """The CLI's contract (``tthc scorecard --json``): every unit of the level with its groups;
    ``boundaries``: which the units are (today's communes only at commune level, see unit_scores)."""
    units = []
    for u in unit_scores(engine, f, level, boundaries):
        units.append({"code": u["code"], "name": u["name"], "level": level, "total": u["total"],
                      "max_measured": u["max_measured"],
                      "valid_to": u["valid_to"].isoformat() if u["valid_to"] else None,  # a former unit's last day
                      "groups": {k: {"points": g["points"], "max": g["max"], "rate": g["rate"]}
                                 for k, g in u["groups"].items()}})
    return {"year": f.period.first_ym // 100, "boundaries": "current" if is_current(level, boundaries) else "historical",
            "units": units}


# ---------------------------------------------------------------- the dossiers behind lost points

def _lost_condition(indicator: str):
    """SQL over dossiers for the ones that cost an indicator its points (received in the period,
    or finished in it for e_result and satisfaction)."""
    offered = P.c.online_level.in_(("full", "partial"))
    finished = and_(D.c.status.in_(FINISHED_STATUSES), D.c.finished_on.isnot(None))
    return {
        "published": ("received", D.c.published_on_portal == False),  # noqa: E712
        "online_share": ("received", and_(offered, D.c.channel != 2)),
        "paid_online": ("received", and_(D.c.has_fee == True, D.c.paid_online == False)),  # noqa: E712
        "digitised": ("received", D.c.digitised == False),  # noqa: E712
        "e_result": ("finished", and_(finished, D.c.e_result == False)),  # noqa: E712
        "satisfied": ("finished", and_(finished, D.c.rating.isnot(None), D.c.rating != RATING_SATISFIED)),
        "progress": ("finished", and_(finished, is_late())),
    }[indicator]


LIST_LIMIT = 500


@cached_query
def lost_dossiers(engine: Engine, f: DossierFilter, indicator: str, limit: int = LIST_LIMIT,
                  agency_code: str | None = None) -> tuple[int, pd.DataFrame]:
    """(how many, the first ``limit``) dossiers in scope that cost ``indicator`` its points
    (``agency_code``: one department's)."""
    if indicator not in INDICATOR_BY_KEY or indicator == "full_online_procedures":
        raise ValueError(f"no dossier list for indicator {indicator!r}")
    date_col, cond = _lost_condition(indicator)
    day = D.c.received_on if date_col == "received" else D.c.finished_on
    where = [day >= f.period.start, day <= f.period.end, cond, *dossier_where(f)]
    if agency_code:
        where.append(A.c.code == agency_code)
    source = D.join(P, P.c.id == D.c.procedure_id).join(A, A.c.id == D.c.agency_id)
    cols = [D.c.code, P.c.name.label("procedure"), P.c.name_en.label("procedure_en"), A.c.name.label("agency"),
            A.c.name_en.label("agency_en"), D.c.received_on, D.c.deadline_on, D.c.finished_on, D.c.channel, D.c.rating]
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(source).where(*where)).scalar_one()
        rows = conn.execute(select(*cols).select_from(source).where(*where)
                            .order_by(day, D.c.code).limit(limit)).mappings().all()
    return int(n), pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in cols])
