"""Engines and schema migrations."""
from __future__ import annotations

import contextlib
import os
import time
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, exc, inspect
from sqlalchemy.engine import Engine, make_url

from .config import database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or has no schema; the message says why."""


# What a database that is down, busy or too slow raises: pages show a banner for these.
DB_ERRORS = (DatabaseUnavailable, exc.OperationalError, exc.DBAPIError)


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message must not fail on a malformed setting
        return "the configured database"


WRITER_BUSY_TIMEOUT_S = 30  # the CLI and importer wait for each other

# Within one request, once a query has waited the whole busy timeout for a writer's lock, the
# request's later queries wait only AFTER_BUSY_WAIT_MS: a page asks several questions (the
# signed-in user, the tab title's province, the page's own figures), and full waits in a row
# added up past gunicorn's worker timeout, which kills the worker instead of showing the
# "busy" banner. None outside a request scope (the CLI and importer wait as they always did).
AFTER_BUSY_WAIT_MS = 100
_request_lock_state: ContextVar[dict | None] = ContextVar("tthc_request_lock_state", default=None)


def begin_request_scope() -> None:
    """Start a new request's memory of a busy database (the server calls this per request)."""
    _request_lock_state.set({"busy": False})


def busy_seen_in_request() -> bool:
    """True once a query of the current request scope failed on a writer's lock."""
    state = _request_lock_state.get()
    return bool(state and state["busy"])


def busy_timeout_ms() -> int:
    """``DB_BUSY_TIMEOUT_MS`` (default 3 s): how long the app waits for a lock a writer holds
    (SQLite's busy timeout, PostgreSQL's ``lock_timeout``) before the page says the database
    is busy. Well under gunicorn's worker timeout (30 s by default), so a long import never
    gets a worker killed mid-request."""
    try:
        return max(50, int(os.environ.get("DB_BUSY_TIMEOUT_MS", "3000")))
    except ValueError:
        return 3000


def make_engine(url: str | None = None, read_only: bool = False, statement_timeout_ms: int | None = None) -> Engine:
    """An engine for ``url``. The app's engine (:func:`get_engine`) is ``read_only`` and has a
    statement timeout; writers (CLI, importer, demo builder, tests) call this plainly.

    read_only: SQLite opens the file with ``mode=ro`` (a missing file is an error, never a
    new empty database); PostgreSQL sessions start ``default_transaction_read_only`` (the
    real guard there is a read-only role, see docs/security.md).
    statement_timeout_ms: PostgreSQL ``statement_timeout``; SQLite interrupts the statement
    from a progress handler. Either way the query fails with an error that
    :func:`is_timeout` recognises.
    The app's engine (``read_only``) also waits at most :func:`busy_timeout_ms` for a lock a
    writer holds (then :func:`is_busy`); writers wait 30 s for each other."""
    url = url or database_url()
    u = make_url(url)
    kwargs: dict = {"future": True}
    sqlite = u.get_backend_name() == "sqlite"
    if sqlite:
        busy_s = busy_timeout_ms() / 1000 if read_only else WRITER_BUSY_TIMEOUT_S
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_s}
        if read_only and u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            u = u.set(database=f"file:{u.database}").update_query_dict({"mode": "ro", "uri": "true"})
    else:
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
        if read_only or statement_timeout_ms:
            opts = [u.query.get("options", "")] if isinstance(u.query.get("options", ""), str) else list(u.query["options"])
            if read_only:
                opts.append("-c default_transaction_read_only=on")
            if statement_timeout_ms:
                opts.append(f"-c statement_timeout={int(statement_timeout_ms)}")
            if read_only:
                opts.append(f"-c lock_timeout={busy_timeout_ms()}")
            u = u.update_query_dict({"options": " ".join(o for o in opts if o)})
            kwargs["connect_args"] = {"connect_timeout": 5}
    engine = create_engine(u, **kwargs)
    if read_only:
        _wait_once_per_request(engine, sqlite)
    if sqlite:
        path = u.database[len("file:"):] if u.database and u.database.startswith("file:") else u.database

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, record):  # pragma: no cover - trivial
            record.info["busy_ms"] = int(busy_s * 1000)
            cur = dbapi_conn.cursor()
            if read_only and busy_seen_in_request():
                # A new connection's first statement waits for the lock too: after a failed
                # connect the pool opens a new one for every later query of the request.
                cur.execute(f"PRAGMA busy_timeout = {AFTER_BUSY_WAIT_MS}")
                record.info["short_wait"] = True
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()
            record.info["inode"] = _inode(path)
            if statement_timeout_ms:
                deadline = record.info.setdefault("deadline", [None])
                dbapi_conn.set_progress_handler(
                    lambda: 1 if deadline[0] is not None and time.monotonic() > deadline[0] else 0, 100000)

        if read_only and path and path != ":memory:":
            @event.listens_for(engine, "checkout")
            def _same_file(dbapi_conn, record, proxy):
                # A pooled connection keeps reading a file that was moved or replaced (an
                # import that swaps the file in): drop it and open the path afresh.
                if record.info.get("inode") != _inode(path):
                    raise exc.DisconnectionError("the database file was moved or replaced")

        if statement_timeout_ms:
            @event.listens_for(engine, "before_cursor_execute")
            def _start_clock(conn, cursor, statement, parameters, context, executemany):
                deadline = conn.connection._connection_record.info.get("deadline") if conn.connection._connection_record else None
                if deadline is not None:
                    deadline[0] = time.monotonic() + statement_timeout_ms / 1000

            @event.listens_for(engine, "after_cursor_execute")
            def _stop_clock(conn, cursor, statement, parameters, context, executemany):
                deadline = conn.connection._connection_record.info.get("deadline") if conn.connection._connection_record else None
                if deadline is not None:
                    deadline[0] = None
    return engine


