"""Faults: the database goes away and comes back, statement timeouts, malformed
requests and URL parameters (hypothesis), /healthz."""
from __future__ import annotations

import os
import time

import dash
import pytest
import requests
from dash import Input, Output, html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from data.db import is_timeout, make_engine
from tests.auth_server import AppServer, decoded, dependencies, fixture_with_users, post_callback
from tests.conftest import page_paths

RECOVERY_BOUND = 10.0  # seconds to wait for an outcome; the target (README) is 5 s


def _until(check, bound=RECOVERY_BOUND):
    """Poll ``check`` until true or ``bound`` seconds pass; returns its last value."""
    end = time.monotonic() + bound
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.25)


@pytest.fixture(scope="module")
def open_app(tmp_path_factory):
    """The app on a copy of the fixture database with sign-in turned off by the setting."""
    tmp = tmp_path_factory.mktemp("faults")
    path = tmp / "faults.sqlite"
    engine = fixture_with_users(f"sqlite:///{path}")
    engine.dispose()
    server = AppServer(f"sqlite:///{path}", tmp, AUTH_DISABLED="1").start()
    yield server, path
    server.stop()


def _pages_callback(server):
    deps = dependencies(requests.Session(), server)
    return [c for c in deps if c["output"].startswith(".._pages_content")][0], deps


def _page(server, path="/levels", search="?year=2023"):
    cb, _ = _pages_callback(server)
    return post_callback(requests.Session(), server, cb, {"pathname": path, "search": search})


def test_flt001_auth_disabled_warns_at_start(open_app):
    server, _ = open_app
    assert "SIGN-IN IS OFF (AUTH_DISABLED=1)" in server.log
    assert requests.get(server.url + "/healthz", timeout=10).json()["auth"] == "off-setting"


def test_flt002_sqlite_file_goes_away_and_comes_back(open_app):
    server, path = open_app
    health = requests.get(server.url + "/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["database"]["status"] == "ok"
    assert "db-down-banner" not in decoded(_page(server))
    away = path.with_suffix(".away")
    os.rename(path, away)
    try:
        health = requests.get(server.url + "/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["database"]["status"] == "down"
        soft = requests.get(server.url + "/healthz?soft=1", timeout=10)  # what the banner polls
        assert soft.status_code == 200 and soft.json()["status"] == "unavailable"
        # Cached answers may serve a few seconds; then every page shows the banner.
        assert _until(lambda: "db-down-banner" in decoded(_page(server, search="?year=2023&sector=DD")))
        # The shell too, once its cached reference lists expire.
        assert _until(lambda: "db-down-banner" in decoded(requests.get(server.url + "/_dash-layout", timeout=10)))
        assert requests.get(server.url + "/levels?year=2023", timeout=10).status_code == 200
        # The banners' intervals drive a clientside reload that waits for /healthz to say 200.
        reloaders = [c for c in dependencies(requests.Session(), server) if c["inputs"][0]["id"].startswith("db-retry-interval")]
        assert len(reloaders) == 2 and all("/healthz" in c["clientside_function"]["function_name"] or c["clientside_function"]
                                           for c in reloaders)
    finally:
        os.rename(away, path)
    recovered = _until(lambda: requests.get(server.url + "/healthz", timeout=10).status_code == 200)
    assert recovered
    page = decoded(_page(server, search="?year=2023&sector=TP"))
    assert "db-down-banner" not in page and "Quế Sơn" in page


def test_flt003_postgresql_goes_away_and_comes_back(tmp_path_factory, pg_schema_factory_lazy):
    from tests.auth_server import drop_role, make_reader_role, reader_url, schema_of

    url = pg_schema_factory_lazy()("faults")
    writer = fixture_with_users(url)
    role = make_reader_role(writer, schema_of(url))
    server = AppServer(reader_url(url, role), tmp_path_factory.mktemp("pgfaults"), AUTH_DISABLED="1").start()
    try:
        assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
        with writer.begin() as conn:  # the server refuses the app's connections, open ones are cut
            conn.execute(text(f"ALTER ROLE {role} NOLOGIN"))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"), {"r": role})
        health = requests.get(server.url + "/healthz", timeout=15)
        assert health.status_code == 503 and health.json()["database"]["status"] == "down"
        assert _until(lambda: "db-down-banner" in decoded(_page(server, search="?year=2023&sector=DD")))
        with writer.begin() as conn:
            conn.execute(text(f"ALTER ROLE {role} LOGIN"))
        assert _until(lambda: requests.get(server.url + "/healthz", timeout=10).status_code == 200)
        assert "db-down-banner" not in decoded(_page(server, search="?year=2023&sector=TP"))
    finally:
        server.stop()
        drop_role(writer, role, schema_of(url))
        writer.dispose()


def test_flt004_statement_timeout_sqlite_and_postgresql(tmp_path, pg_schema_factory_lazy):
    slow_sqlite = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"
    engine = make_engine(f"sqlite:///{tmp_path / 't.sqlite'}", statement_timeout_ms=200)
    with pytest.raises(OperationalError) as err:
        with engine.connect() as conn:
            conn.execute(text(slow_sqlite)).scalar()
    assert is_timeout(err.value)
    with engine.connect() as conn:  # the connection is fine afterwards
        assert conn.execute(text("SELECT 1")).scalar() == 1
    pg = make_engine(pg_schema_factory_lazy()("timeout"), read_only=True, statement_timeout_ms=200)
    with pytest.raises(DBAPIError) as err:
        with pg.connect() as conn:
            conn.execute(text("SELECT pg_sleep(3)"))
    assert is_timeout(err.value)
    engine.dispose()
    pg.dispose()


def _mini_app(error):
    """A one-callback app whose callback raises ``error``, with the fault handling on."""
    from server.faults import init_faults

    app = dash.Dash(__name__ + str(id(error)))
    app.layout = html.Div([html.Button(id="b"), html.Div(id="out"), html.Div(id="url")])

    @app.callback(Output("out", "children"), Input("b", "n_clicks"), prevent_initial_call=True)
    def boom(n):
        raise error

    init_faults(app)
    app.server.config["TESTING"] = False
    client = app.server.test_client()
    client.get("/")  # Dash sets itself up at the first request
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "b", "property": "n_clicks", "value": 1}], "changedPropIds": ["b.n_clicks"]}
    return client.post("/_dash-update-component", json=body)


