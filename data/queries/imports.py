"""Import history: the runs of ``tthc import`` (and ``tthc demo``) recorded in import_runs."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ..cache import cached_query
from ..schema import ImportRun

R = ImportRun.__table__
HISTORY_COLUMNS = ["id", "started_at", "finished_at", "command", "kind", "file_name", "added", "updated", "unchanged",
                   "rejected", "skipped", "details", "report_path", "status"]


@cached_query
def import_history(engine: Engine, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """The latest ``limit`` runs, newest first, and how many runs there are in all."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(R)).scalar_one()
        rows = conn.execute(select(*[R.c[c] for c in HISTORY_COLUMNS]).order_by(R.c.id.desc()).limit(limit)).all()
    df = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    for c in ("added", "updated", "unchanged", "rejected", "skipped"):
        df[c] = df[c].fillna(0).astype("int64")
    return df, int(total)


def report_path_of(engine: Engine, run_id: int) -> str | None:
    """The rejected-rows report of one run (not cached: a download reads the file it names)."""
    with engine.connect() as conn:
        return conn.execute(select(R.c.report_path).where(R.c.id == int(run_id))).scalar()
