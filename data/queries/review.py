"""The facts of the yearly review conference: one object the report, the slides and the
PowerPoint deck are all written from.

Every figure comes from the other query modules (``summary.summary_by_level``, the levels
page's rankings, the postal page's coverage, the late page's Pareto and unit split); this
module only reshapes them and adds the two small things none of them gives:

* :func:`procedures_by_late` and :func:`units_on_time`: the late page's rankings, named for
  the review (sector names; on-time rate of each district-level unit's whole territory, its
  own desk and its communes, or of each commune of one district);
* :func:`data_as_of` (the date the data was last loaded) and the provincial centre's name
  as its postal deployment record notes it;
* :func:`review_facts`: everything above turned into plain Python values (no pandas),
  so the text and slide builders are pure functions that tests can feed by hand.

"The province's on-time rate" is the rate over all three levels in the report's scope
without a district filter (the benchmark every unit is compared with). For a signed-in
district user that scope is their district: ``benchmark_scope`` says which it is.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ..cache import cached_query
from ..filters import DossierFilter
from ..periods import in_force_terms
from ..schema import ImportRun, PostalDeployment, Sector, Unit
from . import late as qlate
from . import levels as ql
from . import postal as qp
from .summary import summary_by_level

U = Unit.__table__
PD = PostalDeployment.__table__
IR = ImportRun.__table__
SE = Sector.__table__

TOP_PROCEDURES = 8
TOP_NOT_ONLINE = 6
MIN_FINISHED = ql.MIN_FINISHED_FOR_RANKING


# ---------------------------------------------------------------- queries no other module gives

@cached_query
def procedures_by_late(engine: Engine, f: DossierFilter, limit: int = TOP_PROCEDURES) -> pd.DataFrame:
    """Procedures ranked by dossiers finished late in the period (most first), from the late
    page's Pareto query (:func:`data.queries.late.late_by_procedure`), named for the review:
    procedure_code, procedure_name(_en), level, sector_code, sector_name(_en), finished_late,
    finished, on_time_rate. Only procedures with at least one late dossier."""
    df = qlate.late_by_procedure(engine, f, "late")
    df = df[df["count"] > 0].head(limit)
    sectors = qlate.reference_maps(engine)["sectors"].rename(
        columns={"code": "sector_code", "name": "sector_name", "name_en": "sector_name_en"})
    df = df.merge(sectors[["sector_code", "sector_name", "sector_name_en"]], on="sector_code", how="left")
    df = df.rename(columns={"count": "finished_late", "base": "finished", "procedure_level": "level"})
    df["on_time_rate"] = 1 - df["rate"]
    return df.reset_index(drop=True)


@cached_query
def units_on_time(engine: Engine, f: DossierFilter) -> tuple[str, pd.DataFrame]:
    """(unit kind, frame): the on-time rate of each unit one step below the filter's place,
    from the late page's unit split (:func:`data.queries.late.late_by_unit`).

    Whole province: each district-level unit's territory (its own desk and its communes
    together: ``kind='district'``). With a district: each of its communes (``'commune'``).
    Columns: code, name, name_en, district_code, finished, finished_late, on_time_rate,
    in the units' official order."""
    kind = "commune" if f.effective_district else "district"
    cols = ["code", "name", "name_en", "district_code", "finished", "finished_late", "on_time_rate"]
    df = qlate.late_by_unit(engine, f.with_(level=None), "late")
    df = df[df["unit_kind"] == kind].sort_values(["sort_order", "unit_code"])
    if df.empty:
        return kind, pd.DataFrame(columns=cols)
    df = df.rename(columns={"unit_code": "code", "count": "finished_late", "base": "finished"})
    df["district_code"] = f.effective_district if kind == "commune" else df["code"]
    df["on_time_rate"] = np.where(df["finished"] > 0, 1 - df["rate"].astype(float), np.nan)
    return kind, df[cols].reset_index(drop=True)


def data_as_of(engine: Engine) -> dt.date | None:
    """The day the data was last loaded (the latest finished import or demo build)."""
    with engine.connect() as conn:
        value = conn.execute(select(func.max(IR.c.finished_at)).where(IR.c.status == "ok")).scalar()
    if value is None:
        return None
    if isinstance(value, str):  # SQLite may hand back text from max()
        value = dt.datetime.fromisoformat(value)
    return value.date() if isinstance(value, dt.datetime) else value


