"""``tthc summary --year 2023 [--json] [--boundaries historical|current]``: the per-level summary
(Biểu 06 measures) for the levels that existed that year."""
from __future__ import annotations

import json

import click

from data.queries.summary import summary_json

from .reading import read_year


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
    out = read_year(year, lambda engine: summary_json(engine, year, boundaries))
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
