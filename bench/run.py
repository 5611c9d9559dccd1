"""One command for the whole benchmark.

    python -m bench.run --quick          # a few minutes: demo databases, few repetitions
    python -m bench.run                  # everything found: demo and ten-times, SQLite and PostgreSQL

1. Records the real browser requests of each page (page load, filter changes, a drill
   click) with headless Chromium against the app under gunicorn (:mod:`bench.capture`).
2. For each database: starts gunicorn (``--workers``, sync) and replays them, in a bounded
   loop, with a cold cache (the shared Redis cache emptied before every request) and a
   warm one (primed by one pass); prints per callback p50/p95 and response
   sizes, page loads (a step's callbacks one after another), the workers' peak RSS, and
   a review-conference burst (many clients loading one page at once).
3. The naive baseline (:mod:`bench.naive_baseline`) on the same database, in its own process.

Databases (missing ones are skipped, saying so; build them with ``tthc demo``):
  sqlite-1x   var/tthc-demo.sqlite
  pg-1x       schema bench_demo in BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
  sqlite-10x  var/bench/demo10.sqlite (BENCH_DATA)
  pg-10x      schema bench_demo10
Results also go to BENCH_DATA/results-<time>.md and .json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psutil
import redis
from sqlalchemy import text

from data.config import DEMO_DB_URL
from data.db import make_engine

from . import replay as rp

# Every output of the benchmarks goes under var/ (not committed), unless BENCH_DATA says elsewhere.
BENCH_DATA = Path(os.environ.get("BENCH_DATA") or Path(__file__).resolve().parent.parent / "var" / "bench")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SIZE_LIMIT = 300 * 1024


def pg_schema(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


DATABASES = {
    "sqlite-1x": DEMO_DB_URL,
    "pg-1x": pg_schema("bench_demo"),
    "sqlite-10x": f"sqlite:///{BENCH_DATA / 'demo10.sqlite'}",
    "pg-10x": pg_schema("bench_demo10"),
}


def label(output: str, body: str | None = None) -> str:
    """A short name for a callback: its first output and, for pages' own callbacks, its first input."""
    parts = [p for p in output.strip(".").split("...") if p]
    first = parts[0].strip(".").split("@")[0] if parts else output
    names = {"_pages_content.children": "page layout (router)", "url.search": "filter bar <-> URL",
             "nav-overview.href": "nav labels/links"}
    if first in names and not (first == "url.search" and "@" in output):
        return names[first]
    name = first + (f" +{len(parts) - 1}" if len(parts) > 1 else "")
    try:
        inputs = json.loads(body).get("inputs") or []
        i0 = inputs[0][0] if inputs and isinstance(inputs[0], list) else (inputs[0] if inputs else None)
        if i0:
            iid = i0["id"] if isinstance(i0["id"], str) else json.dumps(i0["id"], separators=(",", ":"))
            name += f" <- {iid}.{i0['property']}"
    except (TypeError, ValueError, KeyError, IndexError):
        pass
    return name


