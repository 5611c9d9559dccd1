"""CSV and Excel files with the active filters written in their header rows.

A downloaded table travels (e-mail, a printed annex): it must say what it shows. Text
from data is written so that no spreadsheet runs it as a formula (data.cells).
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl.styles import Font

from data.cells import csv_safe, csv_safe_frame, xlsx_text_cells


def header_rows(title: str, filters: list[tuple[str, str]], generated_label: str = "Generated") -> list[list[str]]:
    rows = [[title]] + [[k, v] for k, v in filters]
    rows.append([generated_label, dt.datetime.now().strftime("%d/%m/%Y %H:%M")])
    return rows


def to_csv_bytes(df: pd.DataFrame, title: str, filters: list[tuple[str, str]]) -> bytes:
    """UTF-8 with BOM so Excel on Windows shows Vietnamese letters; filter rows, a blank line, then the table."""
    buf = io.StringIO()
    for row in header_rows(title, filters):
        buf.write(",".join(_csv_cell(c) for c in row) + "\n")
    buf.write("\n")
    csv_safe_frame(df).to_csv(buf, index=False)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_cell(value) -> str:
    s = csv_safe(str(value))
    return '"' + s.replace('"', '""') + '"' if any(ch in s for ch in ',"\n') else s


def to_xlsx_bytes(df: pd.DataFrame, title: str, filters: list[tuple[str, str]], sheet: str = "Data") -> bytes:
    """An .xlsx whose first rows name the filters; the table starts below them."""
    buf = io.BytesIO()
    head = header_rows(title, filters)
    start = len(head) + 1
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        df.to_excel(writer, sheet_name=sheet[:31], index=False, startrow=start)
        ws = writer.sheets[sheet[:31]]
        for i, row in enumerate(head, start=1):
            for j, value in enumerate(row, start=1):
                ws.cell(row=i, column=j, value=value)
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        for cell in ws[start + 1]:
            cell.font = Font(bold=True)
        for col in ws.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in col[start:]) if len(col) > start else 10
            ws.column_dimensions[col[0].column_letter].width = min(max(width + 2, 10), 60)
        ws.freeze_panes = ws.cell(row=start + 2, column=1)
        xlsx_text_cells(ws)  # names from data are text, never formulas
    return buf.getvalue()


def table_start_row(filters: list[tuple[str, str]]) -> int:
    """1-based Excel row of the table's header (for readers of the file, tests included)."""
    return len(filters) + 2 + 2
