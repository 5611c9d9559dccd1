"""The demo database: a deterministic Quảng Nam for 2022-2024 (about 1.22 million dossiers), carried
on through 2026 on the later structures for the same area (about 0.89 million more): January–June
2025 on the 17 district-level units and 233 communes, from 1 July 2025 Thành phố Đà Nẵng and the
78 communes formed from the former Quảng Nam (the former Đà Nẵng's own units are not in the demo).

2023 reproduces the source article exactly at its stated precision: dossiers
received per level, on-time rate, share received online, and the postal
substitution figures. Generation is vectorised with numpy and written with one
bulk insert (COPY on PostgreSQL): a Python loop of ORM objects would take minutes.

How exactness is reached: counts are fixed by construction (multinomial draws
with exact totals); the online share by choosing exactly round(N x share)
dossiers; the on-time rate by choosing exactly the number of late dossiers among
those whose finishing year does not depend on being late (so the denominator is
known before the choice). Lateness is drawn with weights that put it where the
province said it is: land procedures at district and commune level.

2025-2026 are drawn after 2022-2024 from a random stream of their own, so the earlier years are
the same database row for row; a commune of 2025 is as big as the 2023 communes it was formed
from together (data.units_history's links), so trends on today's boundaries run on.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import gc
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, delete, insert, select, text
from sqlalchemy.engine import Engine

from . import catalog, unit_versions
from . import units_history as uh
from .aggregates import MEASURES, ensure_calendar, refresh_agency_rollup
from .db import alembic_config, has_schema, make_engine, upgrade
from .schema import (
    FINISHED_STATUSES,
    RATINGS,
    WITHDRAWN_STATUSES,
    Agency,
    Base,
    DossierMonthStats,
    ImportRun,
    PostalDeployment,
    Procedure,
    Sector,
    Unit,
    UnitSuccessor,
)
from .workdays import add_workdays_np, from_daynum, to_daynum, workday_array, workdays_between_np

YEARS = (2022, 2023, 2024)  # on the 2023 structure; 2025-2026 below (TARGETS_2025_2026)
# Bump when the generator changes: a demo file built by an older version is rebuilt.
DEMO_VERSION = "7"
DATA_END = dt.date(2024, 12, 31)

# (received, on-time rate, online share) per level and year. 2023 is the article.
TARGETS = {
    2022: {"province": (82_950, 0.995, 0.712), "district": (124_600, 0.801, 0.254), "commune": (171_900, 0.962, 0.571)},
    2023: {"province": (90_010, 0.998, 0.806), "district": (136_350, 0.8292, 0.323), "commune": (187_299, 0.975, 0.661)},
    2024: {"province": (94_480, 0.9985, 0.852), "district": (141_020, 0.871, 0.398), "commune": (193_870, 0.981, 0.704)},
}
POST_SHARE = {"province": 0.10, "district": 0.07, "commune": 0.03}  # of dossiers not submitted online
ONLINE_WEIGHT = {"full": 1.0, "partial": 0.30, "none": 0.0}
SUPPLEMENT_PROB = {"DD": 0.12, "XD": 0.10, "TNMT": 0.08}  # other sectors 0.02
MONTH_FACTOR = np.array([1.05, 0.80, 1.00, 1.00, 0.95, 1.00, 1.00, 1.00, 0.95, 1.05, 1.05, 1.15])

# Relative size of each district-level unit (population and economy, rough demo values).
DISTRICT_WEIGHT = {
    "502": 1.6, "503": 1.3, "504": 0.25, "505": 0.30, "506": 1.4, "507": 2.0, "508": 1.2, "509": 0.9,
    "510": 0.35, "511": 0.35, "512": 0.5, "513": 1.6, "514": 0.7, "515": 0.45, "516": 0.30, "517": 1.4,
    "518": 0.9, "519": 0.35,
}
# Where land dossiers pile up (demo): busy lowland districts are later than mountain ones.
DISTRICT_LATENESS = {
    "507": 1.7, "513": 1.5, "506": 1.4, "517": 1.3, "502": 1.1, "508": 1.0, "518": 1.0, "509": 0.9,
    "503": 0.8, "514": 0.8, "512": 0.7, "519": 0.6, "510": 0.6, "511": 0.6, "515": 0.6, "516": 0.5,
    "505": 0.5, "504": 0.5,
}

# Postal substitution per year: (province staff, civil servants, moved, total),
# district-level totals (staff, civil servants, units at 100 %), communes (staff, communes).
POSTAL = {
    2022: dict(province=(14, 20, 1290, 1372), district=(30, 110, 6), commune=(9, 9)),
    2023: dict(province=(17, 24, 1381, 1381), district=(44, 150, 11), commune=(20, 19)),
    2024: dict(province=(17, 24, 1402, 1402), district=(48, 156, 15), commune=(33, 31)),
}
FULL_ORDER = catalog.DISTRICTS_AT_FULL_2023 + ("503", "518", "512", "514", "506", "507", "517")

# From 2025 (docs/units.md): Nông Sơn joins Quế Sơn on 1 January, and on 1 July the district level
# ends; the city's communes also receive the district's procedures. The former Quảng Nam only.
TWO_TIER_END = dt.date(2026, 12, 31)
DISTRICT_WEIGHT_2025 = {**{c: w for c, w in DISTRICT_WEIGHT.items() if c != "519"},
                        "509": DISTRICT_WEIGHT["509"] + DISTRICT_WEIGHT["519"]}
# (received, on-time rate of the year, online share) per level and period: 2025 splits on 1 July.
TARGETS_2025_2026 = (
    (2025, dt.date(2025, 1, 1), dt.date(2025, 6, 30),
     {"province": (48_900, 0.9985, 0.87), "district": (71_300, 0.885, 0.43), "commune": (98_600, 0.962, 0.72)}),
    (2025, dt.date(2025, 7, 1), dt.date(2025, 12, 31),
     {"province": (50_600, 0.9985, 0.88), "commune": (171_400, 0.962, 0.62)}),
    (2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
     {"province": (101_200, 0.9982, 0.91), "commune": (348_500, 0.968, 0.70)}),
)
# Postal substitution from 2025: the province (and from July the city), the 17 district-level
# units until June, then the city's communes (staff, communes with staff).
POSTAL_2025_2026 = {
    2025: dict(province=(17, 24, 1402, 1402), district=(50, 160, 16), commune=46),  # the province's record covers 2025
    2026: dict(city=(19, 26, 1466, 1466), commune=61),
}


@dataclass
class BuildReport:
    dossiers: int
    seconds: float
    aggregate_rows: int


def _largest_remainder(total: int, weights: np.ndarray, minimum: int = 1) -> np.ndarray:
    """Split an integer total by weights, each part at least ``minimum``, summing exactly."""
    n = len(weights)
    base = np.full(n, minimum, dtype=int)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    parts = np.floor(share).astype(int)
    order = np.argsort(-(share - parts), kind="stable")
    parts[order[: rest - parts.sum()]] += 1
    return base + parts


def _choose_exactly(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of exactly k items, drawn without replacement with these weights (Gumbel top-k)."""
    mask = np.zeros(len(weights), dtype=bool)
    if k <= 0:
        return mask
    eligible = weights > 0
    if eligible.sum() < k:
        raise ValueError(f"cannot choose {k} of {eligible.sum()} eligible items")
    keys = np.full(len(weights), -np.inf)
    keys[eligible] = np.log(weights[eligible]) + rng.gumbel(size=eligible.sum())
    mask[np.argpartition(-keys, k - 1)[:k]] = True
    return mask


