"""Is a dossier's receiving agency in force on the day the dossier was received?

Units have life spans (data.unit_versions, docs/units.md) and so have the agencies that receive
for them: "UBND Xã Quế Lộc" names the commune of Nông Sơn before 2025, of Quế Sơn in the first
half of 2025, and nothing after June 2025 (it became part of Xã Nông Sơn). So a name is looked up
among the agencies in force in the structure ("era") of the row's received date, a code given by an
export is taken to the version of that code in force that day, and a row whose agency was not in
force is rejected with the reason and the unit(s) in force that day in its place.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def _in_force(start, end, on: dt.date) -> bool:
    return (start is None or pd.isna(start) or start <= on) and (end is None or pd.isna(end) or on <= end)


def _d(x) -> str:
    return f"{x:%d/%m/%Y}"


@dataclass
class Validity:
    """Life spans of units and agencies, and the successor links, as an import reads them."""

    units: pd.DataFrame  # index unit key: name, level, official_code, valid_from, valid_to
    agencies: pd.DataFrame  # index agency code: unit_code, valid_from, valid_to, name
    successors: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def __post_init__(self):
        bounds = set()
        for frame in (self.units, self.agencies):
            bounds |= {d for d in frame["valid_from"].dropna()}
            bounds |= {d + dt.timedelta(days=1) for d in frame["valid_to"].dropna()}
        self.era_starts = sorted(bounds)  # the structure changes on these days
        self._family: dict[str, list[str]] = {}
        for code in self.agencies.index:
            self._family.setdefault(self.family(code), []).append(code)

    @property
    def has_spans(self) -> bool:
        return bool(self.era_starts)

    @staticmethod
    def family(code: str) -> str:
        """'X20656-2507' -> 'X20656', 'STP-48' -> 'STP': the versions an export's code may mean."""
        return code.split("-", 1)[0]

    def era(self, on: dt.date) -> dt.date:
        """A day that stands for the structure in force on ``on``: its first day (for the first
        structure, whose start is not recorded, the day before the second began)."""
        found = self.era_starts[0] - dt.timedelta(days=1)
        for start in self.era_starts:
            if start <= on:
                found = start
        return found

    def agency_in_force(self, code: str, on: dt.date) -> bool:
        a = self.agencies.loc[code]
        return _in_force(a["valid_from"], a["valid_to"], on)

    def agency_version(self, code: str, on: dt.date) -> str | None:
        """The version of an agency code in force on ``on`` (the code itself, or the same desk's later
        or earlier version, e.g. 'X20656' in 2026 -> 'X20656-2507'); None when no version was."""
        for c in self._family.get(self.family(code), [code]):
            if c in self.agencies.index and self.agency_in_force(c, on):
                return c
        return None

    def unit_version(self, official_code: str, on: dt.date) -> str | None:
        """The unit key of the unit with this official code (or key) in force on ``on``."""
        u = self.units
        cand = u.index[(u["official_code"] == official_code).to_numpy() | (u.index == official_code)]
        for key in cand:
            if _in_force(u.at[key, "valid_from"], u.at[key, "valid_to"], on):
                return key
        return None

    def units_in_force_after(self, unit_key: str, on: dt.date) -> list[str]:
        """The units in force on ``on`` that ``unit_key`` became (following successor links)."""
        out, todo, seen = [], [unit_key], set()
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            if k in self.units.index and _in_force(self.units.at[k, "valid_from"], self.units.at[k, "valid_to"], on):
                out.append(k)
            else:
                todo.extend(to for to, _ in self.successors.get(k, ()))
        return sorted(set(out))

    def reason(self, agency_code: str, on: dt.date) -> tuple[str, str]:
        """Why the agency cannot have received a dossier on ``on``, and what was in force then (vi, en)."""
        a = self.agencies.loc[agency_code]
        unit = a["unit_code"]
        uname = self.units.at[unit, "name"] if unit in self.units.index else unit
        start, end = a["valid_from"], a["valid_to"]
        if end is not None and not pd.isna(end) and on > end:
            when_vi, when_en = f"không còn từ {_d(end + dt.timedelta(days=1))}", f"no longer exists from {_d(end + dt.timedelta(days=1))}"
            now = [self.units.at[k, "name"] for k in self.units_in_force_after(unit, on)]
        else:
            when_vi, when_en = f"chỉ có từ {_d(start)}", f"only exists from {_d(start)}"
            now = []
        level = self.units.at[unit, "level"] if unit in self.units.index else ""
        abolished = level == "district" and now and all(self.units.at[k, "level"] == "province"
                                                        for k in self.units_in_force_after(unit, on))
        vi = f"{uname} {when_vi}: không có hiệu lực ngày tiếp nhận {_d(on)}"
        en = f"{uname} {when_en}: not in force on the received date {_d(on)}"
        if abolished:
            vi += " (cấp huyện đã kết thúc hoạt động)"
            en += " (the district level was abolished)"
        if now:
            vi += "; đơn vị có hiệu lực ngày đó: " + ", ".join(now)
            en += "; in force that day: " + ", ".join(now)
        return vi, en


def era_of_dates(validity: Validity | None, dates: pd.Series) -> np.ndarray:
    """Each row's era (first day of its structure, or None), for rows with a valid received date."""
    if validity is None or not validity.has_spans:
        return np.full(len(dates), None, dtype=object)
    return np.array([None if pd.isna(d) else validity.era(d.date()) for d in dates], dtype=object)
