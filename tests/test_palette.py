"""Presenter-friendly colours (issue 18): the app's palettes stay apart for the common
colour-vision deficiencies and on a washed-out projector, and text written on colour passes WCAG AA.

Colour-vision deficiencies are simulated with colorspacious (Machado et al. 2009, severity 100:
protanopia, deuteranopia, tritanopia); distances are ΔE in CAM02-UCS, where about 10 is a
difference one sees at a glance between two patches side by side. A washed-out projector is
modelled as every colour mixed 40 % towards white (lifted blacks, faded saturation).

``python -m tests.test_palette`` prints the figures.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious", reason="colorspacious is in the [test] extra: pip install -e '.[test]'")

from components.theme import CHANNEL_COLORS, LATE_COLOR, LEVEL_COLORS, contrast_ratio, ink, scale_colour  # noqa: E402
from pages.late._heatmap import GREY, RATE_SCALE, rate_heatmap  # noqa: E402
from pages.postal._tilemap import BAD_RECORD, COVERAGE_BINS, NO_RECORD  # noqa: E402

VISIONS = ("normal", "protanomaly", "deuteranomaly", "tritanomaly")


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def seen(colour: str, vision: str, washed: bool = False) -> np.ndarray:
    c = rgb(colour)
    if washed:
        c = 0.6 * c + 0.4
    if vision == "normal":
        return c
    sim = colorspacious.cspace_convert(c, {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}, "sRGB1")
    return np.clip(sim, 0, 1)


def delta_e(a: str, b: str, vision: str, washed: bool = False) -> float:
    return float(colorspacious.deltaE(seen(a, vision, washed), seen(b, vision, washed), input_space="sRGB1"))


def lightness(colour: str, vision: str) -> float:
    return float(colorspacious.cspace_convert(seen(colour, vision), "sRGB1", "CAM02-UCS")[0])


def closest_pair(colours: dict[str, str], vision: str, washed: bool = False) -> tuple[float, str, str]:
    return min((delta_e(colours[a], colours[b], vision, washed), a, b) for a, b in itertools.combinations(colours, 2))


@pytest.mark.parametrize("vision", VISIONS)
def test_pal001_levels_apart(vision):
    """The three levels' colours: ΔE >= 11 for every vision on a good screen (the closest pair is
    the province's blue and the commune's green under tritanopia, 11.7)."""
    d, a, b = closest_pair(LEVEL_COLORS, vision)
    assert d >= 11, (vision, a, b, d)


@pytest.mark.parametrize("vision", VISIONS)
def test_pal002_levels_on_a_washed_out_projector(vision):
    """Washed out, red-green deficiencies keep the levels >= 19 apart; tritanopia brings the
    province and the commune within 7, which is why level lines also differ in dash
    (theme.LEVEL_DASHES) and level bars always carry the level's name."""
    d, a, b = closest_pair(LEVEL_COLORS, vision, washed=True)
    if vision == "tritanomaly":
        assert {a, b} == {"province", "commune"} and d > 5
    else:
        assert d >= 19, (vision, a, b, d)


@pytest.mark.parametrize("vision", VISIONS)
def test_pal003_channels_apart(vision):
    """In person, online, by post: >= 16 apart on a screen, >= 9 washed out, for every vision (the
    closest: online's sky blue and the post's purple under red-green deficiencies; in person, a
    dark grey, stands between them in the stacked bars)."""
    colours = {k: v for k, v in CHANNEL_COLORS.items() if k}  # 0 (not known) is white with a hatch
    d, a, b = closest_pair(colours, vision)
    assert d >= 16, (vision, a, b, d)
    d, a, b = closest_pair(colours, vision, washed=True)
    assert d >= 9, (vision, a, b, d)


@pytest.mark.parametrize("vision", VISIONS)
def test_pal004_heat_scale_reads_as_lightness(vision):
    """The late-rate scale runs from light to dark for every vision (order by lightness, not
    hue), each step at least 7.5 lightness units down, and apart from the grey of too-few cells."""
    js = [lightness(c, vision) for _, c in RATE_SCALE]
    assert all(a - b >= 7.5 for a, b in zip(js, js[1:])), (vision, js)
    assert min(delta_e(GREY, c, vision) for _, c in RATE_SCALE[1:]) >= 8


@pytest.mark.parametrize("vision", VISIONS)
def test_pal005_coverage_bins_apart(vision):
    """The tile map's bins (100 %, 80–99 %, 50–79 %, under 50 %) get lighter step by step, each
    step ΔE >= 17 for every vision, also on a washed-out projector (>= 10)."""
    colours = [bg for _, _, bg, _ in COVERAGE_BINS]
    js = [lightness(c, vision) for c in colours]
    assert js == sorted(js), (vision, js)
    assert min(delta_e(a, b, vision) for a, b in zip(colours, colours[1:])) >= 17
    assert min(delta_e(a, b, vision, washed=True) for a, b in zip(colours, colours[1:])) >= 10


