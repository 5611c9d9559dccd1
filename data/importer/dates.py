"""Dates as the province's systems write them, and the day/month order decided per file.

Accepted forms (the time of day is dropped once the date is known):

* ``dd/mm/yyyy``, ``d/m/yyyy`` with ``/``, ``.`` or ``-``, optionally ``HH:MM[:SS]`` (and
  ``AM``/``PM``): the order of day and month is the file's (``dmy`` or ``mdy``, below);
* ``yyyyMMddHHmmss`` (the national portal's sync format), ``yyyyMMddHHmm``, ``yyyyMMdd``;
* ISO 8601 ``yyyy-mm-dd[THH:MM[:SS[.fff]]]`` with or without an offset (``Z``, ``+07:00``):
  with an offset the moment is converted to Vietnam time (UTC+7) before the date is
  taken (``2024-01-15T20:00:00Z`` is 16/01/2024 in Vietnam); ``yyyy/mm/dd`` too;
* Excel date cells (the readers hand them over as ISO text) and Excel serial numbers
  written as text (``45306`` = 15/01/2024, 1900 date system).

The day/month order is never guessed from one value: :func:`scan` counts, per column,
the values that can only be day-first (``25/11/2024``), only month-first (``11/25/2024``)
and those that could be either (``03/04/2024``); :class:`DateOrder` decides for the whole
file. Both kinds present (in one column or across columns), or only ambiguous values,
and the file is refused whole, naming ``--date-order dmy|mdy``. A swapped date is never
stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .readers import ImportFileError

# Dates the working-day calendar covers (data/workdays.py): outside it, arithmetic is meaningless.
MIN_DATE, MAX_DATE = pd.Timestamp("2015-01-01"), pd.Timestamp("2035-12-31")
VIETNAM_OFFSET_MIN = 7 * 60
# Excel's day 0 is 1899-12-30 (1900 system, after its 1900 leap-year bug).
SERIAL_MIN, SERIAL_MAX = 36526, 73050  # 2000-01-01 .. 2099-12-31: a five-digit number in this range is a date

ORDERS = ("dmy", "mdy")
ORDER_NAMES = {"dmy": ("ngày/tháng (dd/mm/yyyy)", "day/month (dd/mm/yyyy)"),
               "mdy": ("tháng/ngày (mm/dd/yyyy)", "month/day (mm/dd/yyyy)")}

# A value is cut into its date part and its time part (most files have few distinct days
# but up to one distinct time per row: each part is parsed once per distinct text).
NUMERIC = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}),?$"
ISO = r"^(?P<y>\d{4})[-/](?P<mo>\d{1,2})[-/](?P<d>\d{1,2})$"
COMPACT = r"^(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})$"
SERIAL = r"^(?P<n>\d{5})(?:\.\d+)?$"
TIME = (r"^(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
        r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$")
COMPACT_TIME = r"^#(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})?$"  # the yyyyMMdd'HHmmss' tail, marked by _split

FORMS_VI = "dd/mm/yyyy, yyyyMMddHHmmss, yyyy-mm-dd (ISO), số ngày Excel; 2015–2035"
FORMS_EN = "dd/mm/yyyy, yyyyMMddHHmmss, yyyy-mm-dd (ISO), Excel serial; 2015-2035"


# ---------------------------------------------------------------- evidence and the file's order

@dataclass
class ColumnEvidence:
    day_first: int = 0  # distinct values whose first number is over 12: only a day
    month_first: int = 0  # distinct values whose second number is over 12: the month comes first
    ambiguous: int = 0  # both numbers 12 or less and different: either order gives a date
    examples: dict = field(default_factory=dict)  # kind -> a value shown in messages

    def add(self, other: ColumnEvidence) -> None:
        self.day_first += other.day_first
        self.month_first += other.month_first
        self.ambiguous += other.ambiguous
        for k, v in other.examples.items():
            self.examples.setdefault(k, v)


class DateOrderError(ImportFileError):
    """The file's day/month order cannot be decided, or its values contradict each other."""


def _order_hint() -> tuple[str, str]:
    return ("chạy lại với --date-order dmy (ngày trước) hoặc --date-order mdy (tháng trước)",
            "run again with --date-order dmy (day first) or --date-order mdy (month first)")


