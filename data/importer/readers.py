"""Read the province's files as a stream of chunks of text columns (memory bounded).

The format is recognised from the content, not the name (a web "Excel" download is HTML
named .xls): CSV (encoding detected: UTF-8, UTF-8 with BOM, UTF-16 with BOM, otherwise
Windows-1258 Vietnamese, normalised to NFC; separator among ``, ; tab |``; pandas in
chunks), XLSX (openpyxl read-only, merged cells repeated), Excel 97-2003 .xls (xlrd), HTML
tables and SpreadsheetML 2003 saved as .xls, and the national portal's JSON sync payload
(``data.importer.formats``). Workbook-like formats go through ``formats.grid``: every
sheet whose header names the required columns, title blocks kept as the sheet's context,
two-row merged headers combined.

Each chunk is a DataFrame of stripped strings, one column per recognised field,
plus ``_line`` (the row number the user sees in a text editor or Excel) and ``_where``
(``"12"`` or ``"Sheet2!12"``) used by the rejected-rows report. A CSV row with more fields
than the header comes with a reason in ``_reject_vi``/``_reject_en`` (see ``split_rejected``).
"""
from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zlib import error as zlib_error

import numpy as np
import openpyxl
import pandas as pd

from .columns import FIELDS, INFO_FIELDS, best_header, fold, missing_required
from .formats.grid import HEADER_SCAN_ROWS, FoundSheet, Sheet, cell_text, find_header, grid_chunks, is_summary_sheet
from .formats.html import NotATable, html_sheets, spreadsheetml_sheets
from .formats.portal import NotPortalJSON, portal_sheet
from .formats.xls import NotAnXls, xls_sheets

SAMPLE_BYTES = 256 * 1024
DELIMITERS = [",", ";", "\t", "|"]


class ImportFileError(ValueError):
    """The whole file cannot be imported: one line saying what and where (Vietnamese — English)."""

    def __init__(self, where: str, vi: str, en: str):
        self.where, self.vi, self.en = where, vi, en
        super().__init__(f"{where}: {vi} — {en}")


@dataclass
class TableReader:
    path: Path
    kind: str
    fields: list[str]
    size_bytes: int
    est_rows: int | None
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fmt: str = ""  # what the file was recognised as, for the summary ("CSV (Windows-1258, ;)")
    contexts: dict[str, list[str]] = field(default_factory=dict)  # sheet -> its title block lines
    sheet_fields: dict[str, set] = field(default_factory=dict)  # sheet -> the fields its header names
    _chunks: object = None

    def chunks(self) -> Iterator[pd.DataFrame]:
        return self._chunks()


