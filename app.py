"""The Dash app: only the shell (navbar, filter bar, page container). Pages live in pages/.

Run ``python app.py`` (development server) or ``gunicorn app:server``. The database
comes from ``DATABASE_URL``; by default the demo SQLite file, built on first start.
"""
from __future__ import annotations

import logging
import os

import dash
import dash_bootstrap_components as dbc
import flask
from dash import dcc, html

from components.i18n import DEFAULT_LANG
from components.params import reference_lists
from components.ui import db_down_alert, no_data_alert
from data.cache import init_cache
from data.config import database_url, is_demo_url
from data.db import DB_ERRORS, is_busy
from data.demo import ensure_demo
from server.auth import init_auth
from server.delivery import init_delivery
from server.faults import init_faults
from server.first_paint import init_first_paint
from server.release import code_fingerprint
from server.security import init_security
from server.shell import filter_bar, init_shell, navbar

log = logging.getLogger("tthc")
logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def ensure_demo_database() -> None:
    """On a fresh clone the app builds the demo database before it serves (about half a minute)."""
    if is_demo_url(database_url()):
        report = ensure_demo(database_url(), progress=lambda m: log.info("demo database: %s", m))
        if report:
            log.info("demo database built: %s dossiers in %.1f s", f"{report.dossiers:,}", report.seconds)


ensure_demo_database()

app = dash.Dash(
    __name__,
    use_pages=True,
    # Bootstrap is vendored in assets/vendor: the closed networks of government offices reach no CDN.
    external_stylesheets=[],
    serve_locally=True,
    suppress_callback_exceptions=True,
    title="TTHC · Quảng Nam",
    update_title=None,
    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
)
server = app.server
init_cache(server, release=code_fingerprint())  # a deploy never reads the old code's cached pages
# Compression, year-long caching of fingerprinted files, the partial plotly.js, dash-ag-grid on demand.
init_delivery(app)


def serve_layout():
    """Evaluated per page load, so a database that was down at start is picked up later."""
    lang = DEFAULT_LANG
    try:
        ref = reference_lists()
        banner = None if ref["years"] else no_data_alert(lang)
        bar = filter_bar(ref, lang)
    except DB_ERRORS as exc:
        log.warning("database unavailable: %s", exc)
        flask.g.tthc_db_unavailable = True  # the rest of this request does not wait for it again
        ref = {"years": [], "districts": [], "sectors": []}
        # The page below shows its own banner too (with the self-reload); CSS shows only one.
        banner, bar = db_down_alert(lang, id="shell-db-down-banner", busy=is_busy(exc)), filter_bar(ref, lang)
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        navbar(lang),
        bar,
        dbc.Container([banner, dash.page_container] if banner else [dash.page_container], fluid=True, className="page-body"),
    ])


app.layout = serve_layout
init_shell(app)  # the frame's callbacks that name every page (the pages are registered by now)
init_first_paint(app)  # the page's title in the served HTML, before the scripts (server/first_paint.py)
# Sign-in and access scope, fault handling and /healthz, security headers (docs/security.md).
init_auth(app)
init_faults(app)
init_security(app)

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)
