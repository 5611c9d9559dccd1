"""``tthc scorecard --year 2023 [--month M] [--level district|commune|department] [--boundaries historical|current] [--json]``:
the service index (Decision 766) per unit, from the aggregates (docs/scorecard.md)."""
from __future__ import annotations

import json

import click

from data.filters import DossierFilter, Period
from data.queries.scorecard import RANK_LEVELS, scorecard_json
from data.service_index import GROUPS

from .reading import read_year


def _points(x) -> str:
    return "—" if x is None else f"{x:.1f}"


@click.command()
@click.option("--year", type=int, required=True, help="Calendar year, e.g. 2023.")
@click.option("--month", type=click.IntRange(1, 12), default=None, help="One month of the year (1-12); default: the whole year.")
@click.option("--level", type=click.Choice(RANK_LEVELS), default="district", show_default=True,
              help="Units ranked: provincial departments, district-level units or communes.")
@click.option("--boundaries", type=click.Choice(["historical", "current"]), default="historical", show_default=True,
              help="Communes as they were, or today's communes with their predecessors' dossiers (commune level only).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (rates as fractions, null where not measured).")
def scorecard(year: int, month: int | None, level: str, boundaries: str, as_json: bool) -> None:
    """Service index (Decision 766) per unit: total of the points measured and each group's points."""
    period = Period(year * 100 + month, year * 100 + month) if month else Period.year(year)
    out = read_year(year, lambda engine: scorecard_json(engine, DossierFilter(period), level, boundaries))
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