def open_table(path, kind: str, mapping: dict | None = None, chunk_rows: int = 100_000) -> TableReader:
    path = Path(path)
    name = path.name
    if not path.exists():
        raise ImportFileError(name, "không tìm thấy tệp", "file not found")
    if path.is_dir():
        raise ImportFileError(name, "đây là thư mục, không phải tệp", "this is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(name, "tệp rỗng (0 byte)", "the file is empty (0 bytes)")
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    is_zip = head[:4] == b"PK\x03\x04"
    suffix = path.suffix.lower()
    if is_zip:
        return _open_xlsx(path, kind, mapping, chunk_rows, size)
    if suffix in (".xlsx", ".xlsm"):
        raise ImportFileError(name, "không phải tệp Excel .xlsx hợp lệ", "not a valid .xlsx workbook")
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _open_xls(path, kind, mapping, chunk_rows, size)
    sniffed = _sniff_text(head)
    if sniffed == "json":
        return _open_json(path, kind, mapping, chunk_rows, size, head)
    if sniffed in ("html", "spreadsheetml"):
        return _open_markup(path, kind, mapping, chunk_rows, size, sniffed)
    if suffix == ".xls":
        raise ImportFileError(name, "tệp .xls không phải Excel 97-2003, bảng HTML hay XML Spreadsheet",
                              "the .xls file is neither Excel 97-2003, an HTML table nor XML Spreadsheet")
    return _open_csv(path, kind, mapping, chunk_rows, size, head)


def _sniff_text(head: bytes) -> str | None:
    """json / html / spreadsheetml for text files that are not tables of separated values."""
    text = head[:4096]
    for bom in (b"\xef\xbb\xbf",):
        if text.startswith(bom):
            text = text[len(bom):]
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[:4096].decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    stripped = text.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    low = stripped[:2048].lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in low and b"<workbook" in low:
        return "spreadsheetml"
    if low.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head", b"<body", b"<style")) \
            or b"<table" in low:
        return "html"
    return None


# ---------------------------------------------------------------- header detection

def _names_inside(kind: str, cell) -> int:
    """How many known column names a single cell contains (several: a wrong separator)."""
    text = fold(cell)
    return sum(1 for f in FIELDS[kind] if any(fold(h) in text for h in f.headers))


def _check_header(name: str, kind: str, matched: dict[int, str], first_row: list, where: str, text_file: bool = True,
                  agency_from_title: bool = False):
    cells = [v for v in first_row if v not in (None, "")]
    shown = ", ".join(str(v) for v in cells[:6])[:120] or "(trống / blank)"
    if text_file and len(cells) == 1 and len(matched) < 2 and _names_inside(kind, cells[0]) >= 2:
        raise ImportFileError(f"{name} {where}", f"chỉ có 1 cột: dấu phân cách không phải , ; tab hoặc | ({shown})",
                              f"only one column: the separator is not , ; tab or | ({shown})")
    if not matched:
        example = ", ".join(f.label for f in FIELDS[kind] if f.required)
        raise ImportFileError(f"{name} {where}", f"không tìm thấy dòng tiêu đề của bảng ({shown}); cần các cột: {example}",
                              f"no table header found ({shown}); expected columns: {example}")
    missing = missing_required(kind, matched, agency_from_title)
    if missing:
        names = ", ".join(f"{f.label} ({f.en})" for f in missing)
        raise ImportFileError(f"{name} {where}", f"thiếu cột bắt buộc: {names}", f"required column missing: {names}")


# ---------------------------------------------------------------- CSV

def _detect_encoding(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    cut = head[: head.rfind(b"\n") + 1] if len(head) == SAMPLE_BYTES and b"\n" in head else head
    try:
        cut.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1258"


def _looks_binary(head: bytes, encoding: str) -> bool:
    if encoding == "utf-16":
        return False
    sample = head[:8192]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > len(sample) * 0.05


def _detect_delimiter(lines: list[str]) -> str:
    best, best_score = ",", 0
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in lines if ln.strip()]
        if not counts:
            continue
        score = min(counts[:5]) if counts[0] else 0
        if score > best_score:
            best, best_score = d, score
    return best


def _strip(arr, nfc: bool = False) -> np.ndarray:
    """Stripped text (plain Python strings: 10x faster than pandas string methods here)."""
    if nfc:
        out = [unicodedata.normalize("NFC", x.strip()) if x.__class__ is str else "" for x in arr]
    else:
        out = [x.strip() if x.__class__ is str else "" for x in arr]
    a = np.empty(len(out), dtype=object)
    a[:] = out
    return a


@dataclass(frozen=True)
class _CsvLayout:
    """Where a CSV's table is and how to read it: what the header and the sample found."""

    name: str  # the file's name, for messages
    kind: str
    encoding: str
    delimiter: str
    header_line: int  # 1-based line of the header (the lower row of a two-row header)
    ncols: int  # fields in the header
    matched: dict  # position -> field
    positions: list  # the positions read, in order

    @property
    def nfc(self) -> bool:
        return self.encoding == "cp1258"

    @property
    def beyond(self) -> str:
        """The name of the one column past the header (see _read_csv)."""
        return f"c{self.ncols}"


def _open_csv(path: Path, kind, mapping, chunk_rows, size, head) -> TableReader:
    name = path.name
    encoding, lines = _sample_lines(name, head)
    delimiter, rows, h, matched, context = _csv_header(name, kind, mapping, lines)
    header_line = h + 1
    est_rows = _estimate_rows(name, head, lines, header_line, encoding, size)
    positions = [p for p in sorted(matched) if matched[p] not in INFO_FIELDS or kind != "dossiers"]
    layout = _CsvLayout(name, kind, encoding, delimiter, header_line, len(rows[h]), matched, positions)
    shown_sep = {"\t": "tab"}.get(delimiter, delimiter)
    enc_name = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1258": "Windows-1258"}[encoding]
    return TableReader(path, kind, [matched[p] for p in positions], size, est_rows, encoding=encoding,
                       delimiter=delimiter, fmt=f"CSV ({enc_name}, '{shown_sep}')", contexts={"": context},
                       sheet_fields={"": {matched[p] for p in positions}},
                       _chunks=lambda: _csv_chunks(path, layout, chunk_rows))


def _sample_lines(name: str, head: bytes) -> tuple[str, list[str]]:
    """(encoding, the sample's whole lines): refused when binary or blank."""
    encoding = _detect_encoding(head)
    if _looks_binary(head, encoding):
        raise ImportFileError(name, "không phải tệp bảng (nội dung nhị phân)", "not a table (binary content)")
    text = head.decode(encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="replace")
    if not text.strip():
        raise ImportFileError(name, "tệp rỗng (chỉ có khoảng trắng)", "the file is empty (only blank space)")
    lines = text.splitlines()
    if len(head) == SAMPLE_BYTES:
        lines = lines[:-1]  # cut by the sample's end
    return encoding, lines


def _csv_header(name: str, kind, mapping, lines: list[str]):
    """(delimiter, the first rows as fields, the header's row index, position -> field, the title
    block's lines above it), the header checked for the required columns."""
    delimiter = _detect_delimiter(lines[:HEADER_SCAN_ROWS])
    rows = list(csv.reader(io.StringIO("\n".join(lines[:HEADER_SCAN_ROWS])), delimiter=delimiter))
    rows = [[unicodedata.normalize("NFC", c) for c in r] for r in rows]
    h, matched = best_header(kind, rows, mapping)
    context = list(dict.fromkeys(c.strip() for r in rows[:max(h, 0)] for c in r if c.strip()))
    _check_header(name, kind, matched, rows[max(h, 0)] if rows else [], f"dòng/line {max(h, 0) + 1}",
                  agency_from_title=kind == "dossiers" and bool(context))
    return delimiter, rows, h, matched, context


def _estimate_rows(name: str, head: bytes, lines: list[str], header_line: int, encoding: str, size: int) -> int:
    """The data rows the file holds, estimated from the sample's bytes per line (a file with
    a header and nothing under it is refused)."""
    data_lines = [ln for ln in lines[header_line:] if ln.strip()]
    if not data_lines and len(head) < SAMPLE_BYTES:
        raise ImportFileError(f"{name} dòng/line {header_line}", "chỉ có dòng tiêu đề, không có dữ liệu",
                              "only a header row, no data rows")
    avg = max(1, len("\n".join(lines[header_line:]).encode(encoding.replace("-sig", ""), errors="replace")) // max(1, len(lines) - header_line))
    return max(1, (size - len("\n".join(lines[:header_line]).encode("utf-8", errors="replace"))) // avg)


def _read_csv(path: Path, layout: _CsvLayout, chunk_rows: int):
    """pandas' chunked reader over the rows under the header."""
    # One name more than the header: a row with one field too many puts it there (empty when the
    # line merely ends with a delimiter); rows with more are dropped by the parser with a warning.
    # Without usecols: with it pandas silently cuts long rows, and a name no row reaches is an error.
    names = [f"c{i}" for i in range(layout.ncols + 1)]
    return pd.read_csv(path, sep=layout.delimiter, encoding=layout.encoding, header=None, names=names,
                       skiprows=layout.header_line, dtype=object, keep_default_na=False, na_filter=False,
                       skip_blank_lines=False, chunksize=chunk_rows, quotechar='"', engine="c", index_col=False,
                       on_bad_lines="warn")


def _csv_chunks(path: Path, layout: _CsvLayout, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The file's rows in chunks of text columns (see the module docstring), CSV errors as one line."""
    line = layout.header_line + 1
    pending: dict[int, int] = {}  # line -> number of fields, for rows the parser dropped
    try:
        reader = _read_csv(path, layout, chunk_rows)
        while True:
            with _dropped_rows(pending):
                raw = next(reader, None)
            if raw is None:
                break
            lines, line = _row_lines(line, len(raw), pending)
            yield _csv_chunk(raw, lines, line, pending, layout)
        if pending:  # dropped rows after the last row read (the end of the file)
            yield _trailing_dropped(pending, layout)
    except pd.errors.ParserError as exc:
        msg = str(exc).strip().splitlines()[-1]
        # Rows with too many fields are rejected one by one (above); what is left is e.g. an unclosed quote.
        raise ImportFileError(layout.name, f"cấu trúc CSV lỗi: {msg}", f"malformed CSV: {msg}") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(layout.name, f"mã hóa ký tự không hợp lệ ({layout.encoding}) gần byte {exc.start}",
                              f"invalid {layout.encoding} text near byte {exc.start}") from exc


def _csv_chunk(raw: pd.DataFrame, lines: np.ndarray, line: int, pending: dict[int, int],
               layout: _CsvLayout) -> pd.DataFrame:
    """One chunk of parsed rows as the importers read it: the fields, the rows with any text, the
    over-long ones (read, or dropped by the parser before ``line``) marked for rejection."""
    matched, positions, nfc, ncols = layout.matched, layout.positions, layout.nfc, layout.ncols
    df = pd.DataFrame({matched[p]: _strip(raw[f"c{p}"].to_numpy(), nfc) for p in positions}, dtype=object)
    extra = raw[layout.beyond].to_numpy()
    over = extra != ""  # a value past the header (most rows: none, "")
    if over.any():
        extra = _strip(extra, nfc)
        over = extra != ""
    keep = over.copy()
    for c in df.columns:
        keep |= (df[c] != "").to_numpy()
    if layout.kind == "dossiers" and not keep.all():
        # Nothing in the columns read, but text elsewhere (a signature, a total's label):
        # kept, so that it is counted as skipped rather than lost without a word.
        rest = np.flatnonzero(~keep)
        other = [f"c{i}" for i in range(ncols) if i not in positions]
        if other:
            sub = raw.iloc[rest][other].to_numpy(dtype=object)
            keep[rest] = [any(x.__class__ is str and x.strip() for x in r) for r in sub]
    df["_line"] = lines
    df = df[keep]
    dropped = sorted(s for s in pending if s < line)
    if over.any() or dropped:
        df = _with_overlong(df, over[keep], extra[keep], ncols + 1,
                            {s: pending.pop(s) for s in dropped}, ncols, layout.delimiter)
    return _located(df)


def _trailing_dropped(pending: dict[int, int], layout: _CsvLayout) -> pd.DataFrame:
    """The rows the parser dropped after the last row it read, as rejected rows."""
    empty = pd.DataFrame({layout.matched[p]: pd.Series(dtype=object) for p in layout.positions}
                         | {"_line": pd.Series(dtype="int64")})
    return _located(_with_overlong(empty, np.zeros(0, dtype=bool), np.zeros(0, dtype=object), layout.ncols + 1,
                                   dict(pending), layout.ncols, layout.delimiter))


def _located(df: pd.DataFrame) -> pd.DataFrame:
    """Where each row is, for the report: its line (a CSV has one sheet, unnamed)."""
    df["_where"] = df["_line"].astype(str).astype(object)
    df["_sheet"] = ""
    return df


# ---------------------------------------------------------------- rows longer than the header

# The reader rejects a row whose shape is wrong (more fields than the header: usually an
# unquoted separator inside a value, which shifts every later value) with these columns;
# the importers report them like any other rejected row and never read their values.
REJECT_COLUMNS = ("_reject_vi", "_reject_en", "_reject_value")
_DROPPED = re.compile(r"Skipping line (\d+): expected \d+ fields, saw (\d+)")


@contextlib.contextmanager
def _dropped_rows(found: dict[int, int]):
    """Collect pandas' "Skipping line N: expected M fields, saw K" warnings into ``found`` (line -> K);
    other warnings are passed on. The C parser reports dropped rows only this way. catch_warnings is
    process-wide, so it is held only while one chunk is parsed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        yield
    for w in caught:
        hits = _DROPPED.findall(str(w.message)) if issubclass(w.category, pd.errors.ParserWarning) else []
        for ln, fields in hits:
            found[int(ln)] = int(fields)
        if not hits:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _row_lines(start: int, n: int, dropped: dict[int, int]) -> tuple[np.ndarray, int]:
    """Line numbers of the n rows read from ``start`` on (the parser's rows follow each other
    but for the lines it dropped), and the line after the last."""
    skip = np.array(sorted(s for s in dropped if s >= start), dtype=np.int64)
    end = start + n
    while start + n + np.count_nonzero(skip < end) != end:
        end = start + n + np.count_nonzero(skip < end)
    lines = np.arange(start, end, dtype=np.int64)
    return (lines[~np.isin(lines, skip)] if len(skip) else lines), end


def _overlong_reason(fields: int, header_fields: int, delimiter: str) -> tuple[str, str]:
    shown = {"\t": "tab", ",": ",", ";": ";", "|": "|"}.get(delimiter, delimiter)
    vi = f"dòng có nhiều cột hơn tiêu đề ({fields} > {header_fields}): giá trị chứa dấu phân cách {shown} phải đặt trong ngoặc kép"
    en = f"the row has more fields than the header ({fields} > {header_fields}): a value containing the separator {shown} must be quoted"
    return vi, en


def _with_overlong(df: pd.DataFrame, over: np.ndarray, extra: np.ndarray, over_fields: int,
                   dropped: dict[int, int], header_fields: int, delimiter: str) -> pd.DataFrame:
    """The chunk with its over-long rows marked: ``over`` rows were read (their first value past
    the header is ``extra``), ``dropped`` rows were not (line -> number of fields)."""
    df = df.copy()
    vi, en = np.full(len(df), "", dtype=object), np.full(len(df), "", dtype=object)
    if over.any():
        vi[over], en[over] = _overlong_reason(over_fields, header_fields, delimiter)
    value = np.where(over, extra, "").astype(object)
    df["_reject_vi"], df["_reject_en"], df["_reject_value"] = vi, en, value
    if dropped:
        lost = pd.DataFrame({c: pd.Series([""] * len(dropped), dtype=object) for c in df.columns if not c.startswith("_")})
        lost["_line"] = np.array(list(dropped), dtype=np.int64)
        reasons = [_overlong_reason(k, header_fields, delimiter) for k in dropped.values()]
        lost["_reject_vi"] = [r[0] for r in reasons]
        lost["_reject_en"] = [r[1] for r in reasons]
        lost["_reject_value"] = ""
        df = pd.concat([df, lost], ignore_index=True).sort_values("_line", kind="stable", ignore_index=True)
    return df


def split_rejected(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows to validate, report entries of the rows the reader rejected for their shape)."""
    if "_reject_vi" not in df.columns:
        return df, pd.DataFrame(columns=["where", "column", "value", "reason_vi", "reason_en", "_line"])
    bad = (df["_reject_vi"] != "").to_numpy()
    sub = df.loc[bad]
    order = sub["_seq"] if "_seq" in sub.columns else sub["_line"]
    rejects = pd.DataFrame({"where": sub["_where"].to_numpy(), "column": "", "value": sub["_reject_value"].to_numpy(),
                            "reason_vi": sub["_reject_vi"].to_numpy(), "reason_en": sub["_reject_en"].to_numpy(),
                            "_line": order.to_numpy()})
    return df.loc[~bad].drop(columns=list(REJECT_COLUMNS)), rejects


# ---------------------------------------------------------------- workbook-like formats

_cell_text = cell_text


def _open_grid(path: Path, kind, mapping, chunk_rows, size, sheets: list[Sheet], fmt: str,
               single_label: bool = False) -> TableReader:
    """A reader over every sheet whose header names the required columns (others skipped with a note)."""
    name = path.name
    found: list[FoundSheet] = []
    problems = []
    for sheet in sheets:
        if len(sheets) > 1 and is_summary_sheet(sheet.title):
            problems.append((sheet.title, "summary sheet / trang tổng hợp"))
            continue
        head = [[cell_text(v) for v in r] for _, r in zip(range(HEADER_SCAN_ROWS), sheet.rows())]
        if not any(any(r) for r in head):
            problems.append((sheet.title, "empty"))
            continue

        def check(matched, first_row, context, title=sheet.title):
            where = f"sheet '{title}'" if len(sheets) > 1 or fmt.startswith(("XLSX", "Excel")) else "bảng / table"
            _check_header(name, kind, matched, first_row, where, text_file=False,
                          agency_from_title=kind == "dossiers" and bool(context))

        try:
            found.append(find_header(name, kind, sheet, mapping, check=check))
        except ImportFileError as exc:
            problems.append((sheet.title, exc))
    if not found:
        real = [p for p in problems if isinstance(p[1], ImportFileError)]
        if real:
            raise real[0][1]
        raise ImportFileError(name, "tệp không có trang tính nào chứa dữ liệu", "the file has no sheet with data")
    notes = [f"sheet '{t}' skipped: {p if isinstance(p, str) else p.en}" for t, p in problems]
    fields = []
    for fs in found:
        for f in fs.matched.values():
            if f not in fields:
                fields.append(f)
    many = len(found) > 1 and not single_label
    est = sum(max(0, fs.sheet.est_rows - fs.header_line) for fs in found)

    def chunks():
        return grid_chunks(found, fields, chunk_rows, many, keep_other_text=kind == "dossiers")

    return TableReader(path, kind, fields, size, est or None, sheets=[fs.sheet.title for fs in found], notes=notes,
                       fmt=fmt, contexts={fs.sheet.title: fs.context for fs in found},
                       sheet_fields={fs.sheet.title: set(fs.matched.values()) for fs in found}, _chunks=chunks)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_END_DATA = re.compile(rb"</(?:\w+:)?sheetData>")


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _xlsx_merges(path: Path, member: str | None) -> dict[int, list[tuple[int, int, int]]]:
    """Merged ranges of a sheet (they follow its rows in the XML; openpyxl's read-only mode skips
    them): row -> [(col, source row, source col)] for every covered cell but the top-left one."""
    if not member:
        return {}
    out: dict[int, list[tuple[int, int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as z, z.open(member.lstrip("/")) as fh:
            tail, rest = b"", None
            while True:
                block = fh.read(1 << 20)
                if not block:
                    break
                if rest is None:
                    buf = tail + block
                    m = _END_DATA.search(buf)
                    if m is None:
                        tail = buf[-32:]
                        continue
                    rest = buf[m.end():]
                else:
                    rest += block
    except (KeyError, OSError, zipfile.BadZipFile, EOFError, zlib_error):
        return {}
    for c1, r1, c2, r2 in _MERGE.findall(rest or b""):
        r1, r2, c1, c2 = int(r1), int(r2), _col(c1), _col(c2)
        for r in range(r1, min(r2, r1 + 500) + 1):
            for c in range(c1, min(c2, c1 + 200) + 1):
                if (r, c) != (r1, c1):
                    out.setdefault(r, []).append((c, r1, c1))
    return out


def _open_xlsx(path: Path, kind, mapping, chunk_rows, size) -> TableReader:
    name = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        titles = [(ws.title, getattr(ws, "_worksheet_path", None), ws.max_row or 0) for ws in wb.worksheets]
        wb.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged workbooks
        raise ImportFileError(name, f"không đọc được tệp Excel ({exc.__class__.__name__})",
                              f"cannot read the Excel workbook ({exc.__class__.__name__})") from exc

    def sheet_rows(title, member):
        def rows():
            merges = _xlsx_merges(path, member)
            sources: dict[int, set[int]] = {}
            for cells in merges.values():
                for _, sr, sc in cells:
                    sources.setdefault(sr, set()).add(sc)
            kept: dict[tuple[int, int], object] = {}
            wb2 = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                for r_i, row in enumerate(wb2[title].iter_rows(values_only=True), start=1):
                    row = list(row)
                    for c, sr, sc in merges.get(r_i, ()):
                        while len(row) <= c:
                            row.append(None)
                        if row[c] is None:
                            row[c] = row[sc] if sr == r_i and sc < len(row) else kept.get((sr, sc))
                    for sc in sources.get(r_i, ()):
                        kept[(r_i, sc)] = row[sc] if sc < len(row) else None
                    yield r_i, row
            finally:
                wb2.close()
        return rows

    sheets = [Sheet(title, sheet_rows(title, member), est_rows=n) for title, member, n in titles]
    return _open_grid(path, kind, mapping, chunk_rows, size, sheets, "XLSX")


def _open_xls(path: Path, kind, mapping, chunk_rows, size) -> TableReader:
    try:
        sheets = xls_sheets(path)
    except NotAnXls as exc:
        raise ImportFileError(path.name, f"không đọc được tệp Excel 97-2003 (.xls): {exc}",
                              f"cannot read the Excel 97-2003 (.xls) workbook: {exc}") from exc
    return _open_grid(path, kind, mapping, chunk_rows, size, sheets, "Excel 97-2003 (.xls)")


def _open_markup(path: Path, kind, mapping, chunk_rows, size, sniffed: str) -> TableReader:
    raw = path.read_bytes()
    try:
        if sniffed == "spreadsheetml":
            sheets, fmt = spreadsheetml_sheets(raw), "XML Spreadsheet 2003"
        else:
            sheets, fmt = html_sheets(raw), "HTML table (web 'Excel' download)"
    except NotATable as exc:
        raise ImportFileError(path.name, f"không đọc được bảng trong tệp: {exc}", f"no readable table in the file: {exc}") from exc
    return _open_grid(path, kind, mapping, chunk_rows, size, sheets, fmt)


def _open_json(path: Path, kind, mapping, chunk_rows, size, head: bytes) -> TableReader:
    encoding = _detect_encoding(head) if not head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-16"
    try:
        sheet, service, n = portal_sheet(path, encoding)
    except NotPortalJSON as exc:
        raise ImportFileError(path.name, f"tệp JSON không đọc được: {exc}", f"cannot read the JSON file: {exc}") from exc
    if n == 0:
        raise ImportFileError(path.name, "tệp JSON không có bản ghi hồ sơ nào", "the JSON file holds no dossier records")
    fmt = f"national portal sync payload ({service})" if service else "JSON list of portal records"
    return _open_grid(path, kind, mapping, chunk_rows, size, [sheet], fmt)
