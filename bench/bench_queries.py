"""CPU cost of the aggregate query functions of ``data.queries``, with no cache (not a test).

    .venv/bin/python bench/bench_queries.py [--url sqlite:///var/tthc-demo.sqlite] [--runs 7] [--only summary]

Each function (summary, levels, the /late entry queries, postal, reference, review) runs
``--runs`` times for each of three filters (whole province 2023; district 509 in 2022;
land sector DD in 2024); functions under ``@cached_query`` are called through
``.uncached``, and the app's query cache is never configured, so what they call is
uncached too. Printed: p50 CPU ms (``time.process_time``: the process's own work, the
better figure on a shared, loaded machine) per function and filter, the sum per function,
and the total of the p50s. The late and review functions load ``late.reference_maps``
again on every call here (a cache hit in service). With PostgreSQL the server's own work
is not in these figures.

bench/results/queries-before.txt and queries-after.txt: the run before and after the
Biểu 06 query rework (same machine, minutes apart).
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _report_by(by, engine, f):
    from data.queries import summary

    return summary.standard_report(engine, f, by)


def _plain(fn):
    return getattr(fn, "uncached", fn)


def cases():
    """(module, label, call(engine, f)) for every function timed."""
    from data.queries import late, levels, postal, reference, review, summary

    def drill_level(level):
        return lambda e, f: _plain(levels.level_breakdown)(e, f, level)

    out = [("summary", f"standard_report by {by}", functools.partial(_report_by, by))
           for by in ("level", "district", "agency", "sector", "procedure", "month")]
    out += [
        ("summary", "summary_by_level", summary.summary_by_level),
        ("levels", "level_summary_with_previous", _plain(levels.level_summary_with_previous)),
        ("levels", "monthly_by_level (3 years)", lambda e, f: _plain(levels.monthly_by_level)(e, f, 2022, 2024)),
        ("levels", "level_breakdown province", drill_level("province")),
        ("levels", "level_breakdown district", drill_level("district")),
        ("levels", "level_breakdown commune", drill_level("commune")),
        ("levels", "report_by_unit + with_totals", lambda e, f: levels.with_totals(_plain(levels.report_by_unit)(e, f))),
        ("levels", "sectors_by_late", _plain(levels.sectors_by_late)),
        ("levels", "districts_by_on_time", _plain(levels.districts_by_on_time)),
        ("levels", "procedures_not_full_online", _plain(levels.procedures_not_full_online)),
        ("levels", "commune_postal_coverage", _plain(levels.commune_postal_coverage)),
        ("late", "late_cube", _plain(late.late_cube)),
        ("late", "totals", _plain(late.totals)),
        ("late", "late_by_sector", _plain(late.late_by_sector)),
        ("late", "late_heatmap", _plain(late.late_heatmap)),
        ("late", "late_trend", _plain(late.late_trend)),
        ("postal", "level_coverage", lambda e, f: _plain(postal.level_coverage)(e, f, (2022, 2023, 2024))),
        ("postal", "district_coverage", _plain(postal.district_coverage)),
        ("postal", "commune_coverage 509", lambda e, f: _plain(postal.commune_coverage)(e, f, "509")),
        ("postal", "monthly_postal_share", _plain(postal.monthly_postal_share)),
        ("reference", "years_with_data", lambda e, f: reference.years_with_data(e)),
        ("reference", "latest_complete_year", lambda e, f: reference.latest_complete_year(e)),
        ("reference", "units/sectors/procedures/agencies",
         lambda e, f: (reference.units(e), reference.sectors(e), reference.procedures(e), reference.agencies(e))),
        ("review", "review_facts", _plain(review.review_facts)),
    ]
    return out


def filters():
    from data.filters import DossierFilter, Period

    return [("province 2023", DossierFilter(Period.year(2023))),
            ("district 509 2022", DossierFilter(Period.year(2022), district_code="509")),
            ("sector DD 2024", DossierFilter(Period.year(2024), sector_code="DD"))]


def cpu_ms(fn, runs: int) -> float:
    """p50 of the process CPU time of ``fn()`` over ``runs`` runs, in ms."""
    times = []
    for _ in range(runs):
        c0 = time.process_time()
        fn()
        times.append((time.process_time() - c0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=f"sqlite:///{ROOT / 'var' / 'tthc-demo.sqlite'}")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", help="time only the functions of this module (summary, levels, late, postal, ...)")
    a = ap.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from sqlalchemy import create_engine

    engine = create_engine(a.url)
    fs = filters()
    todo = [c for c in cases() if not a.only or c[0] == a.only]
    for _, _, fn in todo:  # imports, first connections, SQLAlchemy's compiled-SQL cache
        fn(engine, fs[0][1])

    print(f"database: {a.url}  runs: {a.runs}  load average: {os.getloadavg()[0]:.1f}")
    print("p50 CPU ms per call, no cache")
    print(f"{'function':44s} " + " ".join(f"{label:>18s}" for label, _ in fs) + f" {'sum':>9s}")
    total, per_module = 0.0, {}
    for module, label, fn in todo:
        ms = [cpu_ms(functools.partial(fn, engine, f), a.runs) for _, f in fs]
        total += sum(ms)
        per_module[module] = per_module.get(module, 0.0) + sum(ms)
        print(f"{module + '.' + label:44s} " + " ".join(f"{m:18.1f}" for m in ms) + f" {sum(ms):9.1f}")
    print()
    for module, ms in per_module.items():
        print(f"{'total ' + module:44s} {ms:9.1f}")
    print(f"{'total':44s} {total:9.1f}")


if __name__ == "__main__":
    main()
