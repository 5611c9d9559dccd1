"""KPI cards (a figure, its change against last year, a line of context) and the
rule for showing rates.

The rate rule: at most two decimals, trailing zeros dropped (``99,8 %``,
``82,92 %``, ``97,5 %``), which is how the province's own reports write them
and shows every rate at the precision it was reported. A rate that is not
exactly 100 % never shows as 100 % (it shows 99,99 %), and one that is not
exactly 0 never shows as 0 %. Tables use a fixed two decimals so columns align.
"""
from __future__ import annotations

import math

from dash import html

from data.db import DB_ERRORS, get_engine

from .formatting import NO_VALUE, fmt_change, fmt_int, format_decimal
from .i18n import bilingual
from .structure import is_two_tier

GOOD_COLOR = "#00734F"  # darker Okabe-Ito green: readable as text on white
BAD_COLOR = "#B34700"  # darker vermillion
FLAT_COLOR = "#495057"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _pct_number(fraction: float, lang: str, pattern: str = "#,##0.##") -> str:
    v = round(float(fraction) * 100, 2)
    if v >= 100 and fraction < 1:
        v = 99.99
    elif v <= 0 and fraction > 0:
        v = 0.01
    return format_decimal(v, pattern, lang)


def fmt_rate(fraction, lang: str = "vi") -> str:
    """0.997995 -> '99,8 %', 0.829196 -> '82,92 %' (vi); '99.8%', '82.92%' (en)."""
    if _missing(fraction):
        return NO_VALUE
    body = _pct_number(fraction, lang)
    return f"{body}\u00a0%" if lang == "vi" else f"{body}%"


def fmt_rate_fixed(fraction, lang: str = "vi") -> str:
    """Two fixed decimals, for table columns: '99,80 %' / '99.80%'."""
    if _missing(fraction):
        return NO_VALUE
    body = _pct_number(fraction, lang, "#,##0.00")
    return f"{body}\u00a0%" if lang == "vi" else f"{body}%"


def fmt_rate_points(delta, lang: str = "vi") -> str:
    """A change of a rate in percentage points, same precision rule: '+2,82 điểm %' / '+2.82 pts'."""
    if _missing(delta):
        return NO_VALUE
    v = round(abs(float(delta)) * 100, 2)
    sign = "+" if v > 0 and delta > 0 else "−" if v > 0 else "±"
    body = format_decimal(v, "#,##0.##", lang)
    return f"{sign}{body} điểm %" if lang == "vi" else f"{sign}{body} pts"


def change_direction(delta, threshold: float = 0.0) -> int:
    """+1 up, -1 down, 0 flat or unknown."""
    if _missing(delta) or abs(delta) <= threshold:
        return 0
    return 1 if delta > 0 else -1


def delta_line(delta, kind: str, lang: str, versus: str, good_when_up: bool | None = True,
               previous=None, id: str | None = None) -> html.Div:
    """'▲ +2,82 điểm % so với 2022'. ``kind`` is 'rate' (points) or 'count' (with the % change).
    ``good_when_up`` colours the arrow (None: neutral); the arrow and sign say it without colour."""
    kwargs = {"id": id} if id else {}
    if _missing(delta):
        return html.Div(versus_missing(lang, versus), className="kpi-delta kpi-delta-none", **kwargs)
    # A rate that moved less than 0.005 points shows as ± 0: flat.
    direction = change_direction(delta, 0.00005 if kind == "rate" else 0)
    arrow = {1: "▲", -1: "▼", 0: "▶"}[direction]
    if kind == "rate":
        text = fmt_rate_points(delta, lang)
    else:
        text = fmt_change(delta, lang)
        if previous:
            rel = delta / previous
            text += f" ({'+' if rel > 0 else '−' if rel < 0 else '±'}{format_decimal(round(abs(rel) * 100, 1), '#,##0.#', lang)}{chr(160) + '%' if lang == 'vi' else '%'})"
    if good_when_up is None or direction == 0:
        color = FLAT_COLOR
    else:
        color = GOOD_COLOR if (direction > 0) == good_when_up else BAD_COLOR
    word = "so với" if lang == "vi" else "vs"
    return html.Div([html.Span(arrow, className="kpi-arrow", **{"aria-hidden": "true"}), f" {text} {word} {versus}"],
                    className="kpi-delta", style={"color": color}, **kwargs)


def versus_missing(lang: str, versus: str) -> str:
    return f"Không có số liệu {versus} để so sánh" if lang == "vi" else f"No {versus} data to compare"


def kpi_card(label: str, value: str, delta=None, sub=None, id: str | None = None, href: str | None = None) -> html.Div:
    """A card: label, the big figure (id ``<id>-value``), the change line and one line of context."""
    children = [html.Div(label, className="kpi-label"),
                html.Div(value, className="kpi-value", **({"id": f"{id}-value"} if id else {}))]
    if delta is not None:
        children.append(delta)
    if sub:
        children.append(html.Div(sub, className="kpi-sub"))
    kwargs = {"id": id} if id else {}
    if href:
        return html.A(children, href=href, className="kpi-card kpi-link", **kwargs)
    return html.Div(children, className="kpi-card", **kwargs)


def level_badge(text: str, color: str) -> html.Div:
    """The level's name with its colour (the same colour as in every chart)."""
    return html.Div([html.Span(className="level-swatch", style={"background": color}), html.Span(text)],
                    className="level-badge")


__all__ = ["fmt_rate", "fmt_rate_fixed", "fmt_rate_points", "delta_line", "kpi_card", "level_badge", "fmt_int"]


def whole_area(year, lang: str) -> str:
    """'toàn tỉnh' for a year on the province's three levels; from July 2025 (two tiers, the demo
    only the former province's part of the city) 'toàn địa bàn'."""
    try:
        two_tier = year is not None and is_two_tier(get_engine(), int(year))
    except DB_ERRORS:
        two_tier = False
    if two_tier:
        return "toàn địa bàn" if lang == "vi" else "whole area"
    return "toàn tỉnh" if lang == "vi" else "whole province"


def scope_title(base: str, lang: str, year, district_name: str | None = None, sector_name: str | None = None) -> str:
    """A page title that names what it shows: 'So sánh các cấp — Quế Sơn, 2023 · Đất đai'."""
    place = district_name or whole_area(year, lang)
    title = f"{base} — {place}, {year}" if year is not None else base
    return f"{title} · {sector_name}" if sector_name else title


def sector_name(ref: dict, code: str | None, lang: str) -> str | None:
    """The sector's name in the language, from the reference lists (components.params)."""
    if not code:
        return None
    s = next((s for s in ref.get("sectors", []) if s["code"] == code), None)
    if s is None:
        return code
    return bilingual(s["name"], s.get("name_en"), lang)
