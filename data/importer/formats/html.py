"""Web "Excel" downloads that are HTML tables saved under a ``.xls`` name, and SpreadsheetML 2003
(``<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">``), another text format
web systems name ``.xls``.

Many one-stop web systems build their "Xuất Excel" file as an HTML page (``<table>`` with
``colspan``/``rowspan`` headers, often a ``<meta ... application/vnd.ms-excel>``) and send it
as ``.xls``; Excel opens it with a warning. Each ``<table>`` becomes a sheet; merged cells
(``colspan``, ``rowspan``; ``ss:MergeAcross``/``ss:MergeDown``) repeat their text in every
cell they cover, so a two-row header reads as in a workbook. Text before the first table
(the page's title and headings) is the first sheet's title block. lxml parses broken HTML
as a browser would.
"""
from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .grid import Sheet

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
SS = "urn:schemas-microsoft-com:office:spreadsheet"


class NotATable(ValueError):
    pass


def decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    m = _META_CHARSET.search(raw[:4096])
    for enc in ([m.group(1).decode("ascii", "ignore")] if m else []) + ["utf-8", "cp1258"]:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace")


def _text(el) -> str:
    for br in el.iter("br"):
        br.tail = " " + (br.tail or "")
    return " ".join(el.text_content().split())


def _expand(rows_of_cells) -> list[list[str]]:
    """Rows of (text, colspan, rowspan) -> a rectangular grid, merged cells repeated."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}  # (row, col) filled from a rowspan above
    for r, cells in enumerate(rows_of_cells):
        row: list[str] = []
        c = 0
        for text, colspan, rowspan in cells:
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            for k in range(colspan):
                row.append(text)
                for dr in range(1, rowspan):
                    pending[(r + dr, c + k)] = text
            c += colspan
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        grid.append(row)
    return grid


def _span(el, name: str) -> int:
    try:
        return max(1, min(int(el.get(name, "1") or 1), 200))
    except ValueError:
        return 1


def html_sheets(raw: bytes) -> list[Sheet]:
    text = _XML_DECL.sub("", decode(raw), count=1)
    try:
        doc = lxml.html.document_fromstring(text)
    except Exception as exc:  # noqa: BLE001 - lxml raises several kinds on garbage
        raise NotATable(f"not readable HTML ({exc.__class__.__name__})") from exc
    tables = [t for t in doc.iter("table") if not list(t.iterancestors("table"))]
    if not tables:
        raise NotATable("no <table> in the page")
    heading = []
    for el in doc.iter("title", "h1", "h2", "h3", "h4", "p", "div"):
        if el.getparent() is not None and list(el.iterancestors("table")):
            continue
        if any(True for _ in el.iter("table")):
            continue
        t = _text(el)
        if t and t not in heading:
            heading.append(t)
        if len(heading) >= 6:
            break
    sheets = []
    for i, table in enumerate(tables, start=1):
        rows = []
        for tr in table.iter("tr"):
            if list(tr.iterancestors("table"))[0] is not table:
                continue  # a row of a nested table
            rows.append([(_text(td), _span(td, "colspan"), _span(td, "rowspan")) for td in tr if td.tag in ("td", "th")])
        grid = _expand(rows)
        if i == 1 and heading:
            grid = [[h] for h in heading] + grid
            offset = len(heading)
        else:
            offset = 0
        title = f"Bảng {i}" if len(tables) > 1 else "Bảng"

        def rows_of(grid=grid, offset=offset):
            yield from enumerate(grid, start=1 - offset)

        sheets.append(Sheet(title, rows_of, est_rows=len(grid)))
    return sheets


def spreadsheetml_sheets(raw: bytes) -> list[Sheet]:
    """Excel 2003 XML: Worksheet / Table / Row / Cell / Data, with ss:Index gaps and merges."""
    try:
        root = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise NotATable(f"not well-formed XML ({str(exc)[:100]})") from exc
    q = lambda tag: f"{{{SS}}}{tag}"  # noqa: E731
    sheets = []
    for ws in root.iter(q("Worksheet")):
        title = ws.get(q("Name")) or f"Sheet{len(sheets) + 1}"
        grid: list[list[str]] = []
        pending: dict[tuple[int, int], str] = {}
        table = ws.find(q("Table"))
        r = -1
        for row_el in (table.iter(q("Row")) if table is not None else []):
            idx = row_el.get(q("Index"))
            r = int(idx) - 1 if idx and idx.isdigit() else r + 1
            while len(grid) <= r:
                grid.append([])
            row = grid[r]
            c = -1
            for cell in row_el.iter(q("Cell")):
                ci = cell.get(q("Index"))
                c = int(ci) - 1 if ci and ci.isdigit() else c + 1
                data = cell.find(q("Data"))
                text = " ".join("".join(data.itertext()).split()) if data is not None else ""
                across = int(cell.get(q("MergeAcross"), "0") or 0)
                down = int(cell.get(q("MergeDown"), "0") or 0)
                for k in range(min(across, 200) + 1):
                    while len(row) <= c + k:
                        row.append("")
                    row[c + k] = text
                    for dr in range(1, min(down, 200) + 1):
                        pending[(r + dr, c + k)] = text
                c += min(across, 200)
        for (pr, pc), text in pending.items():
            while len(grid) <= pr:
                grid.append([])
            while len(grid[pr]) <= pc:
                grid[pr].append("")
            if not grid[pr][pc]:
                grid[pr][pc] = text

        def rows_of(grid=grid):
            yield from enumerate(grid, start=1)

        sheets.append(Sheet(title, rows_of, est_rows=len(grid)))
    if not sheets:
        raise NotATable("no Worksheet in the workbook")
    return sheets
