"""The rejected-rows report: a CSV (UTF-8 with BOM, so Excel shows Vietnamese) with one
line per problem: where (line, or sheet!line), column, value, reason in Vietnamese and English."""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd

from ..cells import csv_safe
from ..config import ROOT

HEADER = ["Dòng / Line", "Cột / Column", "Giá trị / Value", "Lý do", "Reason"]


def reports_dir() -> Path:
    return Path(os.environ.get("IMPORT_REPORTS_DIR") or ROOT / "var" / "import-reports")


def report_path_for(source, directory=None) -> Path:
    directory = Path(directory) if directory else reports_dir()
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(str(source)).stem)[:60] or "import"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return directory / f"{stamp}-{stem}-rejected.csv"


class RejectWriter:
    """Opens the report file on the first problem; nothing is written for a clean file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = None
        self._writer = None
        self.entries = 0

    def write(self, rows: pd.DataFrame | list[tuple]) -> None:
        if isinstance(rows, pd.DataFrame):
            if rows.empty:
                return
            records = rows[["where", "column", "value", "reason_vi", "reason_en"]].itertuples(index=False, name=None)
        else:
            if not rows:
                return
            records = rows
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(HEADER)
        for r in records:
            self._writer.writerow(["" if v is None else csv_safe(str(v)[:200]) for v in r])
            self.entries += 1

    def close(self) -> Path | None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        return self.path if self.entries else None


def read_report(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
