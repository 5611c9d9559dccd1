"""How ``./run.sh`` serves the app: gunicorn, as production does, with the same app object
(``app:server``): ``gunicorn -c python:server.gunicorn_conf app:server``.

Two workers by default (``WEB_CONCURRENCY``), listening on ``HOST``:``PORT``. On a fresh
clone the master builds the demo database once, before any worker starts: a worker that
spent half a minute building it while importing the app would be killed by gunicorn's
worker timeout, and two workers would queue on the build's lock.
"""
from __future__ import annotations

import logging
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 60  # a long export (PDF, deck) finishes; data.db keeps every query shorter
accesslog = None  # the app logs what matters; an access line per chart request would drown it


def on_starting(server) -> None:
    """In the master, before the workers fork: the demo database, when that is the database."""
    from data.config import database_url, is_demo_url
    from data.demo import ensure_demo

    if not is_demo_url(database_url()):
        return
    log = logging.getLogger("tthc")
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    report = ensure_demo(database_url(), progress=lambda m: log.info("demo database: %s", m))
    if report:
        log.info("demo database built: %s dossiers in %.1f s", f"{report.dossiers:,}", report.seconds)
