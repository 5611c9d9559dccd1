"""Import a dossier export: validate row by row, upsert by dossier code in one transaction.

Flow: the file is read in chunks; each chunk is parsed and validated with pandas and
its valid rows are bulk-loaded into a temporary staging table (executemany on SQLite,
COPY on PostgreSQL). Then, in SQL: codes that occur twice in the file are rejected,
changed dossiers are updated, new ones inserted, the aggregates of the touched months
rebuilt and an ``import_runs`` row written (the app's cache key follows it). Nothing
is committed unless all of that succeeds; nothing valid means nothing written.
"""
from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from ..aggregates import refresh_aggregates_for
from ..schema import CHANNEL_UNKNOWN, FINISHED_STATUSES, WITHDRAWN_STATUSES, Dossier, ImportRun
from .columns import AGENCY_SOURCES
from .dates import DateColumn, DateOrder
from .labels import Labels
from .readers import ImportFileError, open_table
from .report import RejectWriter, report_path_for
from .validate import DB_COLUMNS, LABEL, Catalog, validate_chunk

DATE_FIELDS = ("received_on", "due_on", "finished_on", "returned_on")

D = Dossier.__table__
DATE_COLS = ("received_on", "due_on", "deadline_on", "finished_on", "returned_on")
BOOL_COLS = ("by_postal_staff", "has_fee", "paid_online", "digitised", "e_result")
ALWAYS_SET = ("procedure_id", "agency_id", "level", "district_code", "commune_code", "channel", "received_on",
              "due_on", "deadline_on", "finished_on", "status")
OPTIONAL_SET = ("returned_on", "by_postal_staff", "supplement_days", "supplement_requests", "has_fee",
                "paid_online", "digitised", "e_result", "rating", "published_on_portal")


class NothingValid(ImportFileError):
    """Every row was rejected: the database is left as it was."""

    def __init__(self, where, vi, en, result: ImportResult):
        super().__init__(where, vi, en)
        self.result = result


@dataclass
class ImportResult:
    kind: str
    file_name: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows_read: int = 0
    report_path: Path | None = None
    run_id: int | None = None
    seconds: float = 0.0
    months_refreshed: int = 0
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase (benchmarks)
    skipped: int = 0  # rows that were not dossiers (totals, column numbers, signature blocks)
    fmt: str = ""
    sheets: list[str] = field(default_factory=list)
    date_order: str | None = None  # dmy / mdy, None when no value needed one
    date_order_text: str = ""
    procedures_added: list[str] = field(default_factory=list)
    sectors_added: list[str] = field(default_factory=list)
    unknown_channel: int = 0  # valid rows whose channel the file does not give
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    checked_only: bool = False

    def summary_line(self) -> str:
        verb = "would add" if self.checked_only else "added"
        line = (f"{self.file_name}: {self.rows_read:,} rows read — {verb} {self.added:,}, updated {self.updated:,}, "
                f"unchanged {self.unchanged:,}, rejected {self.rejected:,}")
        if self.skipped:
            line += f", skipped {self.skipped:,} (not dossiers)"
        line += f" ({self.seconds:.1f} s)"
        if self.report_path:
            line += f"; rejected rows: {self.report_path}"
        return line

    def detail_lines(self) -> list[str]:
        """What the summary line does not say: how the file was read and what else it changed."""
        out = []
        if self.fmt:
            out.append(f"format: {self.fmt}" + (f"; sheets: {', '.join(self.sheets)}" if len(self.sheets) > 1 else ""))
        if self.date_order_text:
            out.append(self.date_order_text)
        if self.procedures_added:
            shown = ", ".join(self.procedures_added[:8]) + (" …" if len(self.procedures_added) > 8 else "")
            verb = "to add" if self.checked_only else "added"
            out.append(f"procedures {verb} to the catalogue: {len(self.procedures_added):,} ({shown})"
                       + (f"; new sectors: {', '.join(self.sectors_added)}" if self.sectors_added else ""))
        if self.unknown_channel:
            out.append(f"channel not known: {self.unknown_channel:,} dossiers (stored as unknown, left out of the online share)")
        for reason, n in self.top_reasons:
            out.append(f"rejected {n:,}×: {reason}")
        return out


