"""Benchmark: import a one-million-row dossier CSV into SQLite and PostgreSQL with the real CLI.

The CSV is the demo database's dossiers exported in the documented import format
(data/importer/export.py), so it looks like a province's export. Each target gets
the catalogues, then ``tthc import dossiers`` runs twice as a child process: the
first import (all rows added) and a re-import (all unchanged). Reported per run:
wall time, the child's CPU time and its peak memory (what "memory bounded" means),
and the machine's load average (the 2 cores are shared; wall time suffers under load).

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--pg postgresql+psycopg://...] [--skip-sqlite]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from data.config import DEMO_DB_URL  # noqa: E402
from data.db import make_engine, upgrade  # noqa: E402
from data.importer.export import export_catalog, export_dossiers  # noqa: E402

KINDS = ("units", "agencies", "procedures", "postal")


def cli(url: str, *args: str) -> tuple[float, float, float, str]:
    """Run ``tthc`` in a child: (wall s, CPU s, peak MB of the children so far, last output line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "cli.main", *args, "--url", url], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise SystemExit(out.stderr.strip() or out.stdout.strip())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = out.stdout.strip().splitlines()
    summary = next((ln for ln in lines if "rows read" in ln), lines[-1])
    return wall, cpu, after.ru_maxrss / 1024, " / ".join([summary.strip(), *[ln.strip() for ln in lines if ln.startswith("  ")]])


def run(url: str, csv_path: Path, cat_paths: dict, label: str, work: Path) -> None:
    upgrade(url)
    for kind in KINDS:
        cli(url, "import", kind, str(cat_paths[kind]), "--report-dir", str(work))
    for what in ("first import", "re-import"):
        load = os.getloadavg()[0]
        wall, cpu, peak, line = cli(url, "import", "dossiers", str(csv_path), "--report-dir", str(work))
        print(f"{label} {what}: {wall:.1f} s wall, {cpu:.1f} s CPU (importing process), peak memory {peak:.0f} MB, "
              f"load average {load:.1f} at start\n    {line}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pg", default=None, help="PostgreSQL URL (a throw-away schema is created in it)")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--csv", default=None, help="reuse an exported dossier CSV (its folder must hold the catalogues)")
    args = ap.parse_args()
    if args.csv:
        csv_path = Path(args.csv)
        work = csv_path.parent
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-import-"))
        csv_path = work / "dossiers.csv"
        demo = make_engine(DEMO_DB_URL)
        t = time.perf_counter()
        n = export_dossiers(demo, csv_path, limit=args.rows)
        for k in KINDS:
            export_catalog(demo, k, work / f"{k}.csv")
        print(f"exported {n:,} dossiers ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s", flush=True)
    cat_paths = {k: work / f"{k}.csv" for k in KINDS}
    if not args.skip_sqlite:
        db = work / "bench.sqlite"
        db.unlink(missing_ok=True)
        run(f"sqlite:///{db}", csv_path, cat_paths, "SQLite", work)
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
