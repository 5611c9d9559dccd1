"""Pages by period (issue 19) on the demo, without a browser: the levels of the period, the split
year, the former districts' areas in the filter, postal coverage by communes after the change, the
boundaries switch, and today's-boundaries totals month by month."""
import importlib

import pytest

from data.filters import DossierFilter, Period
from data.queries import boundaries as qb
from data.queries import levels as ql
from tests.test_overview import by_id, render, walk


@pytest.fixture(scope="module")
def pages(demo_app):
    return {name: importlib.import_module(f"pages.{name}.{name}") for name in ("overview", "levels", "postal", "late", "scorecard")}


def ids(tree) -> set:
    return {i for n in walk(tree) if isinstance(i := getattr(n, "id", None), str)}


def text_of(node) -> str:
    return " ".join(str(c) for n in walk(node) for c in ([n.children] if isinstance(getattr(n, "children", None), str) else []))


def test_pbp001_overview_and_levels_show_the_periods_levels(pages):
    ovw, lvl = pages["overview"], pages["levels"]
    tree = render(ovw, year="2026")
    kpis = ids(by_id(tree, "ovw-kpis"))
    assert "ovw-kpi-province" in kpis and "ovw-kpi-commune" in kpis and "ovw-kpi-district" not in kpis
    assert "Thành phố Đà Nẵng" in text_of(by_id(tree, "ovw-structure"))
    assert "ovw-today" in ids(tree)  # today's commune, drawn from its old communes
    tree = render(lvl, year="2026")
    assert {"lvl-pick-province", "lvl-pick-commune"} <= ids(tree) and "lvl-pick-district" not in ids(tree)
    tree = render(lvl, year="2025")
    note = text_of(by_id(tree, "lvl-structure"))
    assert "01/01–30/06" in note and "01/07–31/12" in note
    assert "lvl-pick-district" in ids(tree)
    assert "lvl-structure" not in ids(render(lvl, year="2024"))
    # A level that did not exist in the period is dropped from the URL, not an error.
    assert "lvl-pick-district" not in ids(render(lvl, year="2026", level="district"))


def test_pbp002_late_offers_the_periods_levels(pages):
    tree = render(pages["late"], year="2026")
    assert {"late-level-province", "late-level-commune"} <= ids(tree) and "late-level-district" not in ids(tree)
    assert "late-level-district" in ids(render(pages["late"], year="2024"))
    assert "late-structure" in ids(render(pages["late"], year="2025"))  # the split year says so


def test_pbp003_postal_before_and_after_the_change(pages):
    tree = render(pages["postal"], year="2026")
    assert "post-card-district" not in ids(tree) and "post-commune-table" in ids(tree)
    assert text_of(by_id(tree, "post-commune-full")).endswith("/ 78")  # the communes of December
    tree = render(pages["postal"], year="2024")
    assert "post-card-district" in ids(tree) and "post-district-view" in ids(tree)


def test_pbp004_boundaries_switch_on_the_levels_trend_and_ranking(pages, demo_engine):
    tree = render(pages["levels"], year="2023", level="commune", boundaries="current")
    assert {"lvl-bounds-current", "lvl-bounds-historical"} <= ids(tree)
    f = DossierFilter(Period.year(2023))
    ranked = qb.communes_on_current_boundaries(demo_engine, f)
    assert len(ranked) == 78 and ranked["received"].sum() == 187_299
    # Month by month, today's boundaries keep every month's total.
    now = qb.monthly_by_current_level(demo_engine, f, 2023, 2024)
    was = ql.monthly_by_level(demo_engine, f, 2023, 2024)
    assert set(now["level"]) == {"province", "commune"}
    assert now.groupby("ym")["received"].sum().equals(was.groupby("ym")["received"].sum())


def _level_options(tree) -> list[str]:
    return [o["value"] for o in by_id(tree, "sco-level").options]


