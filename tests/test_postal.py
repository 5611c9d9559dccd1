"""Postal substitution (/postal): coverage computed by hand on the fixture database
(SQLite and PostgreSQL), the article's 2023 figures on the demo database, and bad input.

Hand-computed from tests/fixture_data.py (POSTAL_DEPLOYMENTS; dossiers by postal staff P2, P3, D1, C2):
  2023 province 49: 2 staff, 3 civil servants, 10/10 -> 100 %, 1 unit of 1 at 100 %
  2023 district: 509 (1, 4, 5/10 = 50 %) + 502 (2, 5, 10/10 = 100 %) -> 3 staff, 9 civil servants,
       15/20, 1 unit of 2 at 100 %, 2 units with staff
  2023 commune: 20641 (1, 1, 3/6) -> 1 staff, 1 of 3 communes with staff, none at 100 %
  2022: 49 -> 1, 2, 8/10; 509 -> 1, 3, 2/10; no commune record; 502 has no 2022 record
  District-level dossiers 2023: Quế Sơn (agency 3) received D1 D2 D3 D6 = 4, D1 by postal staff -> 25 %;
       finished in 2023 D1 (late, postal) D2 (early) D3 (on time): postal on time 0/1, others 2/2.
       Tam Kỳ (agency 4) received D4 D5 D7 = 3, none by postal staff; finished D4 (late): others 0/1.
  Communes of Quế Sơn 2023: Đông Phú (20641) C1 C2 -> 1 of 2 by postal staff, both on time;
       Quế Xuân 1 (20650) no record, C3 late -> nothing moved.
"""
from __future__ import annotations

import math

import pytest

from components.params import resolve_view
from data.filters import DossierFilter, Period
from data.queries import postal as q
from tests import fixture_data as fx
from tests.conftest import insert_fixture

F23 = DossierFilter(period=Period.year(2023))
F22 = DossierFilter(period=Period.year(2022))


def level_row(df, year, level):
    r = df[(df["year"] == year) & (df["level"] == level)]
    assert len(r) == 1, (year, level, df)
    return r.iloc[0]


# ---------------------------------------------------------------- component-tree helpers

def texts(component) -> list[str]:
    """Every string in a Dash component tree (children, in order)."""
    out = []

    def walk(c):
        if c is None:
            return
        if isinstance(c, (str, int, float)):
            out.append(str(c))
            return
        if isinstance(c, (list, tuple)):
            for x in c:
                walk(x)
            return
        walk(getattr(c, "children", None))

    walk(component)
    return out


def find(component, id_):
    """The component with this id, or None."""
    if isinstance(component, (list, tuple)):
        for x in component:
            hit = find(x, id_)
            if hit is not None:
                return hit
        return None
    if component is None or isinstance(component, (str, int, float)):
        return None
    if getattr(component, "id", None) == id_:
        return component
    return find(getattr(component, "children", None), id_)


def find_all(component, pred) -> list:
    out = []

    def walk(c):
        if isinstance(c, (list, tuple)):
            for x in c:
                walk(x)
            return
        if c is None or isinstance(c, (str, int, float)):
            return
        if pred(c):
            out.append(c)
        walk(getattr(c, "children", None))

    walk(component)
    return out


def text_of(component, id_) -> str:
    c = find(component, id_)
    assert c is not None, f"no component {id_!r}"
    return "".join(texts(c))


def render(engine, **params):
    from pages.postal import _view as page

    view = resolve_view({k: str(v) for k, v in params.items()}, engine)
    return page.build(view, engine), view


def tiles(tree) -> dict[str, str]:
    """code -> colour bin of each tile of the map."""
    found = find_all(tree, lambda c: isinstance(getattr(c, "id", None), dict) and c.id.get("type") == "post-tile")
    return {c.id["code"]: getattr(c, "data-bin") for c in found}


# ---------------------------------------------------------------- queries on the fixture

