"""Try the issue-13 attacks against a running gunicorn with sign-in on, and print what each gets.

Sets up its own world: the test fixture with hostile names (tests/test_hostile_data.py) and
three users in a SQLite file, ``gunicorn app:server -w 4`` on loopback (127.0.0.1:PORT,
default 8113) with Redis for the cache and the session records, behind no proxy but
trusting one (TRUSTED_PROXY_COUNT=1, so X-Forwarded-For stands for a client address as
nginx would set it). Every request goes to loopback only; every loop is bounded.

    .venv/bin/python scripts/probe_hostile.py [--port 8113] [--redis redis://127.0.0.1:6379/13]
"""
from __future__ import annotations

import argparse
import base64
import concurrent.futures as cf
import csv
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.auth_server import PASSWORDS, add_fixture_users, csrf_of, decoded, post_callback, session_cookie  # noqa: E402
from tests.test_hostile_data import make_hostile  # noqa: E402

RESULTS: list[tuple[str, str, str]] = []


def result(finding: str, payload: str, outcome: str) -> None:
    RESULTS.append((finding, payload, outcome))
    print(f"[{finding}] {payload}\n      -> {outcome}", flush=True)


class Server:
    def __init__(self, url: str, port: int, redis_url: str, tmp: Path):
        self.db_url = url
        self.url = self.base = f"http://127.0.0.1:{port}"  # tests.auth_server helpers read .url
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "probe-" + os.urandom(8).hex(), "COOKIE_SECURE": "0",
               "CACHE_REDIS_URL": redis_url, "TRUSTED_PROXY_COUNT": "1", "PDF_LOCK_DIR": str(tmp / "locks"),
               "LOG_LEVEL": "INFO"}
        self.log = tmp / "gunicorn.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "--timeout", "30", "-b",
                                      f"127.0.0.1:{port}", "app:server"], cwd=ROOT, env=env,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                requests.get(self.base + "/healthz", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start: " + self.log.read_text()[-2000:])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


def login(base: str, user: str, password: str | None = None, addr: str = "10.1.0.1") -> dict:
    page = requests.get(base + "/login", headers={"X-Forwarded-For": addr}, timeout=10)
    resp = requests.post(base + "/login", data={"csrf_token": csrf_of(page), "username": user,
                                                "password": password or PASSWORDS[user], "next": "/"},
                         headers={"Cookie": f"tthc_session={session_cookie(page)}", "X-Forwarded-For": addr},
                         allow_redirects=False, timeout=30)
    assert resp.status_code == 302, (resp.status_code, resp.text[:200])
    return {"Cookie": f"tthc_session={session_cookie(resp)}", "X-Forwarded-For": addr}


def session_with(headers: dict) -> requests.Session:
    s = requests.Session()
    s.headers.update(headers)
    return s


def router(s, srv):
    deps = s.get(srv.base + "/_dash-dependencies", timeout=10).json()
    return deps, [c for c in deps if c["output"].startswith(".._pages_content")][0]


def formula_cells(data: bytes) -> int:
    if data[:2] == b"PK":
        n = 0
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if name.endswith(".xml") and "worksheets" in name:
                    n += z.read(name).count(b"<f>") + z.read(name).count(b"<f ")
                if name.endswith(".xlsx"):
                    n += formula_cells(z.read(name))
        return n
    fields = [f for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for f in row]
    return sum(1 for f in fields if f[:1] in ("=", "+", "-", "@"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8113)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = ap.parse_args()
    import redis

    r = redis.Redis.from_url(args.redis)
    r.flushdb()
    tmp = Path(tempfile.mkdtemp(prefix="tthc-probe-"))
    db = tmp / "hostile.sqlite"
    url = f"sqlite:///{db}"
    engine = make_hostile(url)
    add_fixture_users(engine)
    srv = Server(url, args.port, args.redis, tmp)
    try:
        probe(srv, engine, r, db)
    finally:
        srv.stop()
        engine.dispose()
        log = srv.log.read_text()
        print(f"\ngunicorn log: {log.count('Traceback')} tracebacks, {log.count('WORKER TIMEOUT')} worker timeouts")
    print(f"\n{len(RESULTS)} payloads tried")


def probe(srv: Server, engine, r, db: Path) -> None:
    base = srv.base
    # 1. Login CSRF
    resp = requests.post(base + "/login", data={"username": "tinh", "password": PASSWORDS["tinh"]}, allow_redirects=False)
    result("1", "curl -X POST -d username=tinh&password=… /login (no session, no token)",
           f"{resp.status_code}, Set-Cookie signed in: {bool(session_cookie(resp)) and requests.get(base + '/_dash-layout', headers={'Cookie': 'tthc_session=' + (session_cookie(resp) or '')}).status_code == 200}")
    mine = requests.get(base + "/login")
    resp = requests.post(base + "/login", data={"username": "tinh", "password": PASSWORDS["tinh"], "csrf_token": csrf_of(mine)},
                         allow_redirects=False)
    result("1", "POST /login with the attacker's own token, victim has no cookie", str(resp.status_code))

    # 2. Formula injection in downloads (as the province user)
    prov = session_with(login(base, "tinh"))
    deps, rt = router(prov, srv)
    by_out = {c["output"]: c for c in deps}
    lvl = next(c for o, c in by_out.items() if o.startswith("lvl-download"))
    for fmt in ("xlsx", "csv"):
        sent = post_callback(prov, srv, lvl, {"search": "?year=2023&district=509", "n_clicks": 1},
                             changed=f"lvl-download-{fmt}.n_clicks").json()
        data = base64.b64decode(sent["response"]["lvl-download"]["data"]["content"])
        result("2", f"Biểu 06 {fmt.upper()} with a commune named =HYPERLINK(…)/+cmd|' /C calc'!A0", f"{formula_cells(data)} live formulas")
    pptx = post_callback(prov, srv, by_out["rep-pptx.data"], {"search": "?year=2023", "n_clicks": 1}).json()
    data = base64.b64decode(pptx["response"]["rep-pptx"]["data"]["content"])
    result("2", "PowerPoint deck: embedded chart workbooks", f"{formula_cells(data)} live formulas")
    state = {"mode": "late", "lang": "vi", "first_ym": 202301, "last_ym": 202312, "district": "509", "sector": "DD",
             "procedure": "DD-H-01"}
    for fmt in ("csv", "xlsx"):
        sent = post_callback(prov, srv, by_out["late-download.data"], {"data": state, "getRowsRequest": {"startRow": 0, "endRow": 100},
                                                                     "n_clicks": 1}, changed=f"late-download-{fmt}.n_clicks").json()
        data = base64.b64decode(sent["response"]["late-download"]["data"]["content"])
        result("2", f"late list {fmt.upper()} (procedure @SUM(…), sector -2+3+cmd…)", f"{formula_cells(data)} live formulas")

    # 5. Cache filling
    before = len(list(r.scan_iter("tthc:layout:*")))
    for n in range(200):
        post_callback(prov, srv, rt, {"pathname": "/levels", "search": f"?year=2023&junk={n}"})
    for odd in ("+2023", "02023", "2023%20", "1999", "x" * 300):
        post_callback(prov, srv, rt, {"pathname": "/levels", "search": f"?year={odd}"})
    after = len(list(r.scan_iter("tthc:layout:*")))
    result("5", "200 × /levels?year=2023&junk=N, plus year=+2023, 02023, '2023 ', 1999, 'x'*300",
           f"layout keys in Redis {before} -> {after}")

    # 6. PDFs
    pdf_cb = by_out["..rep-pdf.data...rep-pdf-status.children.."]

    def one_pdf(_):
        t0 = time.perf_counter()
        body = post_callback(prov, srv, pdf_cb, {"search": "?year=2023", "n_clicks": 1}).json()
        kind = "pdf" if body["response"].get("rep-pdf") else "busy" if "rep-pdf-busy" in json.dumps(body) else "other"
        return kind, time.perf_counter() - t0

    health = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            t0 = time.perf_counter()
            requests.get(base + "/healthz", timeout=30)
            health.append(time.perf_counter() - t0)
            time.sleep(0.1)

    th = threading.Thread(target=poll)
    th.start()
    with cf.ThreadPoolExecutor(6) as ex:
        outcomes = list(ex.map(one_pdf, range(6)))
    stop.set()
    th.join()
    kinds = [k for k, _ in outcomes]
    result("6", "six PDF downloads at once", f"{kinds.count('pdf')} PDFs, {kinds.count('busy')} 'busy, try again' "
           f"(slowest answer {max(t for _, t in outcomes):.1f} s); /healthz during them: max {max(health):.2f} s over {len(health)} polls")

    # 7. 500s
    page = requests.get(base + "/login")
    resp = requests.post(base + "/login", data={"csrf_token": csrf_of(page), "username": "tinh", "password": PASSWORDS["tinh"],
                                                "next": "/levels\r\nSet-Cookie: evil=1"},
                         headers={"Cookie": f"tthc_session={session_cookie(page)}"}, allow_redirects=False)
    result("7", "next=/levels\\r\\nSet-Cookie: evil=1", f"{resp.status_code} Location {resp.headers.get('Location')!r}, "
           f"evil cookie: {'evil' in resp.headers.get('Set-Cookie', '')}")
    for path in ("/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/deps/nope.js", "/_dash-component-suites/x"):
        resp = prov.get(base + path, allow_redirects=False)
        result("7", f"GET {path} (signed in)", f"{resp.status_code}, {len(resp.content)} bytes")

    # 8. Markup in charts
    from tests.test_hostile_data import figures_in

    for path, search in (("/levels", "?year=2023&level=district"), ("/late", "?year=2023"), ("/present", "?year=2023&slide=5")):
        body = post_callback(prov, srv, rt, {"pathname": path, "search": search}).json()
        figs = json.dumps(figures_in(body, []), ensure_ascii=False)
        result("8", f'unit <a href="http://evil.example">Tam Kỳ</a> in the charts of {path}{search}',
               f"{figs.count('<a href')} raw links in {len(figures_in(body, []))} figures; escaped names: {figs.count('&lt;a href')}")

    # 9. Targeted lockout
    page = requests.get(base + "/login", headers={"X-Forwarded-For": "10.66.6.6"})
    codes = [requests.post(base + "/login", data={"csrf_token": csrf_of(page), "username": "queson", "password": f"wrong-{i}"},
                           headers={"Cookie": f"tthc_session={session_cookie(page)}", "X-Forwarded-For": "10.66.6.6"},
                           allow_redirects=False).status_code for i in range(10)]
    owner = login(base, "queson", addr="10.9.9.9")
    result("9", "10 wrong passwords for queson from 10.66.6.6, then the owner from 10.9.9.9",
           f"attacker {codes}; owner signed in: {requests.get(base + '/_dash-layout', headers=owner).status_code == 200}")

    # 10. Public paths
    for path in ("/loginx", "/logout/x", "/healthzz", "/assets/", "/_dash-component-suites/dash/"):
        resp = requests.get(base + path, allow_redirects=False)
        result("10", f"GET {path} (no sign-in)", f"{resp.status_code} {resp.headers.get('Location', '')}; page shell: "
               f"{'dash-renderer' in resp.text}")

    # 11. Scoped user, another district's commune
    q = session_with(login(base, "queson"))
    _, qrt = router(q, srv)
    body = decoded(post_callback(q, srv, qrt, {"pathname": "/late", "search": "?year=2023&commune=20335"}))
    result("11", "queson (509): /late?commune=20335 (Tân Thạnh, in 502)", f"Tân Thạnh named: {'Tân Thạnh' in body}")
    units = tmp_units = Path(tempfile.mkdtemp()) / "units.csv"
    units.write_text("Mã đơn vị,Tên đơn vị,Tên ngắn,Loại đơn vị,Cấp,Mã đơn vị cấp trên,Thứ tự\n"
                     "20335,Phường Tân Thạnh,Tân Thạnh,phường,commune,509,1\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "cli.main", "import", "units", str(units)], cwd=ROOT,
                         env={**os.environ, "DATABASE_URL": srv.db_url, "IMPORT_REPORTS_DIR": str(tmp_units.parent)},
                         capture_output=True, text=True)
    result("11", "tthc import units: 20335 re-parented from 502 to 509", (out.stdout + out.stderr).strip().splitlines()[-1][:200])

    # 12. Headers
    h = q.get(base + "/_dash-layout").headers.get("Cache-Control")
    result("12", "signed-in /_dash-layout", f"Cache-Control: {h}")
    with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1]))) as sock:
        sock.sendall(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        head = sock.recv(4096).decode(errors="replace").split("\r\n\r\n")[0]
    result("12", "GET /aaaa…(5000) straight to gunicorn", head.replace("\r\n", " | ")[:200] + " (the proxy adds the headers: docs/deploy.md)")

    # 3. A writer holds the lock
    lock = sqlite3.connect(db, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.perf_counter()
        h = requests.get(base + "/healthz", timeout=40)
        t1 = time.perf_counter()
        page = post_callback(q, srv, qrt, {"pathname": "/late", "search": "?year=2022&sector=TP"})
        t2 = time.perf_counter()
        result("3", "BEGIN EXCLUSIVE held on the SQLite file; GET /healthz, then a /late page",
               f"/healthz {h.status_code} {h.json()['database']['status']} in {t1 - t0:.2f} s; page {page.status_code} "
               f"busy banner: {'db-busy-banner' in page.text} in {t2 - t1:.1f} s")
    finally:
        lock.rollback()
        lock.close()

    # 4. Sessions
    a = login(base, "admin")
    layout_ok = lambda hdr: requests.get(base + "/_dash-layout", headers=hdr).status_code  # noqa: E731
    requests.get(base + "/logout", headers=a)
    result("4", "GET /logout (a link or image on another site)", f"session still works: {layout_ok(a) == 200}")
    token = csrf_of(requests.get(base + "/logout", headers=a))
    requests.post(base + "/logout", data={"csrf_token": token}, headers=a, allow_redirects=False)
    result("4", "copied tthc_session cookie after POST /logout", f"/_dash-layout -> {layout_ok(a)}")
    z = login(base, "queson", addr="10.3.3.3")
    env = {**os.environ, "DATABASE_URL": srv.db_url}
    subprocess.run([sys.executable, "-m", "cli.main", "user", "disable", "queson"], cwd=ROOT, env=env, capture_output=True)
    t0 = time.perf_counter()
    first = layout_ok(z)
    result("4", "tthc user disable queson, then the next request", f"{first} after {time.perf_counter() - t0:.2f} s")
    subprocess.run([sys.executable, "-m", "cli.main", "user", "enable", "queson"], cwd=ROOT, env=env, capture_output=True)
    fresh = login(base, "queson", addr="10.3.3.3")
    result("4", "tthc user enable queson, sign in at once", f"new session {layout_ok(fresh)}, the cookie from before {layout_ok(z)}")

if __name__ == "__main__":
    main()
