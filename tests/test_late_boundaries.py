"""Late dossiers on today's boundaries (issue 19): the hand-built fixture given a 1 July 2025 of its
own (the province and both districts into a city, a commune split in two halves), and the demo's
2023 summing to the same totals whichever boundaries are chosen (SQLite and PostgreSQL).

The fixture's 2023 late dossiers per desk (tests/fixture_data.py; late / finished, overdue / open
at the year's end): STNMT 1/2, STP 0/2 (province 49); H509 1/3, 0/1; H502 1/1, 1/1;
X20641 0/2; X20650 1/1; X20335 0/1. Today: city 48 <- 49, 502, 509 whole; 90001 <- 20641 whole
and half of 20650; 90002 <- 20335 whole and the other half of 20650.
"""
import datetime as dt

import pytest
from sqlalchemy import insert, update

from data.filters import DossierFilter, Period
from data.queries import boundaries as qb
from data.queries import late as q
from data.queries import late_current as qc
from data.queries.summary import summary_by_level
from data.schema import Unit, UnitSuccessor
from tests.conftest import insert_fixture

F = DossierFilter(Period.year(2023))
CHANGE = dt.date(2025, 7, 1)
TODAY = [dict(code="48", name="Thành phố Đà Nẵng", short_name="Đà Nẵng", division_type="thành phố", level="province",
              parent_code=None, sort_order=0, valid_from=CHANGE),
         dict(code="90001", name="Xã Quế Sơn Trung", short_name="Quế Sơn Trung", division_type="xã", level="commune",
              parent_code="48", sort_order=1, valid_from=CHANGE),
         dict(code="90002", name="Phường Tam Kỳ", short_name="Tam Kỳ", division_type="phường", level="commune",
              parent_code="48", sort_order=2, valid_from=CHANGE)]
LINKS = [("49", "48", 1.0), ("502", "48", 1.0), ("509", "48", 1.0), ("20641", "90001", 1.0),
         ("20650", "90001", 0.5), ("20650", "90002", 0.5), ("20335", "90002", 1.0)]


@pytest.fixture
def reorganised(empty_engine):
    with empty_engine.begin() as conn:
        insert_fixture(conn)
        conn.execute(update(Unit.__table__).values(valid_to=CHANGE - dt.timedelta(days=1)))
        conn.execute(insert(Unit), TODAY)
        conn.execute(insert(UnitSuccessor), [dict(from_code=a, to_code=b, share=s, effective_on=CHANGE,
                                                  relation="merged_into", source="test", act="test") for a, b, s in LINKS])
    return empty_engine


def test_lb001_late_per_unit_of_today_by_hand(reorganised):
    late = qc.late_by_current_unit(reorganised, F, "late").set_index("current_code")
    # The city: 1 + 0 + 1 + 1 late of 2 + 2 + 3 + 1 finished. The halves of Quế Xuân 1's 1 late / 1
    # finished make 0.5 each: the one whole dossier goes to the earlier code (90001), and so does
    # the base's (2.5 and 1.5 -> 3 and 1).
    assert late.loc["48", ["count", "base"]].tolist() == [3, 8]
    assert late.loc["90001", ["count", "base"]].tolist() == [1, 3]
    assert late.loc["90002", ["count", "base"]].tolist() == [0, 1]
    assert list(late.index) == ["48", "90001", "90002"]  # most late first
    assert late["count"].sum() == q.totals(reorganised, F, "late")["count"] == 4
    assert late["base"].sum() == q.totals(reorganised, F, "late")["base"] == 12
    over = qc.late_by_current_unit(reorganised, F, "overdue").set_index("current_code")
    assert over.loc["48", ["count", "base"]].tolist() == [1, 2]  # H502's overdue dossier, H509's open one
    assert over["count"].sum() == 1 and len(over) == 1


