"""Start the app under gunicorn and replay captured Dash requests against it.

Times are taken at the client on loopback (request sent -> response read), so they
include HTTP and JSON overhead: an upper bound of the server time. Worker memory is
sampled with psutil while the replay runs.
"""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
ENDPOINT = "/_dash-update-component"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass
class Server:
    """gunicorn app:server with ``workers`` sync workers on loopback."""

    database_url: str
    port: int = 8067
    workers: int = 4
    cache: str = "on"  # "off" (NullCache: every request queries), "redis", "on" (in-process)
    redis_url: str = "redis://127.0.0.1:6379/8"
    proc: subprocess.Popen | None = None
    peak_rss: dict = field(default_factory=dict)  # pid -> bytes
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None
    log_path: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240) -> Server:
        env = dict(os.environ, DATABASE_URL=self.database_url, LOG_LEVEL="WARNING")
        env.pop("CACHE_REDIS_URL", None)
        env.pop("TTHC_CACHE", None)
        if self.cache == "off":
            env["TTHC_CACHE"] = "off"
        elif self.cache == "redis":
            env["CACHE_REDIS_URL"] = self.redis_url
        self.log_path = f"/tmp/bench-gunicorn-{self.port}.log"
        cmd = [sys.executable, "-m", "gunicorn", "bench.wsgi:server", "--workers", str(self.workers), "--threads", "1",
               "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--preload", "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_path}")
            try:
                if requests.get(self.base + "/_dash-layout", timeout=5).status_code == 200 and len(self.workers_ps()) >= self.workers:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not answer in {timeout} s: see {self.log_path}")
        self._stop.clear()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def workers_ps(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children()
        except psutil.Error:
            return []

    def _sample(self) -> None:
        while not self._stop.is_set():
            for p in self.workers_ps():
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                self.peak_rss[p.pid] = max(self.peak_rss.get(p.pid, 0), rss)
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        if self._sampler:
            self._sampler.join(timeout=2)
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn's master stops its own workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def server_timing(header: str | None) -> tuple[float, float]:
    """(app ms, cpu ms) from the Server-Timing header that bench.wsgi adds."""
    out = {}
    for part in (header or "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        try:
            out[name] = float(dur)
        except ValueError:
            pass
    return out.get("app", float("nan")), out.get("cpu", float("nan"))


def post(session: requests.Session, base: str, body: str) -> tuple[float, int, int, float, float]:
    """One callback request: (client ms, status, response bytes, server ms, server CPU ms)."""
    t0 = time.perf_counter()
    r = session.post(base + ENDPOINT, data=body.encode(), headers=HEADERS, timeout=120)
    content = r.content
    client = (time.perf_counter() - t0) * 1000
    app_ms, cpu_ms = server_timing(r.headers.get("Server-Timing"))
    return client, r.status_code, len(content), app_ms, cpu_ms


@dataclass
class Samples:
    ms: list[float] = field(default_factory=list)  # server wall time
    cpu: list[float] = field(default_factory=list)  # server CPU time
    client: list[float] = field(default_factory=list)  # at the client, HTTP included
    sizes: list[int] = field(default_factory=list)
    statuses: set = field(default_factory=set)


def replay(base: str, steps: list[dict], reps: int, prime: int = 0, budget_s: float | None = None,
           before_request=None) -> tuple[dict, dict]:
    """Replay every step's requests in order, ``reps`` times (after ``prime`` unrecorded passes);
    with ``budget_s``, stop after the repetition that passes the budget (at least two).

    Returns per-callback samples keyed by (page, action, output) and per-step totals
    (the sum of its requests in one pass: a page load with its callbacks one after another).
    """
    per_cb: dict[tuple, Samples] = {}
    per_step: dict[tuple, Samples] = {}
    t_start = time.monotonic()
    with requests.Session() as s:
        for rep in range(prime + reps):
            if budget_s and rep >= prime + 2 and time.monotonic() - t_start > budget_s:
                break
            for st in steps:
                total = Samples()
                for i, rq in enumerate(st["requests"]):
                    if before_request:
                        before_request()  # e.g. empty the shared cache: every request starts cold
                    client, status, size, app_ms, cpu_ms = post(s, base, rq["body"])
                    total.ms.append(app_ms)
                    total.cpu.append(cpu_ms)
                    total.client.append(client)
                    if rep >= prime:
                        smp = per_cb.setdefault((st["page"], st["action"], i, rq["output"]), Samples())
                        smp.ms.append(app_ms)
                        smp.cpu.append(cpu_ms)
                        smp.client.append(client)
                        smp.sizes.append(size)
                        smp.statuses.add(status)
                if rep >= prime and st["requests"]:
                    agg = per_step.setdefault((st["page"], st["action"]), Samples())
                    agg.ms.append(sum(total.ms))
                    agg.cpu.append(sum(total.cpu))
                    agg.client.append(sum(total.client))
    return per_cb, per_step


def concurrent_load(base: str, step: dict, clients: int, reps: int) -> list[float]:
    """A review conference: ``clients`` browsers load the same page at once, ``reps`` times each."""
    out: list[float] = []
    lock = threading.Lock()

    def one():
        with requests.Session() as s:
            for _ in range(reps):
                total = sum(post(s, base, rq["body"])[0] for rq in step["requests"])  # at the client: queueing included
                with lock:
                    out.append(total)

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)
