"""Vietnamese working days: weekends and public holidays (Tết, 30/4, 1/5, 2/9...) do not count.

Appointment dates are counted in working days, and so is lateness. The calendar
is an array of working days, so the same arithmetic serves one date (the importer,
the dossier list) and a million (the demo builder, vectorised with numpy).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import numpy as np

FIRST_YEAR, LAST_YEAR = 2015, 2035
EPOCH = np.datetime64("1970-01-01", "D")


@lru_cache(maxsize=1)
def workday_array() -> np.ndarray:
    """Sorted day numbers (days since 1970-01-01) of every working day."""
    vn = holidays.country_holidays("VN", years=range(FIRST_YEAR, LAST_YEAR + 1))
    days = np.arange(np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01"))
    weekday = (days.astype("int64") + 3) % 7  # 0 = Monday
    off = np.isin(days, np.array(sorted(vn.keys()), dtype="datetime64[D]"))
    return (days[(weekday < 5) & ~off] - EPOCH).astype("int64")


def to_daynum(values) -> np.ndarray:
    return (np.asarray(values, dtype="datetime64[D]") - EPOCH).astype("int64")


def from_daynum(values) -> np.ndarray:
    return np.asarray(values, dtype="int64").astype("timedelta64[D]") + EPOCH


def add_workdays_np(day: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The n-th working day after ``day`` (day numbers); n = 0 gives ``day`` itself."""
    wd = workday_array()
    day = np.asarray(day, dtype="int64")
    n = np.asarray(n, dtype="int64")
    first_after = np.searchsorted(wd, day, side="right")
    out = wd[np.clip(first_after + n - 1, 0, len(wd) - 1)]
    return np.where(n <= 0, day, out)


def workday_numbers() -> tuple[np.ndarray, np.ndarray]:
    """Every day of the calendar (day numbers) and how many working days fall on or before it.

    The ``work_calendar`` table (migration 0004) holds these, so that SQL counts working
    days in (start, end] as ``number(end) - number(start)``, as :func:`workdays_between_np`
    does; a weekend or holiday carries the number of the working day before it."""
    days = np.arange(to_daynum([f"{FIRST_YEAR}-01-01"])[0], to_daynum([f"{LAST_YEAR + 1}-01-01"])[0], dtype="int64")
    return days, np.searchsorted(workday_array(), days, side="right").astype("int64")


def workdays_between_np(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days in (start, end]: how many working days ``end`` is after ``start``."""
    wd = workday_array()
    return np.searchsorted(wd, end, side="right") - np.searchsorted(wd, start, side="right")


def add_workdays(day: dt.date, n: int) -> dt.date:
    out = add_workdays_np(to_daynum([day]), np.array([n]))[0]
    return from_daynum([out])[0].astype(dt.date)


def workdays_late(deadline: dt.date, end: dt.date) -> int:
    """Working days by which ``end`` passed ``deadline`` (0 when on or before it)."""
    if end <= deadline:
        return 0
    return int(workdays_between_np(to_daynum([deadline]), to_daynum([end]))[0])


def is_workday(day: dt.date) -> bool:
    d = to_daynum([day])[0]
    wd = workday_array()
    i = np.searchsorted(wd, d)
    return bool(i < len(wd) and wd[i] == d)