# ---------------------------------------------------------------- reference data

def _reference_rows(rng: np.random.Generator):
    units = catalog.load_units()
    sectors = [dict(id=i + 1, code=c, name=vi, name_en=en) for i, (c, vi, en) in enumerate(catalog.SECTORS)]
    sector_id = {s["code"]: s["id"] for s in sectors}
    procedures = [dict(id=i + 1, code=p.code, name=p.name, name_en=p.name_en, sector_id=sector_id[p.sector],
                       level=p.level, online_level=p.online_level, processing_days=p.days)
                  for i, p in enumerate(catalog.PROCEDURES)]
    agencies = []
    for code, vi, en, _ in catalog.DEPARTMENTS:
        agencies.append(dict(code=code, name=vi, name_en=en, level="province", unit_code=catalog.PROVINCE_CODE,
                             district_code=None, commune_code=None))
    for u in units:
        if u["level"] == "district":
            agencies.append(dict(code=f"H{u['code']}", name=f"UBND {u['name']}", name_en=f"People's Committee of {u['short_name']}",
                                 level="district", unit_code=u["code"], district_code=u["code"], commune_code=None))
    for u in units:
        if u["level"] == "commune":
            agencies.append(dict(code=f"X{u['code']}", name=f"UBND {u['name']}", name_en=f"People's Committee of {u['short_name']}",
                                 level="commune", unit_code=u["code"], district_code=u["parent_code"], commune_code=u["code"]))
    for i, a in enumerate(agencies):
        a["id"] = i + 1
    return units, sectors, procedures, agencies


def _postal_rows(rng: np.random.Generator, units: list[dict]) -> list[dict]:
    districts = [u["code"] for u in units if u["level"] == "district"]
    weights = np.array([DISTRICT_WEIGHT[c] for c in districts])
    communes_by_district: dict[str, list[str]] = {}
    for u in units:
        if u["level"] == "commune":
            communes_by_district.setdefault(u["parent_code"], []).append(u["code"])
    totals = {c: int(rng.integers(270, 320)) for c in districts}
    partial_share = {c: float(rng.uniform(0.45, 0.9)) for c in districts}
    commune_total = {c: int(rng.integers(95, 115)) for cs in communes_by_district.values() for c in cs}
    # Communes with postal staff: a growing set, first in the units that moved everything.
    pool = [c for d in catalog.DISTRICTS_AT_FULL_2023 for c in communes_by_district[d]]
    pool += [c for d in districts if d not in catalog.DISTRICTS_AT_FULL_2023 for c in communes_by_district[d]]
    order = list(rng.permutation(pool[:60])) + pool[60:]
    rows = []
    for year, spec in POSTAL.items():
        staff, servants, moved, total = spec["province"]
        rows.append(dict(unit_code=catalog.PROVINCE_CODE, year=year, postal_staff=staff, civil_servants=servants,
                         procedures_moved=moved, procedures_total=total, decided_on=dt.date(year, 1, 1),
                         note="Trung tâm Phục vụ hành chính công tỉnh"))
        d_staff, d_servants, n_full = spec["district"]
        full = set(FULL_ORDER[:n_full])
        staff_split = _largest_remainder(d_staff, weights, 1)
        servant_split = _largest_remainder(d_servants, weights, 3)
        for i, code in enumerate(districts):
            growth = {2022: 0.8, 2023: 1.0, 2024: 1.05}[year]
            moved = totals[code] if code in full else int(round(totals[code] * min(partial_share[code] * growth, 0.95)))
            rows.append(dict(unit_code=code, year=year, postal_staff=int(staff_split[i]),
                             civil_servants=int(servant_split[i]), procedures_moved=moved,
                             procedures_total=totals[code], decided_on=dt.date(year, 1, 1), note=None))
        c_staff, n_communes = spec["commune"]
        chosen = order[:n_communes]
        for j, code in enumerate(chosen):
            s = 1 + (1 if j < c_staff - n_communes else 0)
            moved = commune_total[code] if j % 3 == 0 else int(round(commune_total[code] * (0.5 + 0.1 * (j % 5))))
            rows.append(dict(unit_code=code, year=year, postal_staff=s, civil_servants=s,
                             procedures_moved=moved, procedures_total=commune_total[code],
                             decided_on=dt.date(year, 1, 1), note=None))
    return rows


def write_reference(engine: Engine, rng: np.random.Generator):
    """The demo's catalogue (units over time, successor links, sectors, procedures, agencies) and
    postal records, written; returns the 2023 rows the dossiers are drawn from."""
    units, sectors, procedures, agencies = _reference_rows(rng)
    postal = _postal_rows(rng, units)
    all_units, all_agencies = _units_over_time(agencies)
    with engine.begin() as conn:
        conn.execute(insert(Unit), all_units)
        conn.execute(insert(UnitSuccessor), list(unit_versions.successor_rows()))
        conn.execute(insert(Sector), sectors)
        conn.execute(insert(Procedure), procedures)
        conn.execute(insert(Agency), all_agencies)
        conn.execute(insert(PostalDeployment), postal)
    return units, sectors, procedures, agencies, postal, all_agencies


