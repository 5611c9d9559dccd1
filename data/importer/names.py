"""Resolve a name written in an export to one catalogue entry, or say why it cannot be done.

General on purpose (catalogue in, candidates out): an index is built from
:class:`Candidate` entries (a key such as an agency or procedure code, the names it goes
by, and attributes a caller can filter or prefer on: level, district, division type, and
later a unit's validity dates). :meth:`NameIndex.resolve` answers with the key, or with
``ambiguous`` / ``unknown`` and the best candidates, never with a guess:

1. names are compared after normalisation: case, tone marks and punctuation dropped,
   "UBND" / "Ủy ban nhân dân", "Thủ tục", "Lĩnh vực" prefixes dropped, the unit-type word
   ("xã", "phường", "thị trấn", "huyện", "thị xã", "thành phố", "tỉnh", "quận") split off
   and kept as a requirement: "UBND huyện Quế Sơn" can only be a district-type unit's;
2. an exact normalised match wins; several are narrowed by what the row says (``prefer``:
   the receiving agency's level for a procedure, the district the row or sheet names for a
   commune); still several is ambiguous;
3. otherwise rapidfuzz's ratio must reach a strict threshold (95 of 100) with no other
   entry within a few points, and the numbers in the two names must be the same ("Quế
   Xuân 1" is never "Quế Xuân 2"); anything less is unknown, with the closest names listed.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .columns import fold

THRESHOLD = 95.0  # fuzz.ratio: about one character in forty may differ
MARGIN = 3.0  # a second entry this close makes the match ambiguous
SHOWN = 3  # candidates listed in a report

# Unit-type words, longest first (folded, words joined by "_").
UNIT_TYPES = ("thanh_pho", "thi_tran", "thi_xa", "huyen", "quan", "phuong", "tinh", "xa")
PREFIXES = ("uy_ban_nhan_dan", "ubnd", "bo_phan_tiep_nhan_va_tra_ket_qua", "bo_phan_mot_cua", "bo_phan_tiep_nhan",
            "thu_tuc_hanh_chinh", "thu_tuc", "linh_vuc", "tthc")
_DIGITS = re.compile(r"\d+")


def split_name(text) -> tuple[str | None, str]:
    """'UBND Xã Quế Xuân 1' -> ('xa', 'que xuan 1'): the unit-type word (if any) and the rest, normalised."""
    s = fold(str(text).replace("&", " và ") if text is not None else text)
    changed = True
    while changed:
        changed = False
        for p in PREFIXES:
            if s == p or s.startswith(p + "_"):
                s, changed = s[len(p) + 1:], True
    kind = None
    for t in UNIT_TYPES:
        if s.startswith(t + "_") and len(s) > len(t) + 1:
            kind, s = t, s[len(t) + 1:]
            break
    return kind, s.replace("_", " ")


@dataclass(frozen=True)
class Candidate:
    key: str
    names: tuple[str, ...]
    label: str  # how a report shows it
    attrs: Mapping = field(default_factory=dict)


@dataclass
class Resolution:
    key: str | None
    status: str  # exact | close | ambiguous | unknown | empty
    candidates: list[tuple[str, str, float]] = field(default_factory=list)  # (label, key, score), best first

    @property
    def ok(self) -> bool:
        return self.key is not None

    def shown(self) -> str:
        return "; ".join(f"{label} ({key})" for label, key, _ in self.candidates[:SHOWN])


Pref = tuple[str, object]


class NameIndex:
    def __init__(self, candidates: Iterable[Candidate], split: Callable = split_name):
        self.split = split
        self.entries: list[tuple[str | None, str, Candidate]] = []
        self.by_name: dict[str, list[int]] = {}
        for c in candidates:
            seen = set()
            for name in c.names:
                kind, norm = split(name)
                if not norm or (kind, norm) in seen:
                    continue
                seen.add((kind, norm))
                self.by_name.setdefault(norm, []).append(len(self.entries))
                self.entries.append((kind, norm, c))
        self._norms = [e[1] for e in self.entries]

    @staticmethod
    def _allowed(kind_q, entry, require: Mapping) -> bool:
        kind_e, _, c = entry
        if kind_q is not None and kind_e is not None and kind_q != kind_e:
            return False
        if kind_q is not None and kind_e is None and c.attrs.get("division_type_key") not in (None, kind_q):
            return False
        for attr, want in require.items():
            have = c.attrs.get(attr)
            if callable(want):
                if not want(have):
                    return False
            elif isinstance(want, (set, frozenset, tuple, list)):
                if have not in want:
                    return False
            elif have != want:
                return False
        return True

    @staticmethod
    def _narrow(cands: list[Candidate], prefer: Iterable[Pref]) -> list[Candidate]:
        for attr, want in prefer:
            if want is None or len(cands) <= 1:
                continue
            sub = [c for c in cands if c.attrs.get(attr) == want]
            if sub:
                cands = sub
        return cands

    def resolve(self, text, *, require: Mapping | None = None, prefer: Iterable[Pref] = (),
                fuzzy: bool = True) -> Resolution:
        kind, norm = self.split(text)
        if not norm:
            return Resolution(None, "empty")
        require = require or {}
        prefer = list(prefer)
        hits = [self.entries[i] for i in self.by_name.get(norm, ())]
        hits = [e for e in hits if self._allowed(kind, e, require)]
        unique = list({e[2].key: e[2] for e in hits}.values())
        if unique:
            narrowed = self._narrow(unique, prefer)
            if len(narrowed) == 1:
                return Resolution(narrowed[0].key, "exact", [(narrowed[0].label, narrowed[0].key, 100.0)])
            return Resolution(None, "ambiguous", [(c.label, c.key, 100.0) for c in narrowed])
        digits = _DIGITS.findall(norm)
        scored: dict[str, tuple[float, Candidate, str]] = {}
        allowed: set[str] = set()
        for _, score, i in process.extract(norm, self._norms, scorer=fuzz.ratio, limit=25, score_cutoff=60):
            e = self.entries[i]
            c = e[2]
            if self._allowed(kind, e, require):
                allowed.add(c.key)
            if score > scored.get(c.key, (-1.0, None, ""))[0]:
                scored[c.key] = (score, c, e[1])
        ranked = sorted(scored.values(), key=lambda sc: (-sc[0], sc[1].label))
        # Listed for the report even when the row rules them out ("xã Quế Sơn": the district is shown).
        shown = [(c.label, c.key, round(s, 1)) for s, c, _ in ranked]
        # Close enough: the threshold, and the same numbers ("Quế Xuân 1" is never "Quế Xuân 2").
        good = [(s, c) for s, c, n in ranked if c.key in allowed and s >= THRESHOLD and _DIGITS.findall(n) == digits]
        if not fuzzy or not good:
            return Resolution(None, "unknown", shown)
        close = self._narrow([c for s, c in good if s >= good[0][0] - MARGIN], prefer)
        if len(close) == 1:
            return Resolution(close[0].key, "close", shown)
        return Resolution(None, "ambiguous", shown)
