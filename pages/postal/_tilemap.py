"""A schematic tile map of the district-level units: equal tiles at (tile_row, tile_col),
rough geography (mountains west, coast east), coloured by a binned share, clickable.

Equal tiles are fairer to small cities than areas would be, and need no boundary
files. The data decides where a tile goes (``units.tile_row`` / ``tile_col``); a unit
without a position is put on an extra row below, so nothing silently disappears.

Colours are one sequential blue (safe for colour-blind viewers); units without a
record are white with a dashed border and a dash, never the palest blue, so "no
data" never reads as "0 %"; a data problem gets the warning colour and a ⚠.
"""
from __future__ import annotations

import math

from dash import html

from components.formatting import fmt_pct
from components.theme import LATE_COLOR, ink

# (key, lower bound of the share, background, text colour)
COVERAGE_BINS = [
    # Full and high a clear step apart (CAM02-UCS ΔE >= 24 under every colour-vision deficiency: tests/test_palette.py).
    ("full", 1.0, "#08306B", "#FFFFFF"),
    ("high", 0.8, "#2171B5", "#FFFFFF"),  # not Blues' #4292C6: white on it reads 3.4:1, under WCAG AA
    ("mid", 0.5, "#85BCDB", "#08306B"),  # darker than Blues' #9ECAE1: apart from "low" on a washed-out projector
    ("low", 0.0, "#DEEBF7", "#08306B"),
]
NO_RECORD = ("none", "#FFFFFF", "#6C757D")
BAD_RECORD = ("bad", LATE_COLOR, ink(LATE_COLOR))

LEGEND_TEXT = {
    "full": ("100 %", "100%"),
    "high": ("80–99 %", "80–99%"),
    "mid": ("50–79 %", "50–79%"),
    "low": ("dưới 50 %", "under 50%"),
    "none": ("chưa ghi nhận", "not recorded"),
    "bad": ("số liệu cần kiểm tra", "data problem"),
}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def coverage_bin(share, has_record: bool = True, bad: bool = False) -> tuple[str, str, str]:
    """(bin key, background, text colour) for a share of procedures moved."""
    if bad:
        return BAD_RECORD
    if not has_record or _missing(share):
        return NO_RECORD
    for key, lower, bg, fg in COVERAGE_BINS:
        if share >= lower - 1e-12:
            return key, bg, fg
    return COVERAGE_BINS[-1][0], COVERAGE_BINS[-1][2], COVERAGE_BINS[-1][3]


def tile_label(share, has_record: bool, bad: bool, lang: str) -> str:
    if bad:
        return "⚠ " + fmt_pct(share, lang, 0)
    if not has_record or _missing(share):
        return "—"
    return ("✓ " if share >= 1 - 1e-12 else "") + fmt_pct(share, lang, 0)


def tile_map(rows: list[dict], lang: str, selected: str | None = None, id_type: str = "tile",
             title: str | None = None, hover: dict | None = None) -> html.Div:
    """``rows``: dicts with code, short_name, tile_row, tile_col, share, has_record, bad.

    Each tile is a button with id ``{"type": id_type, "code": code}`` (a pattern-matching
    callback turns a click into the URL's district) and ``data-code`` for tests."""
    placed = [r for r in rows if not _missing(r.get("tile_row")) and not _missing(r.get("tile_col"))]
    unplaced = [r for r in rows if r not in placed]
    n_rows = max([int(r["tile_row"]) for r in placed], default=-1) + 1
    n_cols = max([int(r["tile_col"]) for r in placed], default=0) + 1
    tiles = []
    for i, r in enumerate(placed + unplaced):
        if r in placed:
            row, col = int(r["tile_row"]), int(r["tile_col"])
        else:
            row, col = n_rows + i // n_cols, i % n_cols
        key, bg, fg = coverage_bin(r.get("share"), r.get("has_record", True), r.get("bad", False))
        is_sel = selected is not None and r["code"] == selected
        tiles.append(html.Button(
            [html.Span(r["short_name"], className="tile-name"),
             html.Span(tile_label(r.get("share"), r.get("has_record", True), r.get("bad", False), lang), className="tile-value")],
            id={"type": id_type, "code": r["code"]},
            n_clicks=0,
            title=(hover or {}).get(r["code"], r["short_name"]),
            className=f"map-tile map-tile-{key}" + (" map-tile-selected" if is_sel else ""),
            style={"gridRow": row + 1, "gridColumn": col + 1, "backgroundColor": bg, "color": fg},
            **{"data-code": r["code"], "data-bin": key, "aria-pressed": "true" if is_sel else "false"},
        ))
    grid = html.Div(tiles, className="tile-map",
                    style={"gridTemplateColumns": f"repeat({n_cols}, minmax(0, 1fr))"})
    children = ([html.Div(title, className="tile-map-title")] if title else []) + [grid]
    return html.Div(children, className="tile-map-wrap")


def coverage_legend(lang: str, keys: tuple[str, ...] = ("full", "high", "mid", "low", "none", "bad")) -> html.Div:
    colours = {k: (bg, fg) for k, _, bg, fg in COVERAGE_BINS}
    colours["none"] = NO_RECORD[1:]
    colours["bad"] = BAD_RECORD[1:]
    items = []
    for k in keys:
        bg, _ = colours[k]
        text = LEGEND_TEXT[k][1 if lang == "en" else 0]
        items.append(html.Span([html.Span(className=f"legend-swatch legend-{k}", style={"backgroundColor": bg}), text],
                               className="legend-item"))
    return html.Div(items, className="coverage-legend")