def test_post001_level_coverage_by_hand(fixture_engine):
    df = q.level_coverage(fixture_engine, F23, (2022, 2023))
    p = level_row(df, 2023, "province")
    assert (p.postal_staff, p.civil_servants, p.procedures_moved, p.procedures_total) == (2, 3, 10, 10)
    assert (p.units_full, p.units, p.units_with_staff, p.bad_records) == (1, 1, 1, 0)
    assert p.moved_share == pytest.approx(1.0)
    d = level_row(df, 2023, "district")
    assert (d.postal_staff, d.civil_servants, d.procedures_moved, d.procedures_total) == (3, 9, 15, 20)
    assert (d.units_full, d.units, d.units_with_staff) == (1, 2, 2)
    assert d.moved_share == pytest.approx(0.75)
    c = level_row(df, 2023, "commune")
    assert (c.postal_staff, c.civil_servants, c.procedures_moved, c.procedures_total) == (1, 1, 3, 6)
    assert (c.units_full, c.units, c.units_with_staff) == (0, 3, 1)
    p22 = level_row(df, 2022, "province")
    assert (p22.postal_staff, p22.civil_servants, p22.procedures_moved, p22.procedures_total, p22.units_full) == (1, 2, 8, 10, 0)
    d22 = level_row(df, 2022, "district")
    assert (d22.postal_staff, d22.civil_servants, d22.procedures_moved, d22.procedures_total, d22.units_with_staff) == (1, 3, 2, 10, 1)
    c22 = level_row(df, 2022, "commune")
    assert c22.records == 0 and math.isnan(c22.moved_share)
    assert q.deployment_years(fixture_engine, F23) == [2022, 2023]


def test_post002_district_coverage_by_hand(fixture_engine):
    df = q.district_coverage(fixture_engine, F23).set_index("code")
    qs, tk = df.loc["509"], df.loc["502"]
    assert (qs.postal_staff, qs.civil_servants, qs.procedures_moved, qs.procedures_total) == (1, 4, 5, 10)
    assert qs.moved_share == pytest.approx(0.5) and not qs.is_full and not qs.bad_record
    assert (qs.communes, qs.communes_with_staff, qs.communes_without_staff) == (2, 1, 1)
    assert (qs.received, qs.received_postal_staff) == (4, 1)
    assert qs.postal_share == pytest.approx(0.25)
    assert qs.on_time_postal == pytest.approx(0.0)  # D1 late
    assert qs.on_time_civil == pytest.approx(1.0)  # D2 early, D3 on time
    assert (tk.postal_staff, tk.civil_servants, tk.procedures_moved, tk.procedures_total) == (2, 5, 10, 10)
    assert tk.is_full and tk.moved_share == pytest.approx(1.0)
    assert (tk.communes, tk.communes_with_staff) == (1, 0)
    assert (tk.received, tk.received_postal_staff, tk.finished) == (3, 0, 1)
    assert math.isnan(tk.on_time_postal) and tk.on_time_civil == pytest.approx(0.0)
    # 2022: Tam Kỳ has no record -> no share at all, not 0 %.
    d22 = q.district_coverage(fixture_engine, F22).set_index("code")
    assert not d22.loc["502"].has_record and math.isnan(d22.loc["502"].moved_share)
    assert d22.loc["509"].moved_share == pytest.approx(0.2)


def test_post003_commune_coverage_by_hand(fixture_engine):
    df = q.commune_coverage(fixture_engine, F23, "509").set_index("code")
    assert list(sorted(df.index)) == ["20641", "20650"]
    dp, qx = df.loc["20641"], df.loc["20650"]
    assert (dp.postal_staff, dp.procedures_moved, dp.procedures_total) == (1, 3, 6)
    assert dp.moved_share == pytest.approx(0.5) and not dp.nothing_moved
    assert (dp.received, dp.received_postal_staff) == (2, 1) and dp.postal_share == pytest.approx(0.5)
    assert dp.on_time_postal == pytest.approx(1.0) and dp.on_time_civil == pytest.approx(1.0)
    assert not qx.has_record and qx.nothing_moved
    assert (qx.received, qx.received_postal_staff) == (1, 0) and qx.on_time_civil == pytest.approx(0.0)


def test_post004_monthly_share_by_hand(fixture_engine):
    df = q.monthly_postal_share(fixture_engine, F23)
    got = {(r.level, r.ym): (r.received, r.received_postal_staff) for r in df.itertuples()}
    assert got[("province", 202303)] == (2, 1)  # P1 online, P2 by postal staff
    assert got[("province", 202305)] == (1, 1)  # P3
    assert got[("district", 202301)] == (1, 1)  # D1
    assert got[("commune", 202302)] == (2, 1)  # C1, C2
    assert sum(v[1] for v in got.values()) == 4  # P2, P3, D1, C2


