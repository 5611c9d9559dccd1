"""Rows of an export that are not dossiers: skipped and counted, not rejected.

Registers ("Sổ theo dõi hồ sơ") and web exports carry, between and below their dossier
rows, a column-number row ``(1) (2) (3)…`` under the header, the header repeated on every
printed page, totals rows ("Tổng cộng: 125"), sub-headings ("Lĩnh vực Đất đai") and a
signature block ("Người lập biểu", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên)", "Quế Sơn,
ngày … tháng … năm …"). Such a row has no dossier code (or, in the code's column, a word,
a column number or the header's own text) and no date where the dates go. A row with a
code and no dates, or with dates and no code, is a broken dossier: it is rejected with its
reason, not skipped.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .columns import DOSSIER_FIELDS, fold

WORDS = {"tong", "cong", "nguoi", "thu", "lanh", "ky", "xac", "can", "trong", "ghi", "stt", "tt", "linh", "thang",
         "quy", "nam", "ngay", "danh", "so", "bieu", "noi"}
_COLNUM = re.compile(r"^\(?[0-9]{1,3}\)?$|^\([A-Za-z]\)$")
_DATE_LIKE = re.compile(r"^\d{1,4}[/.\-]|^\d{5,}")
_CODE_HEADERS = {fold(h) for f in DOSSIER_FIELDS if f.name == "code" for h in (f.name, f.en, *f.headers)}


def _is_word(text: str) -> bool:
    key = fold(text)
    return bool(key) and (key.split("_")[0] in WORDS or key in _CODE_HEADERS) and not any(ch.isdigit() for ch in key[:3])


def nondossier_mask(df: pd.DataFrame) -> np.ndarray:
    """True for the rows of a chunk that are not dossiers (see the module's docstring)."""
    n = len(df)
    if n == 0:
        return np.zeros(0, dtype=bool)
    code = df["code"].to_numpy(dtype=object) if "code" in df else np.full(n, "", dtype=object)

    def date_like(col):
        if col not in df:
            return np.zeros(n, dtype=bool)
        codes, uniq = pd.factorize(df[col].to_numpy(dtype=object))
        hit = np.array([bool(_DATE_LIKE.match(u)) if u.__class__ is str else False for u in uniq], dtype=bool)
        return hit[codes] if len(uniq) else np.zeros(n, dtype=bool)

    no_dates = ~date_like("received_on") & ~date_like("due_on")
    if not no_dates.any():
        return no_dates
    codes, uniq = pd.factorize(code)
    # No code, a column number, a word, or words ("3 hồ sơ"): dossier codes have no spaces.
    odd = np.array([u == "" or bool(_COLNUM.match(u)) or _is_word(u) or " " in u.strip() for u in uniq], dtype=bool)
    return no_dates & odd[codes]
