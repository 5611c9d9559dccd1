"""The page cache: a page's whole rendered layout, stored per view.

Each page shows it on its layout, under the fault guard::

    @guard_layout                                         # server.faults: a banner, not a traceback
    @cached_page(params={"level": "province|district|commune"})  # the page's own URL parameters
    def layout(**kwargs): ...

A page's layout is a pure function of its URL parameters, the reader's access (scope and
role: data.auth.access_key) and the data: no per-session tokens, no clock. So it is stored
as JSON, keyed by all three (the data version changes when an import lands), in the query
cache's store (data.cache: Redis with ``CACHE_REDIS_URL``, else an LRU per worker). A hit
is a dict tree that Dash sends as is: no figure is rebuilt, no component re-validated.

What is never stored: unknown parameters (``?junk=1``) are dropped before the key is made;
a URL not spelled the one canonical way (components.params.is_canonical) is rendered
without the cache; a render that corrected the URL (components.params.keep_out_of_cache)
is served, not stored; an error is raised, not cached. ``TTHC_CACHE=off`` renders every
time (benchmarks, and tests that look at the components a layout builds).
"""
from __future__ import annotations

import collections
import functools
import hashlib
import json
import zlib

from plotly.io.json import to_json_plotly

from components.params import is_canonical, known_params, watching_corrections
from data import cache as store
from data.auth import access_key
from data.db import get_engine

# Layouts are large (up to a few hundred KB of JSON), so they are kept zlib-compressed
# (~7x smaller at the fastest level: ~1 ms for 150 KB, decompressing ~0.1 ms). In Redis
# they share its memory limit; in-process each worker keeps an LRU of its own, bounded
# by count: 1,024 pages ≈ 7–10 MB per worker.
LAYOUT_LRU_SIZE = 1024
_layout_lru: collections.OrderedDict[str, bytes] = collections.OrderedDict()


def cached_page(layout_fn=None, *, params: dict[str, str] | None = None):
    """Store ``layout_fn(**url_params)`` per view. ``params``: the page's own URL parameters
    besides year, district, sector and lang, each with the one spelling (a regular expression)
    under which its renders are stored; the layout gets only the known parameters."""
    params = dict(params or {})
    if layout_fn is None:
        return lambda fn: cached_page(fn, params=params)

    @functools.wraps(layout_fn)
    def layout(**kwargs):
        kwargs = known_params(kwargs, params)
        if not store.configured() or store.cache_off() or not is_canonical(kwargs, params):
            return layout_fn(**kwargs)
        engine = get_engine()
        # Down or busy: raised here (the fault guard shows the banner) rather than waiting again in the layout.
        raw = (f"layout|{layout_fn.__module__}.{layout_fn.__qualname__}|{engine.url!r}|{store.data_version(engine)}"
               f"|{access_key()}|{sorted(kwargs.items())!r}")
        key = "layout:" + hashlib.sha1(raw.encode()).hexdigest()
        hit = _get(key)
        if hit is not None:
            return json.loads(hit)
        with watching_corrections() as corrected:
            value = layout_fn(**kwargs)
        if not corrected:
            _set(key, to_json_plotly(value))
        return value

    return layout


def _get(key: str) -> str | None:
    if store.shared_backend():
        hit = store.cache.get(key)
    else:
        hit = _layout_lru.get(key)
        if hit is not None:
            _layout_lru.move_to_end(key)
    return zlib.decompress(hit).decode() if isinstance(hit, bytes) else hit


def _set(key: str, value: str) -> None:
    packed = zlib.compress(value.encode(), 1)
    if store.shared_backend():
        store.cache.set(key, packed)
        return
    _layout_lru[key] = packed
    while len(_layout_lru) > LAYOUT_LRU_SIZE:
        _layout_lru.popitem(last=False)
