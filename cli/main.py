"""``tthc``: the operators' command line.

    tthc demo [--scale 10] [--seed 2114]   build the demo database at DATABASE_URL   (cli.demo)
    tthc db upgrade                         apply schema migrations to DATABASE_URL   (cli.db)
    tthc summary --year 2023 --json         the per-level summary (Biểu 06 measures)  (cli.summary)
    tthc scorecard --year 2023 --json       the service index (Decision 766) per unit (cli.scorecard)
    tthc import dossiers|units|… FILE       the province's own data files            (cli.imports)
    tthc user add|list|disable|…            sign-in accounts                          (cli.user)
    tthc warm [--watch]                     fill the shared cache with every page's views (cli.warm)

Errors (no database, unknown year) print one clear line and exit non-zero (cli.errors).
"""
from __future__ import annotations

import sys

import click

from .db import db
from .demo import demo
from .imports import import_group
from .scorecard import scorecard
from .summary import summary
from .user import user_group
from .warm import warm


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Administrative-procedure dossiers: build, migrate, import, summarise."""


for command in (demo, db, summary, scorecard, import_group, user_group, warm):
    main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
