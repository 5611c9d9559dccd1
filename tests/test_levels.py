"""Level-comparison and overview queries on the hand-built fixture (SQLite and PostgreSQL).

Every expected value is counted by hand from tests/fixture_data.py (comments name the dossiers).
"""
import math

import pytest

from components.kpi import fmt_rate, fmt_rate_fixed, fmt_rate_points, scope_title
from data.filters import DossierFilter, Period
from data.queries import levels as q
from data.queries.summary import COUNT_COLUMNS, summary_by_level
from pages.levels._report_table import COLUMNS, report_frame
from pages.levels._targets import parse_target

Y2023 = DossierFilter(Period.year(2023))


def _by_key(df):
    return df.set_index("key")


def test_lvl001_province_by_department(fixture_engine):
    kind, df = q.level_breakdown(fixture_engine, Y2023, "province")
    assert kind == "agency"
    # STP: P2 received, on its due day; P4 carried over from 2022, finished early -> 2 of 2 in time
    # STNMT: P1 early, P3 late -> 1 of 2
    assert list(df["key"]) == ["STP", "STNMT"]  # best on-time rate first
    d = _by_key(df)
    assert (d.loc["STP", "received"], d.loc["STP", "finished"], d.loc["STP", "carried_over"]) == (1, 2, 1)
    assert d.loc["STP", "on_time_rate"] == pytest.approx(1.0)
    assert (d.loc["STNMT", "received"], d.loc["STNMT", "finished_late"]) == (2, 1)
    assert d.loc["STNMT", "on_time_rate"] == pytest.approx(0.5)
    assert d.loc["STNMT", "online_share"] == pytest.approx(0.5)  # P1 online


def test_lvl002_district_and_commune_level_by_district_unit(fixture_engine):
    kind, df = q.level_breakdown(fixture_engine, Y2023, "district")
    assert kind == "district"
    d = _by_key(df)
    # Quế Sơn (509): D1 late, D2 early, D3 on time, D6 open -> received 4, 2 of 3 in time
    assert (d.loc["509", "name"], d.loc["509", "received"], d.loc["509", "finished"]) == ("Quế Sơn", 4, 3)
    assert d.loc["509", "on_time_rate"] == pytest.approx(2 / 3)
    # Tam Kỳ (502): D4 late by rule, D5 open and overdue, D7 withdrawn -> received 3, 0 of 1 in time
    assert (d.loc["502", "received"], d.loc["502", "finished_late"], d.loc["502", "withdrawn"]) == (3, 1, 1)
    assert d.loc["502", "on_time_rate"] == pytest.approx(0.0)
    assert list(df["key"]) == ["509", "502"]

    kind, df = q.level_breakdown(fixture_engine, Y2023, "commune")
    assert kind == "district"
    d = _by_key(df)
    assert (d.loc["509", "received"], d.loc["509", "finished_late"]) == (3, 1)  # C1, C2, C3 (late)
    assert d.loc["509", "on_time_rate"] == pytest.approx(2 / 3)
    assert (d.loc["502", "received"], d.loc["502", "on_time_rate"]) == (1, 1.0)  # C4 on time
    assert list(df["key"]) == ["502", "509"]


def test_lvl003_district_filter_drills_into_communes_and_sectors(fixture_engine):
    f = Y2023.with_(district_code="509")
    kind, df = q.level_breakdown(fixture_engine, f, "commune")
    assert kind == "commune"
    d = _by_key(df)
    assert set(d.index) == {"20641", "20650"}
    assert (d.loc["20641", "name"], d.loc["20641", "received"], d.loc["20641", "on_time_rate"]) == ("Đông Phú", 2, 1.0)
    assert (d.loc["20650", "name"], d.loc["20650", "received"], d.loc["20650", "on_time_rate"]) == ("Quế Xuân 1", 1, 0.0)
    kind, df = q.level_breakdown(fixture_engine, f, "district")
    assert kind == "sector"  # one district-level unit: its sectors instead of one bar
    assert list(df["key"]) == ["DD"] and int(df.loc[0, "received"]) == 4
    kind, df = q.level_breakdown(fixture_engine, f, "province")
    assert df.empty  # the province level belongs to no district
    # A district user's scope wins over the district asked for.
    kind, df = q.level_breakdown(fixture_engine, Y2023.with_(district_code="509", scope_district_code="502"), "commune")
    assert list(df["key"]) == ["20335"]