class DateOrder:
    """The day/month order of one file, from the evidence of all its date values.

    ``forced`` (``--date-order``) wins; otherwise the evidence decides, and contradicting or
    missing evidence raises :class:`DateOrderError` (see :meth:`check`)."""

    def __init__(self, file_name: str, forced: str | None = None, labels: dict | None = None):
        if forced not in (None, *ORDERS):
            raise ValueError(f"--date-order: expected dmy or mdy, not {forced!r}")
        self.file_name, self.forced = file_name, forced
        self.labels = labels or {}
        self.columns: dict[str, ColumnEvidence] = {}

    def add(self, evidence: dict[str, ColumnEvidence]) -> None:
        for col, ev in evidence.items():
            self.columns.setdefault(col, ColumnEvidence()).add(ev)
        if not self.forced:
            self._check_contradiction()

    @property
    def ambiguous(self) -> int:
        return sum(ev.ambiguous for ev in self.columns.values())

    @property
    def order(self) -> str | None:
        """dmy / mdy when decided (forced or from the evidence), None while no value tells."""
        if self.forced:
            return self.forced
        day = sum(ev.day_first for ev in self.columns.values())
        month = sum(ev.month_first for ev in self.columns.values())
        if day and not month:
            return "dmy"
        if month and not day:
            return "mdy"
        return None

    def _label(self, col: str) -> str:
        return self.labels.get(col, col)

    def _check_contradiction(self) -> None:
        day = [(c, ev) for c, ev in self.columns.items() if ev.day_first]
        month = [(c, ev) for c, ev in self.columns.items() if ev.month_first]
        if not (day and month):
            return
        (dc, dev), (mc, mev) = day[0], month[0]
        d_ex, m_ex = dev.examples["day_first"], mev.examples["month_first"]
        if dc == mc:
            where_vi = f"cột {self._label(dc)} có cả {d_ex} (ngày trước) lẫn {m_ex} (tháng trước)"
            where_en = f"the column {self._label(dc)} has both {d_ex} (day first) and {m_ex} (month first)"
        else:
            where_vi = f"cột {self._label(dc)} có {d_ex} (ngày trước) nhưng cột {self._label(mc)} có {m_ex} (tháng trước)"
            where_en = f"the column {self._label(dc)} has {d_ex} (day first) but {self._label(mc)} has {m_ex} (month first)"
        hint_vi, hint_en = _order_hint()
        raise DateOrderError(self.file_name, f"thứ tự ngày/tháng mâu thuẫn: {where_vi}; không nhập gì; {hint_vi}",
                             f"the day/month order contradicts itself: {where_en}; nothing imported; {hint_en}")

    def check(self) -> str | None:
        """The order to parse with; raises when values could be read both ways and none tells."""
        order = self.order
        if order is None and self.ambiguous:
            example = next(ev.examples["ambiguous"] for ev in self.columns.values() if ev.ambiguous)
            hint_vi, hint_en = _order_hint()
            raise DateOrderError(
                self.file_name,
                f"không xác định được thứ tự ngày/tháng: không ngày nào lớn hơn 12, nên {example} có thể đọc theo hai cách; "
                f"không nhập gì; {hint_vi}",
                f"the day/month order cannot be decided: no day is over 12, so {example} reads two ways; "
                f"nothing imported; {hint_en}")
        return order

    def describe(self) -> tuple[str, str] | None:
        """What the summary says about the order used (None when no value needed one)."""
        order = self.order
        if order is None:
            return None
        if self.forced:
            return (f"thứ tự ngày: {ORDER_NAMES[order][0]} (--date-order)", f"date order: {ORDER_NAMES[order][1]} (--date-order)")
        kind = "day_first" if order == "dmy" else "month_first"
        n = sum(getattr(ev, kind) for ev in self.columns.values())
        example = next(ev.examples[kind] for ev in self.columns.values() if getattr(ev, kind))
        return (f"thứ tự ngày: {ORDER_NAMES[order][0]}, theo {n:,} giá trị như {example}",
                f"date order: {ORDER_NAMES[order][1]}, from {n:,} values such as {example}")


