"""The PowerPoint deck: opens with python-pptx, the expected slides, native charts whose
series hold the query results, filters and data date in the footer, the report as notes."""
from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches

from data.filters import DossierFilter, Period
from data.queries import levels as ql
from data.queries import postal as qp
from data.queries.review import MIN_FINISHED, procedures_by_late, review_facts, units_on_time
from data.queries.summary import summary_by_level
from pages.review._deck import REFERENCE_LABEL, REFERENCE_LINE, build_deck
from pages.review._review_text import build_report, section_text
from pages.review._slides import MAX_SLIDES, build_slides, kicker

Y2023 = Period.year(2023)
LEVELS = ["province", "district", "commune"]


def make_deck(engine, f: DossierFilter, lang: str = "vi", **kw):
    facts = review_facts(engine, f, **kw)
    report = build_report(facts, lang)
    slides = build_slides(facts, report)
    data = build_deck(slides, report.filters, kicker(facts, lang), lang)
    return facts, report, slides, Presentation(io.BytesIO(data))


def chart_of(slide):
    charts = [s for s in slide.shapes if s.has_chart]
    assert len(charts) == 1
    return charts[0].chart


def values(chart, i: int = 0) -> list:
    return list(chart.plots[0].series[i].values)


def labels(chart, i: int = 0) -> list:
    """The text written on each bar of series ``i`` (None: no label of its own)."""
    return [p.data_label.text_frame.text if p.data_label.has_text_frame else None
            for p in chart.plots[0].series[i].points]


def texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def named(slide, name: str) -> list:
    return [s for s in slide.shapes if s.name == name]


def plot_box(slide) -> tuple[float, float, float, float]:
    """The chart's inner plot area on the slide, in EMU: (left, top, right, bottom), from
    the chart's manual layout (fractions of its frame) - what PowerPoint draws the axes in."""
    frame = next(s for s in slide.shapes if s.has_chart)
    layout = frame.chart._chartSpace.chart.plotArea.find(qn("c:layout")).find(qn("c:manualLayout"))
    assert layout.find(qn("c:layoutTarget")).get("val") == "inner"
    assert layout.find(qn("c:xMode")).get("val") == layout.find(qn("c:yMode")).get("val") == "edge"
    x, y, w, h = (float(layout.find(qn(f"c:{k}")).get("val")) for k in "xywh")
    return (frame.left + frame.width * x, frame.top + frame.height * y,
            frame.left + frame.width * (x + w), frame.top + frame.height * (y + h))


def assert_reference_line(slide, rate: float, label: str) -> None:
    """A dashed vertical line over the horizontal bars at ``rate`` on the 0-100 % value axis,
    from the plot's top to its bottom, and its label just above the plot, ending at the line."""
    chart = chart_of(slide)
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert (chart.value_axis.minimum_scale, chart.value_axis.maximum_scale) == (0, 1)
    left, top, right, bottom = plot_box(slide)
    assert 0 < left < right and top < bottom
    [line] = named(slide, REFERENCE_LINE)
    assert line.shape_type == MSO_SHAPE_TYPE.LINE
    x = left + (right - left) * rate
    assert line.begin_x == line.end_x == pytest.approx(x, abs=2)  # EMU: 1/12700 pt
    assert (line.begin_y, line.end_y) == (pytest.approx(top, abs=2), pytest.approx(bottom, abs=2))
    [box] = named(slide, REFERENCE_LABEL)
    assert box.text_frame.text == label
    assert box.top + box.height == pytest.approx(top, abs=2) and box.left + box.width < x  # rate > 50 %: left of the line


@pytest.fixture(scope="module")
def demo_deck(demo_engine):
    return make_deck(demo_engine, DossierFilter(Y2023))


