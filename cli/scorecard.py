"""``tthc scorecard --year 2023 [--month M] [--level district|commune|department] [--json]``:
the service index (Decision 766) per unit, from the aggregates (docs/scorecard.md)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from data.config import database_url
from data.db import has_schema, make_engine, safe_url
from data.filters import DossierFilter, Period
from data.queries.reference import years_with_data
from data.queries.scorecard import RANK_LEVELS, scorecard_json
from data.service_index import GROUPS

from .errors import CliError, first_line


def _points(x) -> str:
    return "—" if x is None else f"{x:.1f}"


@click.command()
@click.option("--year", type=int, required=True, help="Calendar year, e.g. 2023.")
@click.option("--month", type=click.IntRange(1, 12), default=None, help="One month of the year (1-12); default: the whole year.")
@click.option("--level", type=click.Choice(RANK_LEVELS), default="district", show_default=True,
              help="Units ranked: provincial departments, district-level units or communes.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (rates as fractions, null where not measured).")
def scorecard(year: int, month: int | None, level: str, as_json: bool) -> None:
    """Service index (Decision 766) per unit: total of the points measured and each group's points."""
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
        period = Period(year * 100 + month, year * 100 + month) if month else Period.year(year)
        out = scorecard_json(engine, DossierFilter(period), level)
    except SQLAlchemyError as exc:
        raise CliError(f"cannot read {safe_url(url)}: {first_line(exc)}") from exc
    finally:
        engine.dispose()
    if month:
        out["month"] = month
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    heads = "".join(f"{g.key[:12]:>14}" for g in GROUPS)
    click.echo(f"{'code':<8}{'unit':<24}{'total':>8}{'of':>6}{heads}")
    for u in out["units"]:
        groups = "".join(f"{_points(u['groups'][g.key]['points']):>14}" for g in GROUPS)
        click.echo(f"{u['code']:<8}{u['name'][:23]:<24}{_points(u['total']):>8}{u['max_measured']:>6}{groups}")
