"""Server-side timing of every /late drill step and of dossier-grid pages (not a test).

    .venv/bin/python bench/bench_late.py [--url sqlite:///var/tthc-demo.sqlite] [--runs 15] [--grid-only]

For each step it prints p50 / p95 in milliseconds of
  * data:  the queries behind the step (data.queries.late), and
  * page:  the whole layout function (queries, figures, components),
cold (whole query cache cleared before every run), cold-q (query results cleared, the small
reference lists kept, as in service) and warm (page built again with the query cache kept;
the app also caches whole layouts, not timed here). Grid pages time
``dossier_page`` (one page of 100 rows plus the list's size), as the grid callback calls it.
"""
from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = [
    ("entry (sectors, heatmap, trend)", dict(year="2023")),
    ("sector: land (Pareto)", dict(year="2023", sector="DD")),
    ("procedure: units (districts)", dict(year="2023", sector="DD", procedure="DD-X-01")),
    ("district: communes", dict(year="2023", sector="DD", procedure="DD-X-01", district="509")),
    ("commune: list page", dict(year="2023", sector="DD", procedure="DD-X-01", district="509", commune="20650")),
    ("district-level procedure: list", dict(year="2023", sector="DD", procedure="DD-H-01", district="509")),
    ("overdue entry (Jan-Nov)", dict(year="2023", mode="overdue", **{"from": "2023-01", "to": "2023-11"})),
    ("overdue sector: land", dict(year="2023", mode="overdue", sector="DD", **{"from": "2023-01", "to": "2023-11"})),
]


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def timed(fn, runs, before=None):
    """(wall ms, CPU ms) per run. On a shared, loaded machine the process's CPU time is the
    better estimate of what the step costs the server; both are printed."""
    wall, cpu = [], []
    for _ in range(runs):
        if before:
            before()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def fmt(pair) -> str:
    wall, cpu = pair
    return f"{pct(wall, 50):6.1f}/{pct(wall, 95):6.1f} ({pct(cpu, 50):5.1f}/{pct(cpu, 95):5.1f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=f"sqlite:///{ROOT / 'var' / 'tthc-demo.sqlite'}")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--grid-only", action="store_true", help="time the dossier-grid pages only, not the drill steps")
    a = ap.parse_args()
    os.environ["DATABASE_URL"] = a.url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import importlib

    import app  # noqa: F401  (registers the pages, configures the query cache)
    from components.params import resolve_view
    from data.cache import cache
    from data.db import get_engine
    from data.queries import late as q
    from pages.late._drill import resolve_drill

    late_page = importlib.import_module("pages.late.late")
    # The page without its decorators (the fault guard, the page cache: server.page_cache): we time building it.
    build_page = inspect.unwrap(late_page.layout)
    engine = get_engine()
    from components.params import reference_lists

    def clear_queries():
        """Cold query cache, warm reference lists (units, sectors, procedures: always hot in service)."""
        cache.clear()
        q.reference_maps(engine)
        reference_lists(engine)
    late_page.layout(**STEPS[0][1])  # imports, plotly templates, first connection

    def data_for(kwargs):
        view = resolve_view(kwargs)
        drill = resolve_drill(kwargs, view, late_page._reference(engine))
        f = drill.filter(view.filter())
        mode = drill.mode

        def run():
            q.totals(engine, f, mode)
            step = drill.step
            if step == "entry":
                q.late_by_sector(engine, f, mode), q.late_heatmap(engine, f, mode), q.late_trend(engine, f, mode)
            elif step == "sector":
                q.late_by_procedure(engine, f, mode), q.late_trend(engine, f, mode)
            elif step == "units":
                q.late_by_unit(engine, f, mode), q.late_trend(engine, f, mode)
            else:
                q.dossier_page(engine, f, mode, 0, 100)
        return run

    print(f"database: {a.url}  runs: {a.runs}  load average: {os.getloadavg()[0]:.1f}")
    print("ms, wall p50/p95 (CPU p50/p95); cold = whole query cache cleared before each run;")
    print("cold-q = query results cleared, reference lists (units, sectors, procedures) kept")
    print(f"{'step':36s} {'data cold':>28s} {'data cold-q':>28s} {'page cold-q':>28s} {'page warm':>28s}")
    for label, kwargs in [] if a.grid_only else STEPS:
        run = data_for(kwargs)
        dc = timed(run, a.runs, cache.clear)
        dw = timed(run, a.runs, clear_queries)
        pc = timed(lambda kwargs=kwargs: build_page(**kwargs), a.runs, clear_queries)
        pw = timed(lambda kwargs=kwargs: build_page(**kwargs), a.runs)
        print(f"{label:36s} " + " ".join(f"{fmt(x):>28s}" for x in (dc, dw, pc, pw)))

    from data.filters import DossierFilter, Period
    from pages.late._grid import list_query

    y = Period.year(2023)
    grids = [
        ("grid: province, all late, page 1", DossierFilter(y), {}, 0),
        ("grid: province, all late, page 200", DossierFilter(y), {}, 19900),
        ("grid: land sector, page 1", DossierFilter(y, sector_code="DD"), {}, 0),
        ("grid: land, sort by received", DossierFilter(y, sector_code="DD"),
         {"sortModel": [{"colId": "received_on", "sort": "asc"}]}, 0),
        ("grid: DD-H-01 Quế Sơn, page 1", DossierFilter(y, sector_code="DD", procedure_code="DD-H-01", district_code="509"), {}, 0),
        ("grid: DD-H-01, code filter", DossierFilter(y, sector_code="DD", procedure_code="DD-H-01"),
         {"filterModel": {"code": {"filterType": "text", "type": "contains", "filter": "H509"}}}, 0),
        ("grid: overdue at 30/11, page 1", DossierFilter(Period.months("2023-01", "2023-11")), {}, 0),
        ("grid: all late, most late first", DossierFilter(y), {"sortModel": [{"colId": "workdays_late", "sort": "desc"}]}, 0),
        ("grid: land, most late first", DossierFilter(y, sector_code="DD"),
         {"sortModel": [{"colId": "workdays_late", "sort": "desc"}]}, 0),
        ("grid: overdue, most late first", DossierFilter(Period.months("2023-01", "2023-11")),
         {"sortModel": [{"colId": "workdays_late", "sort": "desc"}]}, 0),
    ]
    print()
    print(f"{'grid page (100 rows + count)':36s} {'cold':>28s} {'cold-q':>28s}")
    for label, f, request, start in grids:
        mode = "overdue" if "overdue" in label else "late"
        lq = list_query(request, "vi")
        fn = lambda f=f, mode=mode, start=start, lq=lq: q.dossier_page(engine, f, mode, start, start + 100, lq, "vi")
        cold = timed(fn, a.runs, cache.clear)
        warm = timed(fn, a.runs, clear_queries)
        print(f"{label:36s} " + " ".join(f"{fmt(x):>28s}" for x in (cold, warm)))


if __name__ == "__main__":
    main()