def _wait_once_per_request(engine: Engine, sqlite: bool) -> None:
    """See AFTER_BUSY_WAIT_MS: note a busy error in the request scope; connections checked out
    after it wait briefly. SQLite's timeout is a connection setting, put back at check-in;
    PostgreSQL's is set for the transaction only, which the pool's reset rolls back."""

    @event.listens_for(engine, "handle_error")
    def _note_busy(ctx):
        state = _request_lock_state.get()
        if state is not None and is_busy(ctx.original_exception):
            state["busy"] = True

    @event.listens_for(engine, "checkout")
    def _short_wait(dbapi_conn, record, proxy):
        if not busy_seen_in_request() or record.info.get("short_wait"):
            return
        cur = dbapi_conn.cursor()
        try:
            if sqlite:
                cur.execute(f"PRAGMA busy_timeout = {AFTER_BUSY_WAIT_MS}")
                record.info["short_wait"] = True
            else:
                cur.execute("SELECT set_config('lock_timeout', %s, true)", (str(AFTER_BUSY_WAIT_MS),))
        finally:
            cur.close()

    if sqlite:
        @event.listens_for(engine, "checkin")
        def _usual_wait(dbapi_conn, record):
            if dbapi_conn is not None and record.info.pop("short_wait", False):
                dbapi_conn.execute(f"PRAGMA busy_timeout = {int(record.info.get('busy_ms', busy_timeout_ms()))}")


def _inode(path: str | None):
    try:
        return os.stat(path).st_ino if path else None
    except OSError:
        return None


def is_timeout(error: BaseException) -> bool:
    """True for a statement cancelled by the statement timeout (PostgreSQL or SQLite)."""
    orig = getattr(error, "orig", error)
    name = orig.__class__.__name__
    text = str(orig).lower()
    return name == "QueryCanceled" or "statement timeout" in text or text.strip() == "interrupted"


def is_busy(error: BaseException) -> bool:
    """True for a query that gave up waiting for a writer's lock (an import running)."""
    orig = getattr(error, "orig", error)
    text = str(orig).lower()
    return (orig.__class__.__name__ == "LockNotAvailable" or "database is locked" in text
            or "database table is locked" in text or "lock timeout" in text)


@contextlib.contextmanager
def short_lock_wait(conn, ms: int = 250):
    """Within the block, a lock held by a writer fails after ``ms`` (for /healthz, which must
    answer at once): SQLite's busy timeout for this connection, PostgreSQL's lock_timeout for
    this transaction."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(ms)}")
        try:
            yield
        finally:
            info = conn.connection._connection_record.info if conn.connection._connection_record else {}
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(info.get('busy_ms', busy_timeout_ms()))}")
    else:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(ms)}")
        yield


def statement_timeout_ms() -> int:
    """``STATEMENT_TIMEOUT_MS`` (default 15 s): no dashboard query should take longer."""
    try:
        return max(100, int(os.environ.get("STATEMENT_TIMEOUT_MS", "15000")))
    except ValueError:
        return 15000


def get_engine(url: str | None = None) -> Engine:
    """The app's engine, one per URL per process (engines own connection pools):
    read-only, with a statement timeout. Writers use :func:`make_engine`.

    The URL is resolved before the cache, so a changed DATABASE_URL gets its own engine."""
    return _app_engine(url or database_url())


@lru_cache(maxsize=8)
def _app_engine(url: str) -> Engine:
    return make_engine(url, read_only=True, statement_timeout_ms=statement_timeout_ms())


get_engine.cache_clear = _app_engine.cache_clear  # tests reset engines between databases


def alembic_config(url: str):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (what ``tthc db upgrade`` runs)."""
    command.upgrade(alembic_config(url or database_url()), revision)


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("dossier_month_stats")
