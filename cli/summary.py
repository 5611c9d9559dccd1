"""``tthc summary --year 2023 [--json] [--boundaries historical|current]``: the per-level summary
(Biểu 06 measures) for the levels that existed that year."""
from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from data.config import database_url
from data.db import has_schema, make_engine, safe_url
from data.queries.reference import years_with_data
from data.queries.summary import summary_json

from .errors import CliError, first_line


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.2f}%"


@click.command()
@click.option("--year", type=int, required=True, help="Calendar year, e.g. 2023.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (rates as fractions).")
@click.option("--boundaries", type=click.Choice(["historical", "current"]), default="historical", show_default=True,
              help="historical: the levels and units of the year as they were; current: the year re-aggregated "
                   "onto today's units through the successor records (the same province totals).")
def summary(year: int, as_json: bool, boundaries: str) -> None:
    """Per-level summary for a year: received, on time, online, postal (the levels that existed that year)."""
    url = database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise CliError(f"no database at {safe_url(url)}: run `tthc demo` or set DATABASE_URL")
    engine = make_engine(url)
    try:
        if not has_schema(engine):
            raise CliError(f"{safe_url(url)} has no dossier tables: run `tthc db upgrade` and import data")
        years = years_with_data(engine)
        if year not in years:
            have = ", ".join(str(y) for y in sorted(years)) or "none"
            raise CliError(f"no dossiers for {year} (years with data: {have})")
        out = summary_json(engine, year, boundaries)
    except SQLAlchemyError as exc:
        raise CliError(f"cannot read {safe_url(url)}: {first_line(exc)}") from exc
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if out["province"]["name"]:
        click.echo(f"{out['province']['name']}, {year}" + (" (on today's boundaries)" if boundaries == "current" else ""))
    _table(out["levels"])
    for part in out.get("segments", []):
        click.echo(f"\n{part['from']} – {part['to']}: {part['province']['name']}")
        _table(part["levels"])


def _table(levels: dict) -> None:
    click.echo(f"{'level':<10}{'received':>12}{'on time':>10}{'online':>10}{'by post':>10}")
    for level, v in levels.items():
        click.echo(f"{level:<10}{v['received']:>12,}{_pct(v['on_time_rate']):>10}{_pct(v['online_share']):>10}{_pct(v['post_share']):>10}")