def test_post005_access_scope(fixture_engine):
    """A Quế Sơn user sees Quế Sơn and its communes only, whatever the district asked for."""
    f = F23.with_(scope_district_code="509", district_code="502")
    lv = q.level_coverage(fixture_engine, f, (2023,))
    assert set(lv["level"]) == {"district", "commune"}
    d = level_row(lv, 2023, "district")
    assert (d.postal_staff, d.civil_servants, d.units) == (1, 4, 1)
    assert level_row(lv, 2023, "commune").units == 2
    dc = q.district_coverage(fixture_engine, f)
    assert list(dc["code"]) == ["509"] and int(dc.iloc[0].received) == 4
    cc = q.commune_coverage(fixture_engine, f, "502")  # asks for Tam Kỳ's communes, gets Quế Sơn's
    assert sorted(cc["code"]) == ["20641", "20650"]


# ---------------------------------------------------------------- the page on the fixture

def test_post010_page_headline_fixture(fixture_engine):
    tree, _ = render(fixture_engine, year=2023)
    assert text_of(tree, "post-province-staff") == "2"
    assert text_of(tree, "post-province-cs") == "3"
    assert text_of(tree, "post-province-moved") == "10 / 10 (100\u00a0%)"
    assert text_of(tree, "post-district-moved") == "15 / 20 (75\u00a0%)"
    assert text_of(tree, "post-district-full") == "1 / 2"
    assert text_of(tree, "post-commune-units") == "1 / 3"
    assert text_of(tree, "post-laggards") == "Chưa chuyển hết: 1 / 2 đơn vị; thấp nhất Quế Sơn (50 %)."
    # last year beside this year's figure
    assert "năm 2022: 1" in text_of(tree, "post-card-province")
    assert tiles(tree) == {"502": "full", "509": "mid"}
    assert find(tree, "post-data-problem") is None
    assert_valid_figures(tree, 4)


def assert_valid_figures(tree, n):
    """The figures are plain dicts (fast): plotly must still accept every property."""
    import plotly.graph_objects as go
    from dash import dcc

    graphs = find_all(tree, lambda c: isinstance(c, dcc.Graph))
    assert len(graphs) == n
    for g in graphs:
        go.Figure(g.figure)  # raises on any invalid property


def test_post011_district_without_record(fixture_engine):
    """2022: Tam Kỳ has no record -> words, no bar, a white dashed tile; Quế Sơn still drawn."""
    tree, _ = render(fixture_engine, year=2022, district="502")
    assert "Chưa ghi nhận" in text_of(tree, "post-drill-none")
    assert tiles(tree) == {"502": "none", "509": "low"}
    fig = find(tree, "post-rank-chart").figure
    assert fig["data"][0]["y"] == ["Quế Sơn"]
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["chưa ghi nhận"]


def test_post012_drill_communes_fixture(fixture_engine):
    tree, view = render(fixture_engine, year=2023, district="509", lang="en")
    assert view.district == "509"
    drill = "".join(texts(find(tree, "post-drill")))
    assert "Quế Sơn" in drill and "1 postal staff support 4 civil servants" in drill and "25.0%" in drill
    assert "Nothing moved to postal staff: 1 of 2 communes" in text_of(tree, "post-nothing-moved")
    assert "Quế Xuân 1" in text_of(tree, "post-nothing-moved")
    assert "Đông Phú" not in text_of(tree, "post-nothing-moved")
    assert "Đông Phú" in text_of(tree, "post-commune-table")


def test_post013_bad_district_param_falls_back(fixture_engine):
    tree, view = render(fixture_engine, year=2023, district="999")
    assert view.district is None and find(tree, "post-drill") is None
    assert any("999" in s for s in texts(tree))


def test_post016_district_user_sees_only_their_district(fixture_engine):
    from data.auth import request_scope

    with request_scope("509"):
        tree, view = render(fixture_engine, year=2023, district="502")
        assert view.district == "509"
        assert find(tree, "post-card-province") is None
        assert text_of(tree, "post-district-staff") == "1"
        assert tiles(tree) == {"509": "mid"}
        assert "Quế Sơn" in text_of(tree, "post-drill")


def test_post014_click_targets_write_the_district():
    from pages.postal._view import with_district

    assert with_district("?year=2023&lang=en", "509") == "?year=2023&lang=en&district=509"
    assert with_district("?year=2023&district=502", "509") == "?year=2023&district=509"
    assert with_district("?year=2023&district=509", "509") == "?year=2023"  # second click: back to the province


def test_post015_download_frame(fixture_engine):
    from components.download import to_xlsx_bytes
    from pages.postal._view import download_frame

    frame, title, filters, _ = download_frame("?year=2023&lang=en", fixture_engine)
    assert list(frame["Unit"]) == ["Tam Kỳ", "Quế Sơn"]  # ranked by share moved
    assert list(frame["Share moved"]) == [1.0, 0.5]
    assert ("Year", "2023") in filters
    assert to_xlsx_bytes(frame, title, filters)[:2] == b"PK"