# ---------------------------------------------------------------- scanning and parsing

def _uniques(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    return codes, pd.Series(uniques, dtype=object)


def _split(text: str) -> tuple[str, str]:
    """'01/02/2023 08:30' -> ('01/02/2023', '08:30'); '2024-01-15T20:00:00Z' -> ('2024-01-15', '20:00:00Z');
    '20240115083000' -> ('20240115', '#083000')."""
    x = text.strip()
    if len(x) in (12, 14) and x.isdigit():
        return x[:8], "#" + x[8:]
    cut = [i for i in (x.find(" "), x.find("T", 4)) if i > 0]
    if not cut:
        return x, ""
    i = min(cut)
    return x[:i], x[i + 1:].strip()


def _parts(values: pd.Series):
    """(row -> distinct-text codes, date-part codes and texts, time-part codes and texts) of the distinct texts."""
    codes, u = _uniques(values)
    pairs = [_split(x) if x.__class__ is str else ("", "") for x in u.tolist()]
    d_codes, d_u = pd.factorize(np.array([p[0] for p in pairs], dtype=object))
    t_codes, t_u = pd.factorize(np.array([p[1] for p in pairs], dtype=object))
    return codes, u, d_codes, pd.Series(d_u, dtype=object), t_codes, pd.Series(t_u, dtype=object)


def _int(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").fillna(0).to_numpy(dtype="int64")


def _days(y, mo, d) -> np.ndarray:
    """datetime64[D] of the given parts, NaT where they make no date (31/02)."""
    if len(y) == 0:
        return np.array([], dtype="datetime64[D]")
    ok = (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= 31) & (y >= 1900) & (y <= 2200)
    frame = pd.DataFrame({"year": np.where(ok, y, 2000), "month": np.where(ok, mo, 1), "day": np.where(ok, np.minimum(d, 28), 1)})
    first = pd.to_datetime(frame).to_numpy().astype("datetime64[D]")
    out = first + (np.where(ok, d, 1) - np.where(ok, np.minimum(d, 28), 1)).astype("timedelta64[D]")
    # 29-31 past the month's end roll into the next month: no such day.
    ok &= out.astype("datetime64[M]") == first.astype("datetime64[M]")
    out[~ok] = np.datetime64("NaT")
    return out


def _date_parts(u: pd.Series, order: str) -> np.ndarray:
    """datetime64[D] for each distinct date part; NaT where it is no date."""
    out = np.full(len(u), np.datetime64("NaT"), dtype="datetime64[D]")
    idx = np.flatnonzero((u != "").to_numpy())
    text = u.iloc[idx]

    def take(pattern):
        nonlocal idx, text
        parts = text.str.extract(pattern)
        hit = parts.iloc[:, 0].notna().to_numpy()
        got = parts[hit], idx[hit]
        idx, text = idx[~hit], text[~hit]
        return got

    for pattern in (NUMERIC, ISO, COMPACT, SERIAL):
        if not len(idx):
            break
        parts, at = take(pattern)
        if not len(at):
            continue
        if pattern is NUMERIC:
            a, b = _int(parts["a"]), _int(parts["b"])
            d, mo = (a, b) if order == "dmy" else (b, a)
            out[at] = _days(_int(parts["y"]), mo, d)
        elif pattern is SERIAL:
            n = _int(parts["n"])
            days = np.datetime64("1899-12-30") + n.astype("timedelta64[D]")
            days[(n < SERIAL_MIN) | (n > SERIAL_MAX)] = np.datetime64("NaT")
            out[at] = days
        else:
            out[at] = _days(_int(parts["y"]), _int(parts["mo"]), _int(parts["d"]))
    return out


def _time_parts(u: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct time part: (days to add to the date to get Vietnam's day, valid?).
    Empty: (0, True). A time with an offset may move the day: 20:00Z is 03:00 the next day in Vietnam."""
    shift = np.zeros(len(u), dtype="int64")
    ok = (u == "").to_numpy().copy()
    idx = np.flatnonzero(~ok)
    if not len(idx):
        return shift, ok
    text = u.iloc[idx]
    for pattern in (TIME, COMPACT_TIME):
        parts = text.str.extract(pattern)
        hit = parts["h"].notna().to_numpy()
        if not hit.any():
            continue
        p, at = parts[hit], idx[hit]
        h, mi, s = _int(p["h"]), _int(p["mi"]), _int(p["s"])
        if pattern is TIME:
            ampm = p["ampm"].fillna("").str[:1].str.lower().to_numpy()
            valid = np.where(ampm == "", h <= 23, (h >= 1) & (h <= 12))
            h = np.where((ampm == "p") & (h < 12), h + 12, np.where((ampm == "a") & (h == 12), 0, h))
            tz = p["tz"].fillna("")
            sign = np.where(tz.str[:1].to_numpy() == "-", -1, 1)
            digits = tz.str.replace(":", "", regex=False).str[1:]
            off = np.where(tz == "", VIETNAM_OFFSET_MIN,
                           np.where(tz == "Z", 0, sign * (_int(digits.str[:2]) * 60 + _int(digits.str[2:4]))))
            valid &= np.abs(off) <= 14 * 60
        else:
            valid, off = h <= 23, np.full(len(h), VIETNAM_OFFSET_MIN)
        valid &= (mi <= 59) & (s <= 59)
        seconds = h * 3600 + mi * 60 + s + (VIETNAM_OFFSET_MIN - off) * 60
        shift[at] = np.floor_divide(seconds, 86400)
        ok[at] = valid
        keep = ~hit
        idx, text = idx[keep], text[keep]
        if not len(idx):
            break
    return shift, ok


class DateColumn:
    """One column of text dates, cut into distinct date and time parts once, then scanned
    for order evidence and parsed (both work on the distinct parts only)."""

    def __init__(self, values: pd.Series):
        self.index = values.index
        self.empty = values.empty
        if not self.empty:
            self.codes, self.u, self.d_codes, self.d_u, self.t_codes, self.t_u = _parts(values)

    def evidence(self) -> ColumnEvidence:
        """How the column's numeric dates (``a/b/yyyy``) bear on the day/month order."""
        ev = ColumnEvidence()
        if self.empty:
            return ev
        parts = self.d_u.str.extract(NUMERIC)
        ok = parts["a"].notna().to_numpy()
        if not ok.any():
            return ev
        a, b = _int(parts["a"][ok]), _int(parts["b"][ok])
        text = self.d_u[ok].to_numpy()
        for kind, mask in (("day_first", (a > 12) & (b <= 12) & (b >= 1)), ("month_first", (b > 12) & (a <= 12) & (a >= 1)),
                           ("ambiguous", (a <= 12) & (b <= 12) & (a != b) & (a >= 1) & (b >= 1))):
            n = int(mask.sum())
            setattr(ev, kind, n)
            if n:
                ev.examples[kind] = str(text[mask][0])
        return ev

    def parse(self, order: str | None) -> tuple[pd.Series, pd.Series]:
        """(datetime64 days, NaT for empty; mask of non-empty values that are no date or fall
        outside 2015-2035). ``order`` is the file's (None: no value is ambiguous)."""
        if self.empty:
            return (pd.Series(np.array([], dtype="datetime64[ns]"), index=self.index),
                    pd.Series(np.zeros(0, bool), index=self.index))
        days = _date_parts(self.d_u, order or "dmy")[self.d_codes]
        shift, t_ok = _time_parts(self.t_u)
        parsed = (days + shift[self.t_codes].astype("timedelta64[D]")).astype("datetime64[ns]")
        parsed[~t_ok[self.t_codes]] = np.datetime64("NaT")
        bad_u = (self.u != "").to_numpy() & np.isnat(parsed)
        out_of_range = ~np.isnat(parsed) & ((parsed < MIN_DATE.to_datetime64()) | (parsed > MAX_DATE.to_datetime64()))
        bad_u |= out_of_range
        parsed[out_of_range] = np.datetime64("NaT")
        return pd.Series(parsed[self.codes], index=self.index), pd.Series(bad_u[self.codes], index=self.index)


def scan(values: pd.Series) -> ColumnEvidence:
    return DateColumn(values).evidence()


def parse_dates(values: pd.Series, order: str | None = "dmy") -> tuple[pd.Series, pd.Series]:
    return DateColumn(values).parse(order)
