"""What a leader reads on the demo's pages for 2024, 2025 and 2026 (issue 19's look), without a browser:
the subtitles name the levels of the whole year, every page says the year's structure and that the demo
covers the former Quảng Nam only, and the city's texts say 'thành phố', not 'tỉnh'."""
import importlib

import pandas as pd
import pytest

from tests.test_overview import by_id, render, walk
from tests.test_pages_by_period import ids, text_of


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


@pytest.mark.parametrize("page,prefix", [("postal", "post"), ("scorecard", "sco")])
def test_look002_postal_and_scorecard_say_the_years_structure(pages, page, prefix):
    # Every other page says it; these two showed 2025 and 2026 without a word on the change or on the
    # demo covering the former Quảng Nam only.
    note = text_of(by_id(render(pages[page], year="2026"), f"{prefix}-structure"))
    assert note.startswith("Từ 01/07/2025 chính quyền địa phương hai cấp: Thành phố Đà Nẵng")
    assert note.endswith("Số liệu mẫu chỉ gồm địa bàn tỉnh Quảng Nam cũ.")
    note = text_of(by_id(render(pages[page], year="2025", lang="en"), f"{prefix}-structure"))
    assert note.startswith("2025 has two parts: 01/01–30/06 (three levels, Tỉnh Quảng Nam)")
    assert f"{prefix}-structure" not in ids(render(pages[page], year="2024"))


def test_look003_postal_in_2026_has_no_district_to_click_and_no_townships(pages):
    tree = render(pages["postal"], year="2026")
    assert "huyện" not in subtitle(tree)
    drill = by_id(tree, "post-drill")
    assert "thị trấn" not in text_of(drill)
    assert "Toàn địa bàn: các xã, phường, 2026" in text_of(drill)
    # 2024 on three levels: the districts' map is there to click, and townships existed.
    tree = render(pages["postal"], year="2024", district="509")
    assert "Bấm vào một huyện" in subtitle(tree) and "thị trấn" in text_of(by_id(tree, "post-drill"))


def test_look004_heat_map_sector_columns_wrap(pages):
    # 'Giao thông vận tải' on one line ran into 'Công thương' and 'Tài nguyên và Môi trường' beside it.
    from pages.late.late import _short_sector
    sectors = pd.DataFrame({"code": ["GT", "TN", "CT", "X"],
                            "name": ["Giao thông vận tải", "Tài nguyên và Môi trường", "Công thương", "<b>Lĩnh vực rất dài</b>"],
                            "name_en": ["Transport", "Natural Resources and Environment", "Industry and Trade", None]})
    assert _short_sector(sectors, "GT", "vi") == "Giao thông<br>vận tải"
    assert _short_sector(sectors, "TN", "vi") == "Tài nguyên<br>và Môi trường"
    assert _short_sector(sectors, "CT", "vi") == "Công thương"
    assert _short_sector(sectors, "GT", "en") == "Transport"
    assert _short_sector(sectors, "CT", "en") == "Industry<br>and Trade"
    # A name from data stays text however it is broken.
    assert _short_sector(sectors, "X", "vi") == "&lt;b&gt;Lĩnh vực<br>rất dài&lt;/b&gt;"