def test_pbp005_scorecard_ranks_the_periods_levels(pages):
    sco = pages["scorecard"]
    # Two tiers all year: the district level is not offered and the page opens on the communes.
    tree = render(sco, year="2026")
    assert _level_options(tree) == ["commune", "department"] and by_id(tree, "sco-level").value == "commune"
    assert "sco-rank" in ids(tree) and "sco-rank-none" not in ids(tree)
    assert "không còn cấp huyện" in by_id(tree, "sco-rank-note").children
    assert "Toàn địa bàn, năm 2026" in by_id(tree, "sco-title").children
    # 78 communes and wards: the heat table asks for a former district's area.
    assert "địa bàn huyện cũ" in text_of(by_id(tree, "sco-heat-many"))
    # A district level asked for in the URL falls back to the communes.
    assert by_id(render(sco, year="2026", level="district"), "sco-level").value == "commune"
    # 2025: the district level existed until 30 June, so the whole year and its first half offer it...
    for month in (None, "6"):
        tree = render(sco, year="2025", **({"month": month} if month else {}))
        assert _level_options(tree) == ["district", "commune", "department"], month
        assert by_id(tree, "sco-level").value == "district" and "sco-rank" in ids(tree)
    # ... its second half does not.
    tree = render(sco, year="2025", month="8")
    assert _level_options(tree) == ["commune", "department"] and by_id(tree, "sco-level").value == "commune"
    assert _level_options(render(sco, year="2024")) == ["district", "commune", "department"]


def test_pbp006_scorecard_level_in_the_url_follows_the_period(pages):
    from dash import no_update

    changed = pages["scorecard"].level_changed
    # 2026: communes are the default (left out of the URL); the district level cannot be picked.
    assert changed("commune", "?year=2026") is no_update
    assert changed("district", "?year=2026") is no_update
    assert changed("department", "?year=2026&unit=20641") == "?year=2026&level=department"
    assert changed("commune", "?year=2026&level=department") == "?year=2026"
    # 2024: the district level is the default, as before.
    assert changed("district", "?year=2024") is no_update
    assert changed("commune", "?year=2024") == "?year=2024&level=commune"
    assert changed("commune", "?year=2025&month=9&level=department") == "?year=2025&month=9"


def test_pbp007_postal_over_time_counts_the_units_of_each_period(pages):
    tree = render(pages["postal"], year="2026")
    over = by_id(tree, "post-over-time")
    assert "Quá trình triển khai, toàn địa bàn" in text_of(over)  # not 'toàn tỉnh' after the change
    fig = by_id(tree, "post-time-full").figure
    bars = {tr["name"]: dict(zip(tr["x"], tr["text"])) for tr in fig["data"]}
    # District-level units while they existed (17 in 2025), then the 78 communes: never '0 / 0'.
    assert bars["Cấp huyện"] == {"2022": "6/18", "2023": "11/18", "2024": "15/18", "2025": "16/17"}
    assert bars["Cấp xã"] == {"2025": "16/78", "2026": "21/78"}
    assert "cấp huyện, từ 01/07/2025 cấp xã" in text_of(over)
    commune = next(tr for tr in fig["data"] if tr["name"] == "Cấp xã")
    assert commune["y"][-1] == pytest.approx(21 / 78)
    assert "Quá trình triển khai, toàn tỉnh" in text_of(by_id(render(pages["postal"], year="2024"), "post-over-time"))


def test_pbp008_late_heat_map_rows_are_former_district_areas(pages):
    late = pages["late"]
    heat = {"type": "late-drill-graph", "name": "heatmap"}
    tree = render(late, year="2026")
    card = by_id(tree, "late-heatmap-card")
    assert "Tỷ lệ trễ hạn: địa bàn huyện cũ × lĩnh vực" in text_of(card)
    fig = by_id(tree, heat).figure
    assert fig["layout"]["yaxis"]["title"]["text"] == "Địa bàn huyện cũ"
    assert "Tam Kỳ" in fig["data"][0]["y"]  # the area keeps the district's name, under that heading
    assert "Địa bàn huyện cũ" in text_of(by_id(tree, "late-heat-table"))  # the table's corner says it too
    # 2025: districts until June, their areas from July.
    tree = render(late, year="2025", lang="en")
    assert "District (from 01/07/2025: its former area)" in text_of(by_id(tree, "late-heatmap-card"))
    tree = render(late, year="2024")
    assert "Tỷ lệ trễ hạn: đơn vị × lĩnh vực" in text_of(by_id(tree, "late-heatmap-card"))
    assert "title" not in by_id(tree, heat).figure["layout"]["yaxis"]