def staging_table() -> Table:
    md = MetaData()
    return Table(
        "imp_staging", md,
        Column("line", Integer), Column("line_label", String(80)), Column("code", String(40)),
        Column("procedure_id", Integer), Column("agency_id", Integer), Column("level", String(10)),
        Column("district_code", String(10)), Column("commune_code", String(10)), Column("channel", SmallInteger),
        Column("by_postal_staff", Boolean), Column("received_on", Date), Column("due_on", Date),
        Column("deadline_on", Date), Column("finished_on", Date), Column("returned_on", Date),
        Column("supplement_days", SmallInteger), Column("supplement_requests", SmallInteger),
        Column("status", SmallInteger), Column("has_fee", Boolean), Column("paid_online", Boolean),
        Column("digitised", Boolean), Column("e_result", Boolean), Column("rating", String(12)),
        Column("published_on_portal", Boolean),
        prefixes=["TEMPORARY"],
    )


STAGING_COLS = ["line", "line_label", *DB_COLUMNS]


def _iso(values: np.ndarray) -> np.ndarray:
    """ISO text of dates (None for NaT), formatting each distinct day once."""
    days = np.asarray(values).astype("datetime64[D]")
    uniq, inverse = np.unique(days, return_inverse=True)
    text = np.datetime_as_string(uniq).astype(object)
    text[np.isnat(uniq)] = None
    return text[inverse.ravel()]


def _load_staging(conn: Connection, good: pd.DataFrame) -> None:
    """Bulk-load validated rows into the staging table on the transaction's own connection."""
    n = len(good)
    if n == 0:
        return
    # "line" is the row's position in the whole file (sheets one after another): it orders rows and numbers new ids.
    cols: dict[str, np.ndarray] = {"line": good["_seq"].to_numpy(), "line_label": good["_where"].to_numpy()}
    pg = conn.dialect.name == "postgresql"
    for c in DB_COLUMNS:
        v = good[c]
        if c in DATE_COLS:
            cols[c] = _iso(v.to_numpy())
        elif c in BOOL_COLS:
            arr = v.to_numpy().astype(bool)
            cols[c] = np.where(arr, "t", "f").astype(object) if pg else arr.astype(int).astype(object)
        elif c == "published_on_portal":  # yes / no / not said
            arr = v.to_numpy(dtype=object)
            yes, no = ("t", "f") if pg else (1, 0)
            cols[c] = np.array([None if x is None else (yes if x else no) for x in arr], dtype=object)
        elif c in ("district_code", "commune_code", "rating"):
            arr = v.to_numpy().astype(object)
            arr[pd.isna(arr)] = None
            cols[c] = arr
        else:
            cols[c] = v.to_numpy()
    dbapi = conn.connection.driver_connection
    if pg:
        frame = pd.DataFrame({c: cols[c] for c in STAGING_COLS})
        payload = frame.to_csv(header=False, index=False, na_rep="")
        with dbapi.cursor() as cur:
            with cur.copy(f"COPY imp_staging ({', '.join(STAGING_COLS)}) FROM STDIN WITH (FORMAT csv)") as cp:
                cp.write(payload)
    else:
        rows = zip(*(cols[c].tolist() for c in STAGING_COLS))
        cur = dbapi.cursor()
        try:
            cur.executemany(f"INSERT INTO imp_staging ({', '.join(STAGING_COLS)}) VALUES ({', '.join('?' * len(STAGING_COLS))})", rows)
        finally:
            cur.close()


def _as_date(v):
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


class _Reasons:
    """The most frequent reasons rows were rejected, for the summary (and --check, which writes no report)."""

    def __init__(self, writer: RejectWriter | None):
        self.writer = writer
        self.counts: dict[str, int] = {}
        self.entries = 0

    def write(self, rows) -> None:
        if isinstance(rows, pd.DataFrame):
            if rows.empty:
                return
            reasons = rows["reason_en"].tolist()
        else:
            if not rows:
                return
            reasons = [r[4] for r in rows]
        for r in reasons:
            key = r if len(r) < 90 else r[:87] + "…"
            self.counts[key] = self.counts.get(key, 0) + 1
        self.entries += len(reasons)
        if self.writer is not None:
            self.writer.write(rows)

    def close(self):
        return self.writer.close() if self.writer is not None else None

    def top(self, n: int = 5) -> list[tuple[str, int]]:
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _sheet_hints(reader, cat: Catalog, name: str) -> None:
    """What each sheet's title block names; a sheet with no agency column must name its desk there."""
    for sheet, context in reader.contexts.items():
        hints = cat.names.sheet_hints(context, sheet)
        cat.hints[sheet] = hints
        if not (AGENCY_SOURCES & reader.sheet_fields.get(sheet, set())) and hints.agency_code is None:
            where = f"{name} sheet '{sheet}'" if sheet else name
            shown = " / ".join(context[:3])[:160] or "—"
            raise ImportFileError(where, f"không có cột cơ quan tiếp nhận và tiêu đề sổ không ghi tên bộ phận một cửa có trong "
                                  f"danh mục ({shown})",
                                  f"no receiving-agency column, and the title block names no desk of the catalogue ({shown})")