def test_lvl004_report_by_unit_totals_equal_summary(fixture_engine):
    units = q.report_by_unit(fixture_engine, Y2023)
    assert list(units["level"]) == ["province", "province", "district", "district", "commune", "commune"]
    # Departments by code, district-level units in official order (Tam Kỳ sort 1, Quế Sơn sort 8):
    # the same rows in the same order on every database
    assert list(units.loc[units["level"] == "province", "key"]) == ["STNMT", "STP"]
    assert list(units.loc[units["level"] == "district", "key"]) == ["502", "509"]
    rows = q.with_totals(units)
    assert list(rows["row_kind"]) == ["level_total", "unit", "unit", "level_total", "unit", "unit",
                                      "level_total", "unit", "unit", "total"]
    summary = summary_by_level(fixture_engine, Y2023)
    subtotals = rows[rows["row_kind"] == "level_total"].set_index("level")
    for level in ("province", "district", "commune"):
        for c in COUNT_COLUMNS:
            assert subtotals.loc[level, c] == summary.loc[level, c], (level, c)
    total = rows[rows["row_kind"] == "total"].iloc[0]
    assert total["received"] == 3 + 7 + 4
    assert total["carried_over"] == 1  # P4
    assert (total["finished_early"], total["finished_on_time"], total["finished_late"]) == (4, 4, 4)
    assert total["on_time_rate"] == pytest.approx(8 / 12)


def test_lvl005_report_by_unit_with_district_filter(fixture_engine):
    rows = q.with_totals(q.report_by_unit(fixture_engine, Y2023.with_(district_code="509")))
    assert "province" not in set(rows["level"])
    communes = rows[(rows["level"] == "commune") & (rows["row_kind"] == "unit")]
    assert list(communes["name"]) == ["Đông Phú", "Quế Xuân 1"]
    total = rows[rows["row_kind"] == "total"].iloc[0]
    assert total["received"] == 4 + 3  # D1, D2, D3, D6 + C1, C2, C3


def test_lvl006_report_frame_for_files(fixture_engine):
    rows = q.with_totals(q.report_by_unit(fixture_engine, Y2023))
    rows["label"] = rows["name"]
    frame = report_frame(rows, "vi", [("level", "Cấp"), ("label", "Đơn vị")])
    assert len(frame.columns) == 2 + len(COLUMNS)
    assert frame.columns[-1] == "Tỷ lệ đúng hạn (%)"
    last = frame.iloc[-1]
    assert last["Số hồ sơ nhận giải quyết – Mới tiếp nhận"] == 14
    assert last["Số hồ sơ nhận giải quyết – Tổng số"] == 15  # 14 received + 1 carried over
    assert last["Tỷ lệ đúng hạn (%)"] == pytest.approx(66.67)
    en = report_frame(rows, "en", [("label", "Unit")])
    assert "Dossiers finished – Late" in en.columns


def test_lvl007_sectors_districts_and_procedures(fixture_engine):
    sectors = q.sectors_by_late(fixture_engine, Y2023)
    assert sectors.iloc[0]["sector_code"] == "DD" and sectors.iloc[0]["finished_late"] == 4  # P3, D1, D4, C3
    assert sectors.set_index("sector_code").loc["TP", "finished_late"] == 0
    # Ranking needs enough finished dossiers: none of the fixture's units has 20
    assert q.districts_by_on_time(fixture_engine, Y2023).empty
    ranked = q.districts_by_on_time(fixture_engine, Y2023, min_finished=1)
    assert list(ranked["district_code"]) == ["502", "509"]  # 0 % first, then 2/3
    procs = q.procedures_not_full_online(fixture_engine, Y2023)
    # Partly online: DD-H-01 (D1, D2, D4, D6, D7), DD-T-01 (P1, P3), DD-X-01 (C3); the full ones are left out
    assert list(procs["procedure_code"]) == ["DD-H-01", "DD-T-01", "DD-X-01"]
    assert list(procs["received"]) == [5, 2, 1]
    assert list(q.procedures_not_full_online(fixture_engine, Y2023, limit=1)["procedure_code"]) == ["DD-H-01"]


def test_lvl008_communes_without_postal_service(fixture_engine):
    cov = q.commune_postal_coverage(fixture_engine, Y2023)
    assert len(cov) == 3
    assert list(cov.loc[cov["moved"], "code"]) == ["20641"]  # Đông Phú moved 3 procedures in 2023
    assert int((~cov["moved"]).sum()) == 2
    cov = q.commune_postal_coverage(fixture_engine, Y2023.with_(district_code="509"))
    assert sorted(cov["code"]) == ["20641", "20650"] and int(cov["moved"].sum()) == 1
    assert set(cov["district_name"]) == {"Quế Sơn"}
    assert int(q.commune_postal_coverage(fixture_engine, DossierFilter(Period.year(2022)))["moved"].sum()) == 0
    scoped = q.commune_postal_coverage(fixture_engine, Y2023.with_(scope_district_code="502"))
    assert list(scoped["code"]) == ["20335"] and not scoped["moved"].any()


