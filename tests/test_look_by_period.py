"""What a leader reads on the demo's pages for 2024, 2025 and 2026 (issue 19's look), without a browser:
the subtitles name the levels of the whole year, every page says the year's structure and that the demo
covers the former Quảng Nam only, and the city's texts say 'thành phố', not 'tỉnh'."""
import importlib

import pandas as pd
import pytest

from tests.test_overview import by_id, render, walk
from tests.test_pages_by_period import ids, text_of


@pytest.fixture(params=["sqlite", "postgresql"])
def any_demo_engine(request):
    return request.getfixturevalue("demo_engine" if request.param == "sqlite" else "demo_pg_engine")


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


def _review_2026(engine, lang: str):
    from data.filters import DossierFilter, Period
    from data.queries.review import review_facts
    from pages.review._review_text import build_report, report_text
    from pages.review._slides import build_slides
    facts = review_facts(engine, DossierFilter(Period.year(2026)))
    report = build_report(facts, lang)
    return facts, report_text(report), build_slides(facts, report)


def test_look005_the_citys_review_says_city_and_no_district_level(demo_engine):
    # 2026's review of Thành phố Đà Nẵng said 'Toàn tỉnh Đà Nẵng', 'trên địa bàn tỉnh', 'của tỉnh', and named
    # late procedures '(cấp huyện, 3.064)' in a year without a district level (communes receive them).
    facts, text, slides = _review_2026(demo_engine, "vi")
    assert facts.province_is_city and {lv.level for lv in facts.levels} == {"province", "commune"}
    assert "tỉnh" not in text.replace("cấp tỉnh", "").replace("tỉnh Quảng Nam", "")
    assert "cấp huyện," not in text and "(TTHC cấp huyện trước đây, " in text
    assert "trên địa bàn thành phố tiếp nhận" in text and "Tính từ hồ sơ của chính thành phố, toàn thành phố đạt" in text
    headlines = " ".join(sl.headline for sl in slides)
    assert "toàn thành phố tiếp nhận" in headlines and "tỉnh" not in headlines.replace("cấp tỉnh", "")
    units = next(sl for sl in slides if sl.key == "units")
    assert "địa bàn huyện cũ" in units.headline and "cấp huyện" not in units.headline
    late = next(sl for sl in slides if sl.key == "late")
    assert not any(label.endswith("(cấp huyện)") for label in late.chart.categories)
    assert any(label.endswith("(TTHC cấp huyện trước đây)") for label in late.chart.categories)
    _, text, slides = _review_2026(demo_engine, "en")
    assert "province" not in text.replace("province level", "") and "the city's agencies and units" in text


def test_look006_scorecard_whatif_says_the_whole_area_in_lower_case(pages):
    # It read 'hồ sơ đất đai trễ hạn của Toàn địa bàn được giải quyết đúng hạn, Toàn địa bàn được thêm…'.
    text = text_of(by_id(render(pages["scorecard"], year="2026"), "sco-whatif"))
    assert text.startswith("Nếu ") and "của toàn địa bàn được giải quyết đúng hạn, toàn địa bàn được thêm" in text
    assert "của toàn tỉnh được" in text_of(by_id(render(pages["scorecard"], year="2024"), "sco-whatif"))


def test_look007_levels_ranks_communes_and_wards_after_the_change(pages):
    # 'Cấp xã theo xã, phường, thị trấn' over 2026's communes: townships ended with the district level.
    card_title = lambda tree: text_of(by_id(tree, "lvl-breakdown")).split(" Cấp tỉnh")[0]  # noqa: E731
    assert card_title(render(pages["levels"], year="2026", level="commune")) == "Cấp xã theo xã, phường"
    assert "thị trấn" not in text_of(by_id(render(pages["levels"], year="2026", level="commune"), "lvl-breakdown"))
    assert "thị trấn" not in text_of(by_id(render(pages["levels"], year="2023", level="commune", boundaries="current"),
                                           "lvl-breakdown"))
    assert "Cấp xã theo xã, phường, thị trấn" in text_of(by_id(render(pages["levels"], year="2024", level="commune",
                                                                     district="509"), "lvl-breakdown"))


