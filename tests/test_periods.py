"""Queries by period (issue 19): the levels that existed in a period, a straddling year split on
1 July 2025, the CLI's summary, and past periods re-aggregated onto today's units through the
successor records, summing to the same province totals (on the demo, SQLite and PostgreSQL)."""
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from cli.main import main
from data import unit_versions
from data import units_history as uh
from data.filters import DossierFilter, Period
from data.periods import levels_in_period, province_on, segments
from data.queries.boundaries import current_unit_trend, report_by_current_unit, summary_by_current_level
from data.queries.summary import standard_report, summary_by_level

Y = DossierFilter


@pytest.fixture(params=["sqlite", "postgresql"])
def any_demo_engine(request):
    return request.getfixturevalue("demo_engine" if request.param == "sqlite" else "demo_pg_engine")


def test_per001_levels_and_segments_of_a_period(demo_engine):
    d = dt.date
    assert levels_in_period(demo_engine, d(2023, 1, 1), d(2023, 12, 31)) == ("province", "district", "commune")
    assert levels_in_period(demo_engine, d(2026, 1, 1), d(2026, 12, 31)) == ("province", "commune")
    parts = segments(demo_engine, d(2025, 1, 1), d(2025, 12, 31))
    assert [(s.start, s.end, s.levels, s.province_name) for s in parts] == [
        (d(2025, 1, 1), d(2025, 6, 30), ("province", "district", "commune"), "Tỉnh Quảng Nam"),
        (d(2025, 7, 1), d(2025, 12, 31), ("province", "commune"), "Thành phố Đà Nẵng")]
    assert len(segments(demo_engine, d(2024, 7, 1), d(2025, 3, 31))) == 1  # 1 January 2025 kept the levels
    assert province_on(demo_engine, d(2024, 5, 1)).province_name == "Tỉnh Quảng Nam"
    assert province_on(demo_engine, d(2026, 5, 1)).province_code == "48"


def test_per002_summary_by_level_has_the_levels_of_the_period(any_demo_engine):
    assert list(summary_by_level(any_demo_engine, Y(Period.year(2026))).index) == ["province", "commune"]
    y2025 = summary_by_level(any_demo_engine, Y(Period.year(2025)))
    assert list(y2025.index) == ["province", "district", "commune"]
    first, second = (summary_by_level(any_demo_engine, Y(Period(a, b))) for a, b in ((202501, 202506), (202507, 202512)))
    assert list(second.index) == ["province", "commune"]
    # Received counts split exactly: the district level received nothing after June.
    for level in ("province", "commune"):
        assert first.loc[level, "received"] + second.loc[level, "received"] == y2025.loc[level, "received"]
    assert first.loc["district", "received"] == y2025.loc["district", "received"] == 71_300
    assert second.loc["commune", "received"] == 171_400


