"""Faults: the database down or slow, malformed requests, and ``/healthz``.

- Page layouts: :func:`guard_layout`, a decorator each page puts on its layout, shows the banner.
- Callbacks: :func:`init_faults` installs a Dash-wide callback error handler: a
  database error puts the same banner into ``#db-status`` (a statement timeout gets
  its own message) and leaves the outputs as they were; any other error is logged
  with its traceback and the outputs stay as they were: never a 500 with a traceback.
  :func:`guard_callback` does the same for a single callback, for use outside this app.
- Both banners carry an interval; while it ticks, the browser asks ``/healthz``
  whether the database is back and, when it is, reloads the page.
- A request to ``/_dash-update-component`` that is not a well-formed callback call
  for a known callback gets a 400.
- ``/healthz``: JSON with the app's and the database's state; 200 or 503.
"""
from __future__ import annotations

import functools
import logging
import time

import dash
from dash import Input, Output, dcc, html
from dash.exceptions import DependencyException
from flask import current_app, jsonify, request, request_started
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from components.i18n import normalise_lang
from components.params import parse_search
from components.ui import db_down_alert, timeout_alert
from data.db import DB_ERRORS, begin_request_scope, get_engine, is_busy, is_timeout, short_lock_wait
from data.schema import DossierMonthStats

log = logging.getLogger("tthc.faults")

RETRY_MS = 2000
RELOAD_JS = """function (n) {
    if (n) {
        fetch('/healthz?soft=1', {cache: 'no-store', credentials: 'same-origin'})
            .then(function (r) { return r.json(); })
            .then(function (h) { if (h.status === 'ok') { window.location.reload(); } })
            .catch(function () {});
    }
    return window.dash_clientside.no_update;
}"""
CALLBACK_PATH = "/_dash-update-component"


def _lang() -> str:
    try:
        body = request.get_json(silent=True) or {}
        for item in body.get("inputs", []) + body.get("state", []):
            if isinstance(item, dict) and item.get("property") == "search":
                return normalise_lang(parse_search(item.get("value")).get("lang"))
    except Exception:  # noqa: BLE001
        pass
    return "vi"


def callback_error(err: Exception):
    """Dash's global callback error handler: a banner or a log line, never a 500."""
    lang = _lang()
    if isinstance(err, DB_ERRORS) and is_timeout(err):
        log.warning("query cancelled by the statement timeout in a callback: %s", str(err).splitlines()[0][:200])
        dash.set_props("db-status", {"children": timeout_alert(lang)})
    elif isinstance(err, DB_ERRORS):
        busy = is_busy(err)
        log.warning("database %s in a callback: %s", "busy" if busy else "unavailable", str(err).splitlines()[0][:200])
        dash.set_props("db-status", {"children": [db_down_alert(lang, busy=busy),
                                                  dcc.Interval(id="db-retry-interval-cb", interval=RETRY_MS)]})
    else:
        log.error("callback failed; outputs left unchanged", exc_info=err)
    return None  # no output changes


def guard_callback(fn):
    """For one callback: the same behaviour as the app-wide handler."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except dash.exceptions.PreventUpdate:
            raise
        except Exception as err:  # noqa: BLE001
            callback_error(err)
            raise dash.exceptions.PreventUpdate from err

    return wrapper


def guard_layout(layout_fn):
    """A page layout that shows a banner, not a traceback, when the database is down, busy
    (a writer holds its lock) or too slow; the down and busy banners poll and reload the page
    once the database is back. Outermost on a page's layout (above server.page_cache)."""

    @functools.wraps(layout_fn)
    def layout(**kwargs):
        lang = kwargs.get("lang") if kwargs.get("lang") in ("vi", "en") else "vi"
        try:
            return layout_fn(**kwargs)
        except DB_ERRORS as exc:
            if is_busy(exc):
                log.warning("database busy (a writer holds the lock) while rendering %s", layout_fn.__module__)
                return html.Div([db_down_alert(lang, busy=True), dcc.Interval(id="db-retry-interval", interval=3000)])
            if is_timeout(exc):  # the database is there but the question took too long
                log.warning("query timed out while rendering %s: %s", layout_fn.__module__, exc)
                return timeout_alert(lang)
            log.warning("database unavailable while rendering %s: %s", layout_fn.__module__, exc)
            return html.Div([db_down_alert(lang), dcc.Interval(id="db-retry-interval", interval=3000)])

    return layout


# ---------------------------------------------------------------- database state

