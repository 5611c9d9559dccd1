"""The overview and level pages' layouts on the demo database, without a browser:
the article's 2023 figures, links carrying the filters, bad URL input, the report download."""
import base64
import importlib
import io

import pytest

from data.filters import DossierFilter, Period
from data.queries.summary import summary_by_level
from tests.conftest import page_cache_off


@pytest.fixture(scope="module")
def pages(demo_app):
    """The page modules as the app registered them (app.py imports them)."""
    return importlib.import_module("pages.overview.overview"), importlib.import_module("pages.levels.levels")


def render(page, **params):
    """The page's layout as the app calls it, rendered afresh (not a page-cache hit)."""
    with page_cache_off():
        return page.layout(**params)


def walk(node):
    yield node
    children = getattr(node, "children", None)
    if children is None:
        return
    if not isinstance(children, (list, tuple)):
        children = [children]
    for c in children:
        if c is not None and not isinstance(c, (str, int, float)):
            yield from walk(c)


def by_id(tree, id_):
    found = [n for n in walk(tree) if getattr(n, "id", None) == id_]
    assert found, f"no element {id_}"
    return found[0]


def text_of(node) -> str:
    parts = []
    for n in walk(node):
        ch = getattr(n, "children", None)
        for c in ch if isinstance(ch, (list, tuple)) else [ch]:
            if isinstance(c, (str, int, float)):
                parts.append(str(c))
    return " ".join(parts)


