"""Reference lists the filters are validated against: years, units, sectors, procedures."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Engine

from ..periods import in_force_terms
from ..schema import Agency, DossierMonthStats, Procedure, Sector, Unit

U = Unit.__table__
S = DossierMonthStats.__table__
_NO_BOUND = 10**9  # above any ym (YYYYMM)


def years_with_data(engine: Engine) -> list[int]:
    """Years in which dossiers were received, newest first.

    Walks back year by year: the latest month before a bound with dossiers received,
    read backwards along the primary key (ym first), so each step stops at its first
    match instead of the whole table being grouped.
    """
    before = bindparam("before")
    latest = select(func.max(S.c.ym)).where(S.c.ym < before, S.c.received > 0)
    years, bound = [], None
    with engine.connect() as conn:
        while True:
            ym = conn.execute(latest, {"before": bound if bound is not None else _NO_BOUND}).scalar()
            if ym is None:
                return years
            years.append(int(ym) // 100)
            bound = (int(ym) // 100) * 100  # below January of that year


def latest_complete_year(engine: Engine) -> int | None:
    """The latest year with dossiers received in December (else the latest year at all)."""
    with engine.connect() as conn:
        complete = conn.execute(select(func.max(S.c.year)).where(S.c.month == 12, S.c.received > 0)).scalar()
        if complete is None:
            complete = conn.execute(select(func.max(S.c.year)).where(S.c.received > 0)).scalar()
    return None if complete is None else int(complete)


def units(engine: Engine, level: str | None = None, parent_code: str | None = None) -> pd.DataFrame:
    stmt = select(U).order_by(U.c.level, U.c.sort_order, U.c.code)
    if level:
        stmt = stmt.where(U.c.level == level)
    if parent_code:
        stmt = stmt.where(U.c.parent_code == parent_code)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[c.name for c in U.c])


def districts(engine: Engine) -> pd.DataFrame:
    """The district-level units (code, name, short_name, tile position), in official order."""
    return units(engine, "district")


def districts_by_year(engine: Engine, years: list[int]) -> dict[int, dict]:
    """Per year, the district-level units a filter offers: those in force in the year, or in a year
    that ends without a district level the former districts whose communes' successors receive
    dossiers (their areas: a district user's scope, docs/security.md). ``{"codes": [...], "former": bool}``."""
    A = Agency.__table__
    out = {}
    with engine.connect() as conn:
        for y in years:
            start, end = dt.date(y, 1, 1), dt.date(y, 12, 31)
            live = list(conn.execute(select(U.c.code).where(U.c.level == "district", *in_force_terms(U, start, end))
                                     .order_by(U.c.sort_order, U.c.code)).scalars())
            at_end = conn.execute(select(func.count()).select_from(U).where(
                U.c.level == "district", *in_force_terms(U, end, end))).scalar()
            if at_end:
                out[y] = {"codes": live, "former": False}
                continue
            formed = set(conn.execute(select(A.c.district_code).where(
                A.c.level == "commune", A.c.district_code.isnot(None), *in_force_terms(A, end, end))).scalars())
            out[y] = {"codes": [c for c in conn.execute(select(U.c.code).where(U.c.level == "district")
                                                        .order_by(U.c.sort_order, U.c.code)).scalars() if c in formed],
                      "former": True}
    return out


def sectors(engine: Engine) -> pd.DataFrame:
    t = Sector.__table__
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(t).order_by(t.c.id)).mappings().all(), columns=[c.name for c in t.c])


def procedures(engine: Engine) -> pd.DataFrame:
    p, s = Procedure.__table__, Sector.__table__
    stmt = (select(p, s.c.code.label("sector_code"), s.c.name.label("sector_name"), s.c.name_en.label("sector_name_en"))
            .join(s, s.c.id == p.c.sector_id).order_by(p.c.level, p.c.code))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).mappings().all())
    return df


def agencies(engine: Engine) -> pd.DataFrame:
    a = Agency.__table__
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(a).order_by(a.c.id)).mappings().all(), columns=[c.name for c in a.c])
