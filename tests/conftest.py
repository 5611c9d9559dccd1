"""Fixtures: a hand-built fixture database on SQLite and PostgreSQL, and the demo database.

PostgreSQL tests use ``TEST_DATABASE_URL`` (``.ci/run`` sets it); each test session
works in a schema of its own, so parallel runs never collide. Without the variable
they skip, saying why.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid

import pandas as pd
import pytest
from sqlalchemy import insert, select, text

from data import cache as qcache
from data import demo
from data.aggregates import refresh_aggregates
from data.db import make_engine, upgrade
from data.schema import Agency, Dossier, DossierMonthAgencyStats, DossierMonthStats, ImportRun, PostalDeployment, Procedure, Sector, Unit
from tests import fixture_data as fx

PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_SKIP = "PostgreSQL not configured: set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); .ci/run sets it"


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_schema_factory():
    """Create throw-away PostgreSQL schemas; dropped at the end of the session."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: TEST_DATABASE_URL is not set")
        pytest.skip(PG_SKIP)
    admin = make_engine(PG_URL)
    made = []

    def factory(label: str) -> str:
        schema = f"t_{label}_{uuid.uuid4().hex[:8]}"
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        made.append(schema)
        return _pg_schema_url(schema)

    yield factory
    # One transaction per schema: dropping them all in one ran out of PostgreSQL's lock table
    # ("out of shared memory") once the schemas held the scorecard's tables too.
    for schema in made:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@contextlib.contextmanager
def page_cache_off():
    """Within: pages render afresh, as component objects (a page-cache hit is a JSON dict tree)."""
    before = os.environ.get("TTHC_CACHE")
    os.environ["TTHC_CACHE"] = "off"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TTHC_CACHE")
        else:
            os.environ["TTHC_CACHE"] = before


REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture(scope="session")
def redis_url():
    """The shared cache's tests need a Redis they may flush (a database number of their own)."""
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Redis tests: TEST_REDIS_URL is not set")
        pytest.skip("Redis not configured: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15); .ci/run sets it")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Redis tests: {REDIS_URL} does not answer ({exc})")
        pytest.skip(f"Redis at {REDIS_URL} does not answer: {exc}")
    return REDIS_URL


@pytest.fixture
def redis_app(empty_engine, redis_url, monkeypatch):
    """The real Dash app on the fixture database, its cache in Redis (as in production)."""
    with empty_engine.begin() as conn:
        insert_fixture(conn)
        now = dt.datetime(2024, 1, 2, 8, 0)
        conn.execute(insert(ImportRun), [dict(started_at=now, finished_at=now, command="test", kind="test", added=1, status="ok")])
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CACHE_REDIS_URL", redis_url)
    monkeypatch.delenv("TTHC_CACHE", raising=False)
    import app as dash_app
    from data.db import get_engine

    get_engine.cache_clear()
    monkeypatch.setitem(dash_app.server.config, "TTHC_AUTH", "off-setting")
    qcache.init_cache(dash_app.server)
    qcache.reset_version()
    with dash_app.server.app_context():
        qcache.cache.clear()
    yield dash_app.server
    with dash_app.server.app_context():
        qcache.cache.clear()
    monkeypatch.delenv("CACHE_REDIS_URL")
    qcache.init_cache(dash_app.server)
    qcache.reset_version()
    get_engine.cache_clear()


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory):
    """A database with the sample catalogues, shared by a module's fuzz tests (imports that fail change nothing)."""
    from tests.test_import import load_catalogs

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    load_catalogs(engine)
    yield engine
    engine.dispose()


def insert_fixture(conn, dossiers: bool = True, deployments=fx.POSTAL_DEPLOYMENTS) -> None:
    """Write the hand-built fixture's rows: the catalogues always, the dossiers (and their
    aggregates) and postal deployments unless told otherwise (tests vary those two)."""
    conn.execute(insert(Unit), fx.UNITS)
    conn.execute(insert(Sector), fx.SECTORS)
    conn.execute(insert(Procedure), fx.PROCEDURES)
    conn.execute(insert(Agency), fx.AGENCIES)
    if dossiers:
        conn.execute(insert(Dossier), [dict(d, id=i + 1) for i, d in enumerate(fx.DOSSIERS)])
    if deployments:
        conn.execute(insert(PostalDeployment), list(deployments))
    if dossiers:
        refresh_aggregates(conn)


