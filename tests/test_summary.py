"""The standard report (Biểu 06) on the hand-built fixture: every answer computed by hand."""
import math

import pandas as pd
import pytest

from data.filters import DossierFilter, Period, R, S, stats_table_for
from data.queries.summary import standard_report, summary_by_level, summary_json

Y2023 = Period.year(2023)


def test_sum001_levels_2023(fixture_engine):
    df = summary_by_level(fixture_engine, DossierFilter(Y2023))
    p, d, c = df.loc["province"], df.loc["district"], df.loc["commune"]
    # Province: P1-P3 received, P4 carried over from 2022
    assert (p.received, p.received_online, p.carried_over) == (3, 1, 1)
    assert (p.finished_early, p.finished_on_time, p.finished_late) == (2, 1, 1)
    assert p.on_time_rate == pytest.approx(0.75)
    assert p.received_postal_staff == 2
    assert (p.in_progress, p.in_progress_overdue) == (0, 0)
    # District: D1 late (Tết), D2 early thanks to the supplement time, D3 on time, D4 late by rule
    assert (d.received, d.received_online, d.received_by_post, d.received_in_person) == (7, 1, 1, 5)
    assert (d.finished_early, d.finished_on_time, d.finished_late) == (1, 1, 2)
    assert d.on_time_rate == pytest.approx(0.5)
    assert d.withdrawn == 1
    assert (d.in_progress, d.in_progress_overdue, d.in_progress_within) == (2, 1, 1)
    assert d.carried_over == 0
    # Commune
    assert (c.received, c.received_online) == (4, 2)
    assert (c.finished_early, c.finished_on_time, c.finished_late) == (1, 2, 1)
    assert c.on_time_rate == pytest.approx(0.75)
    assert c.online_share == pytest.approx(0.5)


def test_sum002_district_filter_narrows_lower_levels(fixture_engine):
    df = summary_by_level(fixture_engine, DossierFilter(Y2023, district_code="509"))
    assert df.loc["province", "received"] == 0  # the province level has no district
    assert df.loc["district", "received"] == 4  # D1, D2, D3, D6
    assert df.loc["district", "on_time_rate"] == pytest.approx(2 / 3)
    assert df.loc["commune", "received"] == 3  # C1, C2, C3
    assert df.loc["commune", "finished_late"] == 1


def test_sum003_sector_filter(fixture_engine):
    df = summary_by_level(fixture_engine, DossierFilter(Y2023, sector_code="TP"))
    assert df.loc["province", "received"] == 1  # P2
    assert df.loc["province", "carried_over"] == 1  # P4
    assert df.loc["district", "received"] == 0
    assert math.isnan(df.loc["district", "on_time_rate"])  # nothing finished: no rate, not 0 %
    assert df.loc["commune", "received"] == 3  # C1, C2, C4


def test_sum004_year_2022_and_empty_year(fixture_engine):
    df = summary_by_level(fixture_engine, DossierFilter(Period.year(2022)))
    assert df.loc["commune", "received"] == 2
    assert df.loc["commune", "on_time_rate"] == pytest.approx(0.5)  # C5 early, C6 late
    assert df.loc["province", "in_progress"] == 1  # P4 open at the end of 2022
    empty = summary_by_level(fixture_engine, DossierFilter(Period.year(2031)))
    assert empty["received"].sum() == 0


def test_sum005_monthly_stocks(fixture_engine):
    df = standard_report(fixture_engine, DossierFilter(Y2023, level="district"), "month").set_index("ym")
    assert df.loc[202312, "received"] == 2
    assert df.loc[202312, "in_progress"] == 2
    assert df.loc[202301, "finished_late"] == 1  # D1
    assert df.loc[202309, "finished_late"] == 1  # D4


def test_sum006_by_sector_and_district(fixture_engine):
    by_sector = standard_report(fixture_engine, DossierFilter(Y2023), "sector").set_index("sector_code")
    assert by_sector.loc["DD", "finished_late"] == 4  # P3, D1, D4, C3
    assert by_sector.loc["TP", "finished_late"] == 0
    by_district = standard_report(fixture_engine, DossierFilter(Y2023, level="district"), "district").set_index("district_code")
    assert by_district.loc["509", "district_name"] == "Quế Sơn"
    assert by_district.loc["502", "finished_late"] == 1