def test_lb002_territory_and_its_dossiers(reorganised):
    assert qb.territory(reorganised, "48") == (("48", "49", "502", "509"), ())
    assert qb.territory(reorganised, "90001") == (("20641", "90001"), ("20650",))  # the split half cannot be listed
    assert qb.is_current_unit(reorganised, "90002") and not qb.is_current_unit(reorganised, "20335")
    city = F.with_(territory=qb.territory(reorganised, "48")[0])
    assert q.totals(reorganised, city, "late") == {"count": 3, "base": 8, "rate": 3 / 8}
    df, total = q.dossier_page(reorganised, city, "late", 0, 100)
    assert total == 3 and len(df) == 3
    trend = q.late_trend(reorganised, city, "late")
    assert trend["count"].sum() == 3 and q.late_trend(reorganised, F, "late")["count"].sum() == 4
    # Đông Phú alone: nothing late in 2023.
    assert q.totals(reorganised, F.with_(territory=qb.territory(reorganised, "90001")[0]), "late")["count"] == 0


def test_lb003_split_shares_keep_the_report_totals(reorganised):
    """Biểu 06 on today's units: halves apportioned to whole dossiers, the totals kept."""
    was = summary_by_level(reorganised, F)
    now = qb.summary_by_current_level(reorganised, F)
    assert list(now.index) == ["province", "commune"]
    for c in ("received", "finished_late", "finished_early", "finished_on_time", "in_progress"):
        assert now[c].sum() == was[c].sum()
    assert now.loc["province", "received"] == 3 + 7 and now.loc["commune", "received"] == 4


@pytest.fixture(params=["sqlite", "postgresql"])
def any_demo_engine(request):
    return request.getfixturevalue("demo_engine" if request.param == "sqlite" else "demo_pg_engine")


@pytest.mark.parametrize("mode", ["late", "overdue"])
def test_lb004_demo_2023_sums_to_the_same_totals(any_demo_engine, mode):
    now = qc.late_by_current_unit(any_demo_engine, F, mode)
    totals = q.totals(any_demo_engine, F, mode)
    assert now["count"].sum() == totals["count"] and now["base"].sum() == totals["base"]
    assert set(now["level"]) <= {"province", "commune"} and len(now) == 79  # the city and 78 communes
    # The city counts the province's departments and the district level's desks; the communes their own.
    by_level = q.late_by_sector(any_demo_engine, F, mode).groupby("level")[["count", "base"]].sum()
    city = now[now["level"] == "province"].iloc[0]
    assert city["current_code"] == "48"
    assert city["count"] == by_level.loc[["province", "district"], "count"].sum()
    assert now.loc[now["level"] == "commune", "base"].sum() == by_level.loc["commune", "base"]
    if mode == "late":
        assert totals["count"] == 27_790 and city["count"] == 23_162


def test_lb005_demo_todays_commune_lists_its_old_communes(demo_engine):
    """Phường Điện Bàn Đông (from 1 July 2025): its 2023 list is its three old communes' dossiers."""
    whole, split = qb.territory(demo_engine, "20579-2507")
    assert split == () and "20579-2507" in whole and len(whole) > 1
    ranked = qc.late_by_current_unit(demo_engine, F, "late").set_index("current_code")
    listed = q.totals(demo_engine, F.with_(territory=whole), "late")
    assert listed["count"] == ranked.loc["20579-2507", "count"] == 213