# ---------------------------------------------------------------- bad input: moved > total

@pytest.fixture
def bad_engine(empty_engine):
    """The fixture rows, except that Quế Sơn reports 12 procedures moved out of 10 in 2023."""
    deployments = [dict(d, procedures_moved=12) if (d["unit_code"], d["year"]) == ("509", 2023) else d
                   for d in fx.POSTAL_DEPLOYMENTS]
    with empty_engine.begin() as conn:
        insert_fixture(conn, deployments=deployments)
    return empty_engine


def test_post020_moved_above_total_is_flagged_not_capped(bad_engine):
    d = q.district_coverage(bad_engine, F23).set_index("code").loc["509"]
    assert d.bad_record and not d.is_full
    assert d.moved_share == pytest.approx(1.2)  # as reported, not capped at 100 %
    lv = level_row(q.level_coverage(bad_engine, F23, (2023,)), 2023, "district")
    assert (lv.bad_records, lv.units_full, lv.procedures_moved) == (1, 1, 22)
    tree, _ = render(bad_engine, year=2023, lang="en")
    problem = text_of(tree, "post-data-problem")
    assert "Quế Sơn (2023): reports 12 procedures moved, more than its 10 procedures in total." in problem
    assert tiles(tree)["509"] == "bad"
    fig = find(tree, "post-rank-chart").figure
    bar = dict(zip(fig["data"][0]["y"], fig["data"][0]["x"]))
    assert bar["Quế Sơn"] == pytest.approx(1.2)
    assert "⚠ 120%" in fig["data"][0]["text"]
    assert not fig["layout"]["annotations"]  # every unit has a record: no "not recorded" label anywhere
    assert find(tree, "post-district-bad") is not None and find(tree, "post-province-bad") is None


def test_post021_no_records_at_all(empty_engine):
    """Dossiers but no deployment record: say so, draw nothing."""
    with empty_engine.begin() as conn:
        insert_fixture(conn, deployments=())
    tree, _ = render(empty_engine, year=2023)
    assert "Chưa ghi nhận" in text_of(tree, "post-none")
    assert find(tree, "post-rank-chart") is None and find(tree, "post-headline") is None


# ---------------------------------------------------------------- the article's figures on the demo

NAMED_FULL = {"Nông Sơn", "Phước Sơn", "Nam Trà My", "Bắc Trà My", "Đông Giang", "Tây Giang", "Thăng Bình",
              "Tam Kỳ", "Nam Giang", "Duy Xuyên", "Quế Sơn"}


def test_post030_demo_2023_article_figures(demo_engine):
    tree, _ = render(demo_engine, year=2023)
    assert text_of(tree, "post-province-staff") == "17"
    assert text_of(tree, "post-province-cs") == "24"
    assert text_of(tree, "post-province-moved") == "1.381 / 1.381 (100\u00a0%)"
    assert text_of(tree, "post-district-staff") == "44"
    assert text_of(tree, "post-district-cs") == "150"
    assert text_of(tree, "post-district-full") == "11 / 18"
    assert text_of(tree, "post-commune-staff") == "20"
    assert text_of(tree, "post-commune-units") == "19 / 241"
    assert text_of(tree, "post-laggards").startswith("Chưa chuyển hết: 7 / 18 đơn vị; thấp nhất ")
    d = q.district_coverage(demo_engine, F23)
    assert len(d) == 18
    assert set(d.loc[d["is_full"], "short_name"]) == NAMED_FULL
    names = dict(zip(d["code"], d["short_name"]))
    assert {names[c] for c, b in tiles(tree).items() if b == "full"} == NAMED_FULL
    assert len(tiles(tree)) == 18
    assert_valid_figures(tree, 4)


def test_post031_demo_drill_every_district(demo_engine):
    d = q.district_coverage(demo_engine, F23)
    for code, name in zip(d["code"], d["short_name"]):
        tree, view = render(demo_engine, year=2023, district=code)
        assert view.district == code
        drill = "".join(texts(find(tree, "post-drill")))
        assert drill.startswith(f"{name}: các xã") and "← Toàn tỉnh" in drill, code
        communes = q.commune_coverage(demo_engine, F23, code)
        assert len(communes) > 0
        nothing = communes[communes["nothing_moved"]]
        if len(nothing):
            assert f"{len(nothing)} / {len(communes)}" in text_of(tree, "post-nothing-moved")