@pytest.mark.demo
def test_ppt001_demo_deck_opens_with_expected_slides(demo_deck):
    facts, report, slides, prs = demo_deck
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)  # 16:9
    assert [s.key for s in slides] == ["received", "on_time", "online", "postal", "moved", "late", "units", "communes",
                                       "not_online", "scorecard"]
    assert len(prs.slides) == len(slides) <= MAX_SLIDES
    for i, (spec, slide) in enumerate(zip(slides, prs.slides), start=1):
        assert slide.shapes.title.text == spec.headline
        footer = texts(slide)
        assert report.filters in footer and "Số liệu cập nhật ngày" in report.filters
        assert f"{i}/{len(slides)}" in footer
        assert not any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)  # native charts, no pictures
        assert slide.notes_slide.notes_text_frame.text == spec.notes
    # The notes carry the whole report: every section's text is in some slide's notes.
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides)
    for sec in report.sections:
        assert section_text(sec) in notes, sec.key
    assert prs.slides[0].shapes.title.text == "Năm 2023, toàn tỉnh tiếp nhận 413.659 hồ sơ; nhiều nhất ở cấp xã (187.299)"
    assert prs.slides[1].shapes.title.text == "Cấp huyện giải quyết đúng hạn 82,92\u00a0%, thấp nhất trong các cấp"


@pytest.mark.demo
def test_ppt002_demo_level_charts_equal_the_summary(demo_engine, demo_deck):
    _, _, _, prs = demo_deck
    summary = summary_by_level(demo_engine, DossierFilter(Y2023))
    for slide, col in zip(list(prs.slides)[:3], ("received", "on_time_rate", "online_share")):
        chart = chart_of(slide)
        assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        assert list(chart.plots[0].categories) == ["Cấp tỉnh", "Cấp huyện", "Cấp xã"]
        assert values(chart) == pytest.approx([summary.loc[lv, col] for lv in LEVELS])
    assert values(chart_of(prs.slides[0])) == [90010, 136350, 187299]


@pytest.mark.demo
def test_ppt003_demo_postal_charts_equal_the_postal_queries(demo_engine, demo_deck):
    _, _, slides, prs = demo_deck
    f = DossierFilter(Y2023)
    cov = qp.level_coverage(demo_engine, f, (2023,))
    chart = chart_of(prs.slides[3])
    assert values(chart, 0) == list(cov["postal_staff"]) == [17, 44, 20]
    assert values(chart, 1) == list(cov["civil_servants"]) == [24, 150, 20]
    dist = qp.district_coverage(demo_engine, f)
    dist = dist[dist["has_record"]].assign(order=lambda d: -d["moved_share"]).sort_values(["order", "short_name"])
    chart = chart_of(prs.slides[4])
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert list(chart.plots[0].categories) == list(dist["short_name"])
    assert values(chart) == pytest.approx(list(dist["moved_share"]))
    assert sum(v == 1.0 for v in values(chart)) == 11
    communes = ql.commune_postal_coverage(demo_engine, f)
    per = communes.groupby("district_code", sort=False)["moved"].agg(["sum", "size"])
    chart = chart_of(prs.slides[7])
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    assert values(chart, 0) == list(per["sum"]) and values(chart, 1) == list(per["size"] - per["sum"])


@pytest.mark.demo
def test_ppt004_demo_weak_point_charts_equal_their_queries(demo_engine, demo_deck):
    facts, _, _, prs = demo_deck
    f = DossierFilter(Y2023)
    late = procedures_by_late(demo_engine, f)
    assert values(chart_of(prs.slides[5])) == list(late["finished_late"].head(8))
    _, units = units_on_time(demo_engine, f)
    ranked = units[units["finished"] >= MIN_FINISHED].sort_values(["on_time_rate", "finished_late"], ascending=[True, False])
    chart = chart_of(prs.slides[6])
    assert list(chart.plots[0].categories) == list(ranked["name"])
    assert values(chart) == pytest.approx(list(ranked["on_time_rate"]))
    busy = ql.procedures_not_full_online(demo_engine, f, 6)
    assert values(chart_of(prs.slides[8])) == list(busy["received"])


