"""The catalogue as names: receiving agencies (and the units their People's Committees serve),
districts, procedures and sectors, each a :class:`names.NameIndex`, with the rules of a
dossier export on top.

* An agency is found by its own name ("Sở Tư pháp", "UBND Xã Quế Xuân 1"), by the name of
  the unit whose People's Committee it is ("Xã Quế Xuân 1", "Quế Xuân 1"), with or without
  the province's or district's name after it ("Sở Tư pháp tỉnh Quảng Nam", "UBND xã Quế
  Xuân 1, huyện Quế Sơn"). The district the row (or its sheet's title block) names settles
  a commune name found in two districts.
* A procedure is found by its name; one that exists at several levels ("Chứng thực bản sao
  từ bản chính", district and commune) is the receiving agency's level's; the sector the
  row names breaks remaining ties.
* A register's title block ("UBND HUYỆN QUẾ SƠN", "BỘ PHẬN MỘT CỬA XÃ QUẾ XUÂN 1") names the
  district and often the desk itself, for sheets without an agency column.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..schema import Agency, Procedure, Sector, Unit
from .columns import fold
from .labels import label_key
from .names import Candidate, NameIndex, Resolution, split_name

LEVEL_RANK = {"commune": 0, "district": 1, "province": 2}


@dataclass
class SheetHints:
    district_code: str | None = None
    agency_code: str | None = None
    agency_text: str | None = None  # the title line the agency was read from


@dataclass
class CatalogNames:
    units: pd.DataFrame  # code -> name, short_name, division_type, level, parent_code
    agencies: pd.DataFrame  # code -> id, name, level, unit_code, district_code
    procedures: pd.DataFrame  # code -> id, name, level, sector_code
    sectors: pd.DataFrame  # code -> id, name
    aliases: dict = field(default_factory=dict)  # "agency"/"procedure" -> {label_key: code} (labels file)

    @classmethod
    def load(cls, conn: Connection, aliases: dict | None = None) -> CatalogNames:
        units = pd.DataFrame(conn.execute(select(Unit.code, Unit.name, Unit.short_name, Unit.division_type, Unit.level,
                                                 Unit.parent_code, Unit.official_code, Unit.valid_from,
                                                 Unit.valid_to)).all(),
                             columns=["code", "name", "short_name", "division_type", "level", "parent_code",
                                      "official_code", "valid_from", "valid_to"]).set_index("code")
        agencies = pd.DataFrame(conn.execute(select(Agency.code, Agency.id, Agency.name, Agency.level, Agency.unit_code,
                                                    Agency.district_code, Agency.valid_from, Agency.valid_to)).all(),
                                columns=["code", "id", "name", "level", "unit_code", "district_code",
                                         "valid_from", "valid_to"]).set_index("code")
        procedures = pd.DataFrame(conn.execute(select(Procedure.code, Procedure.id, Procedure.name, Procedure.level,
                                                      Sector.code).join(Sector, Sector.id == Procedure.sector_id)).all(),
                                  columns=["code", "id", "name", "level", "sector_code"]).set_index("code")
        sectors = pd.DataFrame(conn.execute(select(Sector.code, Sector.id, Sector.name)).all(),
                               columns=["code", "id", "name"]).set_index("code")
        return cls(units, agencies, procedures, sectors, aliases or {})

    # ------------------------------------------------------------ indexes (built on first use)

    def __post_init__(self):
        self._agency_index = self._district_index = self._procedure_index = self._sector_index = None
        self._cache: dict = {}
        self._eras: dict = {}

    def in_force_on(self, day) -> CatalogNames:
        """The same names limited to the units and agencies in force on ``day`` (the names of one
        structure: 'UBND Xã Quế Lộc' is one desk in 2023 and another in the first half of 2025)."""
        if day not in self._eras:
            def keep(frame):
                start, end = frame["valid_from"], frame["valid_to"]
                return frame[(start.isna() | (start <= day)).to_numpy() & (end.isna() | (end >= day)).to_numpy()]
            self._eras[day] = CatalogNames(keep(self.units), keep(self.agencies), self.procedures, self.sectors,
                                           self.aliases)
        return self._eras[day]

    def _agency_candidates(self):
        units = self.units
        province = units[units["level"] == "province"]
        province_names = [n for r in province.itertuples() for n in (r.name, r.short_name)]
        by_unit = self.agencies.reset_index().groupby("unit_code")["code"].agg(list).to_dict()
        for code, a in self.agencies.iterrows():
            names = [a["name"]]
            attrs = {"level": a["level"], "district_code": a["district_code"], "unit_code": a["unit_code"]}
            u = units.loc[a["unit_code"]] if a["unit_code"] in units.index else None
            if a["level"] == "province":
                names += [f"{a['name']} {p}" for p in province_names] + [f"{a['name']} tỉnh {p}" for p in province_names]
            elif u is not None and (len(by_unit.get(a["unit_code"], [])) == 1 or code[:1] in "HX"):
                # A People's Committee answers to its unit's names too.
                attrs["division_type_key"] = split_name(f"{u['name']}")[0]
                names += [u["name"], u["short_name"]]
                parent = units.loc[u["parent_code"]] if u["parent_code"] in units.index else None
                if parent is not None and u["level"] == "commune":
                    names += [f"{n} {pn}" for n in (a["name"], u["name"]) for pn in (parent["name"], parent["short_name"])]
            yield Candidate(code, tuple(dict.fromkeys(n for n in names if n)), a["name"], attrs)

    @property
    def agency_index(self) -> NameIndex:
        if self._agency_index is None:
            self._agency_index = NameIndex(self._agency_candidates())
        return self._agency_index

    @property
    def district_index(self) -> NameIndex:
        if self._district_index is None:
            d = self.units[self.units["level"] == "district"]
            self._district_index = NameIndex(
                Candidate(code, (r["name"], r["short_name"]), r["name"],
                          {"division_type_key": split_name(r["name"])[0]}) for code, r in d.iterrows())
        return self._district_index

    @property
    def procedure_index(self) -> NameIndex:
        if self._procedure_index is None:
            self._procedure_index = NameIndex(
                Candidate(code, (r["name"],), f"{r['name']} [{r['level']}]",
                          {"level": r["level"], "sector_code": r["sector_code"]}) for code, r in self.procedures.iterrows())
        return self._procedure_index

    @property
    def sector_index(self) -> NameIndex:
        if self._sector_index is None:
            self._sector_index = NameIndex(Candidate(code, (r["name"], code), r["name"]) for code, r in self.sectors.iterrows())
        return self._sector_index

    # ------------------------------------------------------------ answers (cached per distinct question)

    def _alias(self, kind: str, text: str) -> Resolution | None:
        code = self.aliases.get(kind, {}).get(label_key(text))
        if code is None:
            return None
        table = self.agencies if kind == "agency" else self.procedures
        if code in table.index:
            return Resolution(code, "exact", [(str(table.loc[code, "name"]), code, 100.0)])
        return Resolution(None, "unknown", [(f"labels file: {code}", code, 0.0)])

    def agency(self, text: str, district_code: str | None = None, level: str | None = None) -> Resolution:
        key = ("agency", text, district_code, level)
        if key not in self._cache:
            found = self._alias("agency", text)
            if found is None:
                require = {"level": level} if level else {}
                found = self.agency_index.resolve(text, require=require, prefer=[("district_code", district_code)])
            self._cache[key] = found
        return self._cache[key]

    def district(self, text: str) -> Resolution:
        key = ("district", text)
        if key not in self._cache:
            self._cache[key] = self.district_index.resolve(text)
        return self._cache[key]

    def sector(self, text: str) -> Resolution:
        key = ("sector", text)
        if key not in self._cache:
            self._cache[key] = self.sector_index.resolve(text)
        return self._cache[key]

    def procedure(self, text: str, level: str | None, sector_code: str | None, fuzzy: bool = True) -> Resolution:
        key = ("procedure", text, level, sector_code, fuzzy)
        if key not in self._cache:
            found = self._alias("procedure", text)
            if found is None:
                found = self.procedure_index.resolve(text, prefer=[("level", level), ("sector_code", sector_code)],
                                                     fuzzy=fuzzy)
            self._cache[key] = found
        return self._cache[key]

    # ------------------------------------------------------------ a sheet's title block

    def sheet_hints(self, lines: list[str], sheet_title: str = "") -> SheetHints:
        """The district and the desk a register's title block (and its sheet's name) names."""
        hints = SheetHints()
        found_agencies = []
        for line in [sheet_title, *lines]:
            if not line:
                continue
            for part in [line, *[p for p in line.replace(" - ", "|").replace("–", "|").split("|")]]:
                r = self.agency_index.resolve(part.strip(), fuzzy=False)
                if r.ok:
                    found_agencies.append((r.key, part.strip()))
        districts = set()
        for line in [sheet_title, *lines]:
            folded = "_" + label_key_words(line) + "_"
            for code, r in self.units[self.units["level"] == "district"].iterrows():
                kind, norm = split_name(r["name"])
                if f"_{norm.replace(' ', '_')}_" in folded:
                    districts.add(code)
        if found_agencies:
            best = min(found_agencies, key=lambda a: LEVEL_RANK.get(self.agencies.loc[a[0], "level"], 3))
            hints.agency_code, hints.agency_text = best
            hints.district_code = self.agencies.loc[best[0], "district_code"] or None
        if hints.district_code is None and len(districts) == 1:
            hints.district_code = next(iter(districts))
        return hints


def label_key_words(text: str) -> str:
    """Folded text keeping word boundaries ('UBND HUYỆN QUẾ SƠN' -> 'ubnd_huyen_que_son')."""
    return fold(text)