def _centre_name(engine: Engine, year: int) -> str | None:
    """The provincial centre's name as its deployment record notes it, if it does."""
    stmt = (select(PD.c.note).select_from(PD.join(U, U.c.code == PD.c.unit_code))
            .where(U.c.level == "province", PD.c.year == year, PD.c.note.isnot(None)))
    with engine.connect() as conn:
        note = conn.execute(stmt).scalar()
    return note.strip() if note and note.strip() else None


# ---------------------------------------------------------------- the facts object

@dataclass
class LevelFacts:
    level: str
    received: int
    received_online: int
    finished: int
    finished_in_time: int
    finished_late: int
    on_time_rate: float | None
    online_share: float | None
    received_unknown_channel: int = 0  # the export did not say: left out of the online share


@dataclass
class PostalLevelFacts:
    level: str
    units: int  # units of the level in scope
    records: int  # units with a deployment record this year
    units_with_staff: int
    postal_staff: int
    civil_servants: int
    procedures_moved: int
    procedures_total: int
    moved_share: float | None
    units_full: int


@dataclass
class Item:
    """A named thing with figures: a sector, a procedure, a unit."""

    code: str
    name: str
    name_en: str
    value: int = 0  # the count the item is ranked by
    base: int = 0  # what the count is out of (finished dossiers...), when there is one
    rate: float | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class ReviewFacts:
    year: int
    province_name: str | None = None
    province_is_city: bool = False  # Thành phố Đà Nẵng from July 2025 (the texts say "thành phố")
    two_tier: bool = False  # the period ends without a district level: units are former districts' areas
    district_code: str | None = None
    district_name: str | None = None
    sector_code: str | None = None
    sector_name: str | None = None
    sector_name_en: str | None = None
    data_date: dt.date | None = None
    levels: list[LevelFacts] = field(default_factory=list)  # the levels in scope
    benchmark_rate: float | None = None  # on-time rate over all levels, whole province (or the user's scope)
    benchmark_scope: str = "province"
    # Postal substitution (deployment records; not kept per sector).
    postal: list[PostalLevelFacts] = field(default_factory=list)  # empty: no record for the year in scope
    centre_name: str | None = None
    full_units: list[Item] = field(default_factory=list)  # units one step below the scope at 100 % moved
    full_units_kind: str = "district"
    moved_units: list[Item] = field(default_factory=list)  # the same units, each with its share moved (slides)
    # Weak points.
    late_sectors: list[Item] = field(default_factory=list)  # every sector with late dossiers, most first
    late_procedures: list[Item] = field(default_factory=list)
    units_kind: str = "district"
    units: list[Item] = field(default_factory=list)  # ranked units (enough finished dossiers), lowest rate first
    units_unranked: int = 0  # units left out for too few finished dossiers
    min_finished: int = MIN_FINISHED  # the fewest finished dossiers a ranked unit has
    communes_total: int = 0
    communes_nothing: list[Item] = field(default_factory=list)  # communes with nothing moved to the post
    communes_by_district: list[Item] = field(default_factory=list)  # per district: value=nothing moved, base=communes
    not_online: list[Item] = field(default_factory=list)  # busiest procedures not offered full online
    # The service index (Decision 766, data.service_index): the scope's total out of the points
    # measured, each group (code = group key, value = points x 10, base = max), and the units
    # (units_kind) ranked best first with rate = total / max measured.
    score_total: float | None = None
    score_max: int = 0
    score_groups: list[Item] = field(default_factory=list)
    score_units: list[Item] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(lv.received + lv.finished > 0 for lv in self.levels)

    def level(self, name: str) -> LevelFacts | None:
        return next((lv for lv in self.levels if lv.level == name), None)

    def postal_level(self, name: str) -> PostalLevelFacts | None:
        return next((p for p in self.postal if p.level == name), None)

    @property
    def total_received(self) -> int:
        return sum(lv.received for lv in self.levels)

    @property
    def total_unknown_channel(self) -> int:
        return sum(lv.received_unknown_channel for lv in self.levels)

    @property
    def total_late(self) -> int:
        return sum(lv.finished_late for lv in self.levels)


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _name_en(row, col: str, fallback: str) -> str:
    v = row.get(col)
    return fallback if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v)


