"""Vectorised parsing of one chunk's text columns: dates, status and channel labels, flags, counts.

Every parser takes a Series of stripped strings ('' = empty) and returns parsed
values plus a boolean mask of the non-empty values it could not read.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import fold

# Dates the working-day calendar covers (data/workdays.py): outside it, arithmetic is meaningless.
MIN_DATE, MAX_DATE = pd.Timestamp("2015-01-01"), pd.Timestamp("2035-12-31")

DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y", "ISO8601")

STATUS_LABELS = {
    "moi_dang_ky": 1, "new": 1, "newly_registered": 1,
    "duoc_tiep_nhan": 2, "da_tiep_nhan": 2, "tiep_nhan": 2, "received": 2,
    "khong_duoc_tiep_nhan": 3, "tu_choi_tiep_nhan": 3, "tu_choi": 3, "not_accepted": 3, "refused": 3,
    "dang_xu_ly": 4, "dang_giai_quyet": 4, "in_progress": 4,
    "yeu_cau_bo_sung": 5, "cho_bo_sung": 5, "supplement_requested": 5,
    "yeu_cau_thuc_hien_nghia_vu_tai_chinh": 6, "nghia_vu_tai_chinh": 6, "financial_obligation_requested": 6,
    "cong_dan_yeu_cau_rut": 7, "rut_ho_so": 7, "da_rut": 7, "withdrawn": 7,
    "dung_xu_ly": 8, "stopped": 8, "processing_stopped": 8,
    "da_xu_ly_xong": 9, "da_giai_quyet": 9, "hoan_thanh": 9, "processed": 9,
    "da_tra_ket_qua": 10, "returned": 10, "result_returned": 10,
}
STATUS_NAMES = {1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
                5: "Yêu cầu bổ sung", 6: "Yêu cầu thực hiện nghĩa vụ tài chính", 7: "Công dân yêu cầu rút",
                8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"}
CHANNEL_LABELS = {
    "truc_tiep": 1, "nop_truc_tiep": 1, "in_person": 1,
    "truc_tuyen": 2, "nop_truc_tuyen": 2, "online": 2, "dich_vu_cong_truc_tuyen": 2,
    "buu_chinh": 3, "buu_chinh_cong_ich": 3, "bcci": 3, "qua_buu_dien": 3, "buu_dien": 3,
    "post": 3, "postal": 3, "by_post": 3,
}
CHANNEL_NAMES = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
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


def parse_code(s: pd.Series, labels: dict, valid: tuple[int, ...]):
    """Portal numeric code or label -> int; (values as float with NaN, bad mask)."""
    table = dict(labels)
    table.update({str(v): v for v in valid})

    def one(u):
        v = table.get(fold(u), table.get(_num(u)))
        return np.nan if v is None else float(v)

    vals, empty = _map_unique(s, one)
    bad = np.isnan(vals) & ~empty
    return pd.Series(vals, index=s.index), pd.Series(bad, index=s.index)


def parse_status(s: pd.Series):
    return parse_code(s, STATUS_LABELS, tuple(range(1, 11)))


def parse_channel(s: pd.Series):
    return parse_code(s, CHANNEL_LABELS, (1, 2, 3))


def parse_dates(s: pd.Series):
    """dd/mm/yyyy, dd/mm/yyyy HH:MM[:SS], ISO -> datetime64 day (NaT for empty); bad mask.

    Parses the distinct strings only. ``31/02/2023`` and dates outside 2015-2035 are bad.
    """
    codes, uniques = pd.factorize(s)
    u = pd.Series(uniques, dtype=object)
    parsed = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    todo = u != ""
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        got = pd.to_datetime(u[todo], format=fmt, errors="coerce")
        hit = got.notna()
        parsed[hit[hit].index] = got[hit]
        todo &= parsed.isna()
    parsed = parsed.dt.normalize()
    out_of_range = (parsed < MIN_DATE) | (parsed > MAX_DATE)
    bad_u = ((u != "") & parsed.isna()) | out_of_range
    parsed[out_of_range] = pd.NaT
    values = parsed.to_numpy()[codes] if len(u) else np.array([], dtype="datetime64[ns]")
    bad = bad_u.to_numpy()[codes] if len(u) else np.array([], dtype=bool)
    return pd.Series(values, index=s.index), pd.Series(bad, index=s.index)


def parse_flags(s: pd.Series):
    """Yes/no columns: 'có', 'x', '1', 'true' / 'không', '0', '' (empty = no)."""
    table = {w: 1.0 for w in TRUE_WORDS} | {w: 0.0 for w in FALSE_WORDS} | {"": 0.0}
    vals, _ = _map_unique(s, lambda u: table.get(fold(u), table.get(_num(u), np.nan)))
    bad = np.isnan(vals)
    return pd.Series(vals == 1.0, index=s.index), pd.Series(bad, index=s.index)


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
