"""The naive way, as most Dash tutorials do it: the dossier table in pandas.

Two variants of the same answers (Biểu 06 measures for a filter, grouped by level,
district or sector):

* ``reread``: ``pd.read_sql`` of the dossier table at each request;
* ``preloaded``: the table read once into each worker's memory, filtered per request.

It doubles as the raw-table reference implementation the aggregate tests compare
with: :func:`biểu06_raw` computes every measure from dossier rows with the national
rules written out again in pandas, independently of ``data.aggregates``.

    python -m bench.naive_baseline --url sqlite:////work/main/var/tthc-demo.sqlite
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import time

import numpy as np
import pandas as pd
import psutil
from sqlalchemy import select

from data.db import make_engine
from data.filters import DossierFilter, Period
from data.schema import Agency, Dossier, Procedure, Sector

COUNTS = ["received", "received_online", "received_in_person", "received_by_post", "received_postal_staff",
          "carried_over", "finished_early", "finished_on_time", "finished_late", "withdrawn",
          "in_progress", "in_progress_overdue", "finished_postal_staff", "finished_in_time_postal_staff"]
GROUP_COLUMN = {"level": "level", "district": "district_code", "sector": "sector_code"}
# What a tutorial reads: every column of the table.
DOSSIER_COLUMNS = [c.name for c in Dossier.__table__.columns]


def load_dossiers(engine, columns=None, where=None) -> pd.DataFrame:
    """The dossier table with its agency's place and its procedure's sector (one read;
    ``where``: a condition to read a sample)."""
    D, A, P, SE = Dossier.__table__, Agency.__table__, Procedure.__table__, Sector.__table__
    cols = [D.c[c] for c in (columns or DOSSIER_COLUMNS)]
    stmt = (select(*cols, A.c.level.label("agency_level"), A.c.district_code.label("agency_district"),
                   A.c.commune_code.label("agency_commune"), P.c.code.label("procedure_code"),
                   SE.c.code.label("sector_code"))
            .select_from(D.join(A, A.c.id == D.c.agency_id).join(P, P.c.id == D.c.procedure_id)
                         .join(SE, SE.c.id == P.c.sector_id)))
    if where is not None:
        stmt = stmt.where(where)
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for c in ("received_on", "deadline_on", "finished_on", "due_on", "returned_on"):
        if c in df:
            df[c] = pd.to_datetime(df[c])
    return df


def _month_end(ym: int) -> pd.Timestamp:
    y, m = divmod(ym, 100)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return pd.Timestamp(nxt - dt.timedelta(days=1))


def biểu06_raw(df: pd.DataFrame, f: DossierFilter, by: str = "level") -> pd.DataFrame:
    """Biểu 06 measures straight from dossier rows (one row per group), by the national rules:

    received in the period (by channel, by postal staff); finished in the period among
    processed/returned dossiers: early (before the deadline, at most one supplement
    request), on time (on the deadline, at most one), late (after it, or more than one
    request); withdrawn/refused/stopped; carried over = open at the end of the month
    before the period; in progress = open at the period's end, overdue when its deadline
    is before that day.
    """
    sel = pd.Series(True, index=df.index)
    if f.level:
        sel &= df["agency_level"] == f.level
    if f.effective_district:
        sel &= df["agency_district"] == f.effective_district
    if f.commune_code:
        sel &= df["agency_commune"] == f.commune_code
    if f.sector_code:
        sel &= df["sector_code"] == f.sector_code
    if f.procedure_code:
        sel &= df["procedure_code"] == f.procedure_code
    d = df[sel]
    start, end = pd.Timestamp(f.period.start), pd.Timestamp(f.period.end)
    before = _month_end(f.period.before_first_ym)
    rec = d["received_on"].between(start, end)
    fin_in = d["finished_on"].between(start, end)  # NaT is never between
    finished = fin_in & d["status"].isin([9, 10])
    withdrawn = fin_in & d["status"].isin([3, 7, 8])
    sup1 = d["supplement_requests"] <= 1
    early = finished & (d["finished_on"] < d["deadline_on"]) & sup1
    on_time = finished & (d["finished_on"] == d["deadline_on"]) & sup1
    late = finished & ((d["finished_on"] > d["deadline_on"]) | ~sup1)
    postal = d["by_postal_staff"].astype(bool)

    def open_at(day):
        return (d["received_on"] <= day) & (d["finished_on"].isna() | (d["finished_on"] > day))

    open_end = open_at(end)
    flags = pd.DataFrame({
        "received": rec,
        "received_online": rec & (d["channel"] == 2),
        "received_in_person": rec & (d["channel"] == 1),
        "received_by_post": rec & (d["channel"] == 3),
        "received_postal_staff": rec & postal,
        "carried_over": open_at(before),
        "finished_early": early,
        "finished_on_time": on_time,
        "finished_late": late,
        "withdrawn": withdrawn,
        "in_progress": open_end,
        "in_progress_overdue": open_end & (d["deadline_on"] < end),
        "finished_postal_staff": finished & postal,
        "finished_in_time_postal_staff": finished & postal & (d["finished_on"] <= d["deadline_on"]) & sup1,
    }).astype("int64")
    key = {"level": "agency_level", "district": "agency_district", "sector": "sector_code"}[by]
    flags[GROUP_COLUMN[by]] = d[key].to_numpy()
    out = flags.groupby(GROUP_COLUMN[by], dropna=False).sum().reset_index()
    out = out[(out[COUNTS] != 0).any(axis=1)].reset_index(drop=True)
    return out


def filters_for_bench() -> list[tuple[DossierFilter, str]]:
    y = Period.year(2023)
    return [
        (DossierFilter(y), "level"),
        (DossierFilter(y), "district"),
        (DossierFilter(y, district_code="509"), "sector"),
        (DossierFilter(y, sector_code="DD"), "district"),
        (DossierFilter(Period.months("2023-03", "2023-08"), level="commune"), "sector"),
    ]


def rss_mb() -> float:
    return psutil.Process(os.getpid()).memory_info().rss / 2**20


def run(url: str, reread_reps: int = 1, reps: int = 5, with_reread: bool = True) -> dict:
    """Time both variants and the aggregate query on the same answers; memory of the preloaded table."""
    from data.queries.summary import standard_report

    engine = make_engine(url)
    work = filters_for_bench()
    out: dict = {"url": url}
    # 1. re-read per request (the tutorial): read + answer
    if with_reread:
        times = []
        for _ in range(reread_reps):
            for f, by in work[:1]:
                t0 = time.perf_counter()
                df = load_dossiers(engine)
                biểu06_raw(df, f, by)
                times.append((time.perf_counter() - t0) * 1000)
                del df
                gc.collect()
        out["reread_ms"] = float(np.median(times))
    # 2. preloaded: memory of the table in the process, then per-answer time
    gc.collect()
    base = rss_mb()
    t0 = time.perf_counter()
    df = load_dossiers(engine)
    out["load_s"] = time.perf_counter() - t0
    out["preloaded_mb"] = rss_mb() - base
    out["process_mb"] = rss_mb()
    out["rows"] = len(df)
    times = []
    for _ in range(reps):
        for f, by in work:
            t0 = time.perf_counter()
            biểu06_raw(df, f, by)
            times.append((time.perf_counter() - t0) * 1000)
    out["preloaded_ms_p50"] = float(np.median(times))
    out["preloaded_ms_p95"] = float(np.percentile(times, 95))
    del df
    gc.collect()
    # 3. the aggregates (uncached), same answers
    times = []
    for _ in range(reps):
        for f, by in work:
            t0 = time.perf_counter()
            standard_report(engine, f, by)
            times.append((time.perf_counter() - t0) * 1000)
    out["aggregate_ms_p50"] = float(np.median(times))
    out["aggregate_ms_p95"] = float(np.percentile(times, 95))
    engine.dispose()
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--no-reread", action="store_true")
    ap.add_argument("--json", action="store_true", help="one JSON line (for bench.run)")
    args = ap.parse_args(argv)
    res = run(args.url, reps=args.reps, with_reread=not args.no_reread)
    if args.json:
        import json

        print(json.dumps(res))
        return
    for k, v in res.items():
        print(f"{k:20} {v:.1f}" if isinstance(v, float) else f"{k:20} {v}")


if __name__ == "__main__":
    main()
