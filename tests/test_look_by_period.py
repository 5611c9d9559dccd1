"""What a leader reads on the demo's pages for 2024, 2025 and 2026 (issue 19's look), without a browser:
the subtitles name the levels of the whole year, every page says the year's structure and that the demo
covers the former Quảng Nam only, and the city's texts say 'thành phố', not 'tỉnh'."""
import importlib

import pytest

from tests.test_overview import render, walk


@pytest.fixture(scope="module")
def pages(demo_app):
    return {name: importlib.import_module(f"pages.{name}.{name}") for name in ("levels", "postal", "late", "scorecard")}


def subtitle(tree) -> str:
    return next(n.children for n in walk(tree) if "page-subtitle" in (getattr(n, "className", None) or ""))


def test_look001_levels_subtitle_names_the_levels_of_the_whole_year(pages):
    lvl = pages["levels"]
    # 2025 shows three levels (the district level until 30 June): its subtitle must not say two.
    assert subtitle(render(lvl, year="2025")).startswith("Cấp tỉnh, cấp huyện và cấp xã.")
    assert subtitle(render(lvl, year="2024")).startswith("Cấp tỉnh, cấp huyện và cấp xã.")
    assert subtitle(render(lvl, year="2026")).startswith("Cấp tỉnh (thành phố) và cấp xã.")