@cached_query
def review_facts(engine: Engine, f: DossierFilter, min_finished: int = MIN_FINISHED) -> ReviewFacts:
    """Everything the review says about the filter's year (and district, sector), step by
    step: names, dossiers per level, postal substitution (stated even for a year without
    dossiers), then the benchmark and the weak points (communes, late dossiers, units,
    procedures not online)."""
    year = f.period.first_ym // 100
    facts = ReviewFacts(year=year, district_code=f.effective_district, sector_code=f.sector_code,
                        data_date=data_as_of(engine), min_finished=min_finished)
    _name_the_scope(engine, f, facts)
    summary = ql.level_summary(engine, f)
    _levels(f, summary, facts)
    _postal(engine, f, facts)
    if not facts.has_data:
        return facts
    # The benchmark: all levels, without the district filter (the user's scope still applies).
    whole = summary_by_level(engine, f.with_(district_code=None)) if f.district_code else summary
    finished, in_time = int(whole["finished"].sum()), int(whole["finished_in_time"].sum())
    facts.benchmark_rate = in_time / finished if finished else None
    facts.benchmark_scope = "district" if f.scope_district_code else "province"
    _communes_nothing_moved(engine, f, facts)
    _late(engine, f, facts)
    _units(engine, f, facts)
    _not_online(engine, f, facts)
    _service_index(engine, f, facts)
    return facts


def _name_the_scope(engine: Engine, f: DossierFilter, facts: ReviewFacts) -> None:
    with engine.connect() as conn:
        # The province (or city) in force at the period's end: Quảng Nam, then Đà Nẵng.
        row = conn.execute(select(U.c.short_name, U.c.division_type).where(
            U.c.level == "province", *in_force_terms(U, f.period.end, f.period.end))).first()
        if row is not None:
            facts.province_name, facts.province_is_city = row.short_name, row.division_type.startswith("thành phố")
        facts.two_tier = not conn.execute(select(U.c.code).where(
            U.c.level == "district", *in_force_terms(U, f.period.end, f.period.end))).first()
        if f.effective_district:
            facts.district_name = conn.execute(select(U.c.short_name).where(U.c.code == f.effective_district)).scalar()
        if f.sector_code:
            row = conn.execute(select(SE.c.name, SE.c.name_en).where(SE.c.code == f.sector_code)).first()
            if row:
                facts.sector_name, facts.sector_name_en = row.name, row.name_en or row.name


def _levels(f: DossierFilter, summary: pd.DataFrame, facts: ReviewFacts) -> None:
    """Dossiers per level in scope (a district has no province level)."""
    for lv in summary.index:  # the period's levels (two from July 2025)
        if f.effective_district and lv == "province":
            continue
        r = summary.loc[lv]
        facts.levels.append(LevelFacts(
            level=lv, received=int(r["received"]), received_online=int(r["received_online"]),
            finished=int(r["finished"]), finished_in_time=int(r["finished_in_time"]),
            finished_late=int(r["finished_late"]),
            on_time_rate=_num(r["on_time_rate"]), online_share=_num(r["online_share"]),
            received_unknown_channel=int(r["received_unknown_channel"])))


def _postal(engine: Engine, f: DossierFilter, facts: ReviewFacts) -> None:
    """Postal substitution per level, and the units one step below the scope with their shares moved."""
    cov = qp.level_coverage(engine, f, (facts.year,))
    if int(cov["records"].sum()) == 0:
        return
    facts.centre_name = _centre_name(engine, facts.year) if not f.effective_district else None
    for _, r in cov.iterrows():
        facts.postal.append(PostalLevelFacts(
            level=r["level"], units=int(r["units"]), records=int(r["records"]),
            units_with_staff=int(r["units_with_staff"]), postal_staff=int(r["postal_staff"]),
            civil_servants=int(r["civil_servants"]), procedures_moved=int(r["procedures_moved"]),
            procedures_total=int(r["procedures_total"]), moved_share=_num(r["moved_share"]),
            units_full=int(r["units_full"])))
    if f.effective_district:
        below = qp.commune_coverage(engine, f, f.effective_district)
        facts.full_units_kind = "commune"
    else:
        below = qp.district_coverage(engine, f)
        facts.full_units_kind = "district"
    for _, r in below.iterrows():
        item = Item(code=str(r["code"]), name=r["short_name"], name_en=r["short_name"],
                    value=int(r["procedures_moved"]) if r["has_record"] else 0,
                    base=int(r["procedures_total"]) if r["has_record"] else 0,
                    rate=_num(r["moved_share"]) if r["has_record"] else None,
                    extra={"has_record": bool(r["has_record"]), "bad_record": bool(r["bad_record"])})
        facts.moved_units.append(item)
        if bool(r["is_full"]) and not bool(r["bad_record"]):
            facts.full_units.append(item)