def test_look008_a_former_districts_area_in_2026_has_no_district_level(pages):
    # With Quế Sơn picked, 2026's /levels and / said 'Cấp huyện và cấp xã thuộc Quế Sơn (cấp tỉnh không thuộc huyện nào)'.
    ovw = importlib.import_module("pages.overview.overview")
    for page in (pages["levels"], ovw):
        text = subtitle(render(page, year="2026", district="509"))
        assert "Các xã, phường trên địa bàn Quế Sơn cũ" in text or "Chỉ các xã, phường trên địa bàn Quế Sơn cũ" in text, text
        assert "huyện" not in text.replace("huyện cũ", "") and "cấp tỉnh" not in text
        assert "Cấp huyện và cấp xã thuộc Quế Sơn" in subtitle(render(page, year="2025", district="509")).replace("Chỉ c", "C")


def test_look009_a_unit_gone_before_the_year_is_not_ranked_lowest(any_demo_engine):
    # 2025's overview named 'Nông Sơn 61,11 %' the lowest district-level unit: Nông Sơn was merged into
    # Quế Sơn on 1 January 2025; its 72 dossiers received in 2024 and finished in 2025 count in the totals only.
    from data.filters import DossierFilter, Period
    from data.queries import levels as ql
    ranked = ql.districts_by_on_time.uncached(any_demo_engine, DossierFilter(Period.year(2025)))
    assert "519" not in set(ranked["district_code"]) and len(ranked) == 17
    assert ranked["district_name"].head(2).tolist() == ["Điện Bàn", "Thăng Bình"]
    assert round(float(ranked["on_time_rate"].iloc[0]), 4) == 0.8008
    assert "519" in set(ql.districts_by_on_time.uncached(any_demo_engine, DossierFilter(Period.year(2024)))["district_code"])


def test_look010_the_units_slides_reference_label_stays_on_the_slide(demo_engine):
    # 'Mức chung 97,48 %' was written to the right of a line at 97 % of the axis and ran off the slide.
    from pages.review._slides import plotly_figure
    _, _, slides = _review_2026(demo_engine, "vi")
    units = next(sl for sl in slides if sl.key == "units")
    label = plotly_figure(units.chart, "vi").layout.annotations[0]
    assert label.text == "Mức chung 97,48\u00a0%" and label.xanchor == "right"


def test_look011_postal_former_district_in_2026(pages):
    # Quế Sơn picked in 2026: 'Chưa ghi nhận việc thay thế bằng bưu chính công ích tại Quế Sơn năm 2026' stood above
    # its communes at 100 % (there is no district level to record anything), and the way back said '← Toàn tỉnh'.
    tree = render(pages["postal"], year="2026", district="509")
    assert "post-drill-none" not in ids(tree)
    assert text_of(by_id(tree, "post-drill-back")) == "← Toàn địa bàn"
    assert "Nông Sơn" in text_of(by_id(tree, "post-commune-table"))
    tree = render(pages["postal"], year="2024", district="509")
    assert text_of(by_id(tree, "post-drill-back")) == "← Toàn tỉnh" and "post-drill-summary" in ids(tree)


def test_look012_scorecard_subtitle_says_the_citys_own_dossiers(pages):
    assert subtitle(render(pages["scorecard"], year="2026")).startswith("Tính từ hồ sơ của chính thành phố theo 6 nhóm")
    assert subtitle(render(pages["scorecard"], year="2024")).startswith("Tính từ hồ sơ của chính tỉnh theo 6 nhóm")


def test_look013_a_level_of_half_the_year_is_compared_with_the_same_half(any_demo_engine, demo_app):
    """2025's district level existed January-June: compared with January-June 2024, not with the
    whole of 2024 (which read '▼ −69.720 (−49,4 %)' for a level that received 8,7 % more)."""
    from data.filters import DossierFilter, Period
    from data.queries.levels import level_summary_with_previous, summary_by_level

    cur, prev = level_summary_with_previous(any_demo_engine, DossierFilter(Period.year(2025)))
    half = summary_by_level(any_demo_engine, DossierFilter(Period(202401, 202406)))
    whole = summary_by_level(any_demo_engine, DossierFilter(Period.year(2024)))
    assert prev.loc["district", "received"] == half.loc["district", "received"] == 65_580
    assert whole.loc["district", "received"] > 2 * 65_580 - 1_000  # what it was compared with before
    for level in ("province", "commune"):  # levels of the whole year keep the whole previous year
        assert prev.loc[level, "received"] == whole.loc[level, "received"]
    assert cur.loc["district", "received"] == 71_300


