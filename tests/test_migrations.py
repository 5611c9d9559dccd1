"""Migrations create exactly the schema the code declares, on SQLite and PostgreSQL."""
import datetime as dt

import pandas as pd
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

import data.auth  # noqa: F401  (registers the users table on Base.metadata, as the app does)
from data.db import alembic_config, make_engine, upgrade
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


def _fixture_at(url: str, revision: str) -> str:
    """The fixture's rows written at the latest schema (the aggregates code writes every
    aggregate table it knows), then the schema taken down to ``revision``: a database as
    it was before the later migrations, holding data they must carry."""
    from tests.conftest import load_fixture

    load_fixture(url).dispose()
    command.downgrade(alembic_config(url), revision)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def old_url(request, tmp_path, pg_schema_factory_lazy):
    return f"sqlite:///{tmp_path / 'old.sqlite'}" if request.param == "sqlite" else pg_schema_factory_lazy()("old")


@pytest.fixture
def url_at_0003(old_url):
    """A database migrated to 0003 (before work_calendar) holding the fixture's dossiers."""
    _fixture_at(old_url, "0003")
    engine = make_engine(old_url)
    assert not inspect(engine).has_table("work_calendar")
    engine.dispose()
    return old_url


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_mig003_upgrade_from_0003_adds_the_calendar(url_at_0003):
    from data.filters import DossierFilter, Period
    from data.queries import late as q

    upgrade(url_at_0003)
    engine = make_engine(url_at_0003)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
            assert conn.execute(select(WorkCalendar.workday_no).where(WorkCalendar.day == dt.date(2035, 12, 31))).scalar() \
                == workday_numbers()[1][-1]
        df, total = q.dossier_page(engine, DossierFilter(Period.year(2023)), "late", 0, 100)
        assert total == 4 and dict(zip(df["code"], df["workdays_late"])) == {"D4": 0, "C3": 2, "P3": 3, "D1": 2}
    finally:
        engine.dispose()


def test_mig004_upgrade_from_0004_fills_the_agency_rollup(old_url):
    """An existing database (dossier_month_stats filled, no rollup) upgrades with the rollup
    equal to the detail rows summed by month and agency, so the reports answer as before."""
    from data.filters import DossierFilter, Period, S
    from data.queries.summary import standard_report
    from tests.conftest import rollup_and_regrouped

    _fixture_at(old_url, "0004")
    engine = make_engine(old_url)
    try:
        assert not inspect(engine).has_table("dossier_month_agency_stats")
        upgrade(old_url)
        rollup, regrouped = rollup_and_regrouped(engine)
        assert len(rollup) > 10 and rollup["open_end"].sum() > 0
        pd.testing.assert_frame_equal(rollup, regrouped)
        f = DossierFilter(Period.year(2023))
        pd.testing.assert_frame_equal(standard_report(engine, f, "agency").sort_values("agency_id").reset_index(drop=True),
                                      standard_report(engine, f, "agency", stats=S).sort_values("agency_id").reset_index(drop=True))
    finally:
        engine.dispose()


def test_mig007_upgrade_from_0005_counts_no_unknown_channel(old_url):
    """A database from before migration 0007 (every dossier with its channel) upgrades with
    received_unknown_channel at 0 in both aggregate tables, import runs with nothing skipped,
    and the same report as before."""
    from data.filters import DossierFilter, Period
    from data.queries.summary import summary_by_level

    _fixture_at(old_url, "0005")
    engine = make_engine(old_url)
    try:
        assert "received_unknown_channel" not in {c["name"] for c in inspect(engine).get_columns("dossier_month_stats")}
        upgrade(old_url)
        with engine.connect() as conn:
            for table in ("dossier_month_stats", "dossier_month_agency_stats"):
                assert conn.execute(text(f"SELECT COUNT(*), SUM(received_unknown_channel) FROM {table}")).one()[1] == 0
        df = summary_by_level(engine, DossierFilter(Period.year(2023)))
        assert df.loc["district", "online_share"] == 1 / 7 and df["received_unknown_channel"].sum() == 0
        assert df.loc["commune", "received_known_channel"] == 4
    finally:
        engine.dispose()


