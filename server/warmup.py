"""Cache warm-up: render every page for every view the filter bar offers, into the shared cache.

The data changes only when an import lands, and the filter bar offers a small, closed set
of views (years × district-level units × sectors: 3 × 19 × 11 = 627 on the demo). So after
an import the views can be computed once, off the request path, and the first people to
open a page at a review conference get it from the cache (a few ms) instead of from the
database (60–400 ms of CPU each, which 100 people at once turn into seconds of queueing).

It renders through the pages' own layout functions (the same code and cache keys as a
request, nothing listed twice), as the province-wide reader: a district user's views are
keyed by their scope and computed on their first visit. Most useful views first (whole
province, latest year), so a warm-up cut short still covers what is opened most.

Only a cache the workers share (Redis, ``CACHE_REDIS_URL``) keeps what this fills; with the
in-process cache the warm-up would fill its own process only, so ``tthc warm`` refuses.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import dash

from components.params import reference_lists
from data.auth import reset_scope, set_scope
from data.cache import cache, data_version
from data.db import get_engine

from .auth import auth_enabled

log = logging.getLogger("tthc.warmup")

LOCK_SECONDS = 3600


def warm_pages() -> tuple[str, ...]:
    """The pages a reader opens with the global filters: every registered page but those
    registered with ``warm=False`` (the import history, an admin's page without filters)."""
    return tuple(page["path"] for page in dash.page_registry.values() if page.get("warm", True))


@dataclass
class WarmupReport:
    views: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    stopped: str | None = None  # why it stopped early, if it did


def view_params(years: list[int], districts: list[str], sectors: list[str], langs: tuple[str, ...]) -> Iterator[dict]:
    """URL parameters of every view, most useful first: each page's bare URL, then years
    newest first; within a year the whole province, then each district, then sectors."""
    for lang in langs:
        yield {} if lang == "vi" else {"lang": lang}
    for year in sorted(years, reverse=True):
        for sector in ["", *sectors]:
            for district in ["", *districts]:
                for lang in langs:
                    params = {"year": str(year), "district": district, "sector": sector, "lang": "" if lang == "vi" else lang}
                    yield {k: v for k, v in params.items() if v}


def warm_cache(server, langs: tuple[str, ...] = ("vi", "en"), pages: tuple[str, ...] | None = None,
               max_seconds: float | None = None, progress: Callable[[int, int], None] | None = None) -> WarmupReport:
    """Render ``pages`` for every view into the cache configured on ``server`` (the Dash app's
    Flask server, with data.cache initialised). Stops early when the data version changes
    (an import landed: the next warm-up starts over) or after ``max_seconds``."""
    pages = warm_pages() if pages is None else pages
    layouts = {p["path"]: p["layout"] for p in dash.page_registry.values() if p["path"] in pages}
    report = WarmupReport()
    t0, c0 = time.monotonic(), time.process_time()
    with server.test_request_context("/"):
        # The province-wide reader's cache keys: role "province" when sign-in is on, none when off.
        token = set_scope(None, "province" if auth_enabled() else None)
        try:
            engine = get_engine()
            version = data_version(engine)
            ref = reference_lists(engine)
            views = list(view_params(ref["years"], [d["code"] for d in ref["districts"]],
                                     [s["code"] for s in ref["sectors"]], langs))
            total = len(views) * len(layouts)
            for params in views:
                for path, layout in layouts.items():
                    try:
                        layout(**params)
                    except Exception as exc:  # noqa: BLE001 — one bad view must not stop the rest
                        report.errors.append(f"{path} {params}: {exc.__class__.__name__}: {exc}"[:300])
                    report.views += 1
                if progress:
                    progress(report.views, total)
                if max_seconds is not None and time.monotonic() - t0 > max_seconds:
                    report.stopped = f"time limit of {max_seconds:.0f} s"
                    break
                if data_version(engine) != version:
                    report.stopped = "the data changed (an import landed)"
                    break
        finally:
            reset_scope(token)
    report.seconds = time.monotonic() - t0
    report.cpu_seconds = time.process_time() - c0
    return report


def claim_warmup(version: str) -> bool:
    """One warm-up per data version across every worker and server (a lock in the shared cache)."""
    return bool(cache.add(f"warmup-lock:{version}", os.getpid(), timeout=LOCK_SECONDS))