@pytest.fixture(scope="module")
def demo_deck_en(demo_engine):
    return make_deck(demo_engine, DossierFilter(Y2023), "en")


@pytest.mark.demo
def test_ppt006_demo_bar_labels_are_written_in_the_deck_language(demo_engine, demo_deck, demo_deck_en):
    """The labels are text, as /present writes them, not a number format (whose separators would
    be the viewer's locale's): 90.010 and 87,11 % in Vietnamese on any laptop, 90,010 and 87.11% in English."""
    summary = summary_by_level(demo_engine, DossierFilter(Y2023))
    assert list(summary.loc[LEVELS, "received"]) == [90010, 136350, 187299]
    rates = list(summary.loc[LEVELS, "on_time_rate"])
    assert rates == pytest.approx([0.998, 0.8292, 0.975], abs=5e-5)  # to the labels' two decimals
    _, units = units_on_time(demo_engine, DossierFilter(Y2023))
    lowest = units[units["finished"] >= MIN_FINISHED]["on_time_rate"].min()
    assert lowest == pytest.approx(0.8711, abs=5e-5)
    late = procedures_by_late(demo_engine, DossierFilter(Y2023))
    assert list(late["finished_late"].head(2)) == [8304, 4328]
    for (_, _, _, prs), expected in ((demo_deck, {
        0: ["90.010", "136.350", "187.299"], 1: ["99,8\u00a0%", "82,92\u00a0%", "97,5\u00a0%"], 6: ["87,11\u00a0%"], 5: ["8.304", "4.328"],
    }), (demo_deck_en, {
        0: ["90,010", "136,350", "187,299"], 1: ["99.8%", "82.92%", "97.5%"], 6: ["87.11%"], 5: ["8,304", "4,328"],
    })):
        for i, want in expected.items():
            assert labels(chart_of(prs.slides[i]))[:len(want)] == want, i
        # The count axis would show the viewer's thousands separator: hidden, the bars carry the numbers;
        # the rate axis shows whole percentages, no separator, a space before % in Vietnamese.
        assert not chart_of(prs.slides[0]).value_axis.visible
        assert chart_of(prs.slides[1]).value_axis.visible
    assert chart_of(demo_deck[3].slides[1]).value_axis.tick_labels.number_format == '0"\u00a0"%'
    assert chart_of(demo_deck_en[3].slides[1]).value_axis.tick_labels.number_format == "0%"


@pytest.mark.demo
def test_ppt005_demo_units_chart_has_the_province_rate_line(demo_engine, demo_deck):
    """The units slide draws the province's on-time rate (all levels) where the axis puts it."""
    facts, _, _, prs = demo_deck
    summary = summary_by_level(demo_engine, DossierFilter(Y2023))
    rate = summary["finished_in_time"].sum() / summary["finished"].sum()
    assert facts.benchmark_rate == pytest.approx(rate) and rate == pytest.approx(0.932, abs=5e-4)
    assert_reference_line(prs.slides[6], rate, "Mức chung 93,2\u00a0%")
    assert prs.slides[6].shapes.title.text.endswith("(93,2\u00a0%)")  # the headline says the same rate
    for i, slide in enumerate(prs.slides):
        if i != 6:
            assert not named(slide, REFERENCE_LINE) and not named(slide, REFERENCE_LABEL)


