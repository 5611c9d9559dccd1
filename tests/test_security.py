"""Safe defaults: headers, cookies, read-only connections, the users CLI."""
from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from data.auth import AuthError, get_user, session_token, verify
from data.db import make_engine
from tests.auth_server import PASSWORDS, fixture_with_users, login, start_fixture_app


@pytest.fixture(scope="module")
def sec_app(tmp_path_factory, pg_schema_factory_lazy):
    server, engine, cleanup = start_fixture_app("sqlite", tmp_path_factory.mktemp("sec"), pg_schema_factory_lazy, "sec")
    yield server, engine
    server.stop()
    cleanup()
    engine.dispose()


def _check_headers(resp):
    h = resp.headers
    csp = h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = [d for d in csp.split(";") if d.strip().startswith("script-src")][0]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src and "'sha256-" in script_src
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in h  # plain HTTP here: HSTS is for HTTPS only


def test_sec001_headers_on_every_kind_of_response(sec_app):
    server, _ = sec_app
    s = login(server, "tinh")
    for path in ("/", "/levels?year=2023", "/_dash-layout", "/_dash-dependencies", "/healthz", "/assets/app.css"):
        _check_headers(s.get(server.url + path, timeout=10))
    _check_headers(requests.get(server.url + "/login", timeout=10))
    _check_headers(requests.get(server.url + "/levels", allow_redirects=False, timeout=10))  # the redirect too


