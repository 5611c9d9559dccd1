"""Late dossiers on the hand-built fixture (tests/fixture_data.py), SQLite and PostgreSQL.

Finished late in 2023 (every one in the land sector, DD):
  P3  province, DD-T-01, deadline 22/05, finished 25/05            -> 3 working days late
  D1  Quế Sơn (509), DD-H-01, deadline 19/01 (just before Tết), finished 30/01
                                                                   -> 2 working days late, not 11
  D4  Tam Kỳ (502), DD-H-01, finished 20/09 before its deadline 21/09 but with two
      supplement requests                                          -> late by rule, 0 working days
  C3  Quế Xuân 1 (20650, in 509), DD-X-01, deadline 15/08, finished 17/08 -> 2 working days late
Not late: D2 (due 15/06, finished 19/06, but 3 days waiting for the supplement moved the
deadline to 20/06), and the others. Finished in 2023: 12 (7 of them land).
Open at the end of 2023: D5 (Tam Kỳ, DD-H-04, deadline 28/12: overdue, 1 working day by 31/12)
and D6 (deadline 04/01/2024: within deadline).
"""
import datetime as dt
import math

import pytest

from data.filters import DossierFilter, Period
from data.queries import late as q
from data.workdays import workdays_late

Y2023 = Period.year(2023)
F = DossierFilter(Y2023)


def codes(df):
    return list(df["code"])


def test_late001_totals_both_modes(fixture_engine):
    t = q.totals(fixture_engine, F, "late")
    assert (t["count"], t["base"]) == (4, 12)
    assert t["rate"] == pytest.approx(4 / 12)
    o = q.totals(fixture_engine, F, "overdue")
    assert (o["count"], o["base"]) == (1, 2)  # D5 of D5, D6


def test_late002_by_sector_land_first(fixture_engine):
    df = q.late_by_sector(fixture_engine, F, "late")
    assert df["sector_code"].iloc[0] == "DD"
    land = df[df["sector_code"] == "DD"].set_index("level")
    assert land.loc["province", "count"] == 1 and land.loc["province", "base"] == 2  # P3 of P1, P3
    assert land.loc["district", "count"] == 2 and land.loc["district", "base"] == 4  # D1, D4 of D1-D4
    assert land.loc["commune", "count"] == 1 and land.loc["commune", "base"] == 1  # C3
    assert land["sector_total"].iloc[0] == 4 and land["sector_base"].iloc[0] == 7
    tp = df[df["sector_code"] == "TP"]
    assert tp["count"].sum() == 0 and tp["base"].sum() == 5  # P2, P4, C1, C2, C4


def test_late003_pareto_of_land_procedures(fixture_engine):
    df = q.late_by_procedure(fixture_engine, F.with_(sector_code="DD"), "late")
    assert list(df["procedure_code"]) == ["DD-H-01", "DD-T-01", "DD-X-01", "DD-H-04"]
    assert list(df["count"]) == [2, 1, 1, 0]
    assert list(df["base"]) == [3, 2, 1, 1]  # D1 D2 D4 | P1 P3 | C3 | D3
    assert list(df["cum_share"]) == pytest.approx([0.5, 0.75, 1.0, 1.0])


def test_late004_units_then_communes(fixture_engine):
    f = F.with_(sector_code="DD", procedure_code="DD-H-01")
    units = q.late_by_unit(fixture_engine, f, "late").set_index("unit_code")
    assert units.loc["509", "count"] == 1 and units.loc["509", "base"] == 2  # D1 late, D2 saved by its supplement
    assert units.loc["502", "count"] == 1 and units.loc["502", "base"] == 1  # D4
    assert set(units["unit_kind"]) == {"district"}
    communes = q.late_by_unit(fixture_engine, F.with_(sector_code="DD", procedure_code="DD-X-01", district_code="509"), "late")
    assert list(communes["unit_code"]) == ["20650"] and list(communes["count"]) == [1]
    assert communes["unit_kind"].iloc[0] == "commune"


def test_late005_heatmap_and_few_dossiers(fixture_engine):
    hm = q.late_heatmap(fixture_engine, F, "late").set_index(["unit_code", "sector_code"])
    assert hm.loc[("509", "DD"), "count"] == 2 and hm.loc[("509", "DD"), "base"] == 4  # D1, C3 of D1, D2, D3, C3
    assert hm.loc[("province", "DD"), "count"] == 1
    assert hm.loc[("502", "TP"), "base"] == 1  # C4: far fewer than 20, the page greys it
    inside = q.late_heatmap(fixture_engine, F.with_(district_code="509"), "late").set_index(["unit_code", "sector_code"])
    assert inside.loc[("20650", "DD"), "count"] == 1
    assert inside.loc[("509", "DD"), "unit_kind"] == "district_agency"