def test_ppt010_fixture_deck(fixture_engine):
    """By hand (tests/fixture_data.py, 2023): received 3/7/4, on time 3/4, 2/4, 3/4, online 1/3, 1/7, 2/4;
    postal staff 2/3/1 for 3/9/1 civil servants; late procedures DD-H-01 2, DD-T-01 1, DD-X-01 1."""
    facts, report, slides, prs = make_deck(fixture_engine, DossierFilter(Y2023), "en", min_finished=1)
    assert len(prs.slides) == len(slides) == 10
    assert values(chart_of(prs.slides[0])) == [3, 7, 4]
    # The service index (tests/test_review.py): points per group, rounded on the slide, and what each loses.
    index = chart_of(prs.slides[9])
    assert list(index.plots[0].categories)[0] == "Publicity and transparency (18)"
    assert values(index, 0) == [9, 13, 5, 2, 11, 14] and values(index, 1) == [9, 7, 7, 8, 7, 8]
    assert prs.slides[9].shapes.title.text == ("Service index (Decision 766): 53.4 of 100 points measured; "
                                               "most lost in publicity and transparency")
    assert values(chart_of(prs.slides[1])) == pytest.approx([0.75, 0.5, 0.75])
    assert values(chart_of(prs.slides[2])) == pytest.approx([1 / 3, 1 / 7, 0.5])
    assert values(chart_of(prs.slides[3]), 0) == [2, 3, 1] and values(chart_of(prs.slides[3]), 1) == [3, 9, 1]
    moved = chart_of(prs.slides[4])
    assert list(moved.plots[0].categories) == ["Tam Kỳ", "Quế Sơn"] and values(moved) == pytest.approx([1.0, 0.5])
    assert values(chart_of(prs.slides[5])) == [2, 1, 1]
    units = chart_of(prs.slides[6])
    assert list(units.plots[0].categories) == ["Tam Kỳ", "Quế Sơn"] and values(units) == pytest.approx([0.5, 2 / 3])
    # The province's rate over all levels: (3 + 2 + 3) / (4 + 4 + 4) on time.
    assert facts.benchmark_rate == pytest.approx(8 / 12)
    assert_reference_line(prs.slides[6], 8 / 12, "Overall 66.67%")
    assert values(chart_of(prs.slides[7]), 0) == [0, 1] and values(chart_of(prs.slides[7]), 1) == [1, 1]  # Tam Kỳ, Quế Sơn
    assert values(chart_of(prs.slides[8])) == [5, 2, 1]
    # Each bar's label is the text /present writes (English): online 1/3, 1/7, 2/4 of received.
    assert labels(chart_of(prs.slides[2])) == ["33.33%", "14.29%", "50%"]
    assert labels(chart_of(prs.slides[0])) == ["3", "7", "4"]
    assert labels(chart_of(prs.slides[6])) == ["50%", "66.67%"]
    # Tam Kỳ's one commune moved nothing: the stacked bar's empty 'moved' slice has no label.
    assert labels(chart_of(prs.slides[7]), 0) == [None, "1"] and labels(chart_of(prs.slides[7]), 1) == ["1", "1"]
    assert prs.slides[0].shapes.title.text == "14 dossiers received in 2023; most at district level (7)"
    assert "2023 · Whole province (Quảng Nam) · All sectors" in texts(prs.slides[0])


def test_ppt012_fixture_deck_in_vietnamese_writes_vietnamese_numbers(fixture_engine):
    """The same fixture in Vietnamese: comma decimals and a space before % on the bars."""
    _, _, _, prs = make_deck(fixture_engine, DossierFilter(Y2023), "vi", min_finished=1)
    assert labels(chart_of(prs.slides[2])) == ["33,33\u00a0%", "14,29\u00a0%", "50\u00a0%"]
    assert labels(chart_of(prs.slides[4])) == ["100\u00a0%", "50\u00a0%"]  # Tam Kỳ, Quế Sơn: procedures moved
    assert labels(chart_of(prs.slides[6])) == ["50\u00a0%", "66,67\u00a0%"]
    assert labels(chart_of(prs.slides[5])) == ["2", "1", "1"]


def test_ppt011_year_without_data_is_a_short_deck(fixture_engine):
    facts, report, slides, prs = make_deck(fixture_engine, DossierFilter(Period.year(2021)))
    assert [s.key for s in slides] == ["received", "postal"]
    for slide in prs.slides:
        assert not any(s.has_chart for s in slide.shapes)
        body = " ".join(texts(slide))
        assert "nan" not in body and "None" not in body
    assert prs.slides[0].shapes.title.text == "Năm 2021 không có hồ sơ nào được ghi nhận"
