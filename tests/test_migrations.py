"""Migrations create exactly the schema the code declares, on SQLite and PostgreSQL."""
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from data.db import make_engine, upgrade
from data.schema import Base, WorkCalendar
from data.workdays import from_daynum, workday_numbers


def test_mig001_upgrade_matches_models(empty_engine):
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert "alembic_version" in inspect(empty_engine).get_table_names()


def test_mig002_work_calendar_is_data_workdays(empty_engine):
    """The calendar SQL counts working days with holds data.workdays' numbers, every day 2015-2035."""
    days, numbers = workday_numbers()
    with empty_engine.connect() as conn:
        rows = conn.execute(select(WorkCalendar.day, WorkCalendar.workday_no).order_by(WorkCalendar.day)).all()
    assert len(rows) == len(days) == 7670
    assert [r.day for r in rows] == [d.astype(dt.date) for d in from_daynum(days)]
    assert [r.workday_no for r in rows] == numbers.tolist()
    by_day = dict(rows)
    # Tết 2023 (20-26/01) and the weekend after it carry the number of Thursday 19/01.
    assert by_day[dt.date(2023, 1, 29)] - by_day[dt.date(2023, 1, 19)] == 1  # Friday 27/01 only
    assert by_day[dt.date(2023, 1, 30)] - by_day[dt.date(2023, 1, 19)] == 2


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0003(request, tmp_path, pg_schema_factory_lazy):
    """A database migrated to 0003 (before work_calendar) holding the fixture's dossiers."""
    from tests.conftest import insert_fixture

    url = f"sqlite:///{tmp_path / 'old.sqlite'}" if request.param == "sqlite" else pg_schema_factory_lazy()("old")
    upgrade(url, "0003")
    engine = make_engine(url)
    assert not inspect(engine).has_table("work_calendar")
    with engine.begin() as conn:
        insert_fixture(conn)
    engine.dispose()
    return url


def test_mig003_upgrade_from_0003_adds_the_calendar(url_at_0003):
    from data.filters import DossierFilter, Period
    from data.queries import late as q

    upgrade(url_at_0003)
    engine = make_engine(url_at_0003)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"
            assert conn.execute(select(WorkCalendar.workday_no).where(WorkCalendar.day == dt.date(2035, 12, 31))).scalar() \
                == workday_numbers()[1][-1]
        df, total = q.dossier_page(engine, DossierFilter(Period.year(2023)), "late", 0, 100)
        assert total == 4 and dict(zip(df["code"], df["workdays_late"])) == {"D4": 0, "C3": 2, "P3": 3, "D1": 2}
    finally:
        engine.dispose()