def test_pbp009_busy_procedures_by_the_level_that_received_them(pages, demo_engine):
    f = lambda y: DossierFilter(Period.year(y))  # noqa: E731
    y26 = ql.procedures_not_full_online.uncached(demo_engine, f(2026), 10)
    assert set(y26["level"]) == {"commune"}  # no district desks in 2026
    assert "district" in set(y26["procedure_level"])  # district-level procedures, received by communes
    y25 = ql.procedures_not_full_online.uncached(demo_engine, f(2025), 10)
    dd = y25[y25["procedure_code"] == "DD-H-01"].set_index("level")["received"]
    assert set(dd.index) == {"district", "commune"}  # January-June at district desks, July-December at communes
    whole = ql.standard_report(demo_engine, f(2025), "procedure").set_index("procedure_code")
    assert dd.sum() == whole.loc["DD-H-01", "received"]
    # A three-tier year is ranked as before: the procedure's own level.
    y24 = ql.procedures_not_full_online.uncached(demo_engine, f(2024), 10)
    assert "procedure_level" not in y24 and set(y24["level"]) == {"district", "commune"}
    # On the chart every row is its own bar, named by the level that received it.
    fig = pages["levels"].fig_procedures(y25, "vi", {})
    names = [n.replace("<br>", " ") for tr in fig["data"] for n in tr["y"]]  # labels wrap over lines
    assert len(set(names)) == 10
    assert "Chứng thực bản sao từ bản chính (cấp xã; TTHC cấp huyện)" in names
    assert "Chứng thực bản sao từ bản chính (cấp xã)" in names


