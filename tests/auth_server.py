"""Helpers for the sign-in, security and fault tests: the real app in a subprocess.

The app reads ``DATABASE_URL`` when it is imported, so tests that need it on another
database (the fixture with users, a copy to break) run it as its operators do: a
separate process on a free port, with the environment they choose.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import text

from data.auth import add_user

ROOT = Path(__file__).resolve().parent.parent
PASSWORDS = {"tinh": "Tinh-mat-khau-2023!", "queson": "QueSon-mat-khau-509", "admin": "Quan-tri-mat-khau-1",
             "dongphu": "DongPhu-mat-khau-20641"}
OTHER_DISTRICT_WORDS = ("Tam Kỳ", "Tân Thạnh")  # district 502 and its commune in tests/fixture_data.py


def add_fixture_users(engine) -> None:
    add_user(engine, "tinh", PASSWORDS["tinh"], "province", display_name="Lãnh đạo tỉnh")
    add_user(engine, "queson", PASSWORDS["queson"], "district", unit_code="509", display_name="Phòng một cửa Quế Sơn")
    add_user(engine, "admin", PASSWORDS["admin"], "admin")
    add_user(engine, "dongphu", PASSWORDS["dongphu"], "commune", unit_code="20641", display_name="Một cửa Đông Phú")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """``python app.py`` on a free port; ``.log`` holds everything it printed."""

    def __init__(self, database_url: str, tmp: Path, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"app-{self.port}.log"
        self.env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(self.port), "HOST": "127.0.0.1",
                    "SECRET_KEY": uuid.uuid4().hex, "LOG_LEVEL": "INFO",
                    # sign-in records of this server alone (server.session_store)
                    "SESSION_STORE_URL": f"sqlite:///{tmp / f'sessions-{self.port}.sqlite'}", **env}
        self.env.pop("CACHE_REDIS_URL", None)
        self.proc = None

    def start(self, timeout: float = 60) -> AppServer:
        fh = open(self.log_path, "w")
        # Imported and run like app.py's __main__, without "app.py" on the command line, so that
        # a `pkill -f app.py` elsewhere on a shared machine does not take the test's server down.
        code = "import os, app; app.app.run(host='127.0.0.1', port=int(os.environ['PORT']), debug=False)"
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited: {self.log}")
            try:
                requests.get(self.url + "/healthz", timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"app did not start: {self.log}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class GunicornServer(AppServer):
    """``gunicorn app:server`` as production runs it (``--timeout``: gunicorn kills a worker
    whose request takes longer, and the client sees its connection dropped)."""

    def __init__(self, database_url: str, tmp: Path, workers: int = 2, timeout: int = 10, **env):
        super().__init__(database_url, tmp, **env)
        self.args = ["-w", str(workers), "--timeout", str(timeout), "-b", f"127.0.0.1:{self.port}"]

    def start(self, timeout: float = 60) -> GunicornServer:
        fh = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", *self.args, "app:server"], cwd=ROOT, env=self.env,
                                     stdout=fh, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log}")
            try:
                requests.get(self.url + "/healthz", timeout=10)  # the workers import the app first
                return self
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start: {self.log}")


def session_cookie(resp) -> str | None:
    for c in resp.cookies:
        if c.name == "tthc_session":
            return c.value
    return None


def csrf_of(page) -> str:
    """The CSRF token of the sign-in (or sign-out) form in a page."""
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def login(server: AppServer, username: str, password: str | None = None, headers: dict | None = None) -> requests.Session:
    """A requests session signed in as ``username``. The session cookie is Secure, which
    requests would not send over plain HTTP, so it is carried by hand."""
    s = requests.Session()
    page = s.get(server.url + "/login", headers=headers, timeout=10)
    csrf = csrf_of(page)
    cookie = session_cookie(page)
    resp = s.post(server.url + "/login", data={"csrf_token": csrf, "username": username,
                                                "password": password or PASSWORDS[username], "next": "/"},
                  headers={"Cookie": f"tthc_session={cookie}", **(headers or {})}, allow_redirects=False, timeout=30)
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    s.headers["Cookie"] = f"tthc_session={session_cookie(resp)}"
    s.cookies.clear()
    return s


def dependencies(session: requests.Session, server: AppServer) -> list[dict]:
    resp = session.get(server.url + "/_dash-dependencies", timeout=10)
    resp.raise_for_status()
    return resp.json()


def split_outputs(output: str) -> list[dict]:
    """Dash's output string ('..a.b...c.d..' or 'a.b' or 'a.b@hash') as the request's outputs."""
    if output.startswith("..") and output.endswith(".."):
        parts = output[2:-2].split("...")
    else:
        parts = [output]
    out = []
    for p in parts:
        ident, prop = p.rsplit(".", 1) if not p.startswith("{") else (p[:p.rindex("}") + 1], p[p.rindex("}") + 2:])
        try:
            ident = json.loads(ident)
        except ValueError:
            pass
        out.append({"id": ident, "property": prop})
    return out


def post_callback(session: requests.Session, server: AppServer, cb: dict, values: dict, changed: str | None = None):
    """Call callback ``cb`` (an entry of /_dash-dependencies) with ``values[(id, prop)]``
    (or ``values[prop]``) for its inputs and state."""
    def item(dep):
        ident = dep["id"]
        try:
            parsed = json.loads(ident)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            # A pattern-matching id: one concrete component per wildcard.
            concrete = {k: (v if not isinstance(v, list) else "502") for k, v in parsed.items()}
            value = values.get((ident, dep["property"]), values.get(dep["property"]))
            return [{"id": concrete, "property": dep["property"], "value": value}]
        value = values.get((ident, dep["property"]), values.get(dep["property"]))
        return {"id": ident, "property": dep["property"], "value": value}

    inputs = [item(d) for d in cb["inputs"]]
    state = [item(d) for d in cb["state"]]
    first = cb["inputs"][0] if cb["inputs"] else None
    outputs = split_outputs(cb["output"])
    body = {"output": cb["output"], "outputs": outputs if len(outputs) > 1 or cb["output"].startswith("..") else outputs[0],
            "inputs": inputs, "state": state,
            "changedPropIds": [changed or (f"{first['id']}.{first['property']}" if first else "")]}
    return session.post(server.url + "/_dash-update-component", json=body, timeout=60)


def decoded(resp) -> str:
    """The response as text with non-ASCII characters unescaped (Dash escapes them in JSON),
    plus the text inside any download it carries (base64 CSV, or XLSX cell values)."""
    try:
        body = resp.json()
    except ValueError:
        return resp.text
    extra = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("base64") and isinstance(node.get("content"), str):
                extra.append(_download_text(node["content"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(body)
    return json.dumps(body, ensure_ascii=False) + "\n".join(extra)


def _download_text(content_b64: str) -> str:
    import base64
    import io
    import re
    import zipfile

    raw = base64.b64decode(content_b64)
    if raw[:2] == b"PK":  # XLSX, PPTX...: the text of every XML part, tags removed
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            parts = [z.read(n).decode("utf-8", errors="replace") for n in z.namelist() if n.endswith(".xml")]
        return "\n".join(re.sub(r"<[^>]+>", " ", p) for p in parts)
    return raw.decode("utf-8", errors="replace")


def make_reader_role(admin_engine, schema: str) -> str:
    """A PostgreSQL role that may read ``schema`` and nothing else (docs/security.md)."""
    role = f"tthc_reader_{uuid.uuid4().hex[:8]}"
    with admin_engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"))
    return role


def drop_role(admin_engine, role: str, schema: str) -> None:
    with admin_engine.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"), {"r": role})
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}"))
        conn.execute(text(f"REVOKE ALL ON SCHEMA {schema} FROM {role}"))
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))


def fixture_with_users(url: str):
    """The hand-built fixture database at ``url`` plus three users (province, district 509, admin)."""
    from tests.conftest import load_fixture

    engine = load_fixture(url)
    add_fixture_users(engine)
    return engine


def reader_url(url: str, role: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=role).render_as_string(hide_password=False)


def schema_of(url: str) -> str:
    return url.split("search_path%3D", 1)[1].split("&", 1)[0]


def start_fixture_app(kind: str, tmp: Path, pg_factory, label: str, **env):
    """(server, writer engine, cleanup) for the fixture database with users, on ``kind``
    ('sqlite' or 'postgresql'); on PostgreSQL the app connects as a read-only role."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / (label + '.sqlite')}"
        engine = fixture_with_users(url)
        server = AppServer(url, tmp, **env).start()
        return server, engine, lambda: None
    url = pg_factory()(label)
    engine = fixture_with_users(url)
    role = make_reader_role(engine, schema_of(url))
    server = AppServer(reader_url(url, role), tmp, **env).start()
    return server, engine, lambda: drop_role(engine, role, schema_of(url))
