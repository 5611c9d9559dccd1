"""Spreadsheet cells from data: text that a spreadsheet must never run as a formula.

A unit, procedure or agency name comes from an import file, so it may be hostile: a
commune named ``=HYPERLINK("http://evil.example","Hương An")`` or a value
``+cmd|' /C calc'!A0`` becomes a live formula (or a DDE command) when a CSV or XLSX
written with it is opened in Excel or LibreOffice. The rules (OWASP "CSV Injection",
ASVS 5.0 V1.2.10):

- CSV: a text field whose first character is ``=``, ``+``, ``-``, ``@``, tab, carriage
  return, line feed or NUL (also after leading spaces, which some spreadsheets skip) gets a
  single quote in front; the csv writer then quotes the field by RFC 4180.
- XLSX: every text cell is written as a text cell, never a formula, and one that starts
  like a formula also carries Excel's "quote prefix" (what typing ``'`` before it does),
  so it stays text when someone edits the cell. The value itself is unchanged.
- XLSX written by xlsxwriter (the workbook inside a PowerPoint chart): the workbook is
  opened with :data:`XLSXWRITER_TEXT_OPTIONS`, so strings are never turned into formulas
  or hyperlinks.

Numbers stay numbers: only ``str`` values are touched. This module is the one place for
these rules; the data layer and the pages both call it.
"""
from __future__ import annotations

from pandas.api.types import is_object_dtype, is_string_dtype

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# xlsxwriter writes a string that starts with "=" as a formula and one that looks like a
# URL as a hyperlink unless told not to.
XLSXWRITER_TEXT_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def starts_like_formula(value) -> bool:
    """True for text a spreadsheet would read as a formula (or a DDE command)."""
    if not isinstance(value, str) or not value:
        return False
    return value.startswith(FORMULA_TRIGGERS) or value.lstrip(" ").startswith(FORMULA_TRIGGERS)


def csv_safe(value):
    """A CSV field that no spreadsheet runs: text starting like a formula gets a leading ``'``."""
    return "'" + value if starts_like_formula(value) else value


def csv_safe_frame(df):
    """A copy of ``df`` whose text cells are :func:`csv_safe` (numbers and dates untouched)."""
    out = df.copy()
    for col in out.columns:
        if is_object_dtype(out[col].dtype) or is_string_dtype(out[col].dtype):
            out[col] = out[col].map(csv_safe)
    return out


def xlsx_text_cells(worksheet) -> int:
    """Make every text cell of an openpyxl worksheet a text cell (openpyxl turns a string
    that starts with ``=`` into a formula); quote-prefix those that start like a formula.
    Returns how many cells were neutralised (for tests and logs)."""
    changed = 0
    for row in worksheet.iter_rows():
        for cell in row:
            value = cell.value
            if not isinstance(value, str):
                continue
            if cell.data_type != "s":
                cell.data_type = "s"
            if starts_like_formula(value):
                cell.quotePrefix = True
                changed += 1
    return changed
