"""``tthc``: the operators' command line.

    tthc demo [--scale 10] [--seed 2114]   build the demo database at DATABASE_URL
    tthc db upgrade                         apply schema migrations to DATABASE_URL
    tthc summary --year 2023 --json         the per-level summary (Biểu 06 measures)
    tthc warm [--watch]                     fill the shared cache with every page's views

Errors (no database, unknown year) print one clear line and exit non-zero.
"""
from __future__ import annotations

import json
import sys

import click

from data.config import database_url


class CliError(click.ClickException):
    """One clear line on stderr, exit code 1, no traceback."""

    def show(self, file=None):
        click.echo(f"tthc: {self.message}", err=True)


def _friendly(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:300]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Administrative-procedure dossiers: build, migrate, summarise."""


@main.command()
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply every volume (10 = about 12 million dossiers).")
@click.option("--seed", type=int, default=2114, show_default=True, help="Same seed, same database.")
@click.option("--url", default=None, help="Database URL (default: DATABASE_URL or the demo SQLite file).")
def demo(scale: float, seed: int, url: str | None) -> None:
    """Build the demo database (Quảng Nam 2022-2024; 2023 reproduces the review conference's figures)."""
    from data.demo import build_demo

    target = url or database_url()
    click.echo(f"Building the demo database at {_safe_url(target)} (scale {scale}, seed {seed})…")
    try:
        report = build_demo(target, seed=seed, scale=scale, progress=lambda m: click.echo(f"  {m}"))
    except Exception as exc:  # noqa: BLE001 - an operator wants one line, not a traceback
        raise CliError(f"cannot build the demo database: {_friendly(exc)}") from exc
    click.echo(f"Done: {report.dossiers:,} dossiers, {report.aggregate_rows:,} aggregate rows in {report.seconds:.1f} s.")


@main.group()
def db() -> None:
    """Schema migrations (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations to DATABASE_URL: a deployment upgrades its schema, never recreates it."""
    from data.db import upgrade

    try:
        upgrade(database_url(), revision)
    except Exception as exc:  # noqa: BLE001
        raise CliError(f"cannot upgrade {_safe_url(database_url())}: {_friendly(exc)}") from exc
    click.echo(f"Schema of {_safe_url(database_url())} is at {revision}.")


@main.command()
@click.option("--year", type=int, required=True, help="Calendar year, e.g. 2023.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (rates as fractions).")
def summary(year: int, as_json: bool) -> None:
    """Per-level summary for a year: received, on time, online, postal."""
    from sqlalchemy.exc import SQLAlchemyError

    from data.db import has_schema, make_engine
    from data.queries.reference import years_with_data
    from data.queries.summary import summary_json

    url = database_url()
    if url.startswith("sqlite:///"):
        from pathlib import Path

        if not Path(url[len("sqlite:///"):]).exists():
            raise CliError(f"no database at {_safe_url(url)}: run `tthc demo` or set DATABASE_URL")
    engine = make_engine(url)
    try:
        if not has_schema(engine):
            raise CliError(f"{_safe_url(url)} has no dossier tables: run `tthc db upgrade` and import data")
        years = years_with_data(engine)
        if year not in years:
            have = ", ".join(str(y) for y in sorted(years)) or "none"
            raise CliError(f"no dossiers for {year} (years with data: {have})")
        out = summary_json(engine, year)
    except SQLAlchemyError as exc:
        raise CliError(f"cannot read {_safe_url(url)}: {_friendly(exc)}") from exc
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'level':<10}{'received':>12}{'on time':>10}{'online':>10}{'by post':>10}")
    for level, v in out["levels"].items():
        def pct(x):
            return "—" if x is None else f"{x * 100:.2f}%"
        click.echo(f"{level:<10}{v['received']:>12,}{pct(v['on_time_rate']):>10}{pct(v['online_share']):>10}{pct(v['post_share']):>10}")


@main.command()
@click.option("--langs", default="vi,en", show_default=True, help="Languages to render, comma-separated.")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long (the most useful views come first).")
@click.option("--watch", is_flag=True, help="Keep running: warm again whenever an import changes the data (a sidecar next to gunicorn).")
@click.option("--force", is_flag=True, help="Warm even if another process holds this data version's warm-up lock.")
def warm(langs: str, max_seconds: float | None, watch: bool, force: bool) -> None:
    """Fill the shared cache (CACHE_REDIS_URL) with every page for every filter view."""
    import os
    import time

    if not os.environ.get("CACHE_REDIS_URL"):
        raise CliError("CACHE_REDIS_URL is not set: only a cache shared with the app's workers (Redis) keeps a warm-up")
    wanted = tuple(x.strip() for x in langs.split(",") if x.strip())
    if not wanted or any(x not in ("vi", "en") for x in wanted):
        raise CliError(f"--langs takes vi and/or en, not {langs!r}")
    try:
        from app import server  # the Dash app: its pages and its cache configuration
    except Exception as exc:  # noqa: BLE001
        raise CliError(f"cannot start the app to warm it: {_friendly(exc)}") from exc
    from server.warmup import claim_warmup, warm_cache
    from data.cache import data_version, reset_version
    from data.db import get_engine

    while True:
        try:
            version = data_version(get_engine())
        except Exception as exc:  # noqa: BLE001 — the database is down: say so, retry when watching
            if not watch:
                raise CliError(f"the database is unavailable: {_friendly(exc)}") from exc
            time.sleep(30)
            continue
        if force or claim_warmup(version):
            shown = set()

            def progress(done: int, total: int) -> None:
                tenth = done * 10 // max(total, 1)
                if tenth not in shown:  # one line per tenth done
                    shown.add(tenth)
                    click.echo(f"  {done:,} / {total:,} page views", err=True)

            report = warm_cache(server, langs=wanted, max_seconds=max_seconds, progress=progress)
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


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "the configured database"


from .user import user_group  # noqa: E402  (tthc user ...)

main.add_command(user_group)

from .imports import import_group  # noqa: E402  (tthc import ...)

main.add_command(import_group)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