def rollup_and_regrouped(engine):
    """(dossier_month_agency_stats, dossier_month_stats summed by month and agency in pandas):
    two frames that must be equal whenever the aggregates are in step."""
    R, S = DossierMonthAgencyStats.__table__, DossierMonthStats.__table__
    cols = [c.name for c in R.c]
    with engine.connect() as conn:
        rollup = pd.DataFrame(conn.execute(select(R)).all(), columns=cols)
        detail = pd.DataFrame(conn.execute(select(S)).all(), columns=[c.name for c in S.c])
    regrouped = detail.drop(columns="procedure_id").groupby(["ym", "agency_id"], as_index=False).sum()
    regrouped["year"], regrouped["month"] = regrouped["ym"] // 100, regrouped["ym"] % 100

    def tidy(df):
        return df[cols].astype("int64").sort_values(["ym", "agency_id"]).reset_index(drop=True)

    return tidy(rollup), tidy(regrouped)


def load_fixture(url: str):
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        insert_fixture(conn)
    return engine


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def fixture_engine(request, tmp_path_factory, pg_schema_factory_lazy):
    """The hand-built fixture database, once on SQLite and once on PostgreSQL (read-only use)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fixture') / 'fixture.sqlite'}"
    else:
        url = pg_schema_factory_lazy()("fixture")
    engine = load_fixture(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_schema_factory_lazy(request):
    """pg_schema_factory, requested only when a PostgreSQL variant actually runs."""
    return lambda: request.getfixturevalue("pg_schema_factory")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path, pg_schema_factory_lazy):
    """A fresh database at the latest schema, no rows (for tests that write)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    else:
        url = pg_schema_factory_lazy()("empty")
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_sqlite_url() -> str:
    """The demo database the app uses (var/tthc-demo.sqlite), built when missing or stale."""
    from data.config import DEMO_DB_URL
    from data.demo import ensure_demo

    ensure_demo(DEMO_DB_URL)
    return DEMO_DB_URL


@pytest.fixture(scope="session")
def demo_engine(demo_sqlite_url):
    engine = make_engine(demo_sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_pg_engine(pg_schema_factory):
    """The demo database built into PostgreSQL (about 30 s, once per session)."""
    url = pg_schema_factory("demo")
    demo.build_demo(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


# ---------------------------------------------------------------- browser tests (dash_duo)

CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1366,900"]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _spread_dash_ports() -> None:
    """dash_duo numbers its servers from 58050 in every run: two suites on one machine (two
    checkouts) would fight over the port. Start each session at a free port picked by the OS."""
    import socket

    from dash.testing.application_runners import BaseDashRunner

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        base = sock.getsockname()[1]
    # Leave room for a few hundred servers above the base within the port range.
    BaseDashRunner._next_port = base if base < 64000 else 20000 + base % 20000


_spread_dash_ports()


def pytest_setup_options():
    """dash_duo's Chrome: Debian's Chromium, flags that keep it off the closed network."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    return options


def pytest_collection_modifyitems(config, items):
    """Browser tests skip, saying why, where Chromium or its driver is missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"headless Chromium not installed ({', '.join(missing)} missing): "
                                   "apt-get install chromium chromium-driver")
    for item in items:
        if "dash_duo" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def demo_app(demo_sqlite_url):
    """The real app (app.py) on the demo database, imported once for browser tests."""
    os.environ["DATABASE_URL"] = demo_sqlite_url
    from dash.testing.application_runners import import_app

    return import_app("app")


def page_paths() -> list[str]:
    """Every page's path, from Dash's page registry (each page registers itself: the one list
    of pages). Imports the app on the demo database, as ``demo_app`` does."""
    import dash

    from data.config import DEMO_DB_URL

    os.environ.setdefault("DATABASE_URL", DEMO_DB_URL)
    import app  # noqa: F401 - registers the pages

    return [page["path"] for page in dash.page_registry.values()]


def pytest_generate_tests(metafunc):
    """A test that takes ``page_path`` runs once per registered page."""
    if "page_path" in metafunc.fixturenames:
        metafunc.parametrize("page_path", page_paths())


def assert_no_console_errors(dash_duo):
    """Browser tests end like Dash's own: nothing SEVERE in the console."""
    logs = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert logs == [], logs


# A phone as it lays a page out: device metrics, not a window (headless Chromium keeps windows at
# least ~500 px wide, which hid overflow).
PHONE_METRICS = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}


def pages_wider_than_a_phone(dash_duo, urls) -> dict:
    """url -> (scrollWidth, clientWidth) of each page of ``urls`` that scrolls sideways on a
    390×844 phone (empty: none does). Waits for each page's heading first."""
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE_METRICS)
    try:
        wide = {}
        for url in urls:
            dash_duo.wait_for_page(url=url)
            dash_duo.wait_for_element("#_pages_content h1, #_pages_content h2", timeout=30)
            widths = dash_duo.driver.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if widths[0] > widths[1]:
                wide[url] = widths
        return wide
    finally:
        dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