def test_look014_overview_says_which_months_the_half_year_level_is_compared_with(demo_app):
    ovw = importlib.import_module("pages.overview.overview")

    def delta(tree, id_):  # the arrow, then the words
        return "".join(c if isinstance(c, str) else c.children for c in by_id(tree, id_).children)

    tree = render(ovw, year="2025")
    assert delta(tree, "ovw-kpi-district-received-delta") == "▲ +5.720 (+8,7\xa0%) so với Th1–Th6/2024"
    assert delta(tree, "ovw-kpi-commune-received-delta").endswith("so với 2024, khi cơ cấu khác")
    en = render(ovw, year="2025", lang="en")
    assert delta(en, "ovw-kpi-district-received-delta").endswith("vs Jan–Jun 2024")


def test_look019_overview_says_a_comparison_across_the_change_is_not_like_for_like(demo_app):
    """2025's communes (+39 % on 2024) took over the district level's work in July: a change of
    structure, not of service, read from the card alone. 2026 against 2025 likewise; 2024 against
    2023 had the same three levels all year (the commune mergers of January 2025 kept them)."""
    ovw = importlib.import_module("pages.overview.overview")

    def delta(tree, id_):
        return "".join(c if isinstance(c, str) else c.children for c in by_id(tree, id_).children)

    tree = render(ovw, year="2025")
    assert delta(tree, "ovw-kpi-commune-received-delta") == "▲ +76.130 (+39,3\xa0%) so với 2024, khi cơ cấu khác"
    assert delta(tree, "ovw-kpi-province-on_time_rate-delta").endswith("so với 2024, khi cơ cấu khác")
    assert "cơ cấu" not in delta(tree, "ovw-kpi-district-received-delta")  # January–June on both sides
    assert delta(render(ovw, year="2026"), "ovw-kpi-commune-received-delta").endswith("so với 2025, khi cơ cấu khác")
    assert delta(render(ovw, year="2026", lang="en"), "ovw-kpi-commune-received-delta").endswith(
        "vs 2025, under another structure")
    for level in ("province", "district", "commune"):
        assert delta(render(ovw, year="2024"), f"ovw-kpi-{level}-received-delta").endswith("so với 2023")


def test_look020_postal_cards_read_last_years_units_against_their_own_total(pages):
    """2025's commune card said '16 / 78, năm 2024: 11': eleven of 2024's 241 communes, not of 78."""
    tree = render(pages["postal"], year="2025")
    card = text_of(by_id(tree, "post-card-commune"))
    assert "năm 2024: 11 / 241" in card and "năm 2024: 31 / 241" in card
    assert "năm 2024: 18 / 18" in text_of(by_id(tree, "post-card-district"))  # 17 units from Nông Sơn's merger
    assert "năm 2025: 16 / 78" in text_of(by_id(render(pages["postal"], year="2026"), "post-card-commune"))


def test_look015_late_heat_map_marks_a_unit_gone_before_the_year(any_demo_engine, pages):
    """2025's heat map had a 'Nông Sơn' row like any other: merged into Quế Sơn on 1 January 2025,
    it only finished 2024's dossiers. Its row stays (the totals hold), marked as gone."""
    from data.filters import DossierFilter, Period
    from data.queries.late import late_heatmap

    hm = late_heatmap.uncached(any_demo_engine, DossierFilter(Period.year(2025)))
    gone = hm[hm["ended"].notna()]
    assert set(gone["unit_code"]) == {"519"} and str(gone["ended"].iloc[0]) == "2024-12-31"
    assert (gone["count"].sum(), gone["base"].sum()) == (33, 100)
    assert late_heatmap.uncached(any_demo_engine, DossierFilter(Period.year(2024)))["ended"].isna().all()
    tree = render(pages["late"], year="2025")
    assert "Nông Sơn (cũ, đến 31/12/2024)" in str(tree.to_plotly_json())


@pytest.mark.parametrize("lang, low, high, text", [
    ("vi", 0, 1.12, ["0\xa0%", "20\xa0%", "40\xa0%", "60\xa0%", "80\xa0%", "100\xa0%"]),
    ("en", 0, 1.12, ["0%", "20%", "40%", "60%", "80%", "100%"]),
    ("vi", 0.7, 1.03, ["70\xa0%", "80\xa0%", "90\xa0%", "100\xa0%"]),
    ("vi", 0, 0.035, ["0\xa0%", "1\xa0%", "2\xa0%", "3\xa0%"]),
])
def test_look016_percent_axes_write_percents_as_the_language_does(lang, low, high, text):
    """'100%' on the Vietnamese charts' axes (plotly's '.0%' puts no space); '100 %' as everywhere else."""
    from components.theme import percent_ticks

    assert percent_ticks(lang, low, high)["ticktext"] == text