def test_lb006_pages_on_todays_boundaries(demo_app):
    """The layouts without a browser: /late's district table gives way to today's units (and says
    why), a unit of today's list counts its territory, an unknown unit is a note; /postal says
    beside the switch what stays as it was, in both modes."""
    import importlib

    from data.db import get_engine as demo_app_engine
    from tests.test_overview import by_id, render
    from tests.test_pages_by_period import ids, text_of

    late_page, postal_page = (importlib.import_module(f"pages.{p}.{p}") for p in ("late", "postal"))
    was, now = render(late_page, year="2023"), render(late_page, year="2023", boundaries="current")
    assert "late-heatmap-card" in ids(was) and "late-current-card" not in ids(was)
    assert "late-heatmap-card" not in ids(now) and {"late-current-card", "late-current-no-district"} <= ids(now)
    assert text_of(by_id(now, "late-trend-card")).startswith("Diễn biến theo tháng — theo địa giới hiện nay")
    listed = render(late_page, year="2023", boundaries="current", unit="20579-2507", view="list")
    assert text_of(by_id(listed, "late-kpi")).startswith("213 hồ sơ giải quyết trễ hạn trên 5.743")
    assert "late-current-card" not in ids(listed) and "late-trend-card" in ids(listed)
    assert text_of(by_id(listed, "late-list-card")).startswith("Danh sách hồ sơ (213) — theo địa giới hiện nay")
    # A commune as it was, reached before the switch: its list stays as it was, and says so.
    kept = render(late_page, year="2023", boundaries="current", commune="20579")
    assert text_of(by_id(kept, "late-list-card")).split(" — ")[-1].startswith("theo địa giới khi đó")
    # As it was, the unit means nothing: the whole year's list.
    assert text_of(by_id(render(late_page, year="2023", unit="20579-2507", view="list"), "late-kpi")).startswith("27.790")
    state = {"mode": "late", "lang": "vi", "first_ym": 202301, "last_ym": 202312, "boundaries": "current", "unit": "20579-2507"}
    content, _ = late_page.build_download("csv", None, state, demo_app_engine())
    head = content.decode("utf-8-sig")
    assert "Đơn vị hiện nay (theo địa giới hiện nay)" in head and "Điện Bàn Đông (20579-2507)" in head
    assert "Số hồ sơ" in head and head.count("\n") > 213  # the header rows, then the 213 dossiers
    bad = render(late_page, year="2023", boundaries="current", unit="20579")  # a 2023 commune, not one of today
    assert "Không có đơn vị hiện nay mã “20579”" in text_of(bad) and "late-current-card" in ids(bad)
    for params in ({}, {"boundaries": "current"}):
        tree = render(postal_page, year="2023", **params)
        assert "luôn theo địa giới khi đó" in text_of(by_id(tree, "post-bounds-note"))
        assert ("post-current-card" in ids(tree)) == bool(params)


def test_lb007_todays_unit_trend_runs_over_every_year(demo_app, demo_engine):
    """A unit of today on /late: its trend is one line from the first year to the last (2022–2024 drawn
    from the old communes it was formed from), the chosen year's months in full colour; its 2023
    months add up to the 213 late dossiers of its list."""
    import importlib

    from components.theme import LATE_COLOR
    from pages.late._pareto import OTHER_PERIOD_COLOR
    from tests.test_overview import by_id, render
    from tests.test_pages_by_period import text_of

    late_page = importlib.import_module("pages.late.late")
    listed = render(late_page, year="2023", boundaries="current", unit="20579-2507", view="list")
    card = by_id(listed, "late-trend-card")
    assert text_of(card).startswith("Diễn biến theo tháng, 2022–2026 (đậm: 2023) — theo địa giới hiện nay")
    graph = next(n for n in walk_nodes(card) if getattr(n, "figure", None))
    chosen, others = graph.figure["data"][:2]
    assert len(chosen["x"]) == 60 and chosen["x"][0].endswith("2022") and chosen["x"][-1].endswith("2026")
    assert (chosen["name"], chosen["marker"]["color"]) == ("Hồ sơ trễ hạn, 2023", LATE_COLOR)
    assert (others["name"], others["marker"]["color"]) == ("Hồ sơ trễ hạn, các tháng khác", OTHER_PERIOD_COLOR)
    assert sum(chosen["y"][12:24]) == 213 and set(chosen["y"][:12] + chosen["y"][24:]) == {None}
    assert set(others["y"][12:24]) == {None} and all(n is not None for n in others["y"][:12] + others["y"][24:])
    assert graph.figure["layout"]["barmode"] == "relative"  # one bar per month, never two side by side
    # Without a unit of today the trend stays the chosen year's.
    whole = by_id(render(late_page, year="2023", boundaries="current"), "late-trend-card")
    assert len(next(n for n in walk_nodes(whole) if getattr(n, "figure", None)).figure["data"][0]["x"]) == 12


def walk_nodes(node):
    from tests.test_overview import walk

    return walk(node)
