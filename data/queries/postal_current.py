"""Dossiers received by postal staff on today's boundaries ("theo địa giới hiện nay"): counts of
dossiers, which the successor records can carry onto today's units (data.queries.boundaries),
unlike the deployment records (postal staff, civil servants replaced, procedures moved), which
were kept per district-level unit and have no share to be split by: those stay as they were."""
from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from ..cache import cached_query
from ..filters import A, DossierFilter
from .boundaries import onto_current
from .postal import monthly_received
from .summary import ratio

RECEIVED = ["received", "received_postal_staff"]


@cached_query
def postal_share_by_current_unit(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """Per unit in force today (current_code, name, short_name, level): the period's dossiers
    received and received by postal staff at the desks of its territory, and the share. Sums to
    the period's totals; units with no dossier left out."""
    by_month = monthly_received(engine, f, A.c.unit_code, "unit_code")
    by_unit = by_month.groupby("unit_code", as_index=False)[RECEIVED].sum()
    out = onto_current(engine, by_unit, [], RECEIVED)
    out = out[out["received"] > 0].copy()
    out["postal_share"] = ratio(out["received_postal_staff"], out["received"])
    return out.sort_values(["postal_share", "current_code"]).reset_index(drop=True)


@cached_query
def monthly_postal_share_current(engine: Engine, f: DossierFilter) -> pd.DataFrame:
    """data.queries.postal.monthly_postal_share on today's levels: the district level's desks
    counted for the city (province level), every month's totals unchanged."""
    by_month = monthly_received(engine, f, A.c.unit_code, "unit_code")
    out = onto_current(engine, by_month, ["ym"], RECEIVED).groupby(["level", "ym"], as_index=False)[RECEIVED].sum()
    out["postal_share"] = ratio(out["received_postal_staff"], out["received"])
    return out.sort_values(["level", "ym"]).reset_index(drop=True)