def import_dossiers(engine: Engine, path, *, mapping: dict | None = None, command: str = "tthc import dossiers",
                    report_dir=None, chunk_rows: int = 100_000, progress=None, date_order: str | None = None,
                    labels: Labels | str | None = None, check: bool = False, reader=None) -> ImportResult:
    """Import one dossier file; returns the counts. Raises ImportFileError (database unchanged).

    ``date_order``: ``dmy``/``mdy`` when the file's own values cannot tell (see ``dates``).
    ``labels``: a province's own wordings (a ``Labels`` or the path of its JSON file; default:
    TTHC_IMPORT_LABELS). ``check``: read and validate everything, count what an import would
    do, write nothing (not even the rejected-rows report)."""
    t0 = time.perf_counter()
    started = dt.datetime.now()
    path = Path(path)
    if not isinstance(labels, Labels):
        labels = Labels.load(labels)
    mapping = {**labels.headers, **(mapping or {})}
    reader = reader or open_table(path, "dossiers", mapping, chunk_rows=chunk_rows)
    result = ImportResult("dossiers", path.name, notes=list(reader.notes), fmt=reader.fmt, sheets=list(reader.sheets),
                          checked_only=check)
    reasons = _Reasons(None if check else RejectWriter(report_path_for(path, report_dir)))
    fields = set(reader.fields)
    order = DateOrder(path.name, date_order, labels=LABEL)
    st = staging_table()
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                _tune_transaction(conn)
                cat = Catalog.load(conn, labels)
                cat.fields = fields
                _sheet_hints(reader, cat, path.name)
                _stage_rows(conn, st, reader, cat, order, result, reasons, progress)
                result.timings["read, validate, stage"] = time.perf_counter() - t0
                _settle_staged(conn, st, cat, result, reasons)
                if check:
                    _upsert(conn, st, fields, result, dry_run=True)
                    trans.rollback()
                    result.seconds = time.perf_counter() - t0
                    return result
                cat.write_additions(conn)
                _upsert(conn, st, fields, result)
                result.report_path = reasons.close()
                result.seconds = time.perf_counter() - t0
                result.run_id = _record_run(conn, result, started, command, path)
                st.drop(conn)
                trans.commit()
            except BaseException:
                if trans.is_active:
                    trans.rollback()
                raise
    finally:
        reasons.close()
    result.seconds = time.perf_counter() - t0
    return result


def _tune_transaction(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # For this transaction only: sorts, hashes and index builds in memory, not spilled to disk.
        conn.execute(text("SET LOCAL work_mem = '128MB'"))
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))


def _stage_rows(conn: Connection, st: Table, reader, cat: Catalog, order: DateOrder, result: ImportResult,
                reasons: _Reasons, progress) -> None:
    """Read, validate and load every row into the staging table; count what was read, skipped and
    rejected; settle the file's date order. A file with no dossier row at all is refused."""
    st.drop(conn, checkfirst=True)
    st.create(conn)
    for n_rows, good, rejects, n_bad, n_skipped in _validated_chunks(reader, cat, order):
        result.rows_read += n_rows - n_skipped
        result.skipped += n_skipped
        reasons.write(rejects)
        result.rejected += n_bad
        _load_staging(conn, good)
        if progress:
            progress(n_rows)
    if result.rows_read == 0:
        raise ImportFileError(result.file_name, "không có dòng hồ sơ nào (chỉ có tiêu đề, dòng tổng, chữ ký)",
                              "no dossier rows (only headers, totals or signatures)")
    result.date_order = order.order
    described = order.describe()
    result.date_order_text = described[1] if described else ""