def test_lvl009_monthly_and_previous_year(fixture_engine):
    monthly = q.monthly_by_level(fixture_engine, Y2023, 2022, 2023).set_index(["level", "ym"])
    assert monthly.loc[("commune", 202206), "received"] == 1  # C6
    assert monthly.loc[("commune", 202302), "received"] == 2  # C1, C2
    assert monthly.loc[("commune", 202302), "on_time_rate"] == pytest.approx(1.0)
    assert monthly.loc[("district", 202309), "finished_late"] == 1  # D4
    assert monthly.loc[("province", 202301), "carried_over"] == 1  # P4 open at the end of 2022
    cur, prev = q.level_summary_with_previous(fixture_engine, Y2023)
    assert cur.loc["commune", "received"] == 4 and prev.loc["commune", "received"] == 2
    assert prev.loc["commune", "on_time_rate"] == pytest.approx(0.5)  # C5 early, C6 late
    assert prev.loc["district", "received"] == 0 and math.isnan(prev.loc["district", "on_time_rate"])


def test_lvl010_rate_precision_rule():
    # The article's 2023 figures from the demo's exact values, at their stated precision
    assert [fmt_rate(v) for v in (0.997995, 0.829196, 0.974998)] == ["99,8\u00a0%", "82,92\u00a0%", "97,5\u00a0%"]
    assert [fmt_rate(v) for v in (0.805999, 0.322999, 0.661002)] == ["80,6\u00a0%", "32,3\u00a0%", "66,1\u00a0%"]
    assert fmt_rate(0.829196, "en") == "82.92%"
    assert fmt_rate(0.99999) == "99,99\u00a0%"  # not all on time: never shown as 100 %
    assert fmt_rate(1.0) == "100\u00a0%"
    assert fmt_rate(0.00001, "en") == "0.01%"
    assert fmt_rate(float("nan")) == "—"
    assert fmt_rate_fixed(0.997995) == "99,80\u00a0%"
    assert fmt_rate_points(0.0282) == "+2,82 điểm %"
    assert fmt_rate_points(-0.0743, "en") == "−7.43 pts"
    assert fmt_rate_points(0.0) == "±0 điểm %"


def test_lvl011_targets_and_titles():
    assert parse_target("0.95") == pytest.approx(0.95)
    assert parse_target("95") == pytest.approx(0.95)
    assert parse_target("95%") == pytest.approx(0.95)
    assert parse_target("95,5 %") == pytest.approx(0.955)
    for bad in (None, "", "abc", "150", "-3"):
        assert parse_target(bad) is None, bad
    assert scope_title("So sánh các cấp", "vi", 2023, "Quế Sơn", "Đất đai") == "So sánh các cấp — Quế Sơn, 2023 · Đất đai"
    assert scope_title("Level comparison", "en", 2023) == "Level comparison — whole province, 2023"


def test_lvl012_target_from_environment(monkeypatch):
    from pages.levels._targets import target

    monkeypatch.delenv("TARGET_ON_TIME_RATE", raising=False)
    assert target("on_time_rate") is None  # none by default
    monkeypatch.setenv("TARGET_ON_TIME_RATE", "95%")
    monkeypatch.setenv("TARGET_ONLINE_SHARE", "nonsense")
    assert target("on_time_rate") == pytest.approx(0.95)
    assert target("online_share") is None


@pytest.fixture(scope="module")
def levels_page(demo_app):
    import importlib

    return importlib.import_module("pages.levels.levels")


def test_lvl013_procedure_names_wrap_for_a_phone(levels_page):
    """The busy procedures' names were one line of up to 48 characters, cut off on a 390 px phone:
    they wrap over at most three lines of 24, a longer name ending in "…" on the axis and whole in
    the hover; names from data stay escaped, line by line."""
    import pandas as pd

    long = "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"  # 74 characters
    word = "X" * 300
    markup = '<a href="http://evil.example">Tiếp nhận hồ sơ</a>'
    rows = [dict(procedure_code=c, procedure_name=n, procedure_name_en=n, level="commune", received=r,
                 online_share=0.5, online_level="partial", sector_code="DD")
            for c, n, r in (("A", long, 30), ("B", "Đăng ký kết hôn", 20), ("C", word, 10), ("D", markup, 5))]
    fig = levels_page.fig_procedures(pd.DataFrame(rows), "vi", {"DD": "Đất đai"})
    labels = dict(zip(fig["data"][0]["x"], fig["data"][0]["y"]))
    assert labels[30] == "Đăng ký biến động quyền<br>sử dụng đất, quyền sở<br>hữu tài sản gắn liền…"
    assert labels[20] == "Đăng ký kết hôn"
    assert labels[10] == "<br>".join(["X" * 24] * 2 + ["X" * 23 + "…"])
    assert labels[5] == '&lt;a href="http://evil.exa<br>mple"&gt;Tiếp nhận hồ<br>sơ&lt;/a&gt;'
    for label in labels.values():
        lines = [x.replace("&lt;", "<").replace("&gt;", ">") for x in label.split("<br>")]
        assert len(lines) <= 3 and all(len(x) <= 24 for x in lines), label
    hover = dict(zip(fig["data"][0]["x"], fig["data"][0]["hovertext"]))
    assert long in hover[30] and word in hover[10]
    # Taller rows for three lines: the four bars get 63, 38, 63 and 63 px.
    assert fig["layout"]["height"] == 63 * 3 + 38 + 90