def test_sum007_json_shape(fixture_engine):
    out = summary_json(fixture_engine, 2023)
    assert out["year"] == 2023
    assert set(out["levels"]) == {"province", "district", "commune"}
    assert out["levels"]["province"]["received"] == 3
    assert out["levels"]["district"]["on_time_rate"] == 0.5
    assert out["levels"]["commune"]["online_share"] == 0.5


def test_sum008_groups_from_the_snapshot_month_and_dtypes(fixture_engine):
    # January 2023: STP carries P4 over from December and finishes it early.
    jan = standard_report(fixture_engine, DossierFilter(Period.months("2023-01", "2023-01")), "agency").set_index("agency_code")
    assert (jan.loc["STP", "carried_over"], jan.loc["STP", "finished_early"], jan.loc["STP", "received"]) == (1, 1, 0)
    assert jan.loc["STP", "on_time_rate"] == 1.0
    # February 2023: H509 moved nothing, but its January row (the carried-over month) still
    # makes it a group, with zero counts and no rate rather than 0 %.
    feb = standard_report(fixture_engine, DossierFilter(Period.months("2023-02", "2023-02")), "agency").set_index("agency_code")
    assert "H509" in feb.index and "X20641" in feb.index
    assert feb.loc["H509", ["received", "finished", "carried_over", "in_progress"]].tolist() == [0, 0, 0, 0]
    assert math.isnan(feb.loc["H509", "on_time_rate"])
    assert feb.loc["X20641", "finished"] == 2  # C1, C2
    for df in (jan, feb, summary_by_level(fixture_engine, DossierFilter(Y2023)),
               summary_by_level(fixture_engine, DossierFilter(Period.year(2031)))):
        assert {str(df[c].dtype) for c in ("received", "carried_over", "in_progress", "finished", "handled")} == {"int64"}
        assert {str(df[c].dtype) for c in ("on_time_rate", "late_rate", "online_share")} == {"float64"}


# Filters with no sector or procedure: the pages' default views, which read the rollup.
ROLLUP_FILTERS = [
    DossierFilter(Y2023),
    DossierFilter(Period.year(2022)),
    DossierFilter(Y2023, district_code="509"),
    DossierFilter(Period.months("2022-11", "2023-03")),  # a month range across a year boundary
    DossierFilter(Y2023, scope_district_code="502"),  # a signed-in district user
    DossierFilter(Y2023, level="commune", district_code="502"),
]
ROLLUP_GROUPINGS = ["level", "district", "agency", "month", ["level", "month"], ["district", "agency"]]


def _by_keys(df):
    keys = [c for c in df.columns if c in ("level", "district_code", "agency_id", "ym")]
    return df.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("by", ROLLUP_GROUPINGS, ids=str)
@pytest.mark.parametrize("f", ROLLUP_FILTERS, ids=lambda f: repr(f)[:70])
def test_sum009_rollup_answers_what_the_detail_table_answers(fixture_engine, f, by):
    """With no sector or procedure the report reads dossier_month_agency_stats: the very
    frame (keys, labels, counts, rates, dtypes) the detail table gives."""
    assert stats_table_for(f, [by] if isinstance(by, str) else by) is R
    got = standard_report(fixture_engine, f, by)
    want = standard_report(fixture_engine, f, by, stats=S)
    assert len(want) > 0 and want["received"].sum() + want["carried_over"].sum() > 0
    pd.testing.assert_frame_equal(_by_keys(got), _by_keys(want))


def test_sum010_sector_or_procedure_reads_the_detail_table():
    """The rule in one place: a sector or procedure in the filter or the grouping needs
    the procedure grain, anything else is a property of the agency or the month."""
    assert stats_table_for(DossierFilter(Y2023, district_code="509"), ["district", "month"]) is R
    assert stats_table_for(DossierFilter(Y2023, sector_code="DD"), ["level"]) is S
    assert stats_table_for(DossierFilter(Y2023, procedure_code="DD-H-01")) is S
    assert stats_table_for(DossierFilter(Y2023), ["sector"]) is S
    assert stats_table_for(DossierFilter(Y2023), ["level", "procedure"]) is S
