"""Administrative units of the former Quảng Nam over time, and where each one went.

Three structures follow one another (docs/units.md gives the sources and the acts):

- the **2023 structure**: the province (49), 18 district-level units, 241 communes, read
  from the installed ``vietnam-provinces==0.5.0`` (the list ``data/catalog.py`` and the demo
  use). In force before the catalogue begins: their start is not recorded (``valid_from``
  is ``None``), their end is.
- from **2025-01-01** (Resolution 1241/NQ-UBTVQH15): Nông Sơn joins Quế Sơn, eight
  communes merge into others: 17 district-level units, 233 communes.
- from **2025-07-01** (Resolutions 202/2025/QH15 and 1659/NQ-UBTVQH15): two tiers.
  Quảng Nam and the former Đà Nẵng form Thành phố Đà Nẵng (48); the former Quảng Nam's
  233 communes form 78 new communes and wards. The 16 units of the city formed only from
  the former Đà Nẵng are not in the catalogue (``OUT_OF_SCOPE``).

A record is one *version* of a unit: codes are reused (Xã Nông Sơn took the code 20656 of
Thị trấn Trung Phước), so a unit is identified by its code *and a date*. Successor links go
from the version that ends to the version that takes over on ``Link.on``, with the share
of the old unit's territory that went there (1.0 everywhere here: the packages put every
former Quảng Nam commune whole into one new commune).

Everything above is plain data: this module imports nothing above ``data/``; the
database tables that hold it are filled by data/unit_versions.py (migration 0009).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata
from typing import NamedTuple

from . import catalog
from . import units_history_extract as extract

REARRANGEMENT_2023_2025 = dt.date(2025, 1, 1)
TWO_TIERS_FROM = dt.date(2025, 7, 1)
OLD_PROVINCE_CODE, NEW_PROVINCE_CODE = "49", "48"
VP_2023 = "vietnam-provinces==0.5.0"
VAU = "vietnamadminunits==1.0.4"
LEVELS = ("province", "district", "commune")
RELATIONS = {
    "merged_into": "the whole old unit became part of the new one",
    "reassigned": "the same commune, now under another district",
    "abolished": "the district level ended; its territory lies in the new city",
    "split": "part of the old unit went to the new one (share < 1)",
}
SCOPE = ("The former Quảng Nam province (code 49) and, from 1 July 2025, the units of Thành phố Đà Nẵng "
         "(48) formed from it; the former Đà Nẵng's own units are not included.")
OUT_OF_SCOPE = tuple(tuple(x) for x in extract.OUT_OF_SCOPE)
NOTES = tuple(extract.NOTES)


@dataclass(frozen=True)
class Act:
    """A legal act that changed the structure, and how far its dates were verified."""

    number: str
    title: str
    issued_by: str
    signed_on: dt.date | None  # None: not verified here
    applies_from: dt.date  # the day the new structure took over: the catalogue's date
    evidence: str


ACTS = {a.number: a for a in (
    Act("1241/NQ-UBTVQH15",
        "Nghị quyết về việc sắp xếp đơn vị hành chính cấp huyện, cấp xã của tỉnh Quảng Nam giai đoạn 2023 – 2025",
        "Ủy ban Thường vụ Quốc hội", dt.date(2024, 10, 24), REARRANGEMENT_2023_2025,
        "Number and signing date from the province's announcement (ceremony of 2 Dec 2024) and the press; "
        "in force from 1 Jan 2025 per Kinh tế & Đô thị's report and the statistics office's crosswalk. "
        "The packages agree: vietnam-provinces 0.6.0 (data of 2025-01-04) carries the new structure."),
    Act("202/2025/QH15", "Nghị quyết về việc sắp xếp đơn vị hành chính cấp tỉnh",
        "Quốc hội", dt.date(2025, 6, 12), TWO_TIERS_FROM,
        "Number and date as cited in the preamble of 1659/NQ-UBTVQH15; Quảng Nam and Đà Nẵng form "
        "Thành phố Đà Nẵng, whose authorities took over on 1 July 2025."),
    Act("1659/NQ-UBTVQH15",
        "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của thành phố Đà Nẵng năm 2025",
        "Ủy ban Thường vụ Quốc hội", dt.date(2025, 6, 16), TWO_TIERS_FROM,
        "Text as published: 94 units (23 phường, 70 xã, 1 đặc khu), in force on approval (16 June 2025); "
        "the new commune-level authorities operate from 1 July 2025."),
    Act("203/2025/QH15", "Nghị quyết sửa đổi, bổ sung một số điều của Hiến pháp",
        "Quốc hội", None, TWO_TIERS_FROM,
        "Cited in the preamble of 1659/NQ-UBTVQH15; district-level units end their activity on 1 July 2025 "
        "(two tiers of local government). Signing date not verified here."),
)}


@dataclass(frozen=True)
class Source:
    """A package version the catalogue read, with the SHA-256 of each file read."""

    id: str
    package: str
    version: str
    data_version: str | None
    files: tuple[tuple[str, str], ...]


SOURCES = {sid: Source(sid, s["package"], s["version"], s["data_version"], tuple(sorted(s["files"].items())))
           for sid, s in extract.SOURCES.items()}


@dataclass(frozen=True)
class Unit:
    """One version of an administrative unit: its name, type and parent over [valid_from, valid_to]."""

    code: str  # official code (reused over time: with a date it names one version)
    level: str  # province / district / commune
    name: str  # "Xã Quế Lộc"
    short_name: str  # "Quế Lộc"
    division_type: str  # "xã", "phường", "thị trấn", "huyện", "thị xã", "thành phố", "tỉnh"...
    parent_code: str | None
    valid_from: dt.date | None  # None: in force before the catalogue begins (start not recorded)
    valid_to: dt.date | None  # None: still in force
    latitude: float | None = None
    longitude: float | None = None
    area_km2: float | None = None
    other_names: tuple[str, ...] = ()  # other spellings in the packages (for name matching)
    source: str = VP_2023  # Source id of code, name, type and parent
    position_source: str | None = None  # Source id of position, area and other names
    act: str | None = None  # the act that created this version (None: the 2023 structure)

    def in_force(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

    @property
    def key(self) -> tuple[str, dt.date | None]:
        return (self.code, self.valid_from)


@dataclass(frozen=True)
class Link:
    """``from_code`` (the version in force the day before ``on``) -> ``to_code`` (in force on ``on``)."""

    from_code: str
    to_code: str
    on: dt.date
    share: float  # of the old unit's territory
    relation: str  # a key of RELATIONS
    source: str  # Source id the link was derived from
    act: str  # ACTS key


class Successor(NamedTuple):
    unit: Unit
    share: float


def _short(name: str, division_type: str) -> str:
    """'Xã Quế Lộc' -> 'Quế Lộc' (as data/catalog.py shortens), 'Thành phố Đà Nẵng' -> 'Đà Nẵng'."""
    for prefix in (division_type, "thành phố"):
        if name.lower().startswith(prefix + " "):
            return name[len(prefix) + 1:]
    return name


def _date(s: str | None) -> dt.date | None:
    return None if s is None else dt.date.fromisoformat(s)


class UnitsHistory:
    """Unit versions and successor links, indexed and checked (a broken chain raises ValueError)."""

    def __init__(self, units: list[Unit], links: list[Link]):
        self.links = tuple(sorted(links, key=lambda l: (l.on, l.from_code, l.to_code)))
        self._leaving: dict[str, set[dt.date]] = defaultdict(set)
        for l in self.links:
            self._leaving[l.from_code].add(l.on)
        versions: dict[str, list[Unit]] = defaultdict(list)
        for u in units:
            versions[u.code].append(u)
        self._versions = {c: sorted(vs, key=lambda u: u.valid_from or dt.date.min) for c, vs in versions.items()}
        self._versions = {c: self._with_ends(c, vs) for c, vs in self._versions.items()}
        self.units = tuple(sorted((u for vs in self._versions.values() for u in vs),
                                  key=lambda u: (LEVELS.index(u.level), u.valid_from or dt.date.min, u.code)))
        self._out: dict[tuple, list[tuple[Link, Unit]]] = defaultdict(list)
        self._in: dict[tuple, list[tuple[Link, Unit]]] = defaultdict(list)
        for l in self.links:
            if l.relation not in RELATIONS or l.act not in ACTS or l.source not in SOURCES:
                raise ValueError(f"link {l}: unknown relation, act or source")
            try:  # the old version ends the day before (its end is derived from its links)
                old, new = self.version(l.from_code, l.on - dt.timedelta(days=1)), self.version(l.to_code, l.on)
            except KeyError as e:
                raise ValueError(f"link {l}: {e.args[0]}") from None
            self._out[old.key].append((l, new))
            self._in[new.key].append((l, old))
        for u in self.units:
            shares = sum(l.share for l, _ in self._out.get(u.key, ()))
            if u.valid_to is not None and abs(shares - 1) > 1e-9:
                raise ValueError(f"{u.name} ({u.code}) ends on {u.valid_to} but its successors take {shares:g} of it")

    def _with_ends(self, code: str, versions: list[Unit]) -> list[Unit]:
        """A version ends the day before the first link that leaves its code after it began
        (a later version of the same code starts with such a link)."""
        out = []
        for u in versions:
            leaving = [on for on in self._leaving.get(code, ()) if u.valid_from is None or on > u.valid_from]
            out.append(replace(u, valid_to=min(leaving) - dt.timedelta(days=1) if leaving else None))
        for a, b in zip(out, out[1:]):
            if a.valid_to is None or b.valid_from is None or a.valid_to >= b.valid_from:
                raise ValueError(f"versions of {code} overlap: {a.name} / {b.name}")
        return out

    # ------------------------------------------------------------------ lookups

    def versions(self, code: str) -> list[Unit]:
        """Every version of ``code``, oldest first (KeyError for a code never in the catalogue)."""
        try:
            return list(self._versions[code])
        except KeyError:
            raise KeyError(f"unit code {code!r} is not in the catalogue of the former Quảng Nam") from None

    def version(self, code: str, on: dt.date) -> Unit:
        """The version of ``code`` in force on ``on`` (KeyError when none was)."""
        for u in self.versions(code):
            if u.in_force(on):
                return u
        spans = ", ".join(f"{u.name} {u.valid_from or '…'}–{u.valid_to or '…'}" for u in self.versions(code))
        raise KeyError(f"no unit with code {code} was in force on {on:%d/%m/%Y} ({spans})")

    def units_in_force(self, on: dt.date, level: str | None = None) -> list[Unit]:
        return [u for u in self.units if u.in_force(on) and (level is None or u.level == level)]

    def children(self, code: str, on: dt.date) -> list[Unit]:
        return [u for u in self.units_in_force(on) if u.parent_code == code]

    def links_from(self, code: str, code_on: dt.date | None = None) -> list[Link]:
        """The links leaving the version of ``code`` in force on ``code_on`` (default: its first version)."""
        start = self._start(code, code_on)
        return [l for l, _ in self._out.get(start.key, ())]

    def links_to(self, code: str, on: dt.date) -> list[Link]:
        return [l for l, _ in self._in.get(self.version(code, on).key, ())]

    # ------------------------------------------------------------------ following chains

    def _start(self, code: str, code_on: dt.date | None) -> Unit:
        return self.versions(code)[0] if code_on is None else self.version(code, code_on)

    def _forward(self, u: Unit, on: dt.date) -> dict[tuple, float]:
        if u.in_force(on):
            return {u.key: 1.0}
        if u.valid_from is not None and on < u.valid_from:
            raise ValueError(f"{u.name} ({u.code}) only exists from {u.valid_from:%d/%m/%Y}, after {on:%d/%m/%Y}")
        out: dict[tuple, float] = defaultdict(float)
        for link, new in self._out[u.key]:
            for key, share in self._forward(new, on).items():
                out[key] += link.share * share
        return out

    def successors(self, code: str, on: dt.date, *, code_on: dt.date | None = None) -> list[Successor]:
        """The units in force on ``on`` that the unit ``code`` went into, with the share of it each took.

        ``code_on`` picks the version of ``code`` (a date it was in force; default: its first
        version, the historical code as in older data). A unit still in force on ``on`` is its own
        successor with share 1."""
        flows = self._forward(self._start(code, code_on), on)
        return sorted((Successor(self._by_key(k), s) for k, s in flows.items()), key=lambda x: x.unit.code)

    def predecessors(self, code: str, on: dt.date, at: dt.date) -> list[Successor]:
        """The units in force on ``at`` (earlier) whose territory went into the version of ``code`` in
        force on ``on``, each with the share of it that went there: what a trend of today's unit sums."""
        if at > on:
            raise ValueError(f"{at:%d/%m/%Y} is after {on:%d/%m/%Y}")

        def back(u: Unit) -> dict[tuple, float]:
            out: dict[tuple, float] = defaultdict(float)
            if u.in_force(at):
                out[u.key] += 1.0
            for link, old in self._in.get(u.key, ()):
                if link.on > at:
                    for key, share in back(old).items():
                        out[key] += link.share * share
            return out

        flows = back(self.version(code, on))
        return sorted((Successor(self._by_key(k), s) for k, s in flows.items()), key=lambda x: x.unit.code)

    def successor_map(self, from_on: dt.date, to_on: dt.date, level: str = "commune") -> dict[str, list[Successor]]:
        """Every unit of ``level`` in force on ``from_on`` -> its successors in force on ``to_on``."""
        return {u.code: self.successors(u.code, to_on, code_on=from_on) for u in self.units_in_force(from_on, level)}

    def current_units_for(self, code: str, code_on: dt.date | None = None) -> list[Successor]:
        """Follows the chains (2023 -> 2025-01-01 -> 2025-07-01) to the units in force now."""
        return self.successors(code, dt.date.max, code_on=code_on)

    def current_unit_for(self, code: str, code_on: dt.date | None = None) -> Unit:
        """The one unit in force now that ``code`` became (ValueError if it was split)."""
        found = self.current_units_for(code, code_on)
        if len(found) != 1:
            parts = ", ".join(f"{s.unit.name} {s.share:.0%}" for s in found)
            raise ValueError(f"unit {code} was split: {parts}")
        return found[0].unit

    def communes_formed_from_district(self, code: str, on: dt.date = TWO_TIERS_FROM) -> list[Unit]:
        """The communes in force on ``on`` that took in any commune ever under district ``code``
        (after July 2025, the scope of a former district's users)."""
        self.versions(code)
        keys = {s.unit.key for u in self.units if u.level == "commune" and u.parent_code == code
                for s in self.successors(u.code, on, code_on=u.valid_from or u.valid_to)}
        return sorted((self._by_key(k) for k in keys), key=lambda u: u.code)

    def provenance(self, code: str, on: dt.date) -> dict:
        """Where the version of ``code`` in force on ``on`` and its links come from."""
        u = self.version(code, on)
        return {
            "unit": SOURCES[u.source],
            "position": SOURCES.get(u.position_source) if u.latitude is not None else None,
            "act": ACTS.get(u.act),
            "links_in": [(l, SOURCES[l.source], ACTS[l.act]) for l, _ in self._in.get(u.key, ())],
            "links_out": [(l, SOURCES[l.source], ACTS[l.act]) for l, _ in self._out.get(u.key, ())],
        }

    def _by_key(self, key: tuple) -> Unit:
        code, valid_from = key
        return next(u for u in self._versions[code] if u.valid_from == valid_from)


