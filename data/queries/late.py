"""Late dossiers: where lateness comes from (sector -> procedure -> unit) and the dossiers themselves.

Two modes share one drilldown:

* ``late``: dossiers *finished late in the period*: ``finished_on`` within the period,
  status finished, and late by the national rule (``data.aggregates.is_finished`` and
  ``is_late``: finished after the deadline, or more than one supplement request);
* ``overdue``: dossiers *still open at the end of the period and past their deadline*
  (received by then, not ended by then, deadline before then): the month-end snapshot
  ``open_overdue_end`` of ``data.aggregates``.

Charts read ``dossier_month_stats`` (one scan of the period's months, filtered by
agency and procedure ids from small subqueries, ``data.filters.stats_where``, so no joins
in the hot path); only :func:`dossier_page` and :func:`dossier_rows` read ``dossiers``
(``data.filters.dossier_where``), one page at a time, with the indexes of ``data.schema``. Working days late come from SQL too
(the ``work_calendar`` table, see :func:`workdays_late`), so the list can sort by them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Engine

from ..aggregates import D, is_finished, is_late
from ..cache import cached_query, cached_reference
from ..filters import DossierFilter, dossier_where, stats_table_for, stats_where
from ..schema import Agency, DossierMonthStats, Procedure, Sector, Unit, WorkCalendar
from .summary import ratio

S = DossierMonthStats.__table__
A = Agency.__table__
P = Procedure.__table__
SE = Sector.__table__
U = Unit.__table__
WC = WorkCalendar.__table__

MODES = ("late", "overdue")
PAGE_MAX = 500  # the most rows one grid request may ask for
EXPORT_MAX = 100_000  # the most rows a download carries


# ---------------------------------------------------------------- reference (small, cached)

def _tuples(conn, stmt) -> list[tuple]:
    return [tuple(r) for r in conn.execute(stmt)]


@cached_reference
def reference_maps(engine: Engine) -> dict:
    """Agencies, procedures, sectors and units as DataFrames (a few hundred rows)."""
    with engine.connect() as conn:
        agencies = pd.DataFrame(_tuples(conn, select(A.c.id, A.c.code, A.c.name, A.c.name_en, A.c.level, A.c.district_code,
                                                    A.c.commune_code)),
                                columns=["id", "code", "name", "name_en", "level", "district_code", "commune_code"])
        procedures = pd.DataFrame(_tuples(conn,
            select(P.c.id, P.c.code, P.c.name, P.c.name_en, P.c.level, SE.c.code.label("sector_code"))
            .join(SE, SE.c.id == P.c.sector_id)),
            columns=["id", "code", "name", "name_en", "level", "sector_code"])
        sectors = pd.DataFrame(_tuples(conn, select(SE.c.id, SE.c.code, SE.c.name, SE.c.name_en).order_by(SE.c.id)),
                               columns=["id", "code", "name", "name_en"])
        units = pd.DataFrame(_tuples(conn, select(U.c.code, U.c.name, U.c.short_name, U.c.level, U.c.parent_code,
                                                 U.c.sort_order)),
                             columns=["code", "name", "short_name", "level", "parent_code", "sort_order"])
    ref = {"agencies": agencies, "procedures": procedures, "sectors": sectors, "units": units}
    ref["lookups"] = _build_lookups(ref)
    ref["unit_labels"] = {lang: dict(zip(agencies["id"], _build_unit_labels(ref, lang))) for lang in ("vi", "en")}
    return ref


# ---------------------------------------------------------------- aggregates (charts)

def _sum_if(col, cond):
    return func.coalesce(func.sum(case((cond, col), else_=0)), 0)


@cached_query
def late_cube(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """One row per agency x procedure: finished and late counts in the period, open and
    open-overdue stock at its end (integers only: small to cache, fast to group)."""
    first, last = f.period.first_ym, f.period.last_ym
    cols = ["agency_id", "procedure_id", "finished", "late", "open_end", "overdue"]
    stmt = (select(S.c.agency_id, S.c.procedure_id,
                   func.sum(S.c.finished_early + S.c.finished_on_time + S.c.finished_late).label("finished"),
                   func.sum(S.c.finished_late).label("late"),
                   _sum_if(S.c.open_end, S.c.ym == last).label("open_end"),
                   _sum_if(S.c.open_overdue_end, S.c.ym == last).label("overdue"))
            .where(S.c.ym >= first, S.c.ym <= last, *stats_where(f, S))
            .group_by(S.c.agency_id, S.c.procedure_id))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    # Plain tuples: numpy probing SQLAlchemy Row objects costs more than the query.
    arr = (np.array([tuple(r) for r in rows], dtype="int64") if rows else np.zeros((0, len(cols)), dtype="int64"))
    return pd.DataFrame(arr, columns=cols)


def _lookups(ref: dict) -> dict:
    return ref["lookups"]


def _build_lookups(ref: dict) -> dict:
    """id -> label dicts (built once per reference load)."""
    a, p, u = ref["agencies"], ref["procedures"], ref["units"]
    return {
        "level": dict(zip(a["id"], a["level"])),
        "district": dict(zip(a["id"], a["district_code"])),
        "commune": dict(zip(a["id"], a["commune_code"])),
        "agency_code": dict(zip(a["id"], a["code"])),
        "agency_name": dict(zip(a["code"], a["name"])),
        "agency_name_en": dict(zip(a["code"], a["name_en"].fillna(a["name"]))),
        "sector": dict(zip(p["id"], p["sector_code"])),
        "procedure_code": dict(zip(p["id"], p["code"])),
        "unit_name": dict(zip(u["code"], u["short_name"])),
        "unit_order": dict(zip(u["code"], u["sort_order"])),
    }


def _measure(mode: str) -> tuple[str, str]:
    """(count column, denominator column) of a mode: late / finished, overdue / open."""
    return ("late", "finished") if mode == "late" else ("overdue", "open_end")


def _grouped(cube: pd.DataFrame, keys: list[str], mode: str) -> pd.DataFrame:
    count, base = _measure(mode)
    if cube.empty:
        return pd.DataFrame(columns=keys + ["count", "base", "rate"])
    g = cube.groupby(keys, dropna=False, sort=False)[[count, base]].sum().reset_index()
    g = g.rename(columns={count: "count", base: "base"})
    g["rate"] = ratio(g["count"], g["base"])
    return g


@cached_query
def totals(engine: Engine, f: DossierFilter, mode: str = "late") -> dict:
    """Count, base (finished or open) and rate for the whole filter."""
    cube = late_cube(engine, f)
    count_col, base_col = _measure(mode)
    n, b = int(cube[count_col].sum()), int(cube[base_col].sum())
    return {"count": n, "base": b, "rate": n / b if b else float("nan")}


@cached_query
def late_by_sector(engine: Engine, f: DossierFilter, mode: str = "late") -> pd.DataFrame:
    """One row per sector and level: count, base, rate; sectors ordered by their total count."""
    ref = reference_maps(engine)
    lk = _lookups(ref)
    cube = late_cube(engine, f)
    cube = cube.assign(sector_code=cube["procedure_id"].map(lk["sector"]), level=cube["agency_id"].map(lk["level"]))
    g = _grouped(cube, ["sector_code", "level"], mode)
    s = ref["sectors"]
    g["sector_name"] = g["sector_code"].map(dict(zip(s["code"], s["name"])))
    g["sector_name_en"] = g["sector_code"].map(dict(zip(s["code"], s["name_en"])))
    g["sector_total"] = g["sector_code"].map(g.groupby("sector_code")["count"].sum())
    g["sector_base"] = g["sector_code"].map(g.groupby("sector_code")["base"].sum())
    return g.sort_values(["sector_total", "sector_code"], ascending=[False, True]).reset_index(drop=True)


@cached_query
def late_by_procedure(engine: Engine, f: DossierFilter, mode: str = "late") -> pd.DataFrame:
    """Pareto table: procedures by count (descending) with the cumulative share of the count."""
    ref = reference_maps(engine)
    g = _grouped(late_cube(engine, f), ["procedure_id"], mode)
    p = ref["procedures"].rename(columns={"id": "procedure_id", "code": "procedure_code", "name": "procedure_name",
                                          "name_en": "procedure_name_en", "level": "procedure_level"})
    g = g.merge(p, on="procedure_id", how="left")
    g = g.sort_values(["count", "procedure_code"], ascending=[False, True]).reset_index(drop=True)
    total = g["count"].sum()
    g["cum_share"] = g["count"].cumsum() / total if total else np.nan
    return g


@cached_query
def late_by_unit(engine: Engine, f: DossierFilter, mode: str = "late") -> pd.DataFrame:
    """The next unit level down: district-level units (province-level agencies as themselves)
    without a district; the district's own agency and its communes with one.

    Columns: unit_kind (district / commune / agency), unit_code, name, name_en, count, base, rate, sort_order."""
    ref = reference_maps(engine)
    lk = _lookups(ref)
    cube = late_cube(engine, f)
    if cube.empty:
        return pd.DataFrame(columns=["unit_kind", "unit_code", "name", "name_en", "count", "base", "rate", "sort_order"])
    lower = cube["agency_id"].map(lk["commune"] if f.effective_district else lk["district"])
    has = lower.notna().to_numpy()
    cube = cube.assign(unit_kind=np.where(has, "commune" if f.effective_district else "district", "agency"),
                       unit_code=np.where(has, lower.astype(object), cube["agency_id"].map(lk["agency_code"])))
    g = _grouped(cube, ["unit_kind", "unit_code"], mode)
    is_agency = (g["unit_kind"] == "agency").to_numpy()
    unit_names = g["unit_code"].map(lk["unit_name"])
    g["name"] = np.where(is_agency, g["unit_code"].map(lk["agency_name"]), unit_names.fillna(g["unit_code"]))
    g["name_en"] = np.where(is_agency, g["unit_code"].map(lk["agency_name_en"]), unit_names.fillna(g["unit_code"]))
    g["sort_order"] = np.where(is_agency, -1, g["unit_code"].map(lk["unit_order"]).fillna(999)).astype(int)
    return g.sort_values(["count", "sort_order"], ascending=[False, True]).reset_index(drop=True)


@cached_query
def late_heatmap(engine: Engine, f: DossierFilter, mode: str = "late") -> pd.DataFrame:
    """Unit x sector: count, base and rate. Rows are the district-level units (province-level
    agencies together as ``unit_code='province'``); with a district chosen, its communes (the
    district's own agencies as ``unit_kind='district_agency'``). ``ended``: the last day of a unit
    gone before the period began (Nông Sơn in 2025: merged on 1 January, its 2024 dossiers still
    finishing), else None: its row stays (the totals hold) but is not a unit of the period."""
    ref = reference_maps(engine)
    lk = _lookups(ref)
    cube = late_cube(engine, f)
    if cube.empty:
        return pd.DataFrame(columns=["unit_kind", "unit_code", "sector_code", "count", "base", "rate", "sort_order",
                                     "unit_name"])
    if f.effective_district:
        lower = cube["agency_id"].map(lk["commune"])
        kinds = ("commune", "district_agency")
        fallback = f.effective_district
    else:
        lower = cube["agency_id"].map(lk["district"])
        kinds = ("district", "province")
        fallback = "province"
    has = lower.notna().to_numpy()
    cube = cube.assign(unit_kind=np.where(has, kinds[0], kinds[1]), unit_code=np.where(has, lower.astype(object), fallback),
                       sector_code=cube["procedure_id"].map(lk["sector"]))
    g = _grouped(cube, ["unit_kind", "unit_code", "sector_code"], mode)
    own = (g["unit_kind"] != kinds[0]).to_numpy()
    g["sort_order"] = np.where(own, -1, g["unit_code"].map(lk["unit_order"]).fillna(999)).astype(int)
    g["unit_name"] = g["unit_code"].map(lk["unit_name"]).fillna(g["unit_code"])
    with engine.connect() as conn:
        gone = dict(conn.execute(select(Unit.code, Unit.valid_to).where(Unit.code.in_(set(g["unit_code"].astype(str))),
                                                                         Unit.valid_to < f.period.start)).all())
    g["ended"] = g["unit_code"].astype(str).map(gone)
    g["ended"] = g["ended"].astype(object).where(g["ended"].notna(), None)
    return g


def _month_frame(f: DossierFilter) -> pd.DataFrame:
    first, last = f.period.first_ym, f.period.last_ym
    yms, ym = [], first
    while ym <= last:
        yms.append(ym)
        ym = ym + 1 if ym % 100 < 12 else (ym // 100 + 1) * 100 + 1
    return pd.DataFrame({"ym": yms})


@cached_query
def late_trend(engine: Engine, f: DossierFilter, mode: str = "late") -> pd.DataFrame:
    """Per month of the period: count (late finished in the month, or open and overdue at its
    end), base (finished in the month, or open at its end) and rate; every month present."""
    table = stats_table_for(f, ["month"])
    T = table.c
    stmt = (select(T.ym,
                   func.sum(T.finished_early + T.finished_on_time + T.finished_late).label("finished"),
                   func.sum(T.finished_late).label("late"),
                   func.sum(T.open_end).label("open_end"),
                   func.sum(T.open_overdue_end).label("overdue"))
            .where(T.ym >= f.period.first_ym, T.ym <= f.period.last_ym, *stats_where(f, table))
            .group_by(T.ym))
    with engine.connect() as conn:
        df = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=["ym", "finished", "late", "open_end", "overdue"])
    df["ym"] = pd.to_numeric(df["ym"]).astype("int64")
    df = _month_frame(f).merge(df, on="ym", how="left").fillna(0)
    count, base = _measure(mode)
    out = pd.DataFrame({"ym": df["ym"], "count": df[count].astype("int64"), "base": df[base].astype("int64")})
    out["rate"] = ratio(out["count"], out["base"])
    return out


# ---------------------------------------------------------------- the dossier list

# Grid column id -> what it sorts by; "workdays_late" sorts by :func:`workdays_late`.
SORTABLE = {
    "code": D.c.code, "procedure": P.c.name, "unit": A.c.name, "received_on": D.c.received_on,
    "due_on": D.c.due_on, "finished_on": D.c.finished_on, "channel": D.c.channel,
    "by_postal_staff": D.c.by_postal_staff, "status": D.c.status, "supplement_requests": D.c.supplement_requests,
}
DATE_COLUMNS = {"received_on": D.c.received_on, "due_on": D.c.due_on, "finished_on": D.c.finished_on}


@dataclass(frozen=True)
class ListQuery:
    """What a grid request asks for beyond the filter: sort and column filters.

    ``sort``: ((column id, 'asc'|'desc'), ...); ``filters``: ((column id, operator, value, value_to), ...)
    with operators contains / equals / notEqual / startsWith / endsWith / notContains for text,
    equals / lessThan / greaterThan / inRange / notEqual for dates (ISO strings), equals for codes.
    ``labels`` maps text-filtered coded columns (channel, status, by_postal_staff) to the shown label
    of each code, so a filter on "bưu chính" finds channel 3.
    """

    sort: tuple = ()
    filters: tuple = ()
    labels: tuple = ()  # ((column id, ((code, label), ...)), ...)

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)


def mode_conditions(f: DossierFilter, mode: str) -> list:
    """The dossiers of a mode in the period (the list's definition; the aggregates agree)."""
    start, end = f.period.start, f.period.end
    if mode == "late":
        # Finished late in the period: data.aggregates' own expressions.
        return [D.c.finished_on >= start, D.c.finished_on <= end, is_finished(), is_late()]
    # Open at the period's end and past the deadline then: the month-end snapshot of
    # data.aggregates (received by the end, not ended by the end, deadline before the end).
    # "IS NULL OR >" rather than coalesce: both branches can use an index on finished_on.
    # The last term follows from the others (ended after the end, deadline before it) and
    # is written out so the partial index ix_dossiers_open_late (migration 0003) applies.
    return [D.c.received_on <= end, or_(D.c.finished_on.is_(None), D.c.finished_on > end), D.c.deadline_on < end,
            or_(D.c.finished_on.is_(None), D.c.finished_on > D.c.deadline_on)]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_match(value: str, op: str, needle: str) -> bool:
    v, n = (value or "").casefold(), (needle or "").casefold()
    return {"contains": n in v, "notContains": n not in v, "equals": v == n, "notEqual": v != n,
            "startsWith": v.startswith(n), "endsWith": v.endswith(n)}.get(op, n in v)


def _filter_conditions(ref: dict, q: ListQuery, lang: str) -> list:
    conds = []
    labels = {col: dict(pairs) for col, pairs in q.labels}
    for col, op, value, value_to in q.filters:
        if value in (None, "") and op not in ("blank", "notBlank"):
            continue
        if col == "code":
            pattern = {"contains": f"%{_like_escape(value)}%", "notContains": f"%{_like_escape(value)}%",
                       "startsWith": f"{_like_escape(value)}%", "endsWith": f"%{_like_escape(value)}"}.get(op)
            if op in ("equals", "notEqual"):
                c = func.upper(D.c.code) == str(value).upper()
            else:
                c = func.upper(D.c.code).like(str(pattern).upper(), escape="\\")
            conds.append(~c if op in ("notContains", "notEqual") else c)
        elif col == "procedure":
            p = ref["procedures"]
            names = p["name_en"].fillna(p["name"]) if lang == "en" else p["name"]
            ids = [int(i) for i, n, code in zip(p["id"], names, p["code"])
                   if _text_match(n, op, value) or _text_match(code, op, value) and op not in ("notContains", "notEqual")]
            conds.append(D.c.procedure_id.in_(ids) if ids else D.c.id < 0)
        elif col == "unit":
            a = ref["agencies"]
            ids = [int(i) for i, n in zip(a["id"], _unit_labels(ref, lang)) if _text_match(n, op, value)]
            conds.append(D.c.agency_id.in_(ids) if ids else D.c.id < 0)
        elif col in labels:
            codes = [code for code, label in labels[col].items() if _text_match(label, op, value)]
            column = D.c.by_postal_staff if col == "by_postal_staff" else D.c[col]
            if col == "by_postal_staff":
                codes = [bool(int(c)) for c in codes]
            conds.append(column.in_(codes) if codes else D.c.id < 0)
        elif col in DATE_COLUMNS:
            column = DATE_COLUMNS[col]
            try:
                day = dt.date.fromisoformat(str(value)[:10])
                day_to = dt.date.fromisoformat(str(value_to)[:10]) if value_to else None
            except ValueError:
                continue
            if op == "equals":
                conds.append(column == day)
            elif op == "notEqual":
                conds.append(column != day)
            elif op == "lessThan":
                conds.append(column < day)
            elif op == "greaterThan":
                conds.append(column > day)
            elif op == "inRange" and day_to:
                conds.append(and_(column >= min(day, day_to), column <= max(day, day_to)))
    return conds


def _unit_labels(ref: dict, lang: str) -> list[str]:
    """What the grid shows as a dossier's unit, per agency (same order as ref['agencies'])."""
    labels = ref["unit_labels"]["en" if lang == "en" else "vi"]
    return [labels[i] for i in ref["agencies"]["id"]]


def _build_unit_labels(ref: dict, lang: str) -> list[str]:
    units = dict(zip(ref["units"]["code"], ref["units"]["short_name"]))
    a = ref["agencies"]
    out = []
    for commune, district, level, name, name_en in zip(a["commune_code"], a["district_code"], a["level"], a["name"],
                                                        a["name_en"]):
        if isinstance(commune, str) and commune in units:
            out.append(f"{units[commune]} ({units[district]})" if district in units else units[commune])
        elif level == "district" and district in units:
            out.append(units[district] + (" (cấp huyện)" if lang == "vi" else " (district level)"))
        else:
            out.append(name_en if lang == "en" and isinstance(name_en, str) and name_en else name)
    return out


def workdays_late(f: DossierFilter, mode: str):
    """Working days late of a dossier in SQL, and the calendar joins it needs: working days in
    (deadline, stop], stop being the end of processing (late) or the period's end (overdue);
    0 when the dossier finished by its deadline (late by its supplement requests). The same
    values as ``data.workdays.workdays_late`` (tests assert it on the fixture, both databases).

    Joins rather than a correlated lookup per date: PostgreSQL hashes the small calendar
    once, where a sort by this column would run two subplans per dossier (3x slower). Outer
    joins keep dossiers the driving table, so the list's plans stay those of its indexes."""
    deadline = WC.alias("deadline_day")
    joins = [(deadline, deadline.c.day == D.c.deadline_on)]
    if mode == "late":
        stop = WC.alias("finished_day")
        joins.append((stop, stop.c.day == D.c.finished_on))
        late = case((D.c.finished_on > D.c.deadline_on, stop.c.workday_no - deadline.c.workday_no), else_=0)
    else:
        # Overdue: the deadline is before the period's end (mode_conditions), so never negative.
        end = select(WC.c.workday_no).where(WC.c.day == f.period.end).scalar_subquery()
        late = end - deadline.c.workday_no
    return late.label("workdays_late"), joins


def _order_by(q: ListQuery, mode: str, late_days=None) -> list:
    order = []
    sortable = {**SORTABLE, "workdays_late": late_days}  # the label: ORDER BY names the computed column
    for col, direction in q.sort:
        column = sortable.get(col)
        if column is not None:
            order.append(column.desc() if direction == "desc" else column.asc())
    if not order:
        # Late: the most recently finished first; overdue: the longest overdue first.
        order = [D.c.finished_on.desc()] if mode == "late" else [D.c.deadline_on.asc()]
    order.append(D.c.id.desc() if mode == "late" else D.c.id.asc())
    return order


LIST_COLUMNS = [D.c.id, D.c.code, D.c.procedure_id, D.c.agency_id, D.c.received_on, D.c.due_on, D.c.deadline_on,
                D.c.finished_on, D.c.channel, D.c.by_postal_staff, D.c.status, D.c.supplement_requests,
                D.c.supplement_days]


def _list_select(engine: Engine, f: DossierFilter, mode: str, q: ListQuery, lang: str, columns, joins=()):
    ref = reference_maps(engine)
    source = D
    for table, on in joins:
        source = source.outerjoin(table, on)
    stmt = select(*columns).select_from(source)
    needs = {c for c, _ in q.sort}
    if "procedure" in needs:
        stmt = stmt.join(P, P.c.id == D.c.procedure_id)
    if "unit" in needs:
        stmt = stmt.join(A, A.c.id == D.c.agency_id)
    return stmt.where(*mode_conditions(f, mode), *dossier_where(f), *_filter_conditions(ref, q, lang)), ref


def _finish_rows(ref: dict, df: pd.DataFrame, f: DossierFilter, mode: str, lang: str) -> pd.DataFrame:
    """Names for ids, dates as dates."""
    if df.empty:
        return df.assign(procedure_code=[], procedure_name=[], unit=[], workdays_late=[])
    p = ref["procedures"].set_index("id")
    names = p["name_en"].fillna(p["name"]) if lang == "en" else p["name"]
    unit_by_agency = ref["unit_labels"]["en" if lang == "en" else "vi"]
    for c in ("received_on", "due_on", "deadline_on", "finished_on"):
        df[c] = pd.Series([None if pd.isna(x) else x for x in pd.to_datetime(df[c]).dt.date], index=df.index, dtype=object)
    df["procedure_code"] = df["procedure_id"].map(p["code"])
    df["procedure_name"] = df["procedure_id"].map(names)
    df["unit"] = df["agency_id"].map(unit_by_agency)
    df["by_postal_staff"] = df["by_postal_staff"].astype(bool)
    df["workdays_late"] = df["workdays_late"].astype("int64")
    end = f.period.end
    if mode == "overdue":
        # Open at the period's end: a dossier that ended later is shown as still open then.
        df.loc[df["finished_on"].map(lambda d: d is not None and not pd.isna(d) and d > end), "finished_on"] = None
    return df


def _list_rows(engine: Engine, f: DossierFilter, mode: str, q: ListQuery, lang: str, limit: int,
               offset: int = 0) -> pd.DataFrame:
    """``limit`` rows of the list from ``offset``, in the grid's order, with working days late."""
    late_days, joins = workdays_late(f, mode)
    columns = LIST_COLUMNS + [late_days]
    stmt, ref = _list_select(engine, f, mode, q, lang, columns, joins)
    stmt = stmt.order_by(*_order_by(q, mode, late_days)).limit(limit).offset(offset)
    with engine.connect() as conn:
        df = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=[c.name for c in columns])
    return _finish_rows(ref, df, f, mode, lang)


def dossier_count(engine: Engine, f: DossierFilter, mode: str = "late", q: ListQuery = ListQuery(), lang: str = "vi") -> int:
    """How many dossiers the list holds. Without column filters the aggregates answer
    (they count the same dossiers by the same rule); with them, SQL counts."""
    if not q.has_filters:
        return totals(engine, f, mode)["count"]
    stmt, _ = _list_select(engine, f, mode, q, lang, [func.count().label("n")])
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


@cached_query
def dossier_page(engine: Engine, f: DossierFilter, mode: str = "late", start: int = 0, end: int = 100,
                 q: ListQuery = ListQuery(), lang: str = "vi") -> tuple[pd.DataFrame, int]:
    """Rows ``start`` to ``end`` (exclusive) of the list in its sort order, and the list's size."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    start = max(int(start), 0)
    end = min(max(int(end), start), start + PAGE_MAX)
    return _list_rows(engine, f, mode, q, lang, end - start, start), dossier_count(engine, f, mode, q, lang)


def dossier_rows(engine: Engine, f: DossierFilter, mode: str = "late", q: ListQuery = ListQuery(),
                 lang: str = "vi", limit: int = EXPORT_MAX) -> pd.DataFrame:
    """The whole list (up to ``limit`` rows) for a download, in the grid's order."""
    return _list_rows(engine, f, mode, q, lang, limit)
