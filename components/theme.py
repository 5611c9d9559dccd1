"""One colour per meaning across the app (Okabe-Ito: safe for colour-blind viewers),
and the figure styling that keeps charts readable on a projector."""
from __future__ import annotations

import plotly.graph_objects as go

from .formatting import fmt_pct, plotly_separators

LEVEL_COLORS = {"province": "#0072B2", "district": "#E69F00", "commune": "#009E73"}
# Lines of the levels differ in dash too: under tritanopia on a washed-out projector the province's
# blue and the commune's green come within CAM02-UCS ΔE 7 of each other (tests/test_palette.py).
LEVEL_DASHES = {"province": "solid", "district": "dash", "commune": "dot"}
# 1 in person, 2 online, 3 by post; 0: not known (white, hatched grey). In person a dark grey: Okabe-Ito's
# #999999 and the post's purple come within ΔE 6.5 under deuteranopia (tests/test_palette.py).
CHANNEL_COLORS = {1: "#595959", 2: "#56B4E9", 3: "#CC79A7", 0: "#FFFFFF"}
LATE_COLOR = "#D55E00"
ON_TIME_COLOR = "#009E73"
POSTAL_COLOR = "#CC79A7"
NEUTRAL_COLOR = "#6C757D"
HIGHLIGHT_COLOR = "#0072B2"
FONT_FAMILY = "Inter, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


_GRID = "#EBF0F8"
_AXIS = {"automargin": True, "gridcolor": _GRID, "linecolor": _GRID, "ticks": "", "zerolinecolor": _GRID}
# A small template: assigning plotly's full "plotly_white" costs ~55 ms per go.Figure (it
# validates every trace type's defaults); this one looks the same on our charts.
LIGHT_TEMPLATE_LAYOUT = {
    "colorway": ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"],
    "paper_bgcolor": "white", "plot_bgcolor": "white", "xaxis": _AXIS, "yaxis": _AXIS,
}
LIGHT_TEMPLATE = go.layout.Template(layout=LIGHT_TEMPLATE_LAYOUT)