def _cli(url, *args):
    result = CliRunner().invoke(main, ["summary", *args], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def test_per003_cli_summary_lists_exactly_the_levels_of_the_year(demo_sqlite_url):
    out = json.loads(_cli(demo_sqlite_url, "--year", "2026", "--json"))
    assert list(out["levels"]) == ["province", "commune"] and "segments" not in out
    assert out["province"] == {"code": "48", "name": "Thành phố Đà Nẵng"}
    assert out["levels"]["commune"]["received"] == 348_500
    out = json.loads(_cli(demo_sqlite_url, "--year", "2025", "--json"))
    assert list(out["levels"]) == ["province", "district", "commune"]
    assert [(s["from"], s["to"], list(s["levels"])) for s in out["segments"]] == [
        ("2025-01-01", "2025-06-30", ["province", "district", "commune"]),
        ("2025-07-01", "2025-12-31", ["province", "commune"])]
    out = json.loads(_cli(demo_sqlite_url, "--year", "2023", "--json"))
    assert list(out["levels"]) == ["province", "district", "commune"] and out["levels"]["district"]["received"] == 136_350
    text = _cli(demo_sqlite_url, "--year", "2025")
    assert "2025-07-01 – 2025-12-31: Thành phố Đà Nẵng" in text


def test_per004_2023_on_todays_boundaries_sums_to_the_province_totals(any_demo_engine, demo_sqlite_url):
    f = Y(Period.year(2023))
    as_it_was = summary_by_level(any_demo_engine, f)
    today = summary_by_current_level(any_demo_engine, f)
    assert list(today.index) == ["province", "commune"]
    for c in ("received", "finished_late", "finished_early", "in_progress", "carried_over", "received_online"):
        assert today[c].sum() == as_it_was[c].sum()
    # Every 2023 commune went whole into one of today's communes; the district level's territory to the city.
    assert today.loc["commune", "received"] == as_it_was.loc["commune", "received"] == 187_299
    assert today.loc["province", "received"] == 90_010 + 136_350
    units = report_by_current_unit(any_demo_engine, f)
    assert len(units) == 79 and units["received"].sum() == 413_659
    out = json.loads(_cli(demo_sqlite_url, "--year", "2023", "--json", "--boundaries", "current"))
    assert list(out["levels"]) == ["province", "commune"] and out["boundaries"] == "current"
    assert out["province"] == {"code": "48", "name": "Thành phố Đà Nẵng"}  # today's units, today's city
    assert out["levels"]["commune"]["received"] == 187_299


def test_per005_trend_of_a_new_commune_draws_from_its_old_communes(any_demo_engine):
    """Xã Nông Sơn (from 1 July 2025): 2023 from the communes it was formed from, 2026 its own."""
    key = "20656-2507"
    trend = current_unit_trend(any_demo_engine, Y(Period.year(2023)), key, 2023, 2026)
    assert trend["ym"].min() == 202301 and trend["ym"].max() == 202612 and len(trend) == 48
    by_year = trend.groupby(trend["ym"] // 100)["received"].sum()
    olds = [f"X{p.unit.code}" for p in uh.predecessors("20656", uh.TWO_TIERS_FROM, dt.date(2023, 6, 1))]
    assert sorted(olds) == ["X20656", "X20671", "X20672"]  # Thị trấn Trung Phước, Xã Quế Lộc, Xã Sơn Viên
    own = standard_report(any_demo_engine, Y(Period.year(2023), level="commune"), "agency")
    assert by_year[2023] == own[own["agency_code"].isin(olds)]["received"].sum() > 0
    own26 = standard_report(any_demo_engine, Y(Period.year(2026), commune_code=key), "agency")
    assert by_year[2026] == own26["received"].sum() > 0
    assert unit_versions.former_district(key) == "509"


def test_per006_a_district_users_scope_after_the_change_is_its_new_communes(demo_engine):
    """Quế Sơn's user (509) in 2026 sees the communes formed from its communes (Nông Sơn's too, which
    joined Quế Sơn in January 2025), and in 2023 its own district's units."""
    from data.auth import set_scope

    token = set_scope("509", "district")
    try:
        by_agency = standard_report(demo_engine, Y(Period.year(2026)), "agency")
        y2023 = standard_report(demo_engine, Y(Period.year(2023)), "agency")
        communes = report_by_current_unit.uncached(demo_engine, Y(Period.year(2023)))
    finally:
        from data.auth import reset_scope
        reset_scope(token)
    formed = {f"X{unit_versions.version_key(u)}" for u in uh.catalogue().communes_formed_from_district("509")}
    assert set(by_agency.loc[by_agency["received"] > 0, "agency_code"]) == formed
    assert len(formed) == 5
    assert set(y2023["agency_code"]) >= {"H509", "X20677"} and not any(c.startswith("STP") for c in y2023["agency_code"])
    # 2023 on today's boundaries, scoped: the district desk goes to the city, its 2023 communes to
    # those of the five they became (Nông Sơn's were not Quế Sơn's in 2023).
    cat = uh.catalogue()
    became = {unit_versions.version_key(s.unit) for u in cat.units_in_force(dt.date(2023, 6, 1), "commune")
              if u.parent_code == "509" for s in cat.successors(u.code, uh.TWO_TIERS_FROM, code_on=dt.date(2023, 6, 1))}
    assert set(communes["current_code"]) == {"48"} | became and became < {c[1:] for c in formed}