def test_flt005_callback_errors_become_banners_not_500():
    down = _mini_app(OperationalError("SELECT 1", {}, Exception("could not connect to server")))
    assert down.status_code == 200
    side = down.get_json()["sideUpdate"]
    assert "db-down-banner" in str(side["db-status"]) and "db-retry-interval-cb" in str(side["db-status"])
    slow = _mini_app(OperationalError("SELECT 1", {}, Exception("canceling statement due to statement timeout")))
    assert slow.status_code == 200 and "db-timeout-banner" in str(slow.get_json()["sideUpdate"])
    bug = _mini_app(ValueError("a bug"))
    assert bug.status_code in (200, 204) and "Traceback" not in bug.get_data(as_text=True)


def test_flt006_healthz_shape(open_app):
    server, _ = open_app
    body = requests.get(server.url + "/healthz", timeout=10).json()
    assert body["status"] == "ok" and body["app"] == "ok" and body["read_only"] is True
    assert body["database"]["latest_month"] >= 202312  # the fixture's last aggregated month


# ---------------------------------------------------------------- hypothesis: never a 500

PARAM_NAMES = st.sampled_from(["year", "district", "sector", "lang", "level", "drill", "page", "sort", "commune", "x"])
VALUES = st.one_of(st.text(max_size=30), st.integers(-10**12, 10**12).map(str), st.sampled_from(
    ["2023", "1999", "509", "502", "DD", "en", "commune", "%00", "' OR 1=1 --", "../../etc/passwd", "∞", "1e308", ""]))
SEARCHES = st.lists(st.tuples(PARAM_NAMES, VALUES), max_size=5).map(
    lambda pairs: "?" + "&".join(f"{requests.utils.quote(k)}={requests.utils.quote(v)}" for k, v in pairs))
# Every registered page (drawn when the test runs: the registry needs the app) and paths that are none.
PATHS = st.deferred(lambda: st.sampled_from([*page_paths(), "/x/../levels", "/%ff"]))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=8)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(path=PATHS, search=SEARCHES)
def test_flt007_url_parameters_never_500(open_app, path, search):
    server, _ = open_app
    page = _page(server, path=path, search=search)
    assert page.status_code in (200, 204), (path, search, page.status_code)
    assert "Traceback" not in page.text
    direct = requests.get(server.url + path + search, timeout=30)
    assert direct.status_code < 500 and "Traceback" not in direct.text


@FAST
@given(data=st.data())
def test_flt008_callback_inputs_never_500(open_app, data):
    server, _ = open_app
    _, deps = _pages_callback(server)
    cb = data.draw(st.sampled_from([c for c in deps if not c.get("clientside_function")]))
    values = {(d["id"], d["property"]): data.draw(JSON) for d in cb["inputs"] + cb["state"]}
    resp = post_callback(requests.Session(), server, cb, values)
    assert resp.status_code in (200, 204, 400), (cb["output"], values, resp.status_code)
    assert "Traceback" not in resp.text


@FAST
@given(body=JSON)
def test_flt009_arbitrary_callback_bodies_get_4xx(open_app, body):
    server, _ = open_app
    resp = requests.post(server.url + "/_dash-update-component", json=body, timeout=30)
    assert 400 <= resp.status_code < 500 and "Traceback" not in resp.text


# ---------------------------------------------------------------- a writer holds the database