def _units_over_time(agencies: list[dict]) -> tuple[list[dict], list[dict]]:
    """Every unit version of the catalogue (data.unit_versions) and the agencies: the 2023 ones
    (ids unchanged) ending with their units, then those of the later unit versions."""
    units = [dict(r) for r in unit_versions.unit_rows()]
    span = {u["code"]: (u["valid_from"], u["valid_to"]) for u in units}
    old = [dict(a, valid_from=span[a["unit_code"]][0], valid_to=span[a["unit_code"]][1]) for a in agencies]
    departments = [a for a in agencies if a["level"] == "province"]
    new = unit_versions.agency_rows(units, departments)
    for i, a in enumerate(new):
        a["id"] = len(old) + i + 1
    return units, old + new


def _years_2025_2026() -> list[DemoPeriod]:
    return [DemoPeriod(y, a, b, t, DISTRICT_WEIGHT_2025, () if "district" in t else ("district",))
            for y, a, b, t in TARGETS_2025_2026]


def _commune_noise(rng, agencies) -> dict:
    return {a["code"]: float(rng.lognormal(0, 0.35)) for a in agencies if a["level"] == "commune"}


def _continuity_noise(noise: dict, agencies: list[dict], periods: list[DemoPeriod]) -> dict:
    """Sizes for the communes of 2025: a new commune (or a new version of one) is as big as the
    2023 communes it was formed from together, so a trend on today's boundaries runs on."""
    cat = uh.catalogue()
    old_n: dict = {}
    for a in agencies:
        if a["level"] == "commune" and a["code"] in noise:
            old_n[a["district_code"]] = old_n.get(a["district_code"], 0) + 1
    old_w = {a["unit_code"]: DISTRICT_WEIGHT[a["district_code"]] / old_n[a["district_code"]] * noise[a["code"]]
             for a in agencies if a["level"] == "commune" and a["code"] in noise}
    out = dict(noise)
    for period in periods:
        active = [a for a in agencies if a["level"] == "commune" and _in_period(a, period)]
        n_active: dict = {}
        for a in active:
            n_active[a["district_code"]] = n_active.get(a["district_code"], 0) + 1
        for a in active:
            if a["code"] in out:
                continue
            official = a["unit_code"].split("-")[0]
            before = cat.predecessors(official, period.first, dt.date(2024, 6, 30))
            size = sum(old_w[p.unit.code] * p.share for p in before)
            out[a["code"]] = size * n_active[a["district_code"]] / period.weights[a["district_code"]]
    return out


def _postal_rows_2025_2026(rng, agencies: list[dict]) -> list[dict]:
    """Postal records from 2025: the province and 17 district-level units until June; from July
    the city and a growing set of its communes (staff at the commune centres)."""
    rows = []
    districts = sorted(a["unit_code"] for a in agencies if a["level"] == "district" and a["valid_to"] == dt.date(2025, 6, 30))
    communes = [a["unit_code"] for a in agencies if a["level"] == "commune" and a["valid_from"] == uh.TWO_TIERS_FROM]
    weights = np.array([DISTRICT_WEIGHT_2025[c] for c in districts])
    totals = {c: int(rng.integers(270, 320)) for c in districts}
    commune_total = {c: int(rng.integers(170, 230)) for c in communes}
    order = list(rng.permutation(communes))
    spec = POSTAL_2025_2026[2025]
    staff, servants, moved, total = spec["province"]
    rows.append(dict(unit_code=catalog.PROVINCE_CODE, year=2025, postal_staff=staff, civil_servants=servants,
                     procedures_moved=moved, procedures_total=total, decided_on=dt.date(2025, 1, 1),
                     note="Trung tâm Phục vụ hành chính công tỉnh"))
    d_staff, d_servants, n_full = spec["district"]
    full = set([c for c in FULL_ORDER if c != "519"][:n_full])
    staff_split = _largest_remainder(d_staff, weights, 1)
    servant_split = _largest_remainder(d_servants, weights, 3)
    for i, code in enumerate(districts):
        moved = totals[code] if code in full else int(round(totals[code] * float(rng.uniform(0.6, 0.95))))
        rows.append(dict(unit_code=code, year=2025, postal_staff=int(staff_split[i]), civil_servants=int(servant_split[i]),
                         procedures_moved=moved, procedures_total=totals[code], decided_on=dt.date(2025, 1, 1), note=None))
    for year, spec in POSTAL_2025_2026.items():
        if "city" in spec:
            staff, servants, moved, total = spec["city"]
            rows.append(dict(unit_code=uh.NEW_PROVINCE_CODE, year=year, postal_staff=staff, civil_servants=servants,
                             procedures_moved=moved, procedures_total=total, decided_on=dt.date(year, 1, 1),
                             note="Trung tâm Phục vụ hành chính công thành phố"))
        for j, code in enumerate(order[:spec["commune"]]):
            share = 1.0 if j % 3 == 0 else min(0.55 + 0.08 * (j % 5) + (0.05 if year == 2026 else 0), 0.97)
            rows.append(dict(unit_code=code, year=year, postal_staff=1 + (j % 7 == 0), civil_servants=1 + (j % 7 == 0),
                             procedures_moved=int(round(commune_total[code] * share)), procedures_total=commune_total[code],
                             decided_on=max(dt.date(year, 1, 1), uh.TWO_TIERS_FROM), note=None))
    return rows