def _units_2023() -> list[Unit]:
    """The 2023 structure from the installed vietnam-provinces 0.5.0, via data/catalog.py."""
    installed = metadata.version("vietnam-provinces")
    if installed != SOURCES[VP_2023].version:
        raise RuntimeError(f"the units catalogue was extracted against vietnam-provinces {SOURCES[VP_2023].version}, "
                           f"but {installed} is installed: rerun scripts/extract_units_history.py")
    units = []
    for row in catalog.load_units():
        extra = extract.ATTRIBUTES_2023.get(row["code"])
        units.append(Unit(code=row["code"], level=row["level"], name=row["name"], short_name=row["short_name"],
                          division_type=row["division_type"], parent_code=row["parent_code"],
                          valid_from=None, valid_to=None,
                          latitude=extra["latitude"] if extra else None,
                          longitude=extra["longitude"] if extra else None,
                          other_names=tuple(extra["other_names"]) if extra else (),
                          source=VP_2023, position_source=VAU if extra else None))
    return units


def _units_later() -> list[Unit]:
    return [Unit(code=u["code"], level=u["level"], name=u["name"], short_name=_short(u["name"], u["division_type"]),
                 division_type=u["division_type"], parent_code=u["parent_code"],
                 valid_from=_date(u["valid_from"]), valid_to=None, latitude=u["latitude"],
                 longitude=u["longitude"], area_km2=u["area_km2"], other_names=tuple(u["other_names"]),
                 source=u["source"], position_source=u["position_source"], act=u["act"])
            for u in extract.UNITS]


@lru_cache(maxsize=1)
def catalogue() -> UnitsHistory:
    """The catalogue of the former Quảng Nam (built once per process)."""
    links = [Link(from_code=l["from_code"], to_code=l["to_code"], on=_date(l["on"]), share=l["share"],
                  relation=l["relation"], source=l["source"], act=l["act"]) for l in extract.LINKS]
    return UnitsHistory(_units_2023() + _units_later(), links)


# Module-level shortcuts to the catalogue's lookups.
def units_in_force(on: dt.date, level: str | None = None) -> list[Unit]:
    return catalogue().units_in_force(on, level)


def successors(code: str, on: dt.date, *, code_on: dt.date | None = None) -> list[Successor]:
    return catalogue().successors(code, on, code_on=code_on)


def predecessors(code: str, on: dt.date, at: dt.date) -> list[Successor]:
    return catalogue().predecessors(code, on, at)


def current_unit_for(code: str, code_on: dt.date | None = None) -> Unit:
    return catalogue().current_unit_for(code, code_on)


def provenance(code: str, on: dt.date) -> dict:
    return catalogue().provenance(code, on)