def test_mig006_users_keep_signing_in_after_0006(old_url):
    """The users of a database at 0005 get session generation 0 and sign in as before; a
    disable and an enable then move them on, so a token from before never matches again."""
    from data.auth import get_user, session_token, set_active, verify
    from tests.auth_server import PASSWORDS, add_fixture_users
    from tests.conftest import load_fixture

    engine = load_fixture(old_url)
    add_fixture_users(engine)
    command.downgrade(alembic_config(old_url), "0005")
    assert "session_generation" not in {c["name"] for c in inspect(engine).get_columns("users")}
    upgrade(old_url)
    try:
        assert verify(engine, "queson", PASSWORDS["queson"])["session_generation"] == 0
        before = session_token(get_user(engine, username="queson"))
        set_active(engine, "queson", False)
        set_active(engine, "queson", True)
        row = get_user(engine, username="queson")
        assert row["session_generation"] == 2 and row["active"] and session_token(row) != before
    finally:
        engine.dispose()


def test_mig008_upgrade_from_0007_fills_the_service_index_counts(old_url):
    """A database at 0007 (dossiers with fee, paid-online, digitised and e-result flags, no
    rating or publication) upgrades with the scorecard's counts filled from its dossiers: the
    very counts a rebuild writes (rating and publication 0: no row carries them yet)."""
    from data.aggregates import refresh_aggregates
    from data.filters import DossierFilter, Period
    from data.queries.scorecard import unit_scores
    from tests.conftest import rollup_and_regrouped

    _fixture_at(old_url, "0007")
    engine = make_engine(old_url)
    try:
        assert "rating" not in {c["name"] for c in inspect(engine).get_columns("dossiers")}
        upgrade(old_url)
        cols = ["received_offered_online", "received_online_offered", "received_with_fee", "received_paid_online",
                "received_digitised", "finished_e_result"]
        migrated, _ = rollup_and_regrouped(engine)
        with engine.begin() as conn:
            refresh_aggregates(conn)
        rebuilt, regrouped = rollup_and_regrouped(engine)
        pd.testing.assert_frame_equal(migrated, rebuilt)
        pd.testing.assert_frame_equal(rebuilt, regrouped)
        assert rebuilt[cols].sum().min() > 0 and rebuilt[["rated_satisfied", "published"]].sum().sum() == 0
        qs = {u["code"]: u for u in unit_scores(engine, DossierFilter(Period.year(2023)), "district")}["509"]
        assert qs["groups"]["progress"]["points"] == 15 and qs["groups"]["satisfaction"]["rate"] is None
    finally:
        engine.dispose()


def test_mig010_accounts_keep_their_unit_and_sessions_after_0010(old_url):
    """0010 renames users.district_code to unit_code: a district account's district and a
    commune account's commune carry over, and so do their session tokens (nobody is signed out)."""
    from data.auth import get_user, session_token
    from tests.auth_server import add_fixture_users
    from tests.conftest import load_fixture

    engine = load_fixture(old_url)
    add_fixture_users(engine)
    tokens = {name: session_token(get_user(engine, username=name)) for name in ("queson", "dongphu")}
    command.downgrade(alembic_config(old_url), "0009_unit_life_spans")
    with engine.connect() as conn:
        old = dict(conn.execute(text("SELECT username, district_code FROM users WHERE role IN ('district', 'commune')")).all())
    assert old == {"queson": "509", "dongphu": "20641"}
    upgrade(old_url)
    try:
        assert "district_code" not in {c["name"] for c in inspect(engine).get_columns("users")}
        for name, code in old.items():
            row = get_user(engine, username=name)
            assert row["unit_code"] == code and session_token(row) == tokens[name]
    finally:
        engine.dispose()
