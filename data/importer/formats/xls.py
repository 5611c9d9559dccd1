"""Real Excel 97-2003 workbooks (BIFF ``.xls``), read with xlrd (maintained; since 2.0 it reads
only this format, which is what it is used for here).

Date cells become dates through the workbook's own date system; merged cells repeat their
value over the range they cover (two-row headers, a procedure name merged down several
dossier rows), as HTML tables do.
"""
from __future__ import annotations

from pathlib import Path

import xlrd

from .grid import Sheet


class NotAnXls(ValueError):
    pass


def xls_sheets(path: Path) -> list[Sheet]:
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, CompDocError, struct.error...
        raise NotAnXls(f"{exc.__class__.__name__}: {str(exc)[:120]}") from exc
    sheets = []
    for i in range(book.nsheets):
        try:
            sh = book.sheet_by_index(i)
        except Exception as exc:  # noqa: BLE001
            raise NotAnXls(f"sheet {i + 1}: {exc.__class__.__name__}") from exc
        merged = {}
        for r1, r2, c1, c2 in sh.merged_cells:
            for r in range(r1, min(r2, r1 + 500)):
                for c in range(c1, min(c2, c1 + 200)):
                    if (r, c) != (r1, c1):
                        merged[(r, c)] = (r1, c1)

        def value(sh, r, c, datemode=book.datemode):
            cell = sh.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
                except (xlrd.xldate.XLDateError, OverflowError, ValueError):
                    return str(cell.value)
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                return None
            if cell.ctype == xlrd.XL_CELL_BOOLEAN:
                return bool(cell.value)
            return cell.value

        def rows(sh=sh, merged=merged):
            for r in range(sh.nrows):
                out = []
                for c in range(sh.ncols):
                    src = merged.get((r, c))
                    out.append(value(sh, *src) if src else value(sh, r, c))
                yield r + 1, out

        sheets.append(Sheet(sh.name, rows, est_rows=sh.nrows))
    return sheets
