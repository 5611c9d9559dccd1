"""The naive way, as most Dash tutorials do it: the dossier table in pandas.

Two variants of the same answers (Biểu 06 measures for a filter, grouped by level,
district or sector):

* ``reread``: ``pd.read_sql`` of the dossier table at each request;
* ``preloaded``: the table read once into each worker's memory, filtered per request.

The computation is the aggregate tests' raw-table reference (tests/raw_reference.py:
every measure from dossier rows with the national rules written out again in pandas).

    python -m bench.naive_baseline --url sqlite:///var/tthc-demo.sqlite
"""
from __future__ import annotations

import argparse
import gc
import os
import time

import numpy as np
import psutil

from data.db import make_engine
from data.filters import DossierFilter, Period
from tests.raw_reference import biểu06_raw, load_dossiers


def filters_for_bench() -> list[tuple[DossierFilter, str]]:
    y = Period.year(2023)
    return [
        (DossierFilter(y), "level"),
        (DossierFilter(y), "district"),
        (DossierFilter(y, district_code="509"), "sector"),
        (DossierFilter(y, sector_code="DD"), "district"),
        (DossierFilter(Period.months("2023-03", "2023-08"), level="commune"), "sector"),
    ]


def rss_mb() -> float:
    return psutil.Process(os.getpid()).memory_info().rss / 2**20


def run(url: str, reread_reps: int = 1, reps: int = 5, with_reread: bool = True) -> dict:
    """Time both variants and the aggregate query on the same answers; memory of the preloaded table."""
    from data.queries.summary import standard_report

    engine = make_engine(url)
    work = filters_for_bench()
    out: dict = {"url": url}
    # 1. re-read per request (the tutorial): read + answer
    if with_reread:
        times = []
        for _ in range(reread_reps):
            for f, by in work[:1]:
                t0 = time.perf_counter()
                df = load_dossiers(engine)
                biểu06_raw(df, f, by)
                times.append((time.perf_counter() - t0) * 1000)
                del df
                gc.collect()
        out["reread_ms"] = float(np.median(times))
    # 2. preloaded: memory of the table in the process, then per-answer time
    gc.collect()
    base = rss_mb()
    t0 = time.perf_counter()
    df = load_dossiers(engine)
    out["load_s"] = time.perf_counter() - t0
    out["preloaded_mb"] = rss_mb() - base
    out["process_mb"] = rss_mb()
    out["rows"] = len(df)
    times = []
    for _ in range(reps):
        for f, by in work:
            t0 = time.perf_counter()
            biểu06_raw(df, f, by)
            times.append((time.perf_counter() - t0) * 1000)
    out["preloaded_ms_p50"] = float(np.median(times))
    out["preloaded_ms_p95"] = float(np.percentile(times, 95))
    del df
    gc.collect()
    # 3. the aggregates (uncached), same answers
    times = []
    for _ in range(reps):
        for f, by in work:
            t0 = time.perf_counter()
            standard_report(engine, f, by)
            times.append((time.perf_counter() - t0) * 1000)
    out["aggregate_ms_p50"] = float(np.median(times))
    out["aggregate_ms_p95"] = float(np.percentile(times, 95))
    engine.dispose()
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--no-reread", action="store_true")
    ap.add_argument("--json", action="store_true", help="one JSON line (for bench.run)")
    args = ap.parse_args(argv)
    res = run(args.url, reps=args.reps, with_reread=not args.no_reread)
    if args.json:
        import json

        print(json.dumps(res))
        return
    for k, v in res.items():
        print(f"{k:20} {v:.1f}" if isinstance(v, float) else f"{k:20} {v}")


if __name__ == "__main__":
    main()
