"""The catalogue of :mod:`data.units_history` as database rows: units with life spans,
successor links, and a People's Committee (or, for the city, its departments) for every
unit version that receives dossiers.

A unit's row key (``units.code``) is its official code for the code's first version and
``<code>-<yymm>`` (the month the version began) for a later version that reuses it:
Xã Nông Sơn of July 2025 is ``20656-2507``, Thị trấn Trung Phước of 2023 is ``20656``.
``units.official_code`` keeps the code the state prints (what exports write), so a code
and a date name one row (:func:`unit_key_for`). The 2023 structure keeps its keys: every
table, URL and test that names a 2023 unit reads the same.

After July 2025 a commune's People's Committee carries, as ``agencies.district_code``, the
former district-level unit its territory came from (each new commune comes from exactly
one, docs/units.md): the scope of that district's users (docs/security.md). The dossiers it
receives carry the same ``district_code``.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from . import catalog
from . import units_history as uh
from .schema import Agency, Unit, UnitSuccessor

# The day before the first version began: the date used to pick a 2023 version by code.
CATALOGUE_START = dt.date(2023, 1, 1)


def version_key(u: uh.Unit) -> str:
    """The row key of one unit version (see the module docstring)."""
    first = uh.catalogue().versions(u.code)[0]
    if u.key == first.key:
        return u.code
    return f"{u.code}-{u.valid_from:%y%m}"


def _some_day(u: uh.Unit) -> dt.date:
    return u.valid_from or u.valid_to or CATALOGUE_START


@lru_cache(maxsize=1)
def unit_rows() -> tuple[dict, ...]:
    """Every unit version as a ``units`` row (2023 rows as data/catalog.py gives them, plus life spans)."""
    cat = uh.catalogue()
    base = {r["code"]: r for r in catalog.load_units()}
    rows = []
    order: dict[str, int] = {}
    for u in cat.units:
        key = version_key(u)
        parent = None
        if u.parent_code is not None:
            parent = version_key(cat.version(u.parent_code, _some_day(u)))
        if u.valid_from is None and key in base:  # the 2023 structure: tiles and order as before
            row = dict(base[key])
        else:
            order[parent or ""] = order.get(parent or "", 0) + 1
            row = dict(code=key, name=u.name, short_name=u.short_name, division_type=u.division_type,
                       level=u.level, parent_code=parent, tile_row=None, tile_col=None,
                       sort_order=order[parent or ""] + 1000)
        row.update(parent_code=parent, official_code=u.code, valid_from=u.valid_from, valid_to=u.valid_to)
        rows.append(row)
    return tuple(rows)


@lru_cache(maxsize=1)
def successor_rows() -> tuple[dict, ...]:
    cat = uh.catalogue()
    rows = []
    for link in cat.links:
        old = cat.version(link.from_code, link.on - dt.timedelta(days=1))
        new = cat.version(link.to_code, link.on)
        rows.append(dict(from_code=version_key(old), to_code=version_key(new), effective_on=link.on,
                         share=link.share, relation=link.relation, source=link.source, act=link.act))
    return tuple(rows)


def former_district(key: str) -> str | None:
    """The district-level unit (row key) whose communes a post-July-2025 commune was formed from
    (None for a unit that has a district parent, or for the city)."""
    return _former_districts().get(key)


@lru_cache(maxsize=1)
def _former_districts() -> dict[str, str]:
    cat = uh.catalogue()
    out = {}
    for u in cat.units_in_force(uh.TWO_TIERS_FROM, "commune"):
        day_before = uh.TWO_TIERS_FROM - dt.timedelta(days=1)
        olds = cat.predecessors(u.code, uh.TWO_TIERS_FROM, day_before)
        districts = {version_key(cat.version(o.unit.parent_code, day_before)) for o in olds}
        if len(districts) != 1:  # tested in part 1; a future catalogue must decide
            raise ValueError(f"{u.name} ({u.code}) was formed from several districts: {sorted(districts)}")
        out[version_key(u)] = districts.pop()
    return out


def agency_rows(units: list[dict], departments: list[dict]) -> list[dict]:
    """The receiving agencies of the unit versions that began after the 2023 structure: People's
    Committees (in force as long as their unit) and, for a later province version, a copy of the
    province's departments.

    ``departments``: the province-level agencies of the first province version (code, name, name_en)."""
    rows = []
    for p in units:
        if p["level"] != "province" or p["valid_from"] is None:
            continue
        for d in departments:
            rows.append(dict(code=f"{d['code']}-{p['official_code']}", name=d["name"], name_en=d["name_en"],
                             level="province", unit_code=p["code"], district_code=None, commune_code=None,
                             valid_from=p["valid_from"], valid_to=p["valid_to"]))
    for u in units:
        if u["level"] == "province" or u["valid_from"] is None:  # the 2023 structure has its agencies
            continue
        prefix = "H" if u["level"] == "district" else "X"
        if u["level"] == "district":
            district = u["code"]
        else:
            parent_level = next((p["level"] for p in units if p["code"] == u["parent_code"]), None)
            district = u["parent_code"] if parent_level == "district" else former_district(u["code"])
        rows.append(dict(code=f"{prefix}{u['code']}", name=f"UBND {u['name']}",
                         name_en=f"People's Committee of {u['short_name']}", level=u["level"], unit_code=u["code"],
                         district_code=district, commune_code=u["code"] if u["level"] == "commune" else None,
                         valid_from=u["valid_from"], valid_to=u["valid_to"]))
    return rows


def fill_catalogue(conn: Connection) -> int:
    """Give an existing database of the 2023 structure (province 49) the catalogue's life spans,
    later unit versions, successor links and their receiving agencies. Returns the number of
    units added (0 when the database does not hold the whole 2023 structure, or is already filled)."""
    U, A = Unit.__table__, Agency.__table__
    have = set(conn.execute(select(U.c.code)).scalars())
    rows = unit_rows()
    if not {r["code"] for r in rows if r["valid_from"] is None} <= have:
        return 0
    new = [r for r in rows if r["code"] not in have]
    for r in rows:
        if r["code"] in have:
            conn.execute(update(U).where(U.c.code == r["code"])
                         .values(official_code=r["official_code"], valid_from=r["valid_from"], valid_to=r["valid_to"]))
    if new:
        conn.execute(insert(U), new)
    have_links = set(conn.execute(select(UnitSuccessor.from_code, UnitSuccessor.to_code)).all())
    links = [r for r in successor_rows() if (r["from_code"], r["to_code"]) not in have_links]
    if links:
        conn.execute(insert(UnitSuccessor.__table__), links)
    # Agencies: existing ones end with their unit; new unit versions get theirs.
    spans = {r["code"]: (r["valid_from"], r["valid_to"]) for r in rows}
    for code, (start, end) in spans.items():
        conn.execute(update(A).where(A.c.unit_code == code).values(valid_from=start, valid_to=end))
    departments = [dict(r._mapping) for r in conn.execute(
        select(A.c.code, A.c.name, A.c.name_en).where(A.c.unit_code == catalog.PROVINCE_CODE).order_by(A.c.id))]
    have_agencies = set(conn.execute(select(A.c.code)).scalars())
    added = [a for a in agency_rows(list(rows), departments) if a["code"] not in have_agencies]
    next_id = (conn.execute(select(func.max(A.c.id))).scalar() or 0) + 1
    for i, a in enumerate(added):  # explicit ids: a PostgreSQL sequence may lag rows loaded with theirs
        a["id"] = next_id + i
    if added:
        conn.execute(insert(A), added)
    return len(new)


def unit_key_for(conn: Connection, official_code: str, on: dt.date) -> str | None:
    """The row key of the unit with ``official_code`` in force on ``on`` (None: none was)."""
    U = Unit.__table__
    rows = conn.execute(select(U.c.code, U.c.valid_from, U.c.valid_to).where(U.c.official_code == official_code)).all()
    for code, start, end in rows:
        if (start is None or start <= on) and (end is None or on <= end):
            return code
    return None