def test_look017_no_chart_axis_is_formatted_by_plotly_as_percent(pages):
    from plotly.io.json import to_json_plotly

    for page in ("levels", "postal", "late"):
        layout = to_json_plotly(render(pages[page], year="2023"))
        assert '".0%"' not in layout and "20\\u00a0%" in layout, page  # JSON spells the no-break space \u00a0


def test_look018_the_citys_english_review_names_its_centre_the_citys(demo_engine):
    """'at the provincial centre (Trung tâm … thành phố)' in 2026's English report of the city."""
    _, text, _ = _review_2026(demo_engine, "en")
    assert "provincial" not in text and "at the city's centre (" in text


def test_look021_postal_district_table_of_2025_does_not_count_old_communes_as_without_staff(any_demo_engine, pages):
    """2025's district table said 'communes with postal staff: 0, without: 13' for every district:
    the year's commune records are on the new communes of July, which belong to no district."""
    from data.filters import DossierFilter, Period
    from data.queries.postal import district_coverage

    d25 = district_coverage(any_demo_engine, DossierFilter(Period.year(2025)))
    assert len(d25) == 17 and d25["communes_with_staff"].isna().all() and d25["communes_without_staff"].isna().all()
    d24 = district_coverage(any_demo_engine, DossierFilter(Period.year(2024)))
    assert d24["communes_with_staff"].sum() == 31 and d24["communes"].sum() == 241  # 2024 as it was
    assert "post-table-two-tier" in ids(render(pages["postal"], year="2025"))
    assert "post-table-two-tier" not in ids(render(pages["postal"], year="2024"))


def test_look022_postal_monthly_share_on_todays_boundaries_explains_the_citys_drop(pages):
    """On today's boundaries the city's share fell from ~37 % to ~12 % in July 2025 with nothing said:
    the district-level desks' dossiers count for the city until June 2025. And five years of
    half-year ticks had collided ('01/202' cut at the edge): a long range is ticked by year."""
    now = render(pages["postal"], year="2025", boundaries="current")
    assert "không phải của bưu điện" in text_of(by_id(now, "post-time-share-current"))
    assert "post-time-share-current" not in ids(render(pages["postal"], year="2025"))
    graph = next(n for n in walk(by_id(now, "post-over-time")) if getattr(n, "id", None) == "post-time-share")
    axis = graph.figure["layout"]["xaxis"]
    assert (axis["dtick"], axis["tickformat"]) == ("M12", "%Y")


def test_look023_demo_communes_keep_their_postal_staff_into_2025(any_demo_engine):
    """The demo's communes received no dossier through postal staff from January to June 2025 (the
    year's records are the new communes' of July): a six-month hole no province would have had."""
    from data.filters import DossierFilter, Period
    from data.queries.postal import monthly_postal_share

    m = monthly_postal_share(any_demo_engine, DossierFilter(Period(202407, 202506)))
    share = m[m["level"] == "commune"].set_index("ym")["postal_share"]
    late_2024 = share.loc[202407:202412].mean()
    assert 0.01 < late_2024 < 0.02
    assert (share.loc[202501:202506] > 0.6 * late_2024).all(), share.loc[202501:202506].round(4).to_dict()


def test_look024_scorecard_total_says_when_last_period_had_another_structure(pages):
    """As look019 on the overview: the total's 'năm 2024: 70,3 / 100' beside 2025's is across the change."""
    def prev(**kw):
        return text_of(by_id(render(pages["scorecard"], **kw), "sco-total-prev"))

    assert prev(year="2025").startswith("năm 2024, khi cơ cấu khác: ")
    assert prev(year="2026").startswith("năm 2025, khi cơ cấu khác: ")
    assert prev(year="2024").startswith("năm 2023: ")
    assert prev(year="2025", month="7").startswith("Th6/2025, khi cơ cấu khác: ")  # June had districts, July none
    assert prev(year="2025", month="8").startswith("Th7/2025: ")
    assert prev(year="2025", lang="en").startswith("2024, under another structure: ")