def _store_title(client, path: str, search: str) -> str:
    """The tab title Dash's page callback sends when the URL changes in the browser (no reload)."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.search"], "state": []}
    r = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    return r.get_json()["response"]["_pages_store"]["data"]["title"]


def test_pbp010_tab_title_follows_the_unit_in_force(demo_app):
    import re

    client = demo_app.server.test_client()

    def served(url):
        text = client.get(url, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
        return (re.search(r"<title>([^<]*)</title>", text).group(1),
                re.search(r'property="og:title" content="([^"]*)"', text).group(1))

    assert served("/late?year=2026") == ("TTHC · Đà Nẵng", "TTHC · Hồ sơ trễ hạn · Đà Nẵng")
    assert served("/late?year=2023") == ("TTHC · Quảng Nam", "TTHC · Hồ sơ trễ hạn · Quảng Nam")
    assert served("/levels") == ("TTHC · Đà Nẵng", "TTHC · So sánh các cấp · Đà Nẵng")  # the latest year: 2026
    # A year picked in the filter bar changes the URL without a reload: the page callback retitles the tab.
    assert _store_title(client, "/postal", "?year=2025") == "TTHC · Bưu chính công ích · Đà Nẵng"  # as 2025 ended
    assert _store_title(client, "/postal", "?year=2024") == "TTHC · Bưu chính công ích · Quảng Nam"
    assert _store_title(client, "/scorecard", "?year=2024&lang=en") == "TTHC · Index · Quảng Nam"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_demo_engine(request):
    return request.getfixturevalue("demo_engine" if request.param == "sqlite" else "demo_pg_engine")


def test_pbp011_scorecard_ranks_the_units_in_force_in_the_period(any_demo_engine):
    import datetime as dt

    from data.queries import scorecard as q

    # August 2025: the 42 communes merged away on 1 July still finish 52 dossiers received before
    # the merger; they are not ranked among the 78 communes in force (said beside the ranking).
    aug = DossierFilter(Period(202508, 202508))
    units = q.unit_scores(any_demo_engine, aug, "commune")
    assert len(units) == 78 and all(u["valid_to"] is None for u in units)
    assert q.ended_units(any_demo_engine, aug, "commune") == (42, 52)
    assert [u["code"] for u in q.unit_scores(any_demo_engine, aug, "department")] == [
        u["code"] for u in q.unit_scores(any_demo_engine, aug, "department") if u["code"].endswith("-48")]
    # The whole of 2025: both structures were in force; the 233 communes and 9 departments that
    # ended on 30 June say so. The 15 communes merged on 1 January 2025 are left out.
    year = DossierFilter(Period.year(2025))
    units = q.unit_scores(any_demo_engine, year, "commune")
    assert len(units) == 311 and sum(u["valid_to"] == dt.date(2025, 6, 30) for u in units) == 233
    assert q.ended_units(any_demo_engine, year, "commune") == (15, 105)
    depts = q.unit_scores(any_demo_engine, year, "department")
    assert len(depts) == 18 and sorted(u["code"] for u in depts if u["valid_to"]) == sorted(
        u["code"].removesuffix("-48") for u in depts if u["code"].endswith("-48"))
    # The CLI's JSON says which are former (tthc scorecard --json).
    listed = q.scorecard_json(any_demo_engine, year, "department")["units"]
    assert sorted(u["valid_to"] or "" for u in listed) == [""] * 9 + ["2025-06-30"] * 9
    # 2024: nothing ended before its end.
    assert all(u["valid_to"] is None for u in q.unit_scores(any_demo_engine, DossierFilter(Period.year(2024)), "commune"))


def test_pbp012_scorecard_page_marks_former_units(pages):
    sco = pages["scorecard"]
    tree = render(sco, year="2025", month="8")
    names = [r["unit"] for r in by_id(tree, "sco-rank").rowData]
    assert len(names) == 78 and not any("cũ" in n for n in names)
    assert text_of(by_id(tree, "sco-rank-ended")).startswith("42 đơn vị đã sáp nhập trước kỳ này không xếp hạng; 52 hồ sơ")
    tree = render(sco, year="2025", level="department", lang="en")
    names = [r["unit"] for r in by_id(tree, "sco-rank").rowData]
    former = [n for n in names if n.endswith("(former, until 30/06/2025)")]
    assert len(names) == 18 and len(former) == 9
    # Each department appears once as Quảng Nam's (former) and once as the city's.
    assert sorted(n.removesuffix(" (former, until 30/06/2025)") for n in former) == sorted(set(names) - set(former))
    assert "sco-rank-ended" not in ids(render(sco, year="2024"))


def _late_link(tree) -> str:
    return by_id(tree, "sco-lost-late").href


def test_pbp013_a_district_users_late_link_stays_in_their_district(pages):
    from urllib.parse import parse_qs, urlsplit

    from data.auth import reset_scope, set_scope

    sco = pages["scorecard"]
    token = set_scope("509", "district")
    try:
        # Whatever the URL asks (another district, none, the communes, a month after the change),
        # the lost-points card's /late link is Quế Sơn's: on three tiers its own desk, as the card
        # scores it; on two tiers the communes formed from it.
        for params, level in (({"year": "2023"}, ["district"]), ({"year": "2023", "district": "502"}, ["district"]),
                              ({"year": "2023", "level": "commune"}, None), ({"year": "2026"}, None),
                              ({"year": "2025", "month": "8"}, None)):
            href = _late_link(render(sco, **params))
            path, query = urlsplit(href).path, parse_qs(urlsplit(href).query)
            assert path == "/late" and query["district"] == ["509"], (params, href)
            assert query.get("level") == level, (params, href)
            # Followed, the link opens /late on Quế Sơn (its area after the change), not the province.
            landed = render(pages["late"], **{k: v[0] for k, v in query.items()})
            assert by_id(landed, "late-title").children.startswith("Hồ sơ trễ hạn — Quế Sơn, "), href
        # The commune a district user picks in the ranking is one of theirs, with their district kept.
        tree = render(sco, year="2023", level="commune")
        commune = by_id(tree, "sco-rank").rowData[0]["code"]
        query = parse_qs(urlsplit(_late_link(render(sco, year="2023", level="commune", unit=commune))).query)
        assert query["district"] == ["509"] and query["commune"] == [commune] and query["level"] == ["commune"]
    finally:
        reset_scope(token)
