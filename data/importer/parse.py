"""Vectorised parsing of one chunk's text columns: flags and counts (dates: ``dates``; status and
channel wordings: ``labels``).

Every parser takes a Series of stripped strings ('' = empty) and returns parsed
values plus a boolean mask of the non-empty values it could not read.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import fold
from .dates import MAX_DATE, MIN_DATE, parse_dates  # noqa: F401  (catalogue imports read dates here)
from .labels import Labels

TRUE_WORDS = {"1", "co", "x", "true", "yes", "y", "dung", "c", "t"}
FALSE_WORDS = {"0", "khong", "false", "no", "n", "sai", "k", "f"}


def _num(text: str):
    """'10', '10.0' -> '10' (xlsx hands numbers over as floats)."""
    t = str(text).strip()
    if t.endswith(".0"):
        t = t[:-2]
    return t


def _map_unique(s: pd.Series, fn) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``fn(text) -> float`` (NaN = unreadable) to the distinct values; also the empty mask."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object))
    vals = np.array([fn(u) for u in uniques], dtype="float64")
    empty_u = np.array([u == "" for u in uniques], dtype=bool)
    if len(uniques) == 0:
        return np.full(len(s), np.nan), np.zeros(len(s), dtype=bool)
    return vals[codes], empty_u[codes]


def parse_status(s: pd.Series):
    return Labels.built_in().parse_status(s)


def parse_channel(s: pd.Series):
    return Labels.built_in().parse_channel(s)


def parse_flags(s: pd.Series):
    """Yes/no columns: 'có', 'x', '1', 'true' / 'không', '0', '' (empty = no)."""
    table = {w: 1.0 for w in TRUE_WORDS} | {w: 0.0 for w in FALSE_WORDS} | {"": 0.0}
    vals, _ = _map_unique(s, lambda u: table.get(fold(u), table.get(_num(u), np.nan)))
    bad = np.isnan(vals)
    return pd.Series(vals == 1.0, index=s.index), pd.Series(bad, index=s.index)


# The applicant's rating in the words one-stop systems print; numbers are refused (scales differ).
RATING_WORDS = {
    "rat_hai_long": "satisfied", "hai_long": "satisfied", "satisfied": "satisfied", "very_satisfied": "satisfied",
    "binh_thuong": "neutral", "chap_nhan_duoc": "neutral", "neutral": "neutral",
    "khong_hai_long": "dissatisfied", "dissatisfied": "dissatisfied", "not_satisfied": "dissatisfied",
}


def parse_rating(s: pd.Series):
    """Ratings: satisfied / neutral / dissatisfied, or None where empty (not rated)."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object))
    got = [None if u == "" else RATING_WORDS.get(fold(u), "?") for u in uniques]
    vals = np.array(got, dtype=object)[codes] if len(uniques) else np.full(len(s), None, dtype=object)
    bad = vals == "?"
    vals[bad] = None
    return pd.Series(vals, index=s.index, dtype=object), pd.Series(bad, index=s.index)


def parse_optional_flags(s: pd.Series):
    """Yes/no columns where an empty cell means "not said" (None), not "no"."""
    flags, bad = parse_flags(s)
    out = flags.astype(object)
    out[(s == "").to_numpy()] = None
    return out, bad


def parse_counts(s: pd.Series, lo: int, hi: int):
    """Whole numbers in [lo, hi] (empty = 0); out of range or not a number is bad."""
    def one(u):
        if u == "":
            return 0.0
        try:
            x = float(u)
        except ValueError:
            return np.nan
        return x if x.is_integer() and lo <= x <= hi else np.nan

    vals, _ = _map_unique(s, one)
    bad = np.isnan(vals)
    return pd.Series(np.where(bad, 0, vals).astype("int64"), index=s.index), pd.Series(bad, index=s.index)