def db_info(url: str) -> dict | None:
    """Row counts, or None when the database is not there."""
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return None
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            dossiers = conn.execute(text("SELECT count(*) FROM dossiers")).scalar()
            agg = conn.execute(text("SELECT count(*) FROM dossier_month_stats")).scalar()
            if engine.dialect.name == "postgresql":
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
                size = conn.execute(text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r')")).scalar() or size
            else:
                size = Path(url[len("sqlite:///"):]).stat().st_size
        engine.dispose()
        return {"dossiers": dossiers, "aggregate_rows": agg, "bytes": int(size)}
    except Exception as exc:  # noqa: BLE001 - reported and skipped
        return {"error": str(exc).splitlines()[0][:200]}


def do_capture(port: int, out: Path, pages: str | None = None) -> list[dict]:
    from dataclasses import asdict

    from .capture import capture, make_driver, nav_pages

    base = f"http://127.0.0.1:{port}"
    with rp.Server(DEMO_DB_URL, port=port, workers=2, cache="on"):
        chosen = None
        if pages:
            driver = make_driver()
            try:
                chosen = [p for p in nav_pages(driver, base) if p[1] in pages.split(",")]
            finally:
                driver.quit()
        steps = capture(base, chosen)
    data = [asdict(s) for s in steps]
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return data


def summarize(per_cb: dict, steps: list[dict]) -> dict:
    bodies = {(st["page"], st["action"], i): rq["body"] for st in steps for i, rq in enumerate(st["requests"])}
    out = {}
    for (page, action, i, output), s in per_cb.items():
        out[f"{page}|{action}|{i}|{output}"] = {
            "page": page, "action": action, "callback": label(output, bodies.get((page, action, i))), "n": len(s.ms),
            "p50": rp.pct(s.ms, 50), "p95": rp.pct(s.ms, 95), "cpu_p50": rp.pct(s.cpu, 50), "cpu_p95": rp.pct(s.cpu, 95),
            "client_p95": rp.pct(s.client, 95), "max_bytes": max(s.sizes), "statuses": sorted(s.statuses)}
    return out


def summarize_steps(per_step: dict) -> dict:
    return {f"{p}|{a}": {"p50": rp.pct(v.ms, 50), "p95": rp.pct(v.ms, 95), "cpu_p50": rp.pct(v.cpu, 50),
                         "cpu_p95": rp.pct(v.cpu, 95), "client_p95": rp.pct(v.client, 95)}
            for (p, a), v in per_step.items()}


def bench_db(name: str, url: str, steps: list[dict], args) -> dict:
    reps = args.reps_10x if "10x" in name and args.reps_10x else args.reps
    res: dict = {"reps": reps, "name": name, "url": url.split("?")[0] + ("?" + url.split("?")[1] if "?" in url else "")}
    env_auth = os.environ.get("AUTH_DISABLED")
    os.environ["AUTH_DISABLED"] = "1"  # the benchmark measures the dashboards, not sign-in
    try:
        # cold: the shared cache emptied before every request (within a request, a value
        # computed once is reused, as after an import or a restart)
        r = redis.Redis.from_url(args.redis)
        r.flushdb()
        with rp.Server(url, port=args.port, workers=args.workers, cache="redis", redis_url=args.redis) as srv:
            per_cb, per_step = rp.replay(srv.base, steps, reps=reps, prime=1, budget_s=args.budget,
                                         before_request=r.flushdb)
            res["cold"] = summarize(per_cb, steps)
            res["cold_steps"] = summarize_steps(per_step)
            res["rss_cold"] = sorted(srv.peak_rss.values())
        # warm: the same Redis cache, primed by one pass
        r.flushdb()
        with rp.Server(url, port=args.port, workers=args.workers, cache="redis", redis_url=args.redis) as srv:
            per_cb, per_step = rp.replay(srv.base, steps, reps=reps, prime=1, budget_s=args.budget)
            res["warm"] = summarize(per_cb, steps)
            res["warm_steps"] = summarize_steps(per_step)
            load = next((s for s in steps if s["page"] == "levels" and s["action"] == "load"), None) or next(
                (s for s in steps if s["action"] == "load"), None)
            if load and args.clients:
                t0 = time.perf_counter()
                burst = rp.concurrent_load(srv.base, load, clients=args.clients, reps=2)
                res["conference"] = {"clients": args.clients, "page": load["page"], "p50": rp.pct(burst, 50),
                                     "p95": rp.pct(burst, 95), "seconds": time.perf_counter() - t0}
            res["rss_warm"] = sorted(srv.peak_rss.values())
        r.flushdb()
    finally:
        if env_auth is None:
            os.environ.pop("AUTH_DISABLED", None)
        else:
            os.environ["AUTH_DISABLED"] = env_auth
    if args.baseline:
        cmd = [sys.executable, "-m", "bench.naive_baseline", "--url", url, "--reps", "3", "--json"]
        if "10x" in name and not args.reread_10x:
            cmd.append("--no-reread")
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=rp.ROOT, timeout=1800)
        try:
            res["baseline"] = json.loads(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            res["baseline"] = {"error": (out.stderr or out.stdout)[-500:]}
    return res


# ---------------------------------------------------------------- printing

def fmt(ms: float) -> str:
    return "–" if ms != ms else (f"{ms:.0f}" if ms >= 10 else f"{ms:.1f}")


def report(results: list[dict], meta: dict) -> str:
    lines = [f"Benchmark {meta['when']} · {meta['machine']} · load average {meta.get('load', '?')} · gunicorn "
             f"{meta['workers']} sync workers. Cold = the shared Redis cache emptied "
             "before every request, warm = Redis cache primed by one pass. Times are the server's (Server-Timing): "
             "wall ms p50/p95, and CPU ms p95 (steady when the shared machine is busy).", ""]
    lines += ["| database | dossiers | aggregate rows | size | repetitions per request (cold, warm) |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        i = r["info"]
        n_c = max((v["n"] for v in r["cold"].values()), default=0)
        n_w = max((v["n"] for v in r["warm"].values()), default=0)
        lines.append(f"| {r['name']} | {i['dossiers']:,} | {i['aggregate_rows']:,} | {i['bytes'] / 2**20:,.0f} MB | {n_c}, {n_w} |")
    lines.append("")
    for r in results:
        lines += [f"**{r['name']}** — page loads and user actions (all the step's callbacks, one after another):", "",
                  "| page | action | cold wall p50/p95 | cold CPU p95 | warm wall p50/p95 | warm CPU p95 | slowest callback (cold p95) | largest response |",
                  "|---|---|---:|---:|---:|---:|---|---:|"]
        for k, c in r["cold_steps"].items():
            w = r["warm_steps"].get(k, {})
            cb = [v for v in r["cold"].values() if f"{v['page']}|{v['action']}" == k]
            slow = max(cb, key=lambda v: v["p95"])
            big = max(v["max_bytes"] for v in cb)
            page, action = k.split("|")
            lines.append(f"| {page} | {action} | {fmt(c['p50'])}/{fmt(c['p95'])} | {fmt(c['cpu_p95'])} | "
                         f"{fmt(w.get('p50', float('nan')))}/{fmt(w.get('p95', float('nan')))} | {fmt(w.get('cpu_p95', float('nan')))} | "
                         f"{slow['callback']} {fmt(slow['p95'])} | {big / 1024:.0f} KB{' ⚠ > 300 KB' if big > SIZE_LIMIT else ''} |")
        lines.append("")
    lines += ["Per callback, worst p95 over the steps that fire it — server wall ms cold / warm (CPU ms cold / warm):", ""]
    lines += ["| callback |" + "".join(f" {r['name']} |" for r in results), "|---|" + "---:|" * len(results)]
    names = sorted({v["callback"] for r in results for v in r["cold"].values()})
    for n in names:
        row = f"| {n} |"
        for r in results:
            c = [v for v in r["cold"].values() if v["callback"] == n]
            w = [v for v in r["warm"].values() if v["callback"] == n]
            if c and w:
                row += (f" {fmt(max(v['p95'] for v in c))} / {fmt(max(v['p95'] for v in w))} "
                        f"({fmt(max(v['cpu_p95'] for v in c))} / {fmt(max(v['cpu_p95'] for v in w))}) |")
            else:
                row += " – |"
        lines.append(row)
    lines.append("")
    errors = [(r["name"], v["page"], v["action"], v["callback"], v["statuses"]) for r in results
              for v in list(r["cold"].values()) + list(r["warm"].values()) if any(s not in (200, 204) for s in v["statuses"])]
    if errors:
        lines += ["Answers other than 200/204: " + "; ".join(f"{e[0]} {e[1]} {e[2]} {e[3]} {e[4]}" for e in errors[:12]), ""]
    lines += ["| database | worker peak RSS, MB (max of workers) cold / warm | conference burst (client-side, queueing included) | naive baseline, same answers |",
              "|---|---|---|---|"]
    for r in results:
        conf = r.get("conference")
        conf_s = f"{conf['clients']} clients × 2 loads of /{conf['page']}: p50 {fmt(conf['p50'])} / p95 {fmt(conf['p95'])} ms" if conf else "–"
        b = r.get("baseline") or {}
        if "preloaded_ms_p50" in b:
            bl = (f"aggregates (SQL, uncached) {fmt(b['aggregate_ms_p50'])} ms vs preloaded pandas {fmt(b['preloaded_ms_p50'])} ms "
                  f"(×{b['preloaded_ms_p50'] / b['aggregate_ms_p50']:.1f}); table in memory {b['preloaded_mb']:,.0f} MB "
                  f"(process {b['process_mb']:,.0f} MB, read in {b['load_s']:.0f} s)")
            if "reread_ms" in b:
                bl += f"; re-read per request {b['reread_ms']:,.0f} ms (×{b['reread_ms'] / b['aggregate_ms_p50']:,.0f})"
        else:
            bl = str(b.get("error", "–"))[-200:]
        rss = f"{max(r['rss_cold']) / 2**20:.0f} / {max(r['rss_warm']) / 2**20:.0f}"
        lines.append(f"| {r['name']} | {rss} | {conf_s} | {bl} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark the dashboard's callbacks under gunicorn.")
    ap.add_argument("--quick", action="store_true", help="demo databases only, 5 repetitions")
    ap.add_argument("--dbs", default=None, help="comma-separated: " + ",".join(DATABASES))
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--reps-10x", type=int, default=None, help="repetitions on the ten-times databases")
    ap.add_argument("--budget", type=float, default=None, help="seconds per database and cache mode, then stop repeating")
    ap.add_argument("--pages", default=None, help="comma-separated page names to record (default: every page in the navbar)")
    ap.add_argument("--port", type=int, default=8067)
    ap.add_argument("--capture-port", type=int, default=8068)
    ap.add_argument("--requests", default=None, help="replay this capture instead of recording a new one")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/8", help="Redis database for the warm runs (flushed)")
    ap.add_argument("--clients", type=int, default=16, help="conference burst: clients loading one page at once")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false")
    ap.add_argument("--reread-10x", action="store_true", help="also re-read the 10x table per request (slow)")
    args = ap.parse_args(argv)
    args.reps = args.reps or (5 if args.quick else 20)
    names = args.dbs.split(",") if args.dbs else (["sqlite-1x", "pg-1x"] if args.quick else list(DATABASES))
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    if args.requests:
        steps = json.loads(Path(args.requests).read_text())
    else:
        print("recording the browser's requests…", flush=True)
        steps = do_capture(args.capture_port, BENCH_DATA / f"requests-{stamp}.json", args.pages)
    steps = [s for s in steps if s["requests"]]
    for s in steps:
        print(f"  {s['page']:9} {s['action']:16} {len(s['requests']):2} requests {s.get('note') or ''}")
    results = []
    for name in names:
        url = DATABASES[name]
        info = db_info(url)
        if info is None or "error" in info:
            print(f"{name}: skipped ({'not built' if info is None else info['error']})", flush=True)
            continue
        print(f"{name}: {info['dossiers']:,} dossiers — benchmarking…", flush=True)
        t0 = time.perf_counter()
        res = bench_db(name, url, steps, args)
        res["info"] = info
        res["seconds"] = time.perf_counter() - t0
        results.append(res)
        print(f"{name}: done in {res['seconds']:.0f} s", flush=True)
    meta = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
                       f"Python {platform.python_version()}",
            "workers": args.workers, "reps": args.reps,
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    text_ = report(results, meta)
    print()
    print(text_)
    (BENCH_DATA / f"results-{stamp}.md").write_text(text_ + "\n")
    (BENCH_DATA / f"results-{stamp}.json").write_text(json.dumps({"meta": meta, "results": results, "steps": [
        {k: v for k, v in s.items() if k != "requests"} | {"n": len(s["requests"])} for s in steps]}, indent=1, default=str))
    print(f"\nwritten: {BENCH_DATA}/results-{stamp}.md")


if __name__ == "__main__":
    main()
