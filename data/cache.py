"""Query-result cache (flask-caching): in-process by default, Redis with ``CACHE_REDIS_URL``.

Keys hold the function, every argument (filters are frozen dataclasses, so
their repr names every field, access scope included) and the data version,
which changes when an import lands, so new data shows without a restart.
"""
from __future__ import annotations

import collections
import contextvars
import functools
import hashlib
import os
import time
import zlib

from flask_caching import Cache

cache = Cache()
_configured = False
_versions: dict[str, tuple[str, float]] = {}  # engine URL -> (version, checked at)
VERSION_TTL = 5.0  # seconds between checks of the data version


def init_cache(server) -> None:
    """``CACHE_REDIS_URL`` shares the cache between workers and servers; ``TTHC_CACHE=off``
    turns it off (every request queries: what the benchmark calls a cold cache)."""
    global _configured
    redis_url = os.environ.get("CACHE_REDIS_URL")
    if _cache_off():
        config = {"CACHE_TYPE": "NullCache"}
    elif redis_url:
        # A week: keys carry the data version, so an entry is never served for other data;
        # Redis (allkeys-lru) evicts what is not used. Long enough that a warm-up (tthc warm) lasts.
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_DEFAULT_TIMEOUT": 7 * 24 * 3600,
                  "CACHE_KEY_PREFIX": "tthc:"}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_THRESHOLD": 5000}
    cache.init_app(server, config=config)
    _configured = True


def data_version(engine) -> str:
    """The latest import run: any import changes it (checked every few seconds, per database)."""
    now = time.monotonic()
    url = str(engine.url)
    value, checked = _versions.get(url, (None, 0.0))
    if value is None or now - checked > VERSION_TTL:
        from sqlalchemy import select

        from .schema import ImportRun

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
        if not _configured or _cache_off():
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


# Set while a layout renders: the page calls keep_out_of_cache() when it corrected the URL
# (a bad value and a note naming it): such a render is served but never stored, so odd
# URLs cannot fill the cache with one entry each.
_render_flags: contextvars.ContextVar[list | None] = contextvars.ContextVar("tthc_render_flags", default=None)


def keep_out_of_cache() -> None:
    """The layout being rendered is not a canonical view (it corrected the URL): do not store it."""
    flags = _render_flags.get()
    if flags is not None:
        flags.append("corrected")


def cached_layout(layout_fn):
    """Memoise a page's ``layout(**url_params)`` as JSON, for pages whose layout is a pure
    function of the URL, the user's access (scope and role: data.auth.access_key) and the data (no per-session tokens, no
    clock). A hit is a dict tree that Dash sends as is: no figure is rebuilt, no component
    re-validated (unpickling component objects costs more than building some of them).

    Use under ``@guard_layout``, which passes only the page's known URL parameters, and
    only when they are spelled canonically: an error is raised, not cached, and a render
    that corrected the URL (:func:`keep_out_of_cache`) is served, not stored.
    """

    @functools.wraps(layout_fn)
    def wrapper(**kwargs):
        if not _configured:
            return layout_fn(**kwargs)
        import json

        from plotly.io.json import to_json_plotly

        from .auth import access_key
        from .db import get_engine

        engine = get_engine()
        # Down or busy: raised here (guard_layout shows the banner) rather than waiting again in the layout.
        raw = (f"layout|{layout_fn.__module__}.{layout_fn.__qualname__}|{engine.url!r}|{data_version(engine)}"
               f"|{access_key()}|{sorted(kwargs.items())!r}")
        key = "layout:" + hashlib.sha1(raw.encode()).hexdigest()
        hit = _layout_get(key)
        if hit is not None:
            return json.loads(hit)
        token = _render_flags.set([])
        try:
            value = layout_fn(**kwargs)
            corrected = bool(_render_flags.get())
        finally:
            _render_flags.reset(token)
        if not corrected:
            _layout_set(key, to_json_plotly(value))
        return value

    wrapper.uncached = layout_fn
    return wrapper


# Layouts are large (up to a few hundred KB of JSON), so they are kept zlib-compressed
# (~7x smaller at the fastest level: ~1 ms for 150 KB, decompressing ~0.1 ms). In Redis
# they share its memory limit; in-process each worker keeps an LRU of its own, bounded
# by count: 1,024 pages ≈ 7–10 MB per worker.
LAYOUT_LRU_SIZE = 1024
_layout_lru: "collections.OrderedDict[str, bytes]" = collections.OrderedDict()


def _shared_backend() -> bool:
    return os.environ.get("CACHE_REDIS_URL") is not None and not _cache_off()


def _cache_off() -> bool:
    return os.environ.get("TTHC_CACHE", "").lower() in ("off", "0", "none", "no")


def _layout_get(key: str) -> str | None:
    if _cache_off():
        return None
    if _shared_backend():
        hit = cache.get(key)
    else:
        hit = _layout_lru.get(key)
        if hit is not None:
            _layout_lru.move_to_end(key)
    return zlib.decompress(hit).decode() if isinstance(hit, bytes) else hit


def _layout_set(key: str, value: str) -> None:
    if _cache_off():
        return
    packed = zlib.compress(value.encode(), 1)
    if _shared_backend():
        cache.set(key, packed)
        return
    _layout_lru[key] = packed
    while len(_layout_lru) > LAYOUT_LRU_SIZE:
        _layout_lru.popitem(last=False)