def _close_carried_over(old: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """Dossiers of 2022–2024 still open at the end of 2024 finish when they were drawn to (in 2025)."""
    old = old.copy()
    still = (old["finished_on"].to_numpy() < 0) & (old["_finish"].to_numpy() <= to_daynum([end])[0])
    old.loc[still, "finished_on"] = old.loc[still, "_finish"]
    old.loc[still, "returned_on"] = old.loc[still, "_finish"]
    old.loc[still, "status"] = 10
    return old


# ---------------------------------------------------------------- dossiers

@dataclass(frozen=True)
class DemoPeriod:
    """A run of days drawn as one: dossiers received per level (and the on-time rate and online
    share of the year and level), which agencies receive (those in force), which procedures."""

    year: int
    first: dt.date
    last: dt.date
    targets: dict  # level -> (received, on-time rate of the year, online share)
    weights: dict  # district-level code -> relative size
    commune_also: tuple = ()  # levels of procedures communes also receive (the district's, after July 2025)


def _years_2022_2024() -> list[DemoPeriod]:
    return [DemoPeriod(y, dt.date(y, 1, 1), dt.date(y, 12, 31), TARGETS[y], DISTRICT_WEIGHT) for y in YEARS]


def _generate_dossiers(rng, units, sectors, procedures, agencies, postal, scale: float, periods=None,
                       end: dt.date = DATA_END, commune_noise: dict | None = None, first_seq: int = 1) -> pd.DataFrame:
    """Every dossier of the demo, step by step (the random draws in a fixed order: same seed,
    same database): received (where, what, when, by which channel), its dates (deadline,
    supplements, a finish on time and a finish late), which are late (each level's target
    rate exactly), then the rows as stored."""
    sector_code = {s["id"]: s["code"] for s in sectors}
    periods = periods or _years_2022_2024()
    if commune_noise is None:
        commune_noise = {a["code"]: float(rng.lognormal(0, 0.35)) for a in agencies if a["level"] == "commune"}
    df = _received_dossiers(rng, sector_code, procedures, agencies, postal, scale, periods, commune_noise)
    proc_df = pd.DataFrame(procedures).set_index("id")
    df["days"] = df["procedure_id"].map(proc_df["processing_days"]).to_numpy()
    df["sector"] = df["procedure_id"].map(proc_df["sector_id"]).map(sector_code).to_numpy()
    agency_df = pd.DataFrame(agencies).set_index("id")
    df["district_code"] = df["agency_id"].map(agency_df["district_code"]).to_numpy()
    df["commune_code"] = df["agency_id"].map(agency_df["commune_code"]).to_numpy()
    dates = _processing_dates(rng, df, end)
    late = _late_dossiers(rng, df, procedures, dates, periods)
    return _dossier_rows(rng, df, agency_df, dates, late, first_seq)


def _cells(level: str, agencies, procedures, sector_code: dict, commune_noise: dict, specs: dict,
           period: DemoPeriod):
    """(agency ids, procedure ids, weights) of a level's (agency, procedure) cells: agency size x procedure volume."""
    cells_agency, cells_proc, cells_w = [], [], []
    weights = period.weights
    n_communes: dict = {}
    for a in agencies:
        if a["level"] == "commune":
            n_communes[a["district_code"]] = n_communes.get(a["district_code"], 0) + 1
    proc_levels = (level, *period.commune_also) if level == "commune" else (level,)
    for a in agencies:
        if a["level"] != level:
            continue
        if level == "province":
            dep_sectors = next(d[3] for d in catalog.DEPARTMENTS if a["code"].split("-")[0] == d[0])
            aw = 1.0
        elif level == "district":
            dep_sectors, aw = None, weights[a["district_code"]]
        else:
            dep_sectors = None
            aw = weights[a["district_code"]] / n_communes[a["district_code"]] * commune_noise[a["code"]]
        for p in procedures:
            if p["level"] not in proc_levels:
                continue
            if dep_sectors is not None and sector_code[p["sector_id"]] not in dep_sectors:
                continue
            cells_agency.append(a["id"])
            cells_proc.append(p["id"])
            cells_w.append(aw * specs[p["code"]].volume)
    return np.array(cells_agency), np.array(cells_proc), np.array(cells_w)


def _in_period(a: dict, period: DemoPeriod) -> bool:
    return (a.get("valid_from") is None or a["valid_from"] <= period.first) and \
        (a.get("valid_to") is None or a["valid_to"] >= period.last)


def _received_dossiers(rng, sector_code: dict, procedures, agencies, postal, scale: float, periods,
                       commune_noise: dict) -> pd.DataFrame:
    """Per period and level, the target number of dossiers: agency (those in force), procedure,
    day received, channel (exactly the target online share) and whether postal staff received it."""
    specs = {p.code: p for p in catalog.PROCEDURES}
    wd = workday_array()
    coverage = {}  # (year, unit code) -> share of procedures moved to postal staff
    for r in postal:
        coverage[(r["year"], r["unit_code"])] = r["procedures_moved"] / r["procedures_total"]
    online_w_by_proc = np.zeros(len(procedures) + 1)
    for p in procedures:
        online_w_by_proc[p["id"]] = ONLINE_WEIGHT[p["online_level"]]

    parts = []
    n_agencies = max(a["id"] for a in agencies)
    for period in periods:
        year = period.year
        active = [a for a in agencies if _in_period(a, period)]
        days = wd[(wd >= to_daynum([period.first])[0]) & (wd <= to_daynum([period.last])[0])]
        months = from_daynum(days).astype("datetime64[M]").astype(int) % 12
        day_p = MONTH_FACTOR[months]
        day_p = day_p / day_p.sum()
        cov_by_agency = np.zeros(n_agencies + 1)
        for a in agencies:
            cov_by_agency[a["id"]] = coverage.get((year, a["unit_code"]), 0.0)
        for level, (received, rate, online_share) in period.targets.items():
            n = int(round(received * scale))
            cells_agency, cells_proc, w = _cells(level, active, procedures, sector_code, commune_noise, specs, period)
            cell = rng.choice(len(w), size=n, p=w / w.sum())
            df = pd.DataFrame({
                "agency_id": cells_agency[cell],
                "procedure_id": cells_proc[cell],
                "received": np.sort(rng.choice(days, size=n, p=day_p)),
            })
            df["year"] = year
            df["level"] = level
            df["rate"] = rate
            # Channel: exactly round(n x share) online, weighted by the procedure's online service level.
            online_w = online_w_by_proc[df["procedure_id"].to_numpy()]
            online = _choose_exactly(rng, online_w, int(round(n * online_share)))
            post = (~online) & (rng.random(n) < POST_SHARE[level])
            df["channel"] = np.where(online, 2, np.where(post, 3, 1))
            # Received by postal staff: not online, at a unit whose desk the post office serves.
            cov = cov_by_agency[df["agency_id"].to_numpy()]
            df["by_postal_staff"] = (~online) & (rng.random(n) < cov * 0.97)
            parts.append(df)
    return pd.concat(parts, ignore_index=True)


def _processing_dates(rng, df: pd.DataFrame, data_end: dt.date) -> dict:
    """Due date, supplements and the deadline they give; a finish on time (f0) and one late
    (f1, land later than the rest); withdrawn dossiers; which can be late without moving year."""
    n = len(df)
    r = df["received"].to_numpy()
    due = add_workdays_np(r, df["days"].to_numpy())
    sup_p = df["sector"].map(SUPPLEMENT_PROB).fillna(0.02).to_numpy()
    has_sup = rng.random(n) < sup_p
    sup_days = np.where(has_sup, rng.integers(2, 11, n), 0)
    deadline = add_workdays_np(due, sup_days)

    span = workdays_between_np(r, deadline)  # >= 1
    on_deadline = rng.random(n) < 0.22
    k0 = np.where(on_deadline, span, np.floor(rng.beta(1.3, 2.2, n) * span).astype(int))
    f0 = add_workdays_np(r, k0)
    land = df["sector"].to_numpy() == "DD"
    k1 = 1 + np.where(land, rng.geometric(0.12, n), rng.geometric(0.35, n))
    f1 = add_workdays_np(deadline, k1)

    end = to_daynum([data_end])[0]
    withdrawn = rng.random(n) < 0.012
    f_year = from_daynum(f0).astype("datetime64[Y]").astype(int) + 1970
    f1_year = from_daynum(f1).astype("datetime64[Y]").astype(int) + 1970
    candidate = (~withdrawn) & (f_year == f1_year) & (f1 <= end)
    return dict(received=r, due=due, has_sup=has_sup, sup_days=sup_days, deadline=deadline, f0=f0, f1=f1, end=end,
                withdrawn=withdrawn, f_year=f_year, f1_year=f1_year, candidate=candidate)


def _late_dossiers(rng, df: pd.DataFrame, procedures, d: dict, periods) -> np.ndarray:
    """Which dossiers finish late: weighted by procedure, district and busy months, and per
    level and finishing year exactly as many as the target on-time rate needs."""
    specs = {p.code: p for p in catalog.PROCEDURES}
    n, r, end = len(df), d["received"], d["end"]
    withdrawn, candidate = d["withdrawn"], d["candidate"]
    # Lateness weights: procedure propensity x district x busy months.
    spec_late = {p["id"]: specs[p["code"]].lateness for p in procedures}
    late_w = df["procedure_id"].map(spec_late).to_numpy().astype(float)
    dist_factor = df["district_code"].map(DISTRICT_LATENESS).fillna(1.0).to_numpy()
    late_w *= np.where(df["level"].to_numpy() == "province", 1.0, dist_factor)
    late_w *= np.where(np.isin(from_daynum(r).astype("datetime64[M]").astype(int) % 12, [0, 10, 11]), 1.3, 1.0)
    late = np.zeros(n, dtype=bool)
    level_arr = df["level"].to_numpy()
    year_arr = df["year"].to_numpy()
    # Dossiers whose late finish would fall in a later year than an on-time one (received
    # near a year's end, or still open when the data ends) are decided first, at their
    # level's late rate scaled by their weight: they make the stock that is still open and
    # already overdue at the end of a year ("overdue now").
    crossing = (~withdrawn) & ~candidate
    rates = {}  # (year, level) -> the year's on-time rate, in the order the periods name them
    for period in periods:
        for level, (_, rate, _) in period.targets.items():
            rates.setdefault((period.year, level), rate)
    for (year, level), rate in rates.items():
        sel = crossing & (level_arr == level) & (year_arr == year)
        mean_w = late_w[(level_arr == level) & (year_arr == year)].mean()
        late[sel] = rng.random(int(sel.sum())) < np.minimum((1 - rate) * late_w[sel] / mean_w, 0.95)
    # Then, per level and finishing year, exactly the number of late dossiers the target
    # rate needs, chosen among dossiers whose finishing year does not depend on it.
    final_year = np.where(late, d["f1_year"], d["f_year"])
    final_day = np.where(late, d["f1"], d["f0"])
    for (year, level), rate in rates.items():
        finishing = (level_arr == level) & (~withdrawn) & (final_year == year) & (final_day <= end)
        n_finished = int(finishing.sum())
        n_late = n_finished - int(round(n_finished * rate)) - int((finishing & late).sum())
        pool = finishing & candidate
        late[pool] = _choose_exactly(rng, late_w[pool], max(n_late, 0))
    return late


def _dossier_rows(rng, df: pd.DataFrame, agency_df: pd.DataFrame, d: dict, late: np.ndarray,
                  first_seq: int = 1) -> pd.DataFrame:
    """The dossiers as stored: status, return date, fees and digitisation flags, codes, ids in order received."""
    n, r, end, has_sup, withdrawn = len(df), d["received"], d["end"], d["has_sup"], d["withdrawn"]
    finished = np.where(late, d["f1"], d["f0"])
    # A few late dossiers were sent back for supplements twice: late by rule whatever the dates.
    sup_requests = np.where(has_sup, 1, 0) + (late & has_sup & (rng.random(n) < 0.15))
    still_open = finished > end
    status = np.where(withdrawn, rng.choice([3, 7, 8], n, p=[0.3, 0.5, 0.2]),
                      np.where(rng.random(n) < 0.85, 10, 9))
    status = np.where(still_open, np.where(has_sup, 5, 4), status)
    returned = add_workdays_np(finished, rng.integers(0, 3, n))
    returned_ok = (status == 10) & (returned <= end)
    status = np.where((status == 10) & ~returned_ok, 9, status)

    year_arr = df["year"].to_numpy()
    fee_sectors = np.isin(df["sector"].to_numpy(), ["DD", "XD", "KHDT", "GTVT", "CT", "TNMT", "YT"])
    online = df["channel"].to_numpy() == 2
    # Each unit serves a little better or worse (the service index's ranking is not flat). The
    # probabilities change, not the number of draws: every earlier figure stays as it was.
    quality = _service_quality(df, agency_df)
    digit_p = np.minimum(np.select([year_arr == 2022, year_arr == 2023, year_arr == 2025, year_arr == 2026],
                                   [0.45, 0.62, 0.84, 0.9], 0.78) * quality, 0.98)

    order = np.lexsort((df["agency_id"].to_numpy(), r))
    seq = np.arange(first_seq, first_seq + n)
    out = pd.DataFrame({
        "procedure_id": df["procedure_id"].to_numpy(),
        "agency_id": df["agency_id"].to_numpy(),
        "level": df["level"].to_numpy(),
        "district_code": df["district_code"].to_numpy(),
        "commune_code": df["commune_code"].to_numpy(),
        "channel": df["channel"].to_numpy(),
        "by_postal_staff": df["by_postal_staff"].to_numpy(),
        "received_on": r, "due_on": d["due"], "deadline_on": d["deadline"],
        "finished_on": np.where(still_open, -1, finished),
        "returned_on": np.where(returned_ok, returned, -1),
        "supplement_days": d["sup_days"],
        "supplement_requests": sup_requests,
        "status": status,
        "has_fee": fee_sectors,
        "paid_online": fee_sectors & online & (rng.random(n) < np.minimum(0.6 * quality, 0.95)),
        "digitised": rng.random(n) < digit_p,
        "e_result": online & (rng.random(n) < np.minimum(0.5 * quality, 0.95)),
        **_ratings_and_publication(df, status, late, quality),
        "_finish": finished,  # when a dossier still open at the end will finish (a later era closes it)
    }).iloc[order].reset_index(drop=True)
    # Codes like "H509-230105-0012345": receiving agency, date received, running number.
    agency_code = out["agency_id"].map(agency_df["code"])
    received_str = pd.Series(_day_strings("%y%m%d", out["received_on"].to_numpy()))
    out.insert(0, "code", agency_code + "-" + received_str + "-" + pd.Series(seq).astype(str).str.zfill(7))
    out.insert(0, "id", seq)
    return out


def _service_quality(df: pd.DataFrame, agency_df: pd.DataFrame) -> np.ndarray:
    """A factor per dossier (0.7-1.15) for how well its unit serves: per district-level unit,
    communes around their district's. Drawn from a generator of its own (the dossiers' draws
    keep their order and so their values)."""
    rng = np.random.default_rng(766)
    districts = sorted(DISTRICT_WEIGHT)
    by_district = dict(zip(districts, rng.uniform(0.75, 1.12, len(districts))))
    ids = agency_df.index.to_numpy()
    per_agency = np.ones(int(ids.max()) + 1)
    noise = rng.uniform(0.92, 1.05, len(ids))
    for i, (agency_id, district, level) in enumerate(zip(ids, agency_df["district_code"], agency_df["level"])):
        base = 1.0 if level == "province" else by_district.get(district, 1.0)
        per_agency[agency_id] = np.clip(base * (noise[i] if level == "commune" else 1.0), 0.7, 1.15)
    return per_agency[df["agency_id"].to_numpy()]


def _ratings_and_publication(df: pd.DataFrame, status: np.ndarray, late: np.ndarray, quality: np.ndarray) -> dict:
    """The portal's fields the demo's 2022 exports lack: from 2023 on, about a third of the
    finished dossiers rated (late ones less often satisfied) and whether each dossier was
    published on the national portal; None before (the scorecard shows "not measured")."""
    rng = np.random.default_rng(2023)
    n = len(df)
    carried = df["year"].to_numpy() >= 2023
    rated = carried & np.isin(status, FINISHED_STATUSES) & (rng.random(n) < 0.35)
    p_satisfied = np.clip(0.93 * quality - np.where(late, 0.45, 0.0), 0.2, 0.99)
    u = rng.random(n)
    rating = np.where(u < p_satisfied, "satisfied", np.where(u < p_satisfied + (1 - p_satisfied) * 0.6, "neutral",
                                                             "dissatisfied")).astype(object)
    rating[~rated] = None
    published = (rng.random(n) < np.clip(0.9 * quality, 0.5, 0.995)).astype(object)
    published[~carried] = None
    return {"rating": rating, "published_on_portal": published}


# ---------------------------------------------------------------- writing

COLUMNS = ["id", "code", "procedure_id", "agency_id", "level", "district_code", "commune_code", "channel",
           "by_postal_staff", "received_on", "due_on", "deadline_on", "finished_on", "returned_on",
           "supplement_days", "supplement_requests", "status", "has_fee", "paid_online", "digitised", "e_result",
           "rating", "published_on_portal"]
DATE_COLUMNS = ["received_on", "due_on", "deadline_on", "finished_on", "returned_on"]
BOOL_COLUMNS = ["by_postal_staff", "has_fee", "paid_online", "digitised", "e_result"]


def _day_strings(fmt: str, daynums: np.ndarray) -> np.ndarray:
    """Format day numbers through a lookup table of the few thousand distinct days (fast)."""
    lo, hi = int(daynums.min()), int(daynums.max())
    table = pd.Series(from_daynum(np.arange(lo, hi + 1))).dt.strftime(fmt).to_numpy().astype(object)
    return table[daynums - lo]


def _as_text_columns(df: pd.DataFrame, bool_as_int: bool) -> dict[str, list]:
    cols = {}
    for c in COLUMNS:
        s = df[c]
        if c in DATE_COLUMNS:
            v = s.to_numpy()
            iso = _day_strings("%Y-%m-%d", np.where(v < 0, v.max(), v))
            iso[v < 0] = None
            cols[c] = iso
        elif c in BOOL_COLUMNS:
            cols[c] = s.astype(int).to_numpy().astype(object) if bool_as_int else s.to_numpy().astype(object)
        elif c == "published_on_portal":  # True / False / None
            v = s.to_numpy().astype(object)
            cols[c] = np.array([None if x is None else (int(x) if bool_as_int else bool(x)) for x in v], dtype=object)
        else:
            cols[c] = s.to_numpy().astype(object)
            if c in ("district_code", "commune_code"):
                cols[c][pd.isna(s.to_numpy())] = None
    return cols


CHUNK = 250_000  # rows converted to Python objects at a time: memory stays flat at any scale


def _chunks(df: pd.DataFrame, bool_as_int: bool):
    for start in range(0, len(df), CHUNK):
        cols = _as_text_columns(df.iloc[start:start + CHUNK], bool_as_int=bool_as_int)
        yield zip(*(cols[c].tolist() for c in COLUMNS))


def write_dossiers(engine: Engine, df: pd.DataFrame) -> None:
    """Bulk-write a dossier frame (dates as day numbers, -1 for none), chunk by chunk."""
    gc_was = gc.isenabled()
    gc.disable()  # millions of short-lived tuples: the cyclic collector would rescan them again and again
    try:
        _write_dossiers(engine, df)
    finally:
        if gc_was:
            gc.enable()


def _write_dossiers(engine: Engine, df: pd.DataFrame) -> None:
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            # The classic bulk load: no per-row foreign-key checks or index upkeep,
            # indexes rebuilt once at the end (3x faster than inserting into them).
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            indexes = cur.execute("SELECT name, sql FROM sqlite_master WHERE type='index' "
                                  "AND tbl_name='dossiers' AND sql IS NOT NULL").fetchall()
            for name, _ in indexes:
                cur.execute(f"DROP INDEX {name}")
            sql = f"INSERT INTO dossiers ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            for rows in _chunks(df, bool_as_int=True):
                cur.executemany(sql, rows)
            for _, sql in indexes:
                cur.execute(sql)
            raw.commit()
            cur.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            # As on SQLite: secondary indexes and foreign keys off during the COPY, then built
            # and checked once (per-row index upkeep and FK triggers made the ten-times build crawl).
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                        "AND tablename = 'dossiers' AND indexname NOT IN "
                        "(SELECT conname FROM pg_constraint WHERE conrelid = 'dossiers'::regclass)")
            indexes = cur.fetchall()
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = 'dossiers'::regclass AND contype = 'f'")
            foreign_keys = cur.fetchall()
            for name, _ in foreign_keys:
                cur.execute(f'ALTER TABLE dossiers DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            with cur.copy(f"COPY dossiers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for rows in _chunks(df, bool_as_int=False):
                    for row in rows:
                        copy.write_row(row)
            for _, sql in indexes:
                cur.execute(sql)
            for name, definition in foreign_keys:
                cur.execute(f'ALTER TABLE dossiers ADD CONSTRAINT "{name}" {definition}')
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.begin() as conn:
            conn.execute(insert(Base.metadata.tables["dossiers"]), df[COLUMNS].to_dict("records"))


def _ym(daynums: np.ndarray) -> np.ndarray:
    months = from_daynum(daynums).astype("datetime64[M]").astype("int64")  # months since 1970-01
    return (months // 12 + 1970) * 100 + months % 12 + 1


def aggregate_frame(df: pd.DataFrame, offered_online=()) -> pd.DataFrame:
    """dossier_month_stats computed in numpy from the builder's frame: the same rows as
    :func:`data.aggregates.refresh_aggregates` (tests/test_aggregates.py checks it), in
    seconds instead of minutes at ten times the demo (SQL's GROUP BY sorts tens of millions
    of event rows; here they are counted with bincount). ``offered_online``: the ids of the
    procedures offered online, in full or in part."""
    agency = df["agency_id"].to_numpy().astype("int64")
    proc = df["procedure_id"].to_numpy().astype("int64")
    r = df["received_on"].to_numpy().astype("int64")
    d = df["deadline_on"].to_numpy().astype("int64")
    f = df["finished_on"].to_numpy().astype("int64")  # -1: not finished
    status = df["status"].to_numpy()
    channel = df["channel"].to_numpy()
    postal = df["by_postal_staff"].to_numpy().astype(bool)
    sup_ok = df["supplement_requests"].to_numpy() <= 1
    has_f = f >= 0
    # The calendar the SQL uses: whole years from the first dossier to the last date.
    last_day = np.where(has_f, f, r).max()
    first_ym = int(_ym(np.array([r.min()]))[0]) // 100 * 100 + 1
    last_ym = int(_ym(np.array([last_day]))[0]) // 100 * 100 + 12
    month_index = lambda ym: (ym // 100 - first_ym // 100) * 12 + ym % 100 - 1  # noqa: E731
    n_months = month_index(last_ym) + 1
    n_agency, n_proc = int(agency.max()) + 1, int(proc.max()) + 1
    size = n_months * n_agency * n_proc

    def key(ym, sel):
        return (month_index(ym[sel]) * n_agency + agency[sel]) * n_proc + proc[sel]

    counts = {m: np.zeros(size, dtype="int64") for m in MEASURES}

    def add(measure, keys, weights=None):
        counts[measure] += np.bincount(keys, weights=weights, minlength=size).astype("int64")

    all_ = np.ones(len(df), dtype=bool)
    k_rec = key(_ym(r), all_)
    add("received", k_rec)
    add("received_online", k_rec, channel == 2)
    add("received_in_person", k_rec, channel == 1)
    add("received_by_post", k_rec, channel == 3)
    add("received_unknown_channel", k_rec, channel == 0)
    add("received_postal_staff", k_rec, postal)
    offered = np.isin(proc, np.asarray(list(offered_online), dtype="int64"))
    fee = df["has_fee"].to_numpy().astype(bool)
    add("received_offered_online", k_rec, offered)
    add("received_online_offered", k_rec, offered & (channel == 2))
    add("received_with_fee", k_rec, fee)
    add("received_paid_online", k_rec, fee & df["paid_online"].to_numpy().astype(bool))
    add("received_digitised", k_rec, df["digitised"].to_numpy().astype(bool))
    published = pd.Series(df["published_on_portal"]).to_numpy(dtype=object)
    add("publication_known", k_rec, np.array([x is not None and x == x for x in published]))
    add("published", k_rec, np.array([x is True or x == 1 for x in published]))
    fin = has_f & np.isin(status, FINISHED_STATUSES)
    k_fin = key(_ym(np.where(has_f, f, 0)), fin)
    ff, dd, ok, pp = f[fin], d[fin], sup_ok[fin], postal[fin]
    add("finished_early", k_fin, (ff < dd) & ok)
    add("finished_on_time", k_fin, (ff == dd) & ok)
    add("finished_late", k_fin, (ff > dd) | ~ok)
    add("finished_postal_staff", k_fin, pp)
    add("finished_in_time_postal_staff", k_fin, pp & (ff <= dd) & ok)
    add("finished_e_result", k_fin, df["e_result"].to_numpy().astype(bool)[fin])
    rating = pd.Series(df["rating"]).to_numpy(dtype=object)[fin]
    for value in RATINGS:
        add(f"rated_{value}", k_fin, rating == value)
    wd = has_f & np.isin(status, WITHDRAWN_STATUSES)
    add("withdrawn", key(_ym(np.where(has_f, f, 0)), wd))
    # Open at a month's end: received by that day, not ended by it (month of receipt
    # through the month before the end, or through the last calendar month).
    m_from = month_index(_ym(r))
    m_to = np.where(has_f, month_index(_ym(np.where(has_f, f, 0))) - 1, n_months - 1)
    span = np.maximum(m_to - m_from + 1, 0)
    idx = np.repeat(np.arange(len(df)), span)
    month = m_from[idx] + (np.arange(len(idx)) - np.repeat(np.cumsum(span) - span, span))
    ends = np.array([to_daynum([dt.date(first_ym // 100 + (m + 1) // 12, (m + 1) % 12 + 1, 1)])[0] - 1
                     for m in range(n_months)])
    k_open = (month * n_agency + agency[idx]) * n_proc + proc[idx]
    add("open_end", k_open)
    add("open_overdue_end", k_open, d[idx] < ends[month])
    used = np.flatnonzero(np.any(np.vstack([counts[m] != 0 for m in MEASURES]), axis=0))
    m_idx, rest = np.divmod(used, n_agency * n_proc)
    ag, pr = np.divmod(rest, n_proc)
    ym = (first_ym // 100 + m_idx // 12) * 100 + m_idx % 12 + 1
    out = pd.DataFrame({"ym": ym, "agency_id": ag, "procedure_id": pr, "year": ym // 100, "month": ym % 100})
    for m in MEASURES:
        out[m] = counts[m][used]
    return out


def write_aggregates(engine: Engine, agg: pd.DataFrame) -> int:
    with engine.begin() as conn:
        ensure_calendar(conn)
        conn.execute(delete(DossierMonthStats.__table__))
        records = [{k: int(v) for k, v in row.items()} for row in agg.to_dict("records")]
        for start in range(0, len(records), 20_000):
            conn.execute(insert(DossierMonthStats.__table__), records[start:start + 20_000])
        refresh_agency_rollup(conn)
    return len(agg)


def reset_schema(url: str) -> None:
    """Empty database at the latest schema: SQLite file removed, PostgreSQL tables dropped."""
    engine = make_engine(url)
    with engine.begin() as conn:
        # Reflect rather than trust the models: every table migrations made (users too) goes.
        existing = MetaData()
        existing.reflect(conn)
        for table in reversed(existing.sorted_tables):
            conn.execute(text(f"DROP TABLE IF EXISTS {table.name}" + (" CASCADE" if engine.dialect.name == "postgresql" else "")))
    engine.dispose()
    upgrade(url)


def build_demo(url: str, seed: int = 2114, scale: float = 1.0, progress=lambda msg: None) -> BuildReport:
    """Build the demo database at ``url``. For a SQLite file, built aside and moved in place
    at the end, so an interrupted build never leaves a half-filled demo behind."""
    t0 = time.perf_counter()
    final_path = None
    if url.startswith("sqlite:///") and url != "sqlite://":
        final_path = Path(url[len("sqlite:///"):])
        final_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = final_path.with_name(final_path.name + ".building")
        tmp.unlink(missing_ok=True)
        build_url = f"sqlite:///{tmp}"
    else:
        build_url = url
    reset_schema(build_url)
    engine = make_engine(build_url)
    rng = np.random.default_rng(seed)
    units, sectors, procedures, agencies, postal, all_agencies = write_reference(engine, rng)
    progress("generating dossiers")
    noise = _commune_noise(rng, agencies)
    old = _generate_dossiers(rng, units, sectors, procedures, agencies, postal, scale, commune_noise=noise)
    # 2025-2026 on the structures of 1 January and 1 July 2025, from a stream of its own: the
    # draws of 2022-2024 (and so the 2023 figures) stay exactly as they were.
    rng2 = np.random.default_rng(seed + 2025)
    later = [a for a in all_agencies if a["valid_to"] is None or a["valid_to"] >= dt.date(2025, 1, 1)]
    postal2 = _postal_rows_2025_2026(rng2, later)
    with engine.begin() as conn:
        conn.execute(insert(PostalDeployment), postal2)
    periods = _years_2025_2026()
    # From July 2025 the city's centre is the province's desk carried on: its 2025 coverage is the province's.
    carried = [dict(r, unit_code=uh.NEW_PROVINCE_CODE) for r in postal2 if r["unit_code"] == catalog.PROVINCE_CODE]
    # The communes' desks kept their post-office staff from January to June 2025: 2025's records are
    # the new communes' of July, so without this the communes' postal share fell to 0 for six months.
    recorded_2025 = {r["unit_code"] for r in postal2 if r["year"] == 2025}
    kept_on = [dict(r, year=2025) for r in postal if r["year"] == 2024 and r["unit_code"] not in recorded_2025]
    new = _generate_dossiers(rng2, None, sectors, procedures, later, postal + postal2 + carried + kept_on, scale,
                             periods=periods,
                             end=TWO_TIER_END, commune_noise=_continuity_noise(noise, all_agencies, periods),
                             first_seq=len(old) + 1)
    df = pd.concat([_close_carried_over(old, TWO_TIER_END), new], ignore_index=True)
    progress(f"writing {len(df):,} dossiers")
    write_dossiers(engine, df)
    progress("aggregating")
    offered = [p["id"] for p in procedures if p["online_level"] in ("full", "partial")]
    rows = write_aggregates(engine, aggregate_frame(df, offered))
    with engine.begin() as conn:
        conn.execute(insert(ImportRun), [dict(started_at=dt.datetime.now(), finished_at=dt.datetime.now(),
                                              command=f"tthc demo --seed {seed} --scale {scale} (demo v{DEMO_VERSION})", kind="demo",
                                              file_name=None, added=len(df), status="ok")])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    if final_path is not None:
        os.replace(tmp, final_path)
    return BuildReport(dossiers=len(df), seconds=time.perf_counter() - t0, aggregate_rows=rows)


def demo_is_current(url: str) -> bool:
    """True when ``url`` holds a demo built by this version of the builder."""
    try:
        engine = make_engine(url)
        try:
            if not has_schema(engine):
                return False
            with engine.connect() as conn:
                cmd = conn.execute(select(ImportRun.command).where(ImportRun.kind == "demo")
                                   .order_by(ImportRun.id.desc())).scalar()
                schema_rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        finally:
            engine.dispose()
    except Exception:
        return False
    # A demo built before the latest migration lacks its tables or indexes: rebuild it.
    return cmd is not None and f"(demo v{DEMO_VERSION})" in cmd and schema_rev == _schema_head()


def _schema_head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def ensure_demo(url: str, progress=lambda msg: None) -> BuildReport | None:
    """Build the demo at ``url`` unless a current one is there already.

    Several gunicorn workers may start at once on a fresh clone: a file lock lets
    the first build and the others wait for it, then find it current."""
    if not url.startswith("sqlite:///"):
        return None if demo_is_current(url) else build_demo(url, progress=progress)

    path = Path(url[len("sqlite:///"):])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.exists() and demo_is_current(url):
                return None
            return build_demo(url, progress=progress)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