def _settle_staged(conn: Connection, st: Table, cat: Catalog, result: ImportResult, reasons: _Reasons) -> None:
    """Reject codes the file gives twice, and count what is left: none valid refuses the file
    (NothingValid, with the report); else the unknown channels and the catalogue's additions."""
    conn.execute(text("CREATE INDEX ix_imp_staging_code ON imp_staging (code)"))
    result.rejected += _reject_duplicates(conn, st, reasons)
    result.top_reasons = reasons.top()
    valid = conn.execute(select(func.count()).select_from(st)).scalar_one()
    if valid == 0:
        result.report_path = reasons.close()
        where = f", xem {result.report_path}" if result.report_path else ""
        where_en = f", see {result.report_path}" if result.report_path else ""
        raise NothingValid(result.file_name, f"không có dòng hợp lệ: {result.rejected:,} dòng bị từ chối{where}",
                           f"no valid rows: {result.rejected:,} rows rejected{where_en}", result)
    result.unknown_channel = conn.execute(select(func.count()).select_from(st)
                                          .where(st.c.channel == CHANNEL_UNKNOWN)).scalar_one()
    result.procedures_added = list(cat.new_procedures)
    result.sectors_added = list(cat.new_sectors)


def _record_run(conn: Connection, result: ImportResult, started: dt.datetime, command: str, path: Path) -> int:
    """The import_runs row (the history page, and the app's cache key); its id."""
    return conn.execute(insert(ImportRun).returning(ImportRun.id), [dict(
        started_at=started, finished_at=dt.datetime.now(), command=command[:200], kind="dossiers",
        file_name=str(path)[-400:], added=result.added, updated=result.updated, unchanged=result.unchanged,
        rejected=result.rejected, skipped=result.skipped, details="\n".join(result.detail_lines())[:4000] or None,
        report_path=str(result.report_path) if result.report_path else None,
        status="ok" if result.rejected == 0 else "partial")]).scalar_one()


def _evidence(chunk: pd.DataFrame) -> dict:
    return {c: DateColumn(chunk[c]).evidence() for c in DATE_FIELDS if c in chunk.columns}


