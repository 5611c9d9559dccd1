"""The aggregates answer exactly what the raw dossier table answers.

The reference is ``tests.raw_reference.biểu06_raw``: every Biểu 06 measure written out
again in pandas from dossier rows, independently of ``data.aggregates``. Compared on
the fixture database and on a sample of the demo database (one district's dossiers),
on SQLite and PostgreSQL, for filters of every kind and three groupings.
"""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from data.filters import DossierFilter, Period
from data.queries.summary import standard_report
from data.schema import Agency, Dossier
from tests.raw_reference import COUNTS, GROUP_COLUMN, biểu06_raw, load_dossiers

Y2023 = Period.year(2023)

FIXTURE_FILTERS = [
    DossierFilter(Y2023),
    DossierFilter(Period.year(2022)),
    DossierFilter(Period.year(2024)),
    DossierFilter(Period.months("2023-01", "2023-03")),
    DossierFilter(Period.months("2023-06", "2023-09")),
    DossierFilter(Period.months("2022-11", "2023-02")),  # across a year boundary
    DossierFilter(Y2023, level="district"),
    DossierFilter(Y2023, district_code="509"),
    DossierFilter(Y2023, district_code="502", level="commune"),
    DossierFilter(Y2023, commune_code="20641"),
    DossierFilter(Y2023, sector_code="DD"),
    DossierFilter(Y2023, sector_code="TP"),
    DossierFilter(Y2023, procedure_code="DD-H-01"),
    DossierFilter(Y2023, district_code="509", scope_district_code="502"),  # the scope wins
]


def _comparable(df: pd.DataFrame, by: str) -> pd.DataFrame:
    key = GROUP_COLUMN[by]
    out = df[[key] + COUNTS].copy()
    out[COUNTS] = out[COUNTS].astype("int64")
    out = out[(out[COUNTS] != 0).any(axis=1)]
    out[key] = out[key].astype(object).where(out[key].notna(), None)
    return out.sort_values(key, key=lambda s: s.astype(str)).reset_index(drop=True)


def _assert_same(engine, raw: pd.DataFrame, f: DossierFilter, by: str):
    got = _comparable(standard_report(engine, f, by), by)
    want = _comparable(biểu06_raw(raw, f, by), by)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"{f} by {by}")


@pytest.fixture(scope="module")
def fixture_raw(fixture_engine):
    return load_dossiers(fixture_engine)


@pytest.mark.parametrize("by", ["level", "district", "sector"])
@pytest.mark.parametrize("f", FIXTURE_FILTERS, ids=lambda f: repr(f)[:60])
def test_agg001_fixture_aggregates_equal_raw(fixture_engine, fixture_raw, f, by):
    _assert_same(fixture_engine, fixture_raw, f, by)


def test_agg002_reference_is_not_vacuous(fixture_raw):
    """The reference itself reproduces the hand-computed fixture answers (so equality means something)."""
    df = biểu06_raw(fixture_raw, DossierFilter(Y2023), "level").set_index("level")
    assert (df.loc["district", "received"], df.loc["district", "withdrawn"]) == (7, 1)
    assert (df.loc["district", "finished_early"], df.loc["district", "finished_on_time"],
            df.loc["district", "finished_late"]) == (1, 1, 2)
    assert (df.loc["district", "in_progress"], df.loc["district", "in_progress_overdue"]) == (2, 1)
    assert df.loc["province", "carried_over"] == 1


# ---------------------------------------------------------------- a sample of the demo database

SAMPLE_DISTRICT = "509"  # Quế Sơn: its district and commune agencies, every dossier of theirs
DEMO_FILTERS = [
    DossierFilter(Y2023, district_code=SAMPLE_DISTRICT),
    DossierFilter(Period.year(2022), district_code=SAMPLE_DISTRICT),
    DossierFilter(Period.year(2024), district_code=SAMPLE_DISTRICT),
    DossierFilter(Period.months("2023-03", "2023-08"), district_code=SAMPLE_DISTRICT),
    DossierFilter(Period.months("2022-10", "2023-02"), district_code=SAMPLE_DISTRICT, level="commune"),
    DossierFilter(Y2023, district_code=SAMPLE_DISTRICT, level="district"),
    DossierFilter(Y2023, district_code=SAMPLE_DISTRICT, sector_code="DD"),
    DossierFilter(Y2023, district_code=SAMPLE_DISTRICT, procedure_code="DD-H-01"),
    DossierFilter(Y2023, scope_district_code=SAMPLE_DISTRICT, district_code="502"),
]


def _sample(engine) -> pd.DataFrame:
    A = Agency.__table__
    with engine.connect() as conn:
        ids = conn.execute(select(A.c.id).where(A.c.district_code == SAMPLE_DISTRICT)).scalars().all()
    assert ids, "the demo has no agencies in the sample district"
    return load_dossiers(engine, where=Dossier.__table__.c.agency_id.in_(ids))


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_any(request):
    return request.getfixturevalue("demo_engine" if request.param == "sqlite" else "demo_pg_engine")


def test_agg003_demo_sample_aggregates_equal_raw(demo_any):
    raw = _sample(demo_any)
    assert len(raw) > 10_000
    for f in DEMO_FILTERS:
        for by in ("level", "sector", "district"):
            _assert_same(demo_any, raw, f, by)


# ---------------------------------------------------------------- the demo builder's numpy aggregation

def test_agg004_builder_numpy_aggregates_equal_sql(fixture_engine):
    """The demo builder counts dossier_month_stats in numpy (fast at ten times the demo):
    the very rows refresh_aggregates writes in SQL."""
    from data.aggregates import MEASURES
    from data.demo import aggregate_frame
    from data.schema import DossierMonthStats
    from data.workdays import to_daynum

    D = Dossier.__table__
    with fixture_engine.connect() as conn:
        raw = pd.DataFrame(conn.execute(select(D)).mappings().all())
        sql = pd.DataFrame(conn.execute(select(DossierMonthStats.__table__)).mappings().all())
    for c in ("received_on", "deadline_on"):
        raw[c] = to_daynum(pd.to_datetime(raw[c]).dt.date.tolist())
    fin = pd.to_datetime(raw["finished_on"])
    raw["finished_on"] = -1
    raw.loc[fin.notna(), "finished_on"] = to_daynum(fin[fin.notna()].dt.date.tolist())
    from tests.fixture_data import PROCEDURES

    got = aggregate_frame(raw, [p["id"] for p in PROCEDURES if p["online_level"] in ("full", "partial")])
    cols = ["ym", "agency_id", "procedure_id", "year", "month", *MEASURES]
    order = ["ym", "agency_id", "procedure_id"]
    got = got[cols].astype("int64").sort_values(order).reset_index(drop=True)
    want = sql[cols].astype("int64").sort_values(order).reset_index(drop=True)
    # The fixture exercises every measure.
    assert len(want) > 20 and all(want[m].sum() > 0 for m in MEASURES if m != "received_unknown_channel")
    pd.testing.assert_frame_equal(got, want)