@pytest.fixture(params=["sqlite", "postgresql"])
def locked_app(request, tmp_path, pg_schema_factory_lazy):
    """gunicorn (--timeout 10: a request that waits longer gets its worker killed) with sign-in
    on, a signed-in district user, and a function that takes the database's write lock the
    way a long import does, until released."""
    from tests.auth_server import GunicornServer, drop_role, login, make_reader_role, reader_url, schema_of

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'locked.sqlite'}"
        writer = fixture_with_users(url)
        server = GunicornServer(url, tmp_path, COOKIE_SECURE="0").start()
        cleanup = lambda: None  # noqa: E731
    else:
        url = pg_schema_factory_lazy()("locked")
        writer = fixture_with_users(url)
        role = make_reader_role(writer, schema_of(url))
        server = GunicornServer(reader_url(url, role), tmp_path, COOKIE_SECURE="0").start()
        cleanup = lambda: drop_role(writer, role, schema_of(url))  # noqa: E731
    session = login(server, "queson")

    def hold_lock():
        conn = writer.connect()
        if request.param == "sqlite":
            conn.exec_driver_sql("BEGIN EXCLUSIVE")  # what a committing import holds: readers must wait
        else:
            conn.begin()
            conn.exec_driver_sql("LOCK TABLE dossier_month_stats, dossier_month_agency_stats, users IN ACCESS EXCLUSIVE MODE")
        return conn

    yield server, session, hold_lock
    server.stop()
    cleanup()
    writer.dispose()


def test_flt010_a_held_write_lock_gives_the_busy_banner_not_a_killed_worker(locked_app):
    """Finding 3: requests used to wait 30 s for the lock, exactly gunicorn's worker timeout,
    so the worker was killed and no banner ever showed; /healthz answered after 30 s."""
    server, session, hold_lock = locked_app
    deps = dependencies(session, server)
    cb = [c for c in deps if c["output"].startswith(".._pages_content")][0]
    assert "Quế Sơn" in decoded(post_callback(session, server, cb, {"pathname": "/levels", "search": "?year=2023"}))
    lock = hold_lock()
    try:
        # A wait for the lock past gunicorn's timeout (10 s here) gets the worker killed, which
        # drops the connection; the client's own limit sits just under it so a loaded machine
        # (shared CI cores) does not turn a slow answer into a failure.
        health = requests.get(server.url + "/healthz", timeout=9)
        assert health.status_code == 503 and health.json()["database"]["status"] == "busy", health.text
        page = post_callback(session, server, cb, {"pathname": "/late", "search": "?year=2023&sector=TP"})
        assert page.status_code == 200 and "db-busy-banner" in decoded(page), page.text[:300]
        layout = session.get(server.url + "/_dash-layout", timeout=15)
        assert layout.status_code == 200  # the shell, with its own banner
    finally:
        lock.rollback()
        lock.close()
    assert _until(lambda: requests.get(server.url + "/healthz", timeout=5).status_code == 200)
    page = post_callback(session, server, cb, {"pathname": "/late", "search": "?year=2023&sector=TP"})
    assert "db-busy-banner" not in decoded(page) and "Quế Sơn" in decoded(page)
    assert "WORKER TIMEOUT" not in server.log and "Traceback" not in server.log


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_flt011_a_request_waits_for_a_writers_lock_once(backend, tmp_path, monkeypatch, pg_schema_factory_lazy):
    """Why flt010 sometimes lost its worker: each query of a request waited the whole busy
    timeout (the user, the tab title, the page: 3 × 3 s against gunicorn's 10 s). After the
    first busy error, the request's later connections wait AFTER_BUSY_WAIT_MS; the next
    request waits the full time again."""
    from data import db

    monkeypatch.setenv("DB_BUSY_TIMEOUT_MS", "400")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
        writer = make_engine(url)
        with writer.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        wait_setting = "PRAGMA busy_timeout"
        usual, short = 400, db.AFTER_BUSY_WAIT_MS
    else:
        url = pg_schema_factory_lazy()("busyonce")
        writer = make_engine(url)
        with writer.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        wait_setting = "SHOW lock_timeout"
        usual, short = "400ms", f"{db.AFTER_BUSY_WAIT_MS}ms"
    reader = make_engine(url, read_only=True)

    def setting():
        with reader.connect() as conn:
            return conn.exec_driver_sql(wait_setting).scalar()

    db.begin_request_scope()
    assert setting() == usual and not db.busy_seen_in_request()
    lock = writer.connect()
    if backend == "sqlite":
        lock.exec_driver_sql("BEGIN EXCLUSIVE")
    else:
        lock.begin()
        lock.exec_driver_sql("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
    try:
        with pytest.raises(OperationalError) as err:
            with reader.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
        assert db.is_busy(err.value) and db.busy_seen_in_request()
        assert setting() == short  # the same request: a short wait from now on
        with pytest.raises(OperationalError) as err:
            with reader.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
        assert db.is_busy(err.value)
    finally:
        lock.rollback()
        lock.close()
    assert setting() == short
    reader.dispose()  # a new connection of the same request (the pool opens one after a failed connect)
    assert setting() == short
    db.begin_request_scope()  # the next request
    assert setting() == usual and not db.busy_seen_in_request()
    with reader.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    reader.dispose()
    writer.dispose()