def plot_text(value):
    """Text from data (a unit, sector, procedure or agency name) made safe for a Plotly label.

    Plotly renders a few HTML tags in every text it draws (tick labels, hover text, bar text,
    annotations, legend names: <a href>, <b>, <i>, <br>, <sub>, <sup>, <span style>), so a unit
    named '<a href="http://evil.example">Quế Phú</a>' would be a working link on the chart.
    Escaped, Plotly shows the name as written (it turns &lt; back into "<" when drawing).
    Every name that goes into a figure passes here; the app's own markup (<br>) is added
    after. Non-strings pass unchanged."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


DARK_INK = "#212529"
LIGHT_INK = "#FFFFFF"


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#RRGGBB`` colour."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio (1–21) of two ``#RRGGBB`` colours; AA asks 4.5 for text."""
    darker, lighter = sorted((relative_luminance(a), relative_luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


def ink(background: str) -> str:
    """The text colour for labels written on ``background`` (bars, tiles, heat cells):
    white or near-black, whichever contrasts more (brightness rules of thumb put white on
    Okabe-Ito green at 3.4:1, under WCAG AA); pure black where near-black is not enough
    (Okabe-Ito vermilion)."""
    best = max((DARK_INK, LIGHT_INK), key=lambda c: contrast_ratio(c, background))
    return best if contrast_ratio(best, background) >= 4.5 else max(("#000000", LIGHT_INK), key=lambda c: contrast_ratio(c, background))


def scale_colour(fraction: float, scale: list) -> str:
    """The colour plotly paints at ``fraction`` (0–1) of a colour scale given as [[stop, "#RRGGBB"], …]:
    linear between stops in RGB."""
    fraction = min(max(fraction, 0.0), 1.0)
    for (a, ca), (b, cb) in zip(scale, scale[1:]):
        if fraction <= b:
            w = (fraction - a) / (b - a) if b > a else 0.0
            rgb = [round(int(ca[i:i + 2], 16) + (int(cb[i:i + 2], 16) - int(ca[i:i + 2], 16)) * w) for i in (1, 3, 5)]
            return "#{:02X}{:02X}{:02X}".format(*rgb)
    return scale[-1][1]


def inked_heatmap(trace: dict, empty_words: bool = False) -> list[dict]:
    """A heat map trace (``z``, ``text``, ``colorscale``, ``zmin``, ``zmax``) as one trace per ink,
    each cell's words in the colour that reads on it (ink()); plotly's automatic choice (#444 or
    white by a brightness rule) reads 2.8:1 on mid oranges. Plotly also writes a trace's text on
    its empty cells, so each trace carries only its own cells' words; one colour bar.
    ``empty_words``: the words of cells without a value ('—') stay, in the darkest ink."""
    lo, hi = trace.get("zmin", 0), trace["zmax"]
    inks = [[None if v is None else ink(scale_colour((v - lo) / ((hi - lo) or 1), trace["colorscale"])) for v in row]
            for row in trace["z"]]
    out = []
    colours = sorted({c for row in inks for c in row if c}, key=relative_luminance)
    for colour in colours:
        mine = [[c == colour or (empty_words and c is None and colour == colours[0]) for c in row] for row in inks]
        out.append({**trace,
                    "z": [[v if m and v is not None else None for v, m in zip(zr, mr)] for zr, mr in zip(trace["z"], mine)],
                    "text": [[tx if m else "" for tx, m in zip(tr, mr)] for tr, mr in zip(trace["text"], mine)],
                    "textfont": {**trace.get("textfont", {}), "color": colour},
                    "showscale": trace.get("showscale", True) and not out})
    return out


def merge(base: dict, updates: dict) -> dict:
    """``base`` with ``updates`` laid over it, nested dicts merged key by key (what
    ``fig.update_layout`` does), without changing either argument."""
    out = dict(base)
    for key, value in updates.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def base_layout(lang: str, height: int, title: str | None = None, template=None, **extra) -> dict:
    """A figure layout as a plain dict: large type, no clutter, the language's number separators;
    ``extra`` is merged over it.

    Figures are plain dicts (what dcc.Graph sends to the browser anyway): building them as
    plotly ``go.Figure`` objects validates every property and costs tens of milliseconds a chart."""
    layout = {
        "font": {"family": FONT_FAMILY, "size": 15, "color": "#212529"},
        "separators": plotly_separators(lang),
        "template": template or {"layout": LIGHT_TEMPLATE_LAYOUT},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "hoverlabel": {"font": {"size": 15}},
        "xaxis": {"automargin": True},
        "yaxis": {"automargin": True},
    }
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}}
    return merge(layout, extra)



def graph_config(filename: str) -> dict:
    """Toolbar with a high-resolution PNG export named for what the chart shows."""
    return {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 3},
    }


PERCENT_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5)


def percent_ticks(lang: str, low: float = 0.0, high: float = 1.0, most: int = 7) -> dict:
    """A percent axis (or colour bar) as the language writes percents: '20 %' in Vietnamese,
    '20%' in English. Plotly's '.0%' format has no space before the sign. Ticks at a round step
    between ``low`` and ``high`` (fractions), at most ``most`` of them."""
    span = max(high - low, 1e-9)
    step = next((s for s in PERCENT_STEPS if span / s <= most - 1), 1.0)
    first = -(-round(low / step, 9) // 1) * step  # the first multiple of step at or above low
    values = []
    v = first
    while v <= high + 1e-9:
        values.append(round(v, 6))
        v += step
    digits = 0 if all(abs(x * 100 - round(x * 100)) < 1e-6 for x in values) else 1
    return {"tickmode": "array", "tickvals": values, "ticktext": [fmt_pct(x, lang, digits) for x in values]}
