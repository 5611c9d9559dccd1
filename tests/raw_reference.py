"""The raw-table reference the aggregate tests compare with: every Biểu 06 measure computed
from dossier rows with the national rules written out again in pandas, independently of
``data.aggregates`` (tests/test_aggregates.py). ``bench/naive_baseline.py`` times the same
computation as "the naive way" a Dash tutorial would take.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from data.filters import DossierFilter
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
