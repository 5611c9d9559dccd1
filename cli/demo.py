"""``tthc demo``: the deterministic demo database (Quảng Nam 2022-2024)."""
from __future__ import annotations

import click

from data.config import database_url
from data.db import safe_url
from data.demo import build_demo

from .errors import CliError, first_line


@click.command()
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply every volume (10 = about 12 million dossiers).")
@click.option("--seed", type=int, default=2114, show_default=True, help="Same seed, same database.")
@click.option("--url", default=None, help="Database URL (default: DATABASE_URL or the demo SQLite file).")
def demo(scale: float, seed: int, url: str | None) -> None:
    """Build the demo database (Quảng Nam 2022-2024; 2023 reproduces the review conference's figures)."""
    target = url or database_url()
    click.echo(f"Building the demo database at {safe_url(target)} (scale {scale}, seed {seed})…")
    try:
        report = build_demo(target, seed=seed, scale=scale, progress=lambda m: click.echo(f"  {m}"))
    except Exception as exc:  # noqa: BLE001 - an operator wants one line, not a traceback
        raise CliError(f"cannot build the demo database: {first_line(exc)}") from exc
    click.echo(f"Done: {report.dossiers:,} dossiers, {report.aggregate_rows:,} aggregate rows in {report.seconds:.1f} s.")
