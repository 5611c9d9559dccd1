"""The structure in force in the chosen year, as the frame and the pages say it: the province's
name (Quảng Nam, then from 1 July 2025 Đà Nẵng), a note for a year that straddles the change
(1 January–30 June on three levels, 1 July–31 December on two), and that the demo covers only
the former Quảng Nam. The facts come from data.periods; pages only word them."""
from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc

from data.config import database_url, is_demo_url
from data.periods import ends_without_districts, segments

from .i18n import make_translator

STRINGS = {
    "struct.split": ("Năm {year} có hai giai đoạn: {a} ({a_levels}, {a_prov}) và {b} ({b_levels}, {b_prov}). "
                     "Cấp huyện chỉ có số liệu đến {a_end}.",
                     "{year} has two parts: {a} ({a_levels}, {a_prov}) and {b} ({b_levels}, {b_prov}). "
                     "The district level has figures until {a_end} only."),
    "struct.two_tier": ("Từ 01/07/2025 chính quyền địa phương hai cấp: {prov} và các xã, phường; không còn cấp huyện.",
                        "Since 1 July 2025 local government has two tiers: {prov} and its communes and wards; the "
                        "district level is gone."),
    "struct.demo": (" Số liệu mẫu chỉ gồm địa bàn tỉnh Quảng Nam cũ.",
                    " The demo data covers the area of the former Quảng Nam province only."),
    "struct.levels.3": ("ba cấp", "three levels"),
    "struct.levels.2": ("hai cấp", "two levels"),
    "filter.district.former": ("Địa bàn huyện cũ", "Former district area"),
}
t = make_translator(STRINGS)


def _range(a: dt.date, b: dt.date) -> str:
    return f"{a:%d/%m}–{b:%d/%m}"


def year_segments(engine, year: int):
    return segments(engine, dt.date(year, 1, 1), dt.date(year, 12, 31))


def province_short(engine, year: int) -> str | None:
    """The province (or city) in force at the end of ``year``: what the frame's title names."""
    return year_segments(engine, year)[-1].province_short


def is_two_tier(engine, year: int) -> bool:
    """Whether ``year`` ends without a district level (2025 does: its second half has two tiers)."""
    return ends_without_districts(engine, year)


def had_districts(engine, year: int) -> bool:
    """Whether the district level existed at some time in ``year`` (2025: until 30 June)."""
    return any("district" in s.levels for s in year_segments(engine, year))


def structure_note(engine, year: int, lang: str, id: str) -> dbc.Alert | None:
    """An information line for a year on another structure than three levels all year (None: nothing to say)."""
    parts = year_segments(engine, year)
    if len(parts) > 1:
        a, b = parts[0], parts[-1]
        text = t("struct.split", lang, year=year, a=_range(a.start, a.end), b=_range(b.start, b.end),
                 a_levels=t(f"struct.levels.{len(a.levels)}", lang), b_levels=t(f"struct.levels.{len(b.levels)}", lang),
                 a_prov=a.province_name, b_prov=b.province_name, a_end=f"{a.end:%d/%m/%Y}")
    elif "district" not in parts[0].levels:
        text = t("struct.two_tier", lang, prov=parts[0].province_name)
    else:
        return None
    if is_demo_url(database_url()):
        text += t("struct.demo", lang)
    return dbc.Alert(text, color="info", className="py-2 structure-note", id=id)