def test_late006_trend_every_month(fixture_engine):
    df = q.late_trend(fixture_engine, F, "late")
    assert list(df["ym"]) == [202300 + m for m in range(1, 13)]
    by = dict(zip(df["ym"], df["count"]))
    assert (by[202301], by[202305], by[202308], by[202309]) == (1, 1, 1, 1)
    assert sum(by.values()) == 4
    assert math.isnan(df.set_index("ym").loc[202304, "rate"])  # nothing finished in April: no rate
    over = q.late_trend(fixture_engine, F, "overdue").set_index("ym")
    assert over.loc[202312, "count"] == 1 and over.loc[202312, "base"] == 2


@pytest.mark.parametrize("f", [F, DossierFilter(Y2023, district_code="509"), DossierFilter(Y2023, sector_code="DD")],
                         ids=["province", "district", "sector"])
def test_late006b_trend_equals_the_detail_tables_months(fixture_engine, f):
    """Without a sector the trend reads the month x agency rollup: the same counts per month
    as Biểu 06 by month from dossier_month_stats (with the sector, the detail table itself)."""
    from data.filters import S
    from data.queries.summary import standard_report

    want = standard_report(fixture_engine, f, "month", stats=S).set_index("ym")
    for mode, count, base in (("late", "finished_late", "finished"), ("overdue", "in_progress_overdue", "in_progress")):
        got = q.late_trend(fixture_engine, f, mode).set_index("ym")
        assert got["count"].to_dict() == want[count].reindex(got.index, fill_value=0).to_dict()
        assert got["base"].to_dict() == want[base].reindex(got.index, fill_value=0).to_dict()
    assert got["base"].sum() > 0


def test_late007_dossier_list_and_working_days(fixture_engine):
    df, total = q.dossier_page(fixture_engine, F, "late", 0, 100)
    assert total == 4
    assert codes(df) == ["D4", "C3", "P3", "D1"]  # most recently finished first
    assert dict(zip(df["code"], df["workdays_late"])) == {"D4": 0, "C3": 2, "P3": 3, "D1": 2}
    d1 = df[df["code"] == "D1"].iloc[0]
    assert d1["procedure_code"] == "DD-H-01" and d1["unit"].startswith("Quế Sơn")
    assert d1["by_postal_staff"] and d1["received_on"] == dt.date(2023, 1, 5)
    # The working-day arithmetic the list uses, on its own.
    assert workdays_late(dt.date(2023, 1, 19), dt.date(2023, 1, 30)) == 2  # Tết 20-26/01 not counted
    assert workdays_late(dt.date(2023, 6, 20), dt.date(2023, 6, 19)) == 0  # D2: before its moved deadline


def test_late008_paging_never_more_than_asked(fixture_engine):
    df, total = q.dossier_page(fixture_engine, F, "late", 1, 3)
    assert total == 4 and codes(df) == ["C3", "P3"]
    df, _ = q.dossier_page(fixture_engine, F, "late", 0, 10_000)
    assert len(df) == 4
    big, _ = q.dossier_page(fixture_engine, F, "late", 0, 10_000)
    assert len(big) <= q.PAGE_MAX


def test_late009_overdue_list(fixture_engine):
    df, total = q.dossier_page(fixture_engine, F, "overdue", 0, 100)
    assert total == 1 and codes(df) == ["D5"]
    row = df.iloc[0]
    assert row["workdays_late"] == 1  # deadline Thu 28/12; Fri 29/12 counts, the weekend does not
    assert row["finished_on"] is None  # still open at the period's end
    # D6 ended on 03/01/2024, after the end of 2023, but was within its deadline then: not overdue.
    assert "D6" not in codes(df)


def test_late010_month_range_and_scope(fixture_engine):
    h1 = DossierFilter(Period.months("2023-01", "2023-06"))
    df, total = q.dossier_page(fixture_engine, h1, "late", 0, 100)
    assert total == 2 and codes(df) == ["P3", "D1"]
    # A district user's scope wins over the filter's district (and drops the province level).
    scoped = F.with_(scope_district_code="502", district_code="509")
    df, total = q.dossier_page(fixture_engine, scoped, "late", 0, 100)
    assert total == 1 and codes(df) == ["D4"]
    assert q.totals(fixture_engine, scoped, "overdue")["count"] == 1
    assert q.late_by_sector(fixture_engine, scoped, "late")["count"].sum() == 1