def _communes_nothing_moved(engine: Engine, f: DossierFilter, facts: ReviewFacts) -> None:
    """Communes with nothing moved to the postal service (no record, or 0 procedures), and per district."""
    communes = ql.commune_postal_coverage(engine, f)
    facts.communes_total = len(communes)
    if not facts.communes_total:
        return
    nothing = communes[~communes["moved"]]
    facts.communes_nothing = [Item(code=str(r["code"]), name=r["name"], name_en=r["name"],
                                   extra={"district_code": r["district_code"], "district_name": r["district_name"]})
                              for _, r in nothing.iterrows()]
    per = (communes.assign(nothing=~communes["moved"])
           .groupby(["district_code", "district_name"], sort=False)
           .agg(communes=("code", "size"), nothing=("nothing", "sum")).reset_index())
    facts.communes_by_district = [Item(code=str(r["district_code"]), name=r["district_name"], name_en=r["district_name"],
                                       value=int(r["nothing"]), base=int(r["communes"]))
                                  for _, r in per.iterrows()]


def _late(engine: Engine, f: DossierFilter, facts: ReviewFacts) -> None:
    """Late dossiers: sectors, then procedures."""
    sectors = ql.sectors_by_late(engine, f)
    sectors = sectors[sectors["finished_late"] > 0]
    facts.late_sectors = [Item(code=r["sector_code"], name=r["sector_name"],
                               name_en=_name_en(r, "sector_name_en", r["sector_name"]),
                               value=int(r["finished_late"]), base=int(r["finished"]), rate=_num(r["on_time_rate"]))
                          for _, r in sectors.iterrows()]
    procs = procedures_by_late(engine, f)
    facts.late_procedures = [Item(code=r["procedure_code"], name=r["procedure_name"],
                                  name_en=_name_en(r, "procedure_name_en", r["procedure_name"]),
                                  value=int(r["finished_late"]), base=int(r["finished"]), rate=_num(r["on_time_rate"]),
                                  extra={"level": r["level"], "sector_code": r["sector_code"],
                                         "sector_name": r["sector_name"],
                                         "sector_name_en": _name_en(r, "sector_name_en", r["sector_name"])})
                             for _, r in procs.iterrows()]


def _units(engine: Engine, f: DossierFilter, facts: ReviewFacts) -> None:
    """Units ranked by on-time rate (those with too few finished dossiers counted apart)."""
    kind, units = units_on_time(engine, f)
    facts.units_kind = kind
    ranked = units[units["finished"] >= facts.min_finished].sort_values(["on_time_rate", "finished_late"], ascending=[True, False])
    facts.units_unranked = int((units["finished"] < facts.min_finished).sum())
    facts.units = [Item(code=str(r["code"]), name=r["name"], name_en=r["name_en"], value=int(r["finished_late"]),
                        base=int(r["finished"]), rate=_num(r["on_time_rate"]), extra={"district_code": r["district_code"]})
                   for _, r in ranked.iterrows()]


def _not_online(engine: Engine, f: DossierFilter, facts: ReviewFacts) -> None:
    """Busy procedures not offered as full online services."""
    nf = ql.procedures_not_full_online(engine, f, TOP_NOT_ONLINE)
    facts.not_online = [Item(code=r["procedure_code"], name=r["procedure_name"],
                             name_en=_name_en(r, "procedure_name_en", r["procedure_name"]),
                             value=int(r["received"]), rate=_num(r["online_share"]),
                             extra={"level": r["level"], "online_level": r["online_level"], "sector_code": r["sector_code"]})
                        for _, r in nf.iterrows()]


def _service_index(engine: Engine, f: DossierFilter, facts: ReviewFacts) -> None:
    """The scope's service-index score, its groups, and the units of the review's kind ranked."""
    from ..service_index import GROUPS
    from .scorecard import scope_score, unit_scores

    scope = scope_score(engine, f)
    facts.score_total, facts.score_max = scope["total"], scope["max_measured"]
    facts.score_groups = [Item(code=g.key, name=g.name, name_en=g.name_en,
                               value=0 if scope["groups"][g.key]["points"] is None
                               else round(scope["groups"][g.key]["points"] * 10),
                               base=g.max_points, rate=scope["groups"][g.key]["rate"]) for g in GROUPS]
    facts.score_units = [Item(code=u["code"], name=u["name"], name_en=u["name_en"], value=u["max_measured"],
                              rate=u["total"] / u["max_measured"]) for u in unit_scores(engine, f, facts.units_kind)
                         if u["total"] is not None]


def units_below(facts: ReviewFacts) -> list[Item]:
    """Ranked units whose on-time rate is below the benchmark, lowest first."""
    if facts.benchmark_rate is None:
        return []
    return [u for u in facts.units if u.rate is not None and u.rate < facts.benchmark_rate]
