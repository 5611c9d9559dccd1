"""Tables given as rows of cells (workbook sheets, HTML tables, the portal's JSON records):
find each sheet's header under its title block, then stream its rows as chunks.

A sheet is a title and a function returning its rows afresh: ``(line, [cell, ...])``,
``line`` being what a person sees (the Excel row number, the JSON record number).
Header detection is :func:`columns.best_header`'s (two-row headers with ``Ngày`` merged
over its sub-columns included). The rows above the header (the register's title block:
"UBND HUYỆN QUẾ SƠN", "SỔ THEO DÕI HỒ SƠ THÁNG 01/2024") are kept as the sheet's context:
they may name the district or the desk the whole sheet belongs to. A sheet whose name says
it is a summary ("Tổng hợp"), or with no header naming the required columns, is skipped
with a note. Rows below the header go out as they are, blank ones dropped; which of them
are not dossiers (the column-number row, totals, signatures) is decided for every format
alike in ``data.importer.skips``.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import numpy as np
import pandas as pd

from ..columns import best_header, fold

HEADER_SCAN_ROWS = 15
CONTEXT_LINES = 12
SUMMARY_SHEETS = ("tong_hop", "bao_cao_tong_hop", "tonghop", "summary", "tong_cong")


def cell_text(v) -> str:
    """A cell as text: dates as ISO (never in a day/month order), whole numbers without '.0'."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour or v.minute or v.second) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if v != v:
            return ""
        if v.is_integer():
            return str(int(v))
    text = unicodedata.normalize("NFC", str(v)).strip()
    return " ".join(text.split()) if "\n" in text or "\t" in text or "  " in text else text


@dataclass
class Sheet:
    title: str
    rows: Callable[[], Iterator[tuple[int, list]]]
    est_rows: int = 0
    label: Callable[[int], str] | None = None  # line -> what the report shows; default "Title!line" / "line"


@dataclass
class FoundSheet:
    sheet: Sheet
    header_line: int
    matched: dict[int, str]
    context: list[str] = field(default_factory=list)


def is_summary_sheet(title: str) -> bool:
    t = fold(title)
    return any(t == s or t.startswith(s + "_") for s in SUMMARY_SHEETS)


def find_header(name: str, kind: str, sheet: Sheet, mapping, *, check) -> FoundSheet:
    """The sheet's header (raises ImportFileError through ``check`` when there is none)."""
    head = list(islice(sheet.rows(), HEADER_SCAN_ROWS))
    rows = [[cell_text(v) for v in r] for _, r in head]
    h, matched = best_header(kind, rows, mapping)
    # Each cell of the title block on its own: "UBND HUYỆN QUẾ SƠN" and the national motto beside it
    # are two lines of text (merged cells repeat their text: once is enough).
    context = list(dict.fromkeys(c for r in rows[:max(h, 0)][:CONTEXT_LINES] for c in r if c))
    check(matched, rows[max(h, 0)] if rows else [], context)
    return FoundSheet(sheet, head[h][0], matched, context)


def grid_chunks(found: list[FoundSheet], fields: list[str], chunk_rows: int, many: bool,
                keep_other_text: bool = True) -> Iterator[pd.DataFrame]:
    """Each found sheet's rows after its header, as chunks of stripped text per field. Rows with
    nothing in the columns read but text elsewhere are kept when ``keep_other_text`` (dossiers:
    counted as skipped, not lost without a word)."""
    for fs in found:
        positions = sorted(fs.matched)
        label = fs.sheet.label or ((lambda n, t=fs.sheet.title: f"{t}!{n}") if many else str)
        buf, lines = [], []
        for line, row in fs.sheet.rows():
            if line <= fs.header_line:
                continue
            vals = [cell_text(row[p]) if p < len(row) else "" for p in positions]
            if not any(vals):
                # Nothing in the columns read: a blank row, or text elsewhere (a signature, a note).
                if not keep_other_text or not any(cell_text(v) for v in row):
                    continue
            buf.append(vals)
            lines.append(line)
            if len(buf) >= chunk_rows:
                yield _frame(buf, lines, positions, fs, fields, label)
                buf, lines = [], []
        if buf:
            yield _frame(buf, lines, positions, fs, fields, label)


def _frame(buf, lines, positions, fs: FoundSheet, fields, label) -> pd.DataFrame:
    df = pd.DataFrame(buf, columns=[fs.matched[p] for p in positions], dtype=object)
    for f in fields:
        if f not in df.columns:
            df[f] = pd.Series([""] * len(df), dtype=object)
    df["_line"] = lines
    where = np.empty(len(lines), dtype=object)
    where[:] = [label(n) for n in lines]
    df["_where"] = where
    df["_sheet"] = fs.sheet.title
    return df