def test_late011_grid_sort_and_column_filters(fixture_engine):
    from pages.late._grid import list_query

    def page(request, lang="vi", f=F):
        return q.dossier_page(fixture_engine, f, "late", 0, 100, list_query(request, lang), lang)

    df, total = page({"sortModel": [{"colId": "received_on", "sort": "asc"}]})
    assert codes(df) == ["D1", "P3", "C3", "D4"] and total == 4
    df, total = page({"filterModel": {"code": {"filterType": "text", "type": "startsWith", "filter": "d"}}})
    assert sorted(codes(df)) == ["D1", "D4"] and total == 2  # the count is SQL's, with the filter
    df, total = page({"filterModel": {"channel": {"filterType": "text", "type": "contains", "filter": "bưu chính"}}})
    assert codes(df) == ["D4"] and total == 1
    df, total = page({"filterModel": {"channel": {"filterType": "text", "type": "contains", "filter": "post"}}}, "en")
    assert codes(df) == ["D4"]
    df, total = page({"filterModel": {"by_postal_staff": {"filterType": "text", "type": "contains", "filter": "bưu điện"}}})
    assert sorted(codes(df)) == ["D1", "P3"] and total == 2
    df, total = page({"filterModel": {"finished_on": {"filterType": "date", "type": "inRange",
                                                      "dateFrom": "2023-05-01 00:00:00", "dateTo": "2023-08-31 00:00:00"}}})
    assert sorted(codes(df)) == ["C3", "P3"] and total == 2
    df, total = page({"filterModel": {"unit": {"filterType": "text", "type": "contains", "filter": "Quế Xuân"}}})
    assert codes(df) == ["C3"]
    df, total = page({"filterModel": {"procedure": {"filterType": "text", "type": "contains", "filter": "biến động"}}})
    assert sorted(codes(df)) == ["C3", "D1", "D4", "P3"]
    # Unknown columns and operators are ignored, not passed to SQL.
    df, total = page({"filterModel": {"id; drop table": {"filterType": "text", "type": "contains", "filter": "x"}},
                      "sortModel": [{"colId": "nope", "sort": "asc"}]})
    assert total == 4


def test_late012_sql_count_agrees_with_aggregates(fixture_engine):
    """The list's count comes from the aggregates when there is no column filter: SQL must agree."""
    from pages.late._grid import list_query

    everything = list_query({"filterModel": {"received_on": {"filterType": "date", "type": "greaterThan",
                                                             "dateFrom": "2000-01-01 00:00:00"}}}, "vi")
    for f in (F, F.with_(sector_code="DD"), F.with_(district_code="509"), F.with_(level="commune"),
              DossierFilter(Period.months("2023-01", "2023-06"))):
        for mode in q.MODES:
            assert q.dossier_count(fixture_engine, f, mode, everything) == q.totals(fixture_engine, f, mode)["count"], (f, mode)


def test_late013_empty_selection(fixture_engine):
    f = F.with_(sector_code="TP")
    assert q.totals(fixture_engine, f, "late")["count"] == 0
    df, total = q.dossier_page(fixture_engine, f, "late", 0, 100)
    assert total == 0 and df.empty
    assert q.late_by_unit(fixture_engine, DossierFilter(Period.year(2031)), "late").empty


def test_late014_sql_working_days_agree_with_workdays(fixture_engine):
    """Working days late come from SQL (work_calendar); data.workdays is the same definition."""
    from data.queries.late import dossier_page

    seen = {}
    periods = [Period.year(y) for y in (2022, 2023, 2024)] + [Period.months(f"2023-{m:02d}", f"2023-{m:02d}") for m in range(1, 13)]
    for period in periods:
        for mode in q.MODES:
            df, _ = dossier_page(fixture_engine, DossierFilter(period), mode, 0, 100)
            for r in df.itertuples():
                stop = r.finished_on if mode == "late" else period.end
                assert r.workdays_late == workdays_late(r.deadline_on, stop), (period, mode, r.code)
                seen[(r.code, mode)] = r.workdays_late
    # The hand-computed values: Tết not counted (D1), late by supplement requests (D4), the
    # weekend after a Thursday deadline (D5 open at 31/12), C6 late in 2022.
    assert seen == {("P3", "late"): 3, ("D1", "late"): 2, ("D4", "late"): 0, ("C3", "late"): 2,
                    ("C6", "late"): 1, ("D5", "overdue"): 1}


def test_late015_sort_by_working_days_late(fixture_engine):
    """'The most late first': the grid sorts by working days late in SQL (ties: the later id first)."""
    from pages.late._grid import column_defs, list_query

    def page(direction, mode="late", start=0, end=100):
        request = {"sortModel": [{"colId": "workdays_late", "sort": direction}]}
        df, total = q.dossier_page(fixture_engine, F, mode, start, end, list_query(request, "vi"), "vi")
        return codes(df), list(df["workdays_late"])

    assert page("desc") == (["P3", "C3", "D1", "D4"], [3, 2, 2, 0])
    assert page("asc") == (["D4", "C3", "D1", "P3"], [0, 2, 2, 3])
    assert page("desc", start=1, end=3) == (["C3", "D1"], [2, 2])  # paging keeps the sorted order
    assert page("desc", "overdue") == (["D5"], [1])
    rows = q.dossier_rows(fixture_engine, F, "late", list_query({"sortModel": [{"colId": "workdays_late", "sort": "desc"}]}, "vi"))
    assert codes(rows) == ["P3", "C3", "D1", "D4"]  # the download follows the grid's order
    late_col = next(c for c in column_defs("vi", "late") if c["field"] == "workdays_late")
    assert late_col.get("sortable", True) is True
