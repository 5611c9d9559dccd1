"""Late and overdue dossiers on today's boundaries ("theo địa giới hiện nay"): the period's counts
of data.queries.late per unit in force today, the units as they were re-aggregated through the
successor records (data.queries.boundaries.onto_current), so that they sum to the same totals.

The district level has no unit today (abolished on 1 July 2025): its desks' dossiers count for the
city that took its territory over, and no ranking by district exists on today's boundaries.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from ..cache import cached_query
from ..filters import DossierFilter
from .boundaries import agency_units, onto_current
from .late import _measure, late_cube
from .summary import ratio

COLUMNS = ["current_code", "name", "short_name", "level", "count", "base", "rate"]


@cached_query
def late_by_current_unit(engine: Engine, f: DossierFilter, mode: str = "late") -> pd.DataFrame:
    """Count, base (finished, or open at the end) and rate per unit in force today, for the dossiers
    the filter chooses (the filter as it was: its level and district are those of the desks then).
    The city first when tied; units with neither count nor base left out. Sums to ``late.totals``."""
    cube = late_cube(engine, f)
    if cube.empty:
        return pd.DataFrame(columns=COLUMNS)
    count, base = _measure(mode)
    by_unit = (cube.assign(unit_code=cube["agency_id"].map(agency_units(engine)))
               .groupby("unit_code", as_index=False)[[count, base]].sum()
               .rename(columns={count: "count", base: "base"}))
    out = onto_current(engine, by_unit, [], ["count", "base"])
    out = out[(out["count"] > 0) | (out["base"] > 0)].copy()
    out["rate"] = ratio(out["count"], out["base"])
    out["is_city"] = out["level"] != "commune"
    out = out.sort_values(["count", "is_city", "current_code"], ascending=[False, False, True])
    return out[COLUMNS].reset_index(drop=True)

