"""``tthc db upgrade``: schema migrations (Alembic)."""
from __future__ import annotations

import click

from data.config import database_url
from data.db import safe_url, upgrade

from .errors import CliError, first_line


@click.group()
def db() -> None:
    """Schema migrations (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations to DATABASE_URL: a deployment upgrades its schema, never recreates it."""
    try:
        upgrade(database_url(), revision)
    except Exception as exc:  # noqa: BLE001
        raise CliError(f"cannot upgrade {safe_url(database_url())}: {first_line(exc)}") from exc
    click.echo(f"Schema of {safe_url(database_url())} is at {revision}.")