ARTICLE_2023 = {
    "vi": {"province": ("90.010", "99,8\u00a0%", "80,6\u00a0%"), "district": ("136.350", "82,92\u00a0%", "32,3\u00a0%"),
           "commune": ("187.299", "97,5\u00a0%", "66,1\u00a0%")},
    "en": {"province": ("90,010", "99.8%", "80.6%"), "district": ("136,350", "82.92%", "32.3%"),
           "commune": ("187,299", "97.5%", "66.1%")},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_ovw001_article_figures_2023(pages, lang):
    home, _ = pages
    tree = render(home, year="2023", lang=lang)
    for level, (received, rate, online) in ARTICLE_2023[lang].items():
        assert by_id(tree, f"ovw-kpi-{level}-received-value").children == received
        assert by_id(tree, f"ovw-kpi-{level}-on_time_rate-value").children == rate
        assert by_id(tree, f"ovw-kpi-{level}-online_share-value").children == online
    # 2022 exists, so every card compares: district on-time rate 80,1 % -> 82,92 %
    delta = text_of(by_id(tree, "ovw-kpi-district-on_time_rate-delta"))
    assert ("+2,82 điểm %" in delta and "2022" in delta) if lang == "vi" else ("+2.82 pts" in delta)
    assert by_id(tree, "ovw-title").children.endswith("2023")


def test_ovw002_attention_links_carry_filters(pages, demo_engine):
    home, _ = pages
    tree = render(home, year="2023")
    sector = by_id(tree, "ovw-att-sector")
    assert "Đất đai" in text_of(sector)
    assert by_id(tree, "ovw-att-sector-link").href == "/late?year=2023&sector=DD"
    units = [n for n in walk(by_id(tree, "ovw-att-units")) if getattr(n, "href", None)]
    assert len(units) == 3 and all(u.href.startswith("/late?year=2023&district=") for u in units)
    # 19 communes had postal staff in 2023 (the article): 222 of 241 moved nothing
    assert "222/241" in text_of(by_id(tree, "ovw-att-postal"))
    assert by_id(tree, "ovw-att-postal-link").href == "/postal?year=2023"
    tree = render(home, year="2023", district="509", sector="DD", lang="en")
    assert by_id(tree, "ovw-att-sector-link").href == "/late?year=2023&district=509&sector=DD&lang=en"
    assert by_id(tree, "ovw-att-postal-link").href == "/postal?year=2023&district=509&sector=DD&lang=en"


def test_ovw003_district_filter_narrows_levels(pages, demo_engine):
    home, _ = pages
    tree = render(home, year="2023", district="509")
    assert "Quế Sơn" in by_id(tree, "ovw-title").children
    assert not [n for n in walk(tree) if getattr(n, "id", None) == "ovw-kpi-province"]
    expect = summary_by_level(demo_engine, DossierFilter(Period.year(2023), district_code="509"))
    from components.formatting import fmt_int

    assert by_id(tree, "ovw-kpi-district-received-value").children == fmt_int(expect.loc["district", "received"])
    assert by_id(tree, "ovw-kpi-commune-received-value").children == fmt_int(expect.loc["commune", "received"])
    assert "Quế Sơn" in text_of(by_id(tree, "ovw-att-units"))  # its communes, not the 18 units
    links = [n.href for n in walk(by_id(tree, "ovw-att-units")) if getattr(n, "href", None)]
    assert links and all(h.startswith("/late?year=2023&district=509&level=commune&commune=") for h in links)


def test_ovw004_first_year_and_bad_input(pages):
    home, levels = pages
    tree = render(home, year="2022")
    assert "2021" in text_of(by_id(tree, "ovw-kpi-province-on_time_rate-delta"))  # nothing to compare with
    tree = render(home, year="1999", district="888", sector="XX")
    notes = text_of(tree)
    assert "1999" in notes and "888" in notes and "XX" in notes
    assert by_id(tree, "ovw-kpi-province-received-value").children  # the nearest valid view is shown
    tree = render(levels, year="2023", level="nonsense")
    assert "nonsense" in text_of(tree)
    assert by_id(tree, "lvl-breakdown")  # the hint and level buttons, no drill
    tree = render(levels, year="2023", district="509", level="province")
    assert "Cấp tỉnh không thuộc huyện nào" in text_of(tree)


def test_ovw005_sector_without_dossiers_in_scope(pages):
    _, levels = pages
    # Education (GD) is handled only by a provincial department: nothing in Quế Sơn.
    tree = render(levels, year="2023", district="509", sector="GD")
    assert by_id(tree, "lvl-empty")
    assert by_id(tree, "lvl-empty-action").href == "/levels?year=2023&district=509"
    assert not [n for n in walk(tree) if type(n).__name__ == "Graph"]


def test_ovw006_levels_drill_and_tables(pages, demo_engine):
    _, levels = pages
    tree = render(levels, year="2023", level="commune")
    assert "Cấp xã theo đơn vị cấp huyện" in text_of(by_id(tree, "lvl-breakdown"))
    fig = by_id(tree, "lvl-breakdown-on-time").figure
    assert len(fig["data"][0]["y"]) == 18
    table = text_of(by_id(tree, "lvl-report-levels"))
    assert "90.010" in table and "136.350" in table and "187.299" in table and "82,92\u00a0%" in table


def test_ovw006b_level_charts_click_data_and_target_line(pages, monkeypatch):
    """The charts are plain dicts: a bar click carries its level, a configured target is a dashed
    line across the plot named in the legend, and a selected level's bar is outlined."""
    _, levels = pages
    monkeypatch.setenv("TARGET_ON_TIME_RATE", "95%")
    monkeypatch.delenv("TARGET_ONLINE_SHARE", raising=False)
    tree = render(levels, year="2023", level="district")
    on_time = by_id(tree, "lvl-on-time").figure
    bar = on_time["data"][0]
    assert bar["customdata"] == ["province", "district", "commune"]
    assert bar["text"] == ["99,8\u00a0%", "82,92\u00a0%", "97,5\u00a0%"]
    assert bar["marker"]["line"]["color"] == ["rgba(0,0,0,0)", "#212529", "rgba(0,0,0,0)"]
    assert on_time["layout"]["shapes"] == [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
                                            "y0": 0.95, "y1": 0.95, "line": {"color": "#212529", "dash": "dash", "width": 2}}]
    assert on_time["data"][1]["name"] == "Mục tiêu 95\u00a0%" and on_time["layout"]["showlegend"] is True
    online = by_id(tree, "lvl-online").figure
    assert "shapes" not in online["layout"] and online["layout"]["showlegend"] is False
    channels = by_id(tree, "lvl-channels").figure
    assert [t["customdata"] for t in channels["data"]] == [["province", "district", "commune"]] * 4
    assert channels["data"][3]["text"] == ["90.010", "136.350", "187.299"]
    assert channels["layout"]["separators"] == ",." and channels["layout"]["yaxis"]["tickformat"] == ",d"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_ovw007_download_totals_equal_summary(pages, demo_engine, fmt):
    from openpyxl import load_workbook

    from components.download import table_start_row

    _, levels = pages
    sent = levels.report_download("?year=2023&sector=DD", fmt)
    assert sent["filename"] == f"bieu06-cac-cap-2023-dd.{fmt}"
    data = base64.b64decode(sent["content"])
    expect = summary_by_level(demo_engine, DossierFilter(Period.year(2023), sector_code="DD"))
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        assert text.splitlines()[1] == "Năm,2023" and "Lĩnh vực,Đất đai" in text
        return
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["B2"].value == "2023" and ws["B4"].value == "Đất đai"
    head = table_start_row([("", "")] * 3)
    header = [c.value for c in ws[head]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=head + 1)]
    col = {name: i for i, name in enumerate(header)}
    received = col["Số hồ sơ nhận giải quyết – Mới tiếp nhận"]
    late = col["Số hồ sơ đã giải quyết – Quá hạn"]
    by_label = {r[1]: r for r in rows}
    assert by_label["Tổng cộng"][received] == int(expect["received"].sum())
    assert by_label["Tổng cộng"][late] == int(expect["finished_late"].sum())
    for numeral, level in (("I", "province"), ("II", "district"), ("III", "commune")):
        row = by_label[f"{numeral}. " + {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}[level]]
        assert row[received] == expect.loc[level, "received"]
        assert row[col["Số hồ sơ nhận giải quyết – Kỳ trước chuyển sang"]] == expect.loc[level, "carried_over"]
        assert row[col["Tỷ lệ đúng hạn (%)"]] == pytest.approx(round(expect.loc[level, "on_time_rate"] * 100, 2))