def database_state(engine=None) -> dict:
    """{'status': 'ok'|'down'|'busy'|'timeout'|'no-schema', 'latency_ms', 'latest_month'}; never
    raises, and answers within a fraction of a second when a writer holds the database."""
    t0 = time.perf_counter()
    try:
        engine = engine or get_engine()
        with engine.connect() as conn, short_lock_wait(conn):
            latest = conn.execute(select(func.max(DossierMonthStats.ym))).scalar()
        return {"status": "ok", "latency_ms": round((time.perf_counter() - t0) * 1000, 1), "latest_month": latest}
    except DB_ERRORS as err:
        text = str(getattr(err, "orig", err)).lower()
        status = ("busy" if is_busy(err) else "timeout" if is_timeout(err)
                  else "no-schema" if "no such table" in text or "does not exist" in text else "down")
        return {"status": status, "latency_ms": round((time.perf_counter() - t0) * 1000, 1), "error": err.__class__.__name__}
    except Exception as err:  # noqa: BLE001 - /healthz must answer
        return {"status": "down", "error": err.__class__.__name__}


def healthz():
    db = database_state()
    body = {"status": "ok" if db["status"] == "ok" else "unavailable", "app": "ok", "database": db,
            "auth": current_app.config.get("TTHC_AUTH", "unknown"), "read_only": True}
    resp = jsonify(body)
    # ?soft=1 (the banner's poll): always 200, the state in the body, so the browser logs no error.
    resp.status_code = 200 if db["status"] == "ok" or request.args.get("soft") else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp


# ---------------------------------------------------------------- malformed callback requests

def _well_formed(body, callback_map) -> bool:
    if not isinstance(body, dict):
        return False
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return False
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list):
            return False
        for item in items:
            group = item if isinstance(item, list) else [item]
            for it in group:
                if not isinstance(it, dict) or "id" not in it or not isinstance(it.get("property"), str):
                    return False
    if not isinstance(body.get("changedPropIds", []), list) or not all(isinstance(x, str) for x in body.get("changedPropIds", [])):
        return False
    outputs = body.get("outputs")
    if outputs is not None and not isinstance(outputs, (dict, list)):
        return False
    return True


def _new_request_scope(sender, **extra) -> None:
    begin_request_scope()


def init_faults(app) -> None:
    """Callback error handler, banner slot, self-reload, request checks, /healthz."""
    server = app.server
    previous = app._on_error  # Dash's app-wide handler (set by Dash(on_error=...)); kept, ours runs after it

    def on_error(err):
        result = previous(err) if previous else None
        callback_error(err)
        return result

    app._on_error = on_error  # applies to every callback, those of pages registered later included

    server.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    # Sent before any before_request function (sign-in loads the user from the database there),
    # so every query of a request shares one wait for a writer's lock (data.db.AFTER_BUSY_WAIT_MS).
    request_started.connect(_new_request_scope, server, weak=False)

    @server.before_request
    def _check_callback_request():
        if request.path.startswith("/_dash-component-suites/") and (
                request.url_rule is None or not request.url_rule.rule.startswith("/_dash-component-suites/")):
            return jsonify(error="not found"), 404  # only the pages' catch-all matched: no such file
        if request.path != CALLBACK_PATH:
            return None
        if request.method != "POST":
            return jsonify(error="POST a callback request"), 405
        body = request.get_json(silent=True)
        # Dash fills callback_map at its first request; before that, accept (it will 500 only on Dash's own checks).
        if app.callback_map and not _well_formed(body, app.callback_map):
            return jsonify(error="malformed callback request"), 400
        return None

    @server.errorhandler(Exception)
    def _any_error(err):
        if isinstance(err, HTTPException):
            return err
        if request.path.startswith("/_dash-component-suites/") and isinstance(err, (DependencyException, OSError)):
            # A file Dash does not serve (a probe, a stale bundle URL): a 404, one log line, no traceback.
            log.info("no such component file: %s", request.path[:200])
            return jsonify(error="not found"), 404
        if isinstance(err, DB_ERRORS):
            log.warning("database unavailable: %s", str(err).splitlines()[0][:200])
            return jsonify(error="database unavailable"), 503
        if request.path == CALLBACK_PATH:
            log.warning("bad callback request: %s", err.__class__.__name__, exc_info=err)
            return jsonify(error="bad callback request"), 400
        log.error("unhandled error on %s", request.path, exc_info=err)
        return jsonify(error="internal error"), 500

    inner = app.layout

    def layout_with_fault_slots():
        body = inner() if callable(inner) else inner
        return html.Div([html.Div(id="db-status"), dcc.Store(id="db-reload"), body])

    app.layout = layout_with_fault_slots

    # While a banner shows, its interval ticks; the browser asks /healthz and reloads the page
    # once the database answers (a clientside callback: Dash adds its hash to the CSP).
    for interval_id in ("db-retry-interval", "db-retry-interval-cb"):  # guard_layout's banner, callback_error's
        app.clientside_callback(RELOAD_JS, Output("db-reload", "data", allow_duplicate=True),
                                Input(interval_id, "n_intervals"), prevent_initial_call=True)