def test_sec002_session_cookie_flags(sec_app):
    server, _ = sec_app
    resp = requests.get(server.url + "/login", timeout=10)
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("tthc_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in cookie


def test_sec003_no_traceback_on_a_broken_request(sec_app):
    server, _ = sec_app
    s = login(server, "tinh")
    for body in ("not json", "[1, 2]", '{"output": "nope.children", "inputs": []}', '{"output": 5}'):
        resp = s.post(server.url + "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}, timeout=10)
        assert resp.status_code == 400 and "Traceback" not in resp.text
    assert s.get(server.url + "/_dash-update-component", timeout=10).status_code == 405
    assert "Traceback" not in s.get(server.url + "/no/such/page?x=%ff", timeout=10).text


def test_sec004_app_engine_cannot_write_sqlite(tmp_path):
    from tests.conftest import load_fixture

    path = tmp_path / "copy.sqlite"
    load_fixture(f"sqlite:///{path}").dispose()
    ro = make_engine(f"sqlite:///{path}", read_only=True)
    with ro.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM units")).scalar() == 6
    with pytest.raises(DBAPIError, match="readonly"):
        with ro.begin() as conn:
            conn.execute(text("DELETE FROM units"))
    missing = make_engine(f"sqlite:///{tmp_path / 'missing.sqlite'}", read_only=True)
    with pytest.raises(DBAPIError):
        with missing.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert not (tmp_path / "missing.sqlite").exists()  # read-only never creates an empty database
    ro.dispose()
    missing.dispose()


def test_sec005_read_only_role_cannot_write_postgresql(tmp_path_factory, pg_schema_factory_lazy):
    from tests.auth_server import drop_role, make_reader_role, reader_url, schema_of

    url = pg_schema_factory_lazy()("ro")
    writer = fixture_with_users(url)
    role = make_reader_role(writer, schema_of(url))
    try:
        for ro_flag in (False, True):  # the role alone refuses, and so does the app's read-only session
            reader = make_engine(reader_url(url, role), read_only=ro_flag)
            with reader.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 4  # tinh, queson, admin, dongphu (tests.auth_server)
            with pytest.raises(DBAPIError):
                with reader.begin() as conn:
                    conn.execute(text("UPDATE users SET active = false"))
            reader.dispose()
    finally:
        drop_role(writer, role, schema_of(url))
        writer.dispose()


def test_sec006_users_cli(tmp_path, monkeypatch, caplog):
    from tests.conftest import load_fixture

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    engine = load_fixture(url)
    monkeypatch.setenv("DATABASE_URL", url)
    from cli.main import main

    runner = CliRunner()
    pw, pw2 = "Mot-mat-khau-rat-dai-1", "Mat-khau-moi-cung-dai-2"
    out = runner.invoke(main, ["user", "add", "ThangBinh.Mot", "--role", "district", "--district", "509", "--password-stdin"],
                        input=pw + "\n")
    assert out.exit_code == 0, out.output
    assert pw not in out.output
    bad = runner.invoke(main, ["user", "add", "x2", "--role", "district", "--district", "20641", "--password-stdin"], input=pw + "\n")
    assert bad.exit_code == 1 and "no district-level unit" in bad.output and "Traceback" not in bad.output
    short = runner.invoke(main, ["user", "add", "x3", "--role", "province", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "too short" in short.output
    prompt = runner.invoke(main, ["user", "add", "x4", "--role", "admin"], input=f"{pw}\n{pw}\n")
    assert prompt.exit_code == 0 and pw not in prompt.output
    listing = runner.invoke(main, ["user", "list"])
    assert "thangbinh.mot" in listing.output and "509" in listing.output and "scrypt" not in listing.output
    row = get_user(engine, username="thangbinh.mot")
    assert row["password_hash"].startswith("scrypt:") and pw not in row["password_hash"]
    assert verify(engine, "thangbinh.mot", pw)["username"] == "thangbinh.mot"
    token = session_token(row)
    assert runner.invoke(main, ["user", "reset-password", "thangbinh.mot", "--password-stdin"], input=pw2 + "\n").exit_code == 0
    assert verify(engine, "thangbinh.mot", pw) is None and verify(engine, "thangbinh.mot", pw2)
    assert session_token(get_user(engine, username="thangbinh.mot")) != token  # open sessions end
    assert runner.invoke(main, ["user", "disable", "thangbinh.mot"]).exit_code == 0
    assert verify(engine, "thangbinh.mot", pw2) is None
    assert runner.invoke(main, ["user", "disable", "nobody"]).exit_code == 1
    for record in caplog.records:
        assert pw not in record.getMessage() and pw2 not in record.getMessage()
    engine.dispose()


def test_sec007_roles_and_scope_rules():
    from data.auth import DENY_ALL, scope_for

    assert scope_for({"role": "province", "active": True}) is None
    assert scope_for({"role": "admin", "active": True}) is None
    assert scope_for({"role": "district", "unit_code": "509", "active": True}) == "509"
    assert scope_for({"role": "district", "unit_code": None, "active": True}) == DENY_ALL
    assert scope_for({"role": "district", "unit_code": "509", "active": False}) == DENY_ALL
    assert scope_for({"role": "guest", "active": True}) == DENY_ALL
    assert scope_for(None) == DENY_ALL


def test_sec008_auth_mode(monkeypatch):
    from data.config import DEMO_DB_URL
    from server.auth import auth_mode

    monkeypatch.delenv("AUTH_DISABLED", raising=False)
    assert auth_mode(DEMO_DB_URL) == "off-demo"
    assert auth_mode("postgresql+psycopg://u@h/db") == "on"
    assert auth_mode("sqlite:////srv/tthc/other.sqlite") == "on"
    monkeypatch.setenv("AUTH_DISABLED", "1")
    assert auth_mode("postgresql+psycopg://u@h/db") == "off-setting"


def test_sec009_password_policy_errors_name_no_secret():
    from data.auth import hash_password

    with pytest.raises(AuthError) as err:
        hash_password("abc")
    assert "abc" not in str(err.value)
    assert PASSWORDS["tinh"] not in hash_password(PASSWORDS["tinh"])


def test_sec010_access_key_names_scope_and_role():
    from data.auth import access_key, reset_scope, set_scope

    keys = set()
    for scope, role in [(None, None), (None, "province"), (None, "admin"), ("509", "district"), ("502", "district")]:
        token = set_scope(scope, role)
        keys.add(access_key())
        reset_scope(token)
    assert len(keys) == 5


def test_sec011_an_attacker_cannot_lock_a_user_out(tmp_path_factory, pg_schema_factory_lazy):
    """Finding 9: failed sign-ins from one address use up that address's allowance for that
    username, not the username's: its owner, elsewhere, signs in at once. The attacker is
    still stopped (brute force), on this username and on every other."""
    from tests.auth_server import csrf_of, session_cookie

    server, engine, cleanup = start_fixture_app("sqlite", tmp_path_factory.mktemp("lockout"), pg_schema_factory_lazy,
                                                "lockout", TRUSTED_PROXY_COUNT="1")
    try:
        attacker = {"X-Forwarded-For": "10.66.0.1"}
        page = requests.get(server.url + "/login", headers=attacker, timeout=10)
        headers = dict(attacker, Cookie=f"tthc_session={session_cookie(page)}")

        def attempt(user, password):
            return requests.post(server.url + "/login", data={"csrf_token": csrf_of(page), "username": user,
                                                               "password": password}, headers=headers,
                                 allow_redirects=False, timeout=30).status_code

        codes = [attempt("queson", f"wrong-password-{i}") for i in range(8)]
        assert codes[:5] == [401] * 5 and codes[-1] == 429, codes
        assert attempt("queson", PASSWORDS["queson"]) == 429  # the attacker's address waits, right password or not
        owner = login(server, "queson", headers={"X-Forwarded-For": "10.9.0.2"})  # the owner, from the office
        assert owner.get(server.url + "/_dash-layout", timeout=10).status_code == 200
        # The address's own allowance (20 a minute) stops a spray over many usernames too.
        spray = [attempt(f"user{i}", "wrong-password") for i in range(20)]
        assert spray[-1] == 429, spray
    finally:
        server.stop()
        cleanup()
        engine.dispose()


def test_sec012_a_failed_response_sets_no_cookie():
    """Finding 7: a request that fails after changing the session (a 500) leaves no cookie."""
    import flask

    from server.security import NoCookieOnErrorSessionInterface

    app = flask.Flask(__name__)
    app.secret_key = "k"
    app.session_interface = NoCookieOnErrorSessionInterface()

    @app.route("/half")
    def half():
        flask.session["sid"] = "half a sign-in"
        return "failed", 500

    @app.route("/whole")
    def whole():
        flask.session["sid"] = "a sign-in"
        return "ok"

    client = app.test_client()
    assert "Set-Cookie" not in client.get("/half").headers
    assert "Set-Cookie" in client.get("/whole").headers
