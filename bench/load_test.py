"""Load test: a conference room opening pages and changing filters.

    .venv/bin/python bench/load_test.py --locust /tmp/lv/bin/locust   # gunicorn, 4 workers, demo DB, 100 users, 2 min
    .venv/bin/python bench/load_test.py --users 20 --time 30s --port 8065
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:8050   # an app that is already running

It starts ``gunicorn -w 4 app:server`` on loopback (unless ``--url``), then runs
locust headless with this file as the locustfile, and prints throughput,
p50/p95/p99 and errors per request kind and overall (also written to
``var/bench/load-<date>.json``). Bounded: the run stops after ``--time``.

What one simulated person does (wait 1-3 s between actions, like someone watching
a projector and clicking along): opens a page the way the browser does (the page's
HTML, the layout, the page-content callback and the shell's two callbacks), or
changes a filter (year, district, sector, language) on the page they are on (the
filter callback, then the page content again). Static JS bundles are left out:
browsers cache them after the first visit.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"  # every benchmark output goes under var/ (not committed)
PAGES = ["/", "/levels", "/late", "/postal", "/report"]
YEARS = ["2022", "2023", "2024"]
DISTRICTS = ["", "", "", "502", "503", "504", "505", "506", "507", "508", "509", "510", "511", "512", "513", "514",
             "515", "516", "517", "518", "519"]  # Quảng Nam's district-level codes; "" = whole province (more often)
SECTORS = ["", "", "", "DD", "TP", "KHDT", "XD"]

# ---------------------------------------------------------------- the locustfile part

try:
    # FastHttpUser: the load generator shares the server's two cores, so it should spend as
    # little CPU per request as it can (locust's docs: several times less than HttpUser).
    from locust import between, events, task
    from locust.contrib.fasthttp import FastHttpUser as HttpUser
except ImportError:  # the runner part works without locust importable in this interpreter
    HttpUser = object  # type: ignore[assignment,misc]
    events = None

    def between(a, b):  # type: ignore[no-redef]
        return None

    def task(weight):  # type: ignore[no-redef]
        return lambda f: f


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    out = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    return out if output.startswith("..") else out[0]


# Server CPU per request kind, read from bench.wsgi's Server-Timing header (the server runs
# bench.wsgi:server, app.server plus that header); written for the runner at the end.
_SERVER_CPU: dict[str, list[float]] = {}


def _record_cpu(name: str, response) -> None:
    header = response.headers.get("Server-Timing") if response is not None else None
    if header and "cpu;dur=" in header:
        _SERVER_CPU.setdefault(name, []).append(float(header.split("cpu;dur=")[1].split(",")[0]))


if events is not None:
    @events.request.add_listener
    def _on_request(request_type, name, response_time, response_length, response=None, **kwargs):
        _record_cpu(name, response)

    @events.quitting.add_listener
    def _on_quit(environment, **kwargs):
        out = os.environ.get("TTHC_LOAD_CPU_FILE")
        if out:
            Path(out).write_text(json.dumps(_SERVER_CPU))


class ConferenceUser(HttpUser):  # type: ignore[misc,valid-type]
    wait_time = between(1, 3)

    def on_start(self):
        deps = self.client.get("/_dash-dependencies", name="_dash-dependencies").json()
        self.cbs = {}
        for cb in deps:
            if cb["output"].startswith(".._pages_content"):
                self.cbs["page"] = cb
            elif cb["output"].startswith("..url.search...filter-year"):
                self.cbs["sync"] = cb
            elif cb["output"].startswith("..nav-overview.href"):
                self.cbs["shell"] = cb
        self.path = random.choice(PAGES)
        self.params = {"year": "2023"}

    def _post(self, cb, values, name):
        body = {"output": cb["output"], "outputs": _outputs(cb["output"]),
                "inputs": [{"id": d["id"], "property": d["property"], "value": values.get((d["id"], d["property"]))}
                           for d in cb["inputs"]],
                "state": [{"id": d["id"], "property": d["property"], "value": values.get((d["id"], d["property"]))}
                          for d in cb["state"]],
                "changedPropIds": [f"{cb['inputs'][0]['id']}.{cb['inputs'][0]['property']}"]}
        with self.client.post("/_dash-update-component", json=body, name=name, catch_response=True) as resp:
            if resp.status_code not in (200, 204):
                resp.failure(f"HTTP {resp.status_code}")
            elif resp.status_code == 200 and "db-down-banner" in resp.text:
                resp.failure("database banner")

    def _search(self) -> str:
        q = urlencode({k: v for k, v in self.params.items() if v})
        return "?" + q if q else ""

    def _render(self):
        search = self._search()
        if "page" in self.cbs:
            self._post(self.cbs["page"], {("_pages_location", "pathname"): self.path, ("_pages_location", "search"): search},
                       f"callback: page {self.path}")
        if "shell" in self.cbs:
            self._post(self.cbs["shell"], {("url", "search"): search}, "callback: shell")

    @task(3)
    def open_page(self):
        self.path = random.choice(PAGES)
        self.params = {"year": random.choice(YEARS), "district": random.choice(DISTRICTS), "sector": random.choice(SECTORS)}
        self.client.get(self.path + self._search(), name=f"page {self.path}")
        self.client.get("/_dash-layout", name="_dash-layout")
        self._render()

    @task(5)
    def change_filter(self):
        key = random.choice(["year", "district", "district", "sector", "lang"])
        value = {"year": YEARS, "district": DISTRICTS, "sector": SECTORS, "lang": ["vi", "en"]}[key]
        self.params[key] = random.choice(value)
        if key == "lang" and self.params[key] == "vi":
            self.params.pop("lang")
        if "sync" in self.cbs:
            self._post(self.cbs["sync"], {("url", "search"): self._search(),
                                          ("filter-year", "value"): self.params.get("year"),
                                          ("filter-district", "value"): self.params.get("district") or "",
                                          ("filter-sector", "value"): self.params.get("sector") or "",
                                          ("filter-lang", "value"): self.params.get("lang", "vi")},
                       "callback: filter bar")
        self._render()


# ---------------------------------------------------------------- the runner part

def _wait_for(url: str, seconds: float = 120) -> None:
    import urllib.request

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
    raise SystemExit(f"the app at {url} did not answer /healthz within {seconds:.0f} s")


def _summary(csv_prefix: Path) -> dict:
    import csv

    rows = list(csv.DictReader(open(f"{csv_prefix}_stats.csv")))
    out = {}
    for r in rows:
        out[r["Name"]] = {
            "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
            "rps": round(float(r["Requests/s"]), 1), "p50_ms": float(r["50%"] or 0), "p95_ms": float(r["95%"] or 0),
            "p99_ms": float(r["99%"] or 0), "max_ms": round(float(r["Max Response Time"] or 0)),
        }
    return out


def _cpu_summary(path: Path, seconds: float) -> dict:
    """Server CPU per request kind: p50/p95 ms, seconds in all and share of the total."""
    if not path.exists():
        return {}
    import statistics

    raw = json.loads(path.read_text())
    total = sum(sum(v) for v in raw.values()) / 1000 or 1.0
    by = {}
    for name, values in raw.items():
        values = sorted(values)
        by[name] = {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(values[int(0.95 * (len(values) - 1))], 1),
                    "cpu_s": round(sum(values) / 1000, 1), "share": round(sum(values) / 1000 / total, 3)}
    return {"cpu_s": round(total, 1), "cores_busy": round(total / seconds, 2), "by_request": by}


def _locust_command(given: str | None) -> str:
    import shutil

    if given:
        return given
    beside = Path(sys.executable).parent / "locust"
    if beside.exists():
        check = subprocess.run([str(beside), "--version"], capture_output=True, text=True)
        if check.returncode == 0:
            return str(beside)
    found = shutil.which("locust")
    if found:
        return found
    raise SystemExit("locust is not installed (or cannot import beside dash[testing]'s urllib3): "
                     "python3 -m venv /tmp/lv && /tmp/lv/bin/pip install locust, then pass --locust /tmp/lv/bin/locust")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument("--time", default="2m", help="locust run time, e.g. 2m or 30s")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--port", type=int, default=8065)
    ap.add_argument("--url", default=None, help="test an app already running there instead of starting gunicorn")
    ap.add_argument("--warm", action="store_true",
                    help="with --cache-redis: run `tthc warm` (every page for every filter view) before measuring; "
                         "without: open every page once")
    ap.add_argument("--locust", default=os.environ.get("LOCUST"),
                    help="the locust command (default: beside this Python, else on PATH). dash[testing] pins an old "
                         "urllib3 that locust cannot import, so locust usually lives in a venv of its own")
    ap.add_argument("--cache-redis", default=None, help="CACHE_REDIS_URL for the workers (one cache shared by the 4 workers)")
    args = ap.parse_args(argv)

    url = args.url or f"http://127.0.0.1:{args.port}"
    env_cache = args.cache_redis or ("(the running app's)" if args.url else "in-process SimpleCache per worker")
    server = None
    if not args.url:
        import socket

        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", args.port)) == 0:
                raise SystemExit(f"port {args.port} is in use: stop that server or pass --port / --url")
        env = {**os.environ}
        env.pop("DATABASE_URL", None)  # the demo database
        env.pop("CACHE_REDIS_URL", None)
        if args.cache_redis:
            env["CACHE_REDIS_URL"] = args.cache_redis
        # bench.wsgi:server is app.server plus a Server-Timing header (the server's CPU per request)
        cmd = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}",
               "--timeout", "60", "--log-level", "warning", "bench.wsgi:server"]
        print("starting:", " ".join(cmd), flush=True)
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(OUT_DIR / "load-test-gunicorn.log", "w"))
    try:
        _wait_for(url)
        if args.cache_redis and not args.url:
            import redis

            redis.Redis.from_url(args.cache_redis).flushdb()  # the run starts from an empty cache (its own db number)
        if args.warm and args.cache_redis:
            tthc = str(Path(sys.executable).parent / "tthc")
            t_warm = time.monotonic()
            done = subprocess.run([tthc, "warm", "--force"], cwd=ROOT, capture_output=True, text=True,
                                  env={**env, "CACHE_REDIS_URL": args.cache_redis} if not args.url else None)
            print(done.stdout.strip() or done.stderr.strip()[-500:], f"({time.monotonic() - t_warm:.0f} s)", flush=True)
            env_cache += f", warmed by `tthc warm`: {done.stdout.strip()}"
        elif args.warm:
            import urllib.request

            for p in PAGES:
                urllib.request.urlopen(url + p + "?year=2023", timeout=60).read()
        out_dir = OUT_DIR
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        prefix = Path("/tmp") / f"tthc-load-{stamp}"
        cmd = [_locust_command(args.locust), "-f", str(Path(__file__).resolve()), "--headless",
               "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.time, "--host", url, "--csv", str(prefix),
               "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
        print("running:", " ".join(cmd), flush=True)
        t0 = time.monotonic()
        load_before = list(os.getloadavg())  # other work on the machine skews the figures: recorded with them
        cpu_file = Path(f"{prefix}_server_cpu.json")
        subprocess.run(cmd, cwd=ROOT, check=False, env={**os.environ, "TTHC_LOAD_CPU_FILE": str(cpu_file)})
        seconds = time.monotonic() - t0
        stats = _summary(prefix)
        total = stats.get("Aggregated", {})
        server_cpu = _cpu_summary(cpu_file, seconds)
        report = {"server_cpu": server_cpu, "load_average_before_after": [load_before, list(os.getloadavg())], "cache": env_cache, "date": stamp, "users": args.users, "duration": args.time, "workers": args.workers, "url": url,
                  "seconds": round(seconds), "cpus": os.cpu_count(), "total": total,
                  "by_request": {k: v for k, v in stats.items() if k != "Aggregated"}}
        (out_dir / f"load-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        print(f"\n{'request':<34}{'count':>8}{'fail':>6}{'rps':>8}{'p50':>8}{'p95':>8}{'p99':>8}")
        for name, s in sorted(stats.items(), key=lambda kv: kv[0] == "Aggregated"):
            print(f"{name[:33]:<34}{s['requests']:>8}{s['failures']:>6}{s['rps']:>8}{s['p50_ms']:>8.0f}{s['p95_ms']:>8.0f}{s['p99_ms']:>8.0f}")
        if server_cpu:
            print(f"\nserver CPU per request (Server-Timing), ms{'':<6}{'p50':>8}{'p95':>8}{'CPU s':>8}{'share':>8}")
            for name, c in sorted(server_cpu["by_request"].items(), key=lambda kv: -kv[1]["cpu_s"]):
                print(f"{name[:40]:<46}{c['p50_ms']:>8.1f}{c['p95_ms']:>8.1f}{c['cpu_s']:>8.1f}{c['share']:>8.0%}")
            print(f"server CPU in all: {server_cpu['cpu_s']:.0f} s in {seconds:.0f} s = {server_cpu['cores_busy']:.2f} of {os.cpu_count()} cores")
        print(f"\nwritten: {out_dir}/load-{stamp}.json")
        return 0 if total.get("failures", 1) == 0 else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
