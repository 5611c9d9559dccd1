"""Read CSV and XLSX files as a stream of chunks of text columns (memory bounded).

CSV: encoding detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, otherwise Windows-1258
Vietnamese), separator detected among ``, ; tab |``, read with pandas in chunks.
XLSX: openpyxl in read-only mode, every sheet whose header row names the required
columns; header rows split over two lines by merged cells are combined.

Each chunk is a DataFrame of stripped strings, one column per recognised field,
plus ``_line`` (the row number the user sees in a text editor or Excel) and ``_where``
(``"12"`` or ``"Sheet2!12"``) used by the rejected-rows report. A CSV row with more fields
than the header comes with a reason in ``_reject_vi``/``_reject_en`` (see ``split_rejected``).
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from .columns import FIELDS, INFO_FIELDS, fold, match_headers, missing_required

SAMPLE_BYTES = 256 * 1024
HEADER_SCAN_ROWS = 15
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
    if suffix in (".xlsx", ".xlsm") or is_zip:
        if not is_zip:
            raise ImportFileError(name, "không phải tệp Excel .xlsx hợp lệ", "not a valid .xlsx workbook")
        return _open_xlsx(path, kind, mapping, chunk_rows, size)
    if suffix == ".xls" or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(name, "định dạng Excel 97-2003 (.xls) chưa hỗ trợ: lưu lại thành .xlsx hoặc .csv",
                              "Excel 97-2003 (.xls) is not supported: save it as .xlsx or .csv")
    return _open_csv(path, kind, mapping, chunk_rows, size, head)


# ---------------------------------------------------------------- header detection

def _best_header(kind: str, rows: list[list], mapping) -> tuple[int, dict[int, str]]:
    """Index of the header row among the first rows and its column->field map.

    A header split over two rows by merged cells (``Ngày`` over ``Tiếp nhận | Hẹn trả``)
    is read as ``Ngày tiếp nhận``: the upper row is filled rightwards like a merged cell.
    """
    best_i, best_map = -1, {}
    for i, row in enumerate(rows):
        own = match_headers(kind, row, mapping)
        combined = dict(own)
        if i > 0:
            upper, last = [], ""
            for v in rows[i - 1]:
                last = str(v).strip() if v not in (None, "") else last
                upper.append(last)
            alt = []
            for j, v in enumerate(row):
                top = upper[j] if j < len(upper) else ""
                own_text = "" if v is None else str(v).strip()
                alt.append(f"{top} {own_text}".strip() if own_text else top)
            for j, f in match_headers(kind, alt, mapping).items():
                if j not in combined and f not in combined.values():
                    combined[j] = f
        if len(combined) > len(best_map):
            best_i, best_map = i, combined
    return best_i, best_map


def _names_inside(kind: str, cell) -> int:
    """How many known column names a single cell contains (several: a wrong separator)."""
    text = fold(cell)
    return sum(1 for f in FIELDS[kind] if any(fold(h) in text for h in f.headers))


def _check_header(name: str, kind: str, matched: dict[int, str], first_row: list, where: str, text_file: bool = True):
    cells = [v for v in first_row if v not in (None, "")]
    shown = ", ".join(str(v) for v in cells[:6])[:120] or "(trống / blank)"
    if text_file and len(cells) == 1 and len(matched) < 2 and _names_inside(kind, cells[0]) >= 2:
        raise ImportFileError(f"{name} {where}", f"chỉ có 1 cột: dấu phân cách không phải , ; tab hoặc | ({shown})",
                              f"only one column: the separator is not , ; tab or | ({shown})")
    if not matched:
        example = ", ".join(f.label for f in FIELDS[kind] if f.required)
        raise ImportFileError(f"{name} {where}", f"không tìm thấy dòng tiêu đề của bảng ({shown}); cần các cột: {example}",
                              f"no table header found ({shown}); expected columns: {example}")
    missing = missing_required(kind, matched)
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


def _open_csv(path: Path, kind, mapping, chunk_rows, size, head) -> TableReader:
    name = path.name
    encoding = _detect_encoding(head)
    if _looks_binary(head, encoding):
        raise ImportFileError(name, "không phải tệp bảng (nội dung nhị phân)", "not a table (binary content)")
    text = head.decode(encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="replace")
    if not text.strip():
        raise ImportFileError(name, "tệp rỗng (chỉ có khoảng trắng)", "the file is empty (only blank space)")
    lines = text.splitlines()
    if len(head) == SAMPLE_BYTES:
        lines = lines[:-1]
    delimiter = _detect_delimiter(lines[:HEADER_SCAN_ROWS])
    rows = list(csv.reader(io.StringIO("\n".join(lines[:HEADER_SCAN_ROWS])), delimiter=delimiter))
    rows = [[unicodedata.normalize("NFC", c) for c in r] for r in rows]
    h, matched = _best_header(kind, rows, mapping)
    _check_header(name, kind, matched, rows[max(h, 0)] if rows else [], f"dòng/line {max(h, 0) + 1}")
    header_line = h + 1  # 1-based line of the header (the lower row of a two-row header)
    data_lines = [ln for ln in lines[header_line:] if ln.strip()]
    if not data_lines and len(head) < SAMPLE_BYTES:
        raise ImportFileError(f"{name} dòng/line {header_line}", "chỉ có dòng tiêu đề, không có dữ liệu",
                              "only a header row, no data rows")
    avg = max(1, len("\n".join(lines[header_line:]).encode(encoding.replace("-sig", ""), errors="replace")) // max(1, len(lines) - header_line))
    est_rows = max(1, (size - len("\n".join(lines[:header_line]).encode("utf-8", errors="replace"))) // avg)
    ncols = len(rows[h])
    positions = [p for p in sorted(matched) if matched[p] not in INFO_FIELDS or kind != "dossiers"]
    # One name more than the header: a row with one field too many puts it there (empty when the
    # line merely ends with a delimiter); rows with more are dropped by the parser with a warning.
    # Without usecols: with it pandas silently cuts long rows, and a name no row reaches is an error.
    names = [f"c{i}" for i in range(ncols + 1)]
    beyond = f"c{ncols}"
    nfc = encoding == "cp1258"

    def chunks():
        line = header_line + 1
        pending: dict[int, int] = {}  # line -> number of fields, for rows the parser dropped
        try:
            reader = pd.read_csv(path, sep=delimiter, encoding=encoding, header=None, names=names, skiprows=header_line,
                                 dtype=object, keep_default_na=False, na_filter=False, skip_blank_lines=False,
                                 chunksize=chunk_rows, quotechar='"', engine="c", index_col=False, on_bad_lines="warn")
            while True:
                with _dropped_rows(pending):
                    raw = next(reader, None)
                if raw is None:
                    break
                n = len(raw)
                lines, line = _row_lines(line, n, pending)
                df = pd.DataFrame({matched[p]: _strip(raw[f"c{p}"].to_numpy(), nfc) for p in positions}, dtype=object)
                extra = raw[beyond].to_numpy()
                over = extra != ""  # a value past the header (most rows: none, "")
                if over.any():
                    extra = _strip(extra, nfc)
                    over = extra != ""
                keep = over.copy()
                for c in df.columns:
                    keep |= (df[c] != "").to_numpy()
                df["_line"] = lines
                df = df[keep]
                dropped = sorted(s for s in pending if s < line)
                if over.any() or dropped:
                    df = _with_overlong(df, over[keep], extra[keep], ncols + 1,
                                        {s: pending.pop(s) for s in dropped}, ncols, delimiter)
                df["_where"] = df["_line"].astype(str).astype(object)
                yield df
            if pending:  # dropped rows after the last row read (the end of the file)
                df = _with_overlong(pd.DataFrame({matched[p]: pd.Series(dtype=object) for p in positions}
                                                 | {"_line": pd.Series(dtype="int64")}),
                                    np.zeros(0, dtype=bool), np.zeros(0, dtype=object), ncols + 1,
                                    dict(pending), ncols, delimiter)
                df["_where"] = df["_line"].astype(str).astype(object)
                yield df
        except pd.errors.ParserError as exc:
            msg = str(exc).strip().splitlines()[-1]
            # Rows with too many fields are rejected one by one (above); what is left is e.g. an unclosed quote.
            raise ImportFileError(name, f"cấu trúc CSV lỗi: {msg}", f"malformed CSV: {msg}") from exc
        except UnicodeDecodeError as exc:
            raise ImportFileError(name, f"mã hóa ký tự không hợp lệ ({encoding}) gần byte {exc.start}",
                                  f"invalid {encoding} text near byte {exc.start}") from exc

    return TableReader(path, kind, [matched[p] for p in positions], size, est_rows, encoding=encoding,
                       delimiter=delimiter, _chunks=chunks)


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


# ---------------------------------------------------------------- XLSX

def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour or v.minute or v.second) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return unicodedata.normalize("NFC", str(v)).strip()


def _open_xlsx(path: Path, kind, mapping, chunk_rows, size) -> TableReader:
    import openpyxl

    name = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(name, f"không đọc được tệp Excel ({exc.__class__.__name__})",
                              f"cannot read the Excel workbook ({exc.__class__.__name__})") from exc
    found, problems, est = [], [], 0
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
        rows = [[_cell_text(v) for v in r] for r in rows]
        if not any(any(r) for r in rows):
            problems.append((ws.title, "empty"))
            continue
        h, matched = _best_header(kind, rows, mapping)
        try:
            _check_header(name, kind, matched, rows[max(h, 0)], f"sheet '{ws.title}'", text_file=False)
        except ImportFileError as exc:
            problems.append((ws.title, exc))
            continue
        found.append((ws.title, h + 1, matched))
        est += max(0, (ws.max_row or 0) - h - 1)
    wb.close()
    if not found:
        real = [p for p in problems if isinstance(p[1], ImportFileError)]
        if real:
            raise real[0][1]
        raise ImportFileError(name, "tệp Excel không có trang tính nào chứa dữ liệu", "the workbook has no sheet with data")
    notes = [f"sheet '{t}' skipped: {p if isinstance(p, str) else p.en}" for t, p in problems]
    fields = []
    for _, _, m in found:
        for f in m.values():
            if f not in fields and not (kind == "dossiers" and f in INFO_FIELDS):
                fields.append(f)
    many = len(found) > 1

    def chunks():
        wb2 = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for title, header_row, matched in found:
                ws = wb2[title]
                positions = [p for p in sorted(matched) if matched[p] not in INFO_FIELDS or kind != "dossiers"]
                buf, lines = [], []
                for r_i, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
                    vals = [_cell_text(row[p]) if p < len(row) else "" for p in positions]
                    if not any(vals):
                        continue
                    buf.append(vals)
                    lines.append(r_i)
                    if len(buf) >= chunk_rows:
                        yield _frame(buf, lines, positions, matched, fields, title if many else None)
                        buf, lines = [], []
                if buf:
                    yield _frame(buf, lines, positions, matched, fields, title if many else None)
        finally:
            wb2.close()

    return TableReader(path, kind, fields, size, est or None, sheets=[t for t, _, _ in found], notes=notes, _chunks=chunks)


def _frame(buf, lines, positions, matched, fields, sheet):
    df = pd.DataFrame(buf, columns=[matched[p] for p in positions], dtype=object)
    for f in fields:
        if f not in df.columns:
            df[f] = pd.Series([""] * len(df), dtype=object)
    df["_line"] = lines
    where = np.empty(len(lines), dtype=object)
    where[:] = [f"{sheet}!{n}" if sheet else str(n) for n in lines]
    df["_where"] = where
    return df

