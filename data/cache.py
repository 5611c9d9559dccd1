"""Query-result cache (flask-caching): in-process by default, Redis with ``CACHE_REDIS_URL``.

Keys hold the function, every argument (filters are frozen dataclasses, so
their repr names every field, access scope included) and the data version,
which changes when an import lands, so new data shows without a restart.
The same store keeps the rendered pages (server.page_cache).
"""
from __future__ import annotations

import functools
import hashlib
import os
import time

from flask_caching import Cache
from sqlalchemy import select

from .schema import ImportRun

cache = Cache()
_configured = False
_versions: dict[str, tuple[str, float]] = {}  # engine URL -> (version, checked at)
VERSION_TTL = 5.0  # seconds between checks of the data version


def init_cache(server, release: str = "") -> None:
    """``CACHE_REDIS_URL`` shares the cache between workers and servers; ``TTHC_CACHE=off``
    turns it off (every request queries: what the benchmark calls a cold cache). ``release``:
    the running code's fingerprint (server.release), so another version never reads these entries."""
    global _configured
    redis_url = os.environ.get("CACHE_REDIS_URL")
    if cache_off():
        config = {"CACHE_TYPE": "NullCache"}
    elif redis_url:
        # A week: keys carry the data version, so an entry is never served for other data;
        # Redis (allkeys-lru) evicts what is not used. Long enough that a warm-up (tthc warm) lasts.
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_DEFAULT_TIMEOUT": 7 * 24 * 3600,
                  "CACHE_KEY_PREFIX": f"tthc:{release}:" if release else "tthc:"}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_THRESHOLD": 5000}
    cache.init_app(server, config=config)
    _configured = True


def configured() -> bool:
    """Whether the app set the cache up (:func:`init_cache`); scripts and tests may not have."""
    return _configured


def cache_off() -> bool:
    """``TTHC_CACHE=off``: nothing is cached (what the benchmarks call a cold cache)."""
    return os.environ.get("TTHC_CACHE", "").lower() in ("off", "0", "none", "no")


def shared_backend() -> bool:
    """A cache the workers share (Redis), rather than one per process."""
    return os.environ.get("CACHE_REDIS_URL") is not None and not cache_off()


def data_version(engine) -> str:
    """The latest import run: any import changes it (checked every few seconds, per database)."""
    now = time.monotonic()
    url = str(engine.url)
    value, checked = _versions.get(url, (None, 0.0))
    if value is None or now - checked > VERSION_TTL:
        with engine.connect() as conn:
            # with its time: a rebuilt database restarts the ids at 1 but not the clock
            latest = conn.execute(select(ImportRun.id, ImportRun.started_at).order_by(ImportRun.id.desc()).limit(1)).first()
        value = f"{latest[0]}@{latest[1]}" if latest else "None@None"
        _versions[url] = (value, now)
    return value


def reset_version() -> None:
    """Forget the data versions: the next query checks again (after an import in this process)."""
    _versions.clear()


def cached_query(fn):
    """Memoise a query function ``fn(engine, *args)`` when the app has a cache."""

    @functools.wraps(fn)
    def wrapper(engine, *args, **kwargs):
        if not _configured:
            return fn(engine, *args, **kwargs)
        # A database that is down or busy fails here already: raised as it is, rather than
        # asking it a second time (a busy SQLite file would make the request wait twice).
        raw = f"{fn.__module__}.{fn.__qualname__}|{engine.url!r}|{data_version(engine)}|{args!r}|{sorted(kwargs.items())!r}"
        key = hashlib.sha1(raw.encode()).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            return hit
        value = fn(engine, *args, **kwargs)
        cache.set(key, value)
        return value

    wrapper.uncached = fn
    return wrapper


def cached_reference(fn):
    """``cached_query`` for small reference data (units, agencies, procedures and the label
    maps built from them) that every request of a page reads several times: kept in the
    worker's memory per data version as well, so a request neither recomputes nor unpickles
    it from Redis each time. Callers must only read what it returns (it is shared)."""
    shared = cached_query(fn)
    memo: dict[tuple, object] = {}

    @functools.wraps(fn)
    def wrapper(engine, *args):
        if not _configured or cache_off():
            return shared(engine, *args)
        key = (str(engine.url), data_version(engine), args)  # down or busy: raised (see cached_query)
        hit = memo.get(key)
        if hit is None:
            hit = shared(engine, *args)
            if len(memo) >= 8:  # a new data version or database: forget the old ones
                memo.clear()
            memo[key] = hit
        return hit

    wrapper.uncached = fn
    return wrapper