def test_pal006_text_on_colour_passes_wcag_aa():
    """Labels written on bars, tiles and cells: ink() picks a colour that reads >= 4.5:1."""
    for bg in [*LEVEL_COLORS.values(), LATE_COLOR, *(c for k, c in CHANNEL_COLORS.items() if k)]:
        assert contrast_ratio(ink(bg), bg) >= 4.5, bg
    for _, _, bg, fg in COVERAGE_BINS:
        assert contrast_ratio(fg, bg) >= 4.5, (bg, fg)
    for _, bg, fg in (NO_RECORD, BAD_RECORD):
        assert contrast_ratio(fg, bg) >= 4.5, (bg, fg)
    assert ink("#009E73") == "#212529" and ink("#0072B2") == "#FFFFFF" and ink(LATE_COLOR) == "#000000"
    assert round(contrast_ratio("#FFFFFF", "#0D6EFD"), 2) == 4.50  # WCAG's own example values: Bootstrap blue


def test_pal007_heat_map_labels_read_on_their_cells():
    """Every figure written on a heat cell reads >= 4.5:1 on the colour plotly paints under it
    (plotly's automatic choice put #444 on the middle oranges, 2.8:1)."""
    import pandas as pd

    assert scale_colour(0.0, RATE_SCALE) == "#FFF7EC" and scale_colour(1.0, RATE_SCALE) == "#7F0000"
    assert scale_colour(0.125, RATE_SCALE) == "#FEE6C5"  # halfway between the first two stops
    rates = [i / 20 for i in range(21)]  # 0 %, 5 %, … 100 % of 100 finished dossiers
    df = pd.DataFrame({"row_key": [f"u{i}" for i in range(21)], "col_key": "DD", "count": [round(r * 100) for r in rates],
                       "base": 100})
    fig = rate_heatmap(df, [(f"u{i}", f"Unit {i}") for i in range(21)], [("DD", "Land")], "en", {}, {"count": "n", "base": "b",
                       "rate": "r"}, "few")
    traces = [tr for tr in fig["data"][1:]]
    # near-black, black (mid oranges) and white inks; one colour bar
    assert sorted(tr["textfont"]["color"] for tr in traces) == ["#000000", "#212529", "#FFFFFF"]
    assert sum(tr["showscale"] for tr in traces) == 1
    painted = 0
    for tr in fig["data"]:  # words only on a trace's own cells (plotly writes text on empty cells too)
        assert [[bool(x) for x in row] for row in tr["text"]] == [[v is not None for v in row] for row in tr["z"]]
    for tr in traces:
        for row in tr["z"]:
            for v in row:
                if v is not None:
                    painted += 1
                    assert contrast_ratio(tr["textfont"]["color"], scale_colour(v / tr["zmax"], RATE_SCALE)) >= 4.5, (v, tr["textfont"])
    assert painted == 21  # each cell in exactly one trace


def test_pal008_inked_heatmap_keeps_the_words_of_empty_cells_when_asked():
    """The scorecard's heat table writes '—' where a rate is not measured: it stays, in the darkest ink."""
    from components.theme import inked_heatmap

    scale = [[0, "#d73027"], [0.5, "#fee08b"], [1, "#1a9850"]]
    trace = {"type": "heatmap", "z": [[5, None, 95]], "text": [["5 %", "—", "95 %"]], "colorscale": scale, "zmin": 0, "zmax": 100}
    traces = inked_heatmap(trace, empty_words=True)
    words = {tr["textfont"]["color"]: [x for x in tr["text"][0] if x] for tr in traces}
    darkest = traces[0]["textfont"]["color"]
    assert "—" in words[darkest] and traces[0]["z"][0][1] is None
    assert sum(len(w) for w in words.values()) == 3
    for tr in traces:
        for v, x in zip(tr["z"][0], tr["text"][0]):
            if v is not None:
                assert contrast_ratio(tr["textfont"]["color"], scale_colour(v / 100, scale)) >= 4.5, (v, x)
    assert [tr["textfont"]["color"] for tr in inked_heatmap(trace)] == [tr["textfont"]["color"] for tr in traces]
    assert all("—" not in tr["text"][0] for tr in inked_heatmap(trace))


if __name__ == "__main__":
    print("closest pairs, CAM02-UCS ΔE (screen / washed-out projector):")
    for name, colours in (("levels", LEVEL_COLORS), ("channels", {k: v for k, v in CHANNEL_COLORS.items() if k}),
                          ("coverage bins", {k: bg for k, _, bg, _ in COVERAGE_BINS})):
        for vision in VISIONS:
            d, a, b = closest_pair(colours, vision)
            dw, aw, bw = closest_pair(colours, vision, washed=True)
            print(f"  {name:14s} {vision:14s} {d:5.1f} ({a}/{b})   {dw:5.1f} ({aw}/{bw})")
    for vision in VISIONS:
        print(f"  heat scale lightness {vision:14s}", " ".join(f"{lightness(c, vision):5.1f}" for _, c in RATE_SCALE))
