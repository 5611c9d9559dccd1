"""``tthc warm [--watch]``: render every page for every filter view into the shared cache (server.warmup)."""
from __future__ import annotations

import os
import time

import click

from data.cache import data_version, reset_version
from data.db import get_engine

from .errors import CliError, first_line


class TenthsShown:
    """Progress as one line per tenth of the views done."""

    def __init__(self):
        self.shown: set[int] = set()

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth not in self.shown:
            self.shown.add(tenth)
            click.echo(f"  {done:,} / {total:,} page views", err=True)


@click.command()
@click.option("--langs", default="vi,en", show_default=True, help="Languages to render, comma-separated.")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long (the most useful views come first).")
@click.option("--watch", is_flag=True, help="Keep running: warm again whenever an import changes the data (a sidecar next to gunicorn).")
@click.option("--force", is_flag=True, help="Warm even if another process holds this data version's warm-up lock.")
def warm(langs: str, max_seconds: float | None, watch: bool, force: bool) -> None:
    """Fill the shared cache (CACHE_REDIS_URL) with every page for every filter view."""
    if not os.environ.get("CACHE_REDIS_URL"):
        raise CliError("CACHE_REDIS_URL is not set: only a cache shared with the app's workers (Redis) keeps a warm-up")
    wanted = tuple(x.strip() for x in langs.split(",") if x.strip())
    if not wanted or any(x not in ("vi", "en") for x in wanted):
        raise CliError(f"--langs takes vi and/or en, not {langs!r}")
    try:
        # The Dash app itself: its pages, its cache configuration. Imported here, not at the top:
        # importing it builds the app (and, on a fresh clone, the demo database), which the
        # other commands must not pay for.
        from app import server
        from server.warmup import claim_warmup, warm_cache
    except Exception as exc:  # noqa: BLE001
        raise CliError(f"cannot start the app to warm it: {first_line(exc)}") from exc

    while True:
        try:
            version = data_version(get_engine())
        except Exception as exc:  # noqa: BLE001 — the database is down: say so, retry when watching
            if not watch:
                raise CliError(f"the database is unavailable: {first_line(exc)}") from exc
            time.sleep(30)
            continue
        if force or claim_warmup(version):
            report = warm_cache(server, langs=wanted, max_seconds=max_seconds, progress=TenthsShown())
            click.echo(f"warmed {report.views:,} views in {report.seconds:.0f} s ({report.cpu_seconds:.0f} s CPU)"
                       + (f", stopped: {report.stopped}" if report.stopped else "")
                       + (f", {len(report.errors)} failed (first: {report.errors[0]})" if report.errors else ""))
        elif not watch:
            click.echo(f"data version {version} is already being warmed (or was): nothing to do; --force to warm again")
        if not watch:
            return
        while True:  # wait for an import to change the data
            time.sleep(10)
            reset_version()
            try:
                if data_version(get_engine()) != version:
                    break
            except Exception:  # noqa: BLE001
                continue
