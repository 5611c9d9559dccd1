"""Benchmark: import a one-million-row dossier CSV into SQLite and PostgreSQL.

The CSV is the demo database's dossiers exported in the documented import format
(data/importer/export.py), so it is what a province's export looks like. Each run
imports the catalogues into an empty database, then times ``import_dossiers``
(first import: all added), then a re-import (all unchanged) and reports peak memory.

    /work/venv/bin/python bench/bench_import.py [--rows 1000000] [--pg postgresql+psycopg://...] [--skip-sqlite]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from data.config import DEMO_DB_URL  # noqa: E402
from data.db import make_engine, upgrade  # noqa: E402
from data.importer import import_catalog, import_dossiers  # noqa: E402
from data.importer.export import export_catalog, export_dossiers  # noqa: E402

KINDS = ("units", "agencies", "procedures", "postal")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(url: str, csv_path: Path, cat_paths: dict, label: str, work: Path) -> None:
    """In a child process, so its peak memory is the import's alone."""
    import multiprocessing as mp

    proc = mp.get_context("fork").Process(target=_run, args=(url, csv_path, cat_paths, label, work))
    proc.start()
    proc.join()


def _run(url: str, csv_path: Path, cat_paths: dict, label: str, work: Path) -> None:
    upgrade(url)
    engine = make_engine(url)
    for kind in KINDS:
        import_catalog(engine, kind, cat_paths[kind], report_dir=work)
    t, c = time.perf_counter(), time.process_time()
    r = import_dossiers(engine, csv_path, report_dir=work)
    first = time.perf_counter() - t
    print(f"{label}: first import {first:.1f} s wall, {time.process_time() - c:.1f} s CPU in this process "
          f"(load average {os.getloadavg()[0]:.1f}) — {r.summary_line()}", flush=True)
    print(f"{label}:   phases " + ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items()), flush=True)
    t = time.perf_counter()
    r2 = import_dossiers(engine, csv_path, report_dir=work)
    print(f"{label}: re-import {time.perf_counter() - t:.1f} s — {r2.summary_line()}", flush=True)
    print(f"{label}:   phases " + ", ".join(f"{k} {v:.1f} s" for k, v in r2.timings.items()), flush=True)
    print(f"{label}: peak memory of the importing process {peak_mb():.0f} MB", flush=True)
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pg", default=None, help="PostgreSQL URL (a throw-away schema is created in it)")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--chunk-rows", type=int, default=100_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    demo = make_engine(DEMO_DB_URL)
    t = time.perf_counter()
    csv_path = work / "dossiers.csv"
    n = export_dossiers(demo, csv_path, limit=args.rows)
    cat_paths = {k: work / f"{k}.csv" for k in KINDS}
    for k in KINDS:
        export_catalog(demo, k, cat_paths[k])
    print(f"exported {n:,} dossiers ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s", flush=True)
    if not args.skip_sqlite:
        run(f"sqlite:///{work / 'bench.sqlite'}", csv_path, cat_paths, "SQLite", work)
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.pg)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            sep = "&" if "?" in args.pg else "?"
            run(f"{args.pg}{sep}options=-csearch_path%3D{schema}", csv_path, cat_paths, "PostgreSQL", work)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