def _validated_chunks(reader, cat: Catalog, order: DateOrder):
    """Read and validate the next chunk in a thread while the database loads this one
    (pandas parsing and SQLite/psycopg both release the GIL). At most one chunk waits,
    so memory stays bounded; an error in the reader is raised here.

    The day/month order is the file's: each chunk adds its evidence (a contradiction ends the
    import); when a chunk holds ambiguous dates and nothing so far tells the order, the whole
    file's dates are scanned first (rare: a real export soon has a day over 12)."""
    q: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def produce():
        seq = 0
        scanned = False
        try:
            for chunk in reader.chunks():
                if stop.is_set():
                    return
                order.add(_evidence(chunk))
                if order.order is None and order.ambiguous and not scanned:
                    whole = DateOrder(order.file_name, order.forced, order.labels)
                    for other in reader.chunks():
                        whole.add(_evidence(other))
                    order.columns = whole.columns
                    scanned = True
                cat.order = order.check()
                chunk["_seq"] = np.arange(seq + 1, seq + len(chunk) + 1)
                seq += len(chunk)
                q.put((len(chunk), *validate_chunk(chunk, cat)))
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(exc)

    worker = threading.Thread(target=produce, name="import-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get(timeout=0.1)
            except queue.Empty:
                pass
        worker.join()


def _reject_duplicates(conn: Connection, st: Table, report) -> int:
    """A dossier code may appear once per file: every occurrence of a repeated code is rejected."""
    dup_codes = select(st.c.code).group_by(st.c.code).having(func.count() > 1)
    rows = conn.execute(select(st.c.code, st.c.line_label, st.c.line).where(st.c.code.in_(dup_codes))
                        .order_by(st.c.code, st.c.line)).all()
    if not rows:
        return 0
    by_code: dict[str, list[str]] = {}
    for code, where, _ in rows:
        by_code.setdefault(code, []).append(where)
    out = []
    for code, where, seq in rows:
        wheres = by_code[code]
        shown = ", ".join(wheres[:5]) + (" …" if len(wheres) > 5 else "")
        out.append((seq, where, "Mã hồ sơ", code, f"mã hồ sơ trùng trong tệp (dòng {shown})",
                    f"dossier code repeated in the file (lines {shown})"))
    out.sort(key=lambda r: r[0])
    report.write([r[1:] for r in out])
    conn.execute(st.delete().where(st.c.code.in_(select(st.c.code).group_by(st.c.code).having(func.count() > 1))))
    return len(rows)


BULK_ROWS = 50_000


def _secondary_indexes(conn: Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the dossier indexes (the unique code index too: the staging
    rows are already unique and new, so it can be rebuilt once, sorted, after the insert)."""
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='dossiers' "
                                 "AND sql IS NOT NULL")).all()
    elif conn.dialect.name == "postgresql":
        rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename='dossiers' "
                                 "AND schemaname=current_schema() AND indexname != 'pk_dossiers'")).all()
    else:
        rows = []
    return [(r[0], r[1]) for r in rows]


def _upsert(conn: Connection, st: Table, fields: set[str], result: ImportResult, dry_run: bool = False) -> None:
    present = set(OPTIONAL_SET)
    if "returned_on" not in fields:
        present.discard("returned_on")
    for c in OPTIONAL_SET:
        if c != "returned_on" and c not in fields:
            present.discard(c)
    sets = {c: st.c[c] for c in ALWAYS_SET}
    sets.update({c: st.c[c] for c in present})
    # A channel the file does not give never replaces a known one.
    sets["channel"] = case((st.c.channel == CHANNEL_UNKNOWN, D.c.channel), else_=st.c.channel)
    if "status" not in fields:
        # A status derived from the dates (a register without a status column) never undoes
        # a finished, returned, refused or withdrawn dossier's own status.
        sets["status"] = case((D.c.status.in_(FINISHED_STATUSES + WITHDRAWN_STATUSES), D.c.status), else_=st.c.status)
    if "supplement_days" not in fields:
        # Not told the supplement time: keep a deadline an earlier import derived from it.
        sets["deadline_on"] = case((D.c.supplement_days == 0, st.c.deadline_on), else_=D.c.deadline_on)
    changed = or_(*[D.c[c].is_distinct_from(expr) for c, expr in sets.items()])
    match = D.c.code == st.c.code

    matched = conn.execute(select(func.count()).select_from(st.join(D, match))).scalar_one()
    upd_n, old_first, new_first = conn.execute(
        select(func.count(), func.min(D.c.received_on), func.min(st.c.received_on))
        .select_from(st.join(D, match)).where(changed)).one()
    total = conn.execute(select(func.count()).select_from(st)).scalar_one()
    new_first_added = conn.execute(select(func.min(st.c.received_on)).where(~exists().where(match))).scalar()
    result.updated, result.unchanged, result.added = upd_n, matched - upd_n, total - matched
    if dry_run:
        return

    t = time.perf_counter()
    if upd_n:
        conn.execute(update(D).values(**sets).where(match).where(changed))
    if result.added:
        max_id, existing = conn.execute(select(func.coalesce(func.max(D.c.id), 0), func.count()).select_from(D)).one()
        # A large load (a first import) is faster with the secondary indexes built once afterwards.
        rebuild = _secondary_indexes(conn) if result.added > max(BULK_ROWS, existing) else []
        # New ids: after the largest, in file order (gaps where rows were rejected or matched).
        sel = select((literal(int(max_id)) + st.c.line).label("id"), *[st.c[c] for c in DB_COLUMNS])
        if rebuild:
            # Leave only the new rows in staging while the code index still answers, then load without it.
            if matched:
                conn.execute(st.delete().where(exists().where(match)))
            for name, _ in rebuild:
                conn.execute(text(f"DROP INDEX {name}"))
        else:
            sel = sel.where(~exists().where(match))
        conn.execute(insert(D).from_select(["id", *DB_COLUMNS], sel))
        for _, ddl in rebuild:
            conn.execute(text(ddl))
    result.timings["update, insert"] = time.perf_counter() - t
    t = time.perf_counter()
    firsts = [_as_date(v) for v in (old_first, new_first, new_first_added) if v is not None]
    if firsts:
        first = min(firsts)
        result.months_refreshed = refresh_aggregates_for(conn, [first.year * 100 + first.month])
    result.timings["aggregates"] = time.perf_counter() - t
