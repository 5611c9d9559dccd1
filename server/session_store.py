"""Server-side records of signed-in sessions, so that signing out ends a session for good.

The session cookie is signed by Flask, not stored: on its own, a copy of it would keep
working after sign-out until its 12-hour age limit. So sign-in writes a record (a random
session id; the store keeps only its SHA-256) and every request checks that the record
is still there; sign-out deletes it. The cookie carries the id, the store decides.

Where the records live (``SESSION_STORE_URL``):

- ``redis://…``: shared by every worker of every app server (production). The default
  when ``CACHE_REDIS_URL`` is set.
- ``sqlite:///path``: a small file shared by the workers of one server; the default is
  ``var/sessions.sqlite``. The app's dossier database is read-only (and may be a replica),
  so the records never go there.

If the store cannot be reached, nobody is signed in (fail closed) and sign-in says so.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from data.config import ROOT

log = logging.getLogger("tthc.sessions")

LIFETIME_SECONDS = 12 * 3600  # the session cookie's own age limit (server.security)


class SessionStoreError(RuntimeError):
    """The store cannot be reached: treat as signed out."""


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SqliteSessionStore:
    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, user_id INTEGER NOT NULL, "
                         "expires REAL NOT NULL)")
            conn.execute("CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id)")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=2, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _run(self, sql: str, args: tuple = ()):
        try:
            return self._conn().execute(sql, args)
        except sqlite3.Error as exc:
            raise SessionStoreError(str(exc)) from exc

    def create(self, user_id: int, lifetime: float = LIFETIME_SECONDS) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.time()
        self._run("DELETE FROM sessions WHERE expires < ?", (now,))
        self._run("INSERT INTO sessions (sid, user_id, expires) VALUES (?, ?, ?)", (_digest(sid), int(user_id), now + lifetime))
        return sid

    def alive(self, sid: str | None, user_id: int) -> bool:
        if not sid:
            return False
        row = self._run("SELECT user_id, expires FROM sessions WHERE sid = ?", (_digest(sid),)).fetchone()
        return bool(row) and row[0] == int(user_id) and row[1] > time.time()

    def end(self, sid: str | None) -> None:
        if sid:
            self._run("DELETE FROM sessions WHERE sid = ?", (_digest(sid),))

    def end_all(self, user_id: int) -> int:
        return self._run("DELETE FROM sessions WHERE user_id = ?", (int(user_id),)).rowcount


class RedisSessionStore:
    PREFIX = "tthc:session:"

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def _run(self, fn, *args):
        import redis

        try:
            return fn(*args)
        except redis.RedisError as exc:
            raise SessionStoreError(str(exc)) from exc

    def create(self, user_id: int, lifetime: float = LIFETIME_SECONDS) -> str:
        sid = secrets.token_urlsafe(32)
        key = self.PREFIX + _digest(sid)
        pipe = self.redis.pipeline()
        pipe.set(key, str(int(user_id)), ex=int(lifetime))
        pipe.sadd(f"{self.PREFIX}user:{int(user_id)}", key)
        pipe.expire(f"{self.PREFIX}user:{int(user_id)}", int(lifetime))
        self._run(pipe.execute)
        return sid

    def alive(self, sid: str | None, user_id: int) -> bool:
        if not sid:
            return False
        value = self._run(self.redis.get, self.PREFIX + _digest(sid))
        return value is not None and value.decode() == str(int(user_id))

    def end(self, sid: str | None) -> None:
        if sid:
            self._run(self.redis.delete, self.PREFIX + _digest(sid))

    def end_all(self, user_id: int) -> int:
        members = self._run(self.redis.smembers, f"{self.PREFIX}user:{int(user_id)}")
        keys = list(members) + [f"{self.PREFIX}user:{int(user_id)}"]
        return self._run(self.redis.delete, *keys)


_store = None
_store_lock = threading.Lock()


def store_url() -> str:
    return (os.environ.get("SESSION_STORE_URL") or os.environ.get("CACHE_REDIS_URL")
            or f"sqlite:///{ROOT / 'var' / 'sessions.sqlite'}")


def make_store(url: str):
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisSessionStore(url)
    if url.startswith("sqlite:///"):
        return SqliteSessionStore(url[len("sqlite:///"):])
    raise ValueError(f"SESSION_STORE_URL: redis://… or sqlite:///path, not {url.split(':', 1)[0]}")


def get_store():
    """The process's store (made on first use, so the demo without sign-in never touches it)."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                _store = make_store(store_url())
    return _store
