"""Small layout factories shared by every page."""
from __future__ import annotations

import functools
import logging

import dash_bootstrap_components as dbc
from dash import dcc, html
from sqlalchemy.exc import DBAPIError, OperationalError

from data.cache import cached_layout, keep_out_of_cache
from data.db import DatabaseUnavailable

from .i18n import t

log = logging.getLogger(__name__)


def page_header(title: str, subtitle: str | None = None, notes: list[str] | None = None, id_prefix: str = "") -> html.Div:
    """Page title (it names the filters, e.g. "… — Quế Sơn, 2023") and any URL corrections."""
    if notes:
        keep_out_of_cache()  # a corrected URL: served, not stored (data.cache)
    children = [html.H1(title, className="page-title", **({"id": f"{id_prefix}title"} if id_prefix else {}))]
    if subtitle:
        children.append(html.P(subtitle, className="page-subtitle text-muted"))
    for note in notes or []:
        children.append(dbc.Alert(note, color="warning", className="py-2 url-note", dismissable=True))
    return html.Div(children, className="page-header")


def card(title: str | None, body, id: str | None = None, className: str = "") -> dbc.Card:
    parts = []
    if title:
        parts.append(dbc.CardHeader(html.H2(title, className="card-title-text")))
    parts.append(dbc.CardBody(body))
    kwargs = {"id": id} if id else {}
    return dbc.Card(parts, className=f"mb-3 shadow-sm {className}", **kwargs)


def graph(id, figure, filename: str, className: str = ""):
    from .theme import graph_config

    return dcc.Graph(id=id, figure=figure, config=graph_config(filename), className=className)


def by_screen(wide: str, phone: str) -> list:
    """Words that differ on a phone (below Bootstrap's ``sm``, 576 px: where pages hide charts
    with ``d-none d-sm-block``), e.g. a hint to click bars that a phone does not show."""
    return [html.Span(wide, className="d-none d-sm-inline"), html.Span(phone, className="d-sm-none")]


def empty_state(message: str, action=None, id: str | None = None) -> html.Div:
    """Words instead of empty axes."""
    children = [html.P(message, className="mb-1")]
    if action is not None:
        children.append(action)
    kwargs = {"id": id} if id else {}
    return html.Div(children, className="empty-state text-muted", **kwargs)


def db_down_alert(lang: str, id: str = "db-down-banner", busy: bool = False) -> dbc.Alert:
    """The banner for a database that cannot be read: down, or busy (a writer holds its lock
    longer than data.db.busy_timeout_ms). Either way the page reloads itself once it answers."""
    key = "db.busy" if busy else "db.down"
    if busy and id == "db-down-banner":
        id = "db-busy-banner"
    return dbc.Alert([html.H4(t(f"{key}.title", lang), className="alert-heading"), html.P(t(f"{key}.body", lang), className="mb-0")],
                     color="warning" if busy else "danger", className="db-down", id=id)


def no_data_alert(lang: str) -> dbc.Alert:
    return dbc.Alert([html.H4(t("db.empty.title", lang), className="alert-heading"), html.P(t("db.empty.body", lang), className="mb-0")],
                     color="info", id="db-empty-banner")


DB_ERRORS = (DatabaseUnavailable, OperationalError, DBAPIError)


def guard_layout(layout_fn=None, *, params: tuple[str, ...] = ()):
    """A page layout that shows a banner, not a traceback, when the database is down;
    the banner page polls and reloads itself when the database is back.

    ``params``: the page's own URL parameters (besides year, district, sector, lang). The
    layout gets only the known ones; unknown ones (``?junk=1``) are dropped before the
    cache key is made, and a URL that is not spelled canonically is rendered uncached
    (components.params.is_canonical)."""
    if layout_fn is None:
        return lambda fn: guard_layout(fn, params=params)

    from .params import is_canonical, known_params

    # Pages' layouts are pure functions of the URL, the access scope and the data: cached
    # whole (data.cache.cached_layout), a warm page costs a JSON load instead of its figures.
    cached = cached_layout(layout_fn)

    @functools.wraps(layout_fn)
    def wrapper(**kwargs):
        kwargs = known_params(kwargs, params)
        lang = kwargs.get("lang") if kwargs.get("lang") in ("vi", "en") else "vi"
        try:
            return cached(**kwargs) if is_canonical(kwargs) else layout_fn(**kwargs)
        except DB_ERRORS as exc:
            from data.db import is_busy, is_timeout

            if is_busy(exc):
                log.warning("database busy (a writer holds the lock) while rendering %s", layout_fn.__module__)
                return html.Div([db_down_alert(lang, busy=True), dcc.Interval(id="db-retry-interval", interval=3000)])
            if is_timeout(exc):  # the database is there but the question took too long
                from .faults import timeout_alert

                log.warning("query timed out while rendering %s: %s", layout_fn.__module__, exc)
                return timeout_alert(lang)
            log.warning("database unavailable while rendering %s: %s", layout_fn.__module__, exc)
            return html.Div([db_down_alert(lang), dcc.Interval(id="db-retry-interval", interval=3000)])

    return wrapper
