"""The service index's commune ranking on today's boundaries (issue 19): the communes' counts as
they were re-aggregated onto today's communes BEFORE scoring (never an average of scores), on
test_late_boundaries' reorganised fixture by hand and on the demo's 2023 (SQLite and PostgreSQL).

The fixture's commune desks in 2023 (tests/fixture_data.py): Đông Phú 20641 received C1 (early,
online, procedure 5 fully online) and C2 (on time, procedure 5); Quế Xuân 1 20650 received C3
(late, procedure 6 partly online); Tân Thạnh 20335 received C4 (on time, online, procedure 5).
Today: 90001 <- 20641 whole and half of 20650; 90002 <- 20335 whole and the other half of 20650.
Every count of 20650 is 0 or 1: its halves (0.5 each) are apportioned to the earlier code, so
90001's counts are 20641's and 20650's summed, 90002's are 20335's.
"""
import pytest

from data.queries import boundaries as qb
from data.queries import scorecard as q
from data.service_index import FLOW_COUNTS, STOCK_COUNTS, score
from tests.test_late_boundaries import F, any_demo_engine, reorganised  # noqa: F401 (fixtures)

COUNTS = [*FLOW_COUNTS, *STOCK_COUNTS]


def _summed(df, codes) -> dict:
    rows = df[df["code"].isin(codes)]
    return {c: int(rows[c].sum()) for c in COUNTS}


def test_sb001_counts_onto_todays_communes_by_hand(reorganised):  # noqa: F811 (the imported fixture)
    was = q.unit_counts(reorganised, F, "commune")
    now = q.current_unit_counts(reorganised, F).set_index("code")
    assert sorted(now.index) == ["90001", "90002"]
    assert now.loc["90001", ["received", "finished_early", "finished_on_time", "finished_late"]].tolist() == [3, 1, 1, 1]
    assert now.loc["90002", ["received", "finished_early", "finished_on_time", "finished_late"]].tolist() == [1, 0, 1, 0]
    # The same totals as the scope's commune level.
    scope = q.scope_counts(reorganised, F.with_(level="commune"))
    for c in COUNTS:
        assert now[c].sum() == scope[c] == was[c].sum(), c
    # Distinct procedures: 90001 received procedures 5 and 6 (one fully online); the split 20650 lends its 6 to 90002 too.
    assert now.loc["90001", ["procedures_received", "procedures_full_online"]].tolist() == [2, 1]
    assert now.loc["90002", ["procedures_received", "procedures_full_online"]].tolist() == [2, 1]


def test_sb002_merged_communes_score_is_its_predecessors_summed(reorganised):  # noqa: F811 (the imported fixture)
    was = q.unit_counts(reorganised, F, "commune")
    units = {u["code"]: u for u in q.unit_scores(reorganised, F, "commune", "current")}
    assert set(units) == {"90001", "90002"} and units["90001"]["name"] == "Quế Sơn Trung"
    merged = units["90001"]
    raw = {**_summed(was, ["20641", "20650"]), "procedures_received": 2, "procedures_full_online": 1}
    assert merged["counts"] == raw
    assert merged["total"] == pytest.approx(score(raw)["total"])
    # Progress by hand: (C1 early + C2 on time) / (3 finished, none open) — not the mean of 2/2 and 0/1.
    assert merged["groups"]["progress"]["rate"] == pytest.approx(2 / 3)
    # Land what-if: C3 is 90001's late land dossier.
    assert merged["land_late"] == 1
    # Other levels stay as they were whatever is asked.
    assert q.unit_scores(reorganised, F, "district", "current") == q.unit_scores(reorganised, F, "district")
    assert q.is_current("commune", "current") and not q.is_current("department", "current")


def test_sb003_demo_2023_todays_communes_sum_to_the_commune_level(any_demo_engine):  # noqa: F811 (the imported fixture)
    now = q.current_unit_counts(any_demo_engine, F)
    scope = q.scope_counts(any_demo_engine, F.with_(level="commune"))
    assert len(now) == 78 and all(qb.is_current_unit(any_demo_engine, c) for c in now["code"])
    for c in COUNTS:
        assert now[c].sum() == scope[c], c
    units = {u["code"]: u for u in q.unit_scores(any_demo_engine, F, "commune", "current")}
    assert len(units) == 78 and all(u["valid_to"] is None for u in units.values())
    # Phường Điện Bàn Đông: its three old communes' counts summed, then scored.
    whole, split = qb.territory(any_demo_engine, "20579-2507")
    assert split == () and len(whole) == 6  # itself and the communes (and their earlier versions) it was formed from
    was = q.unit_counts(any_demo_engine, F, "commune")
    mine = units["20579-2507"]
    assert {c: mine["counts"][c] for c in COUNTS} == _summed(was, list(whole))
    # Finished in 2023: the base /late counts its 213 late dossiers on (tests/test_late_boundaries.py).
    assert sum(mine["counts"][c] for c in ("finished_early", "finished_on_time", "finished_late")) == 5_743
    assert mine["total"] == pytest.approx(score(mine["counts"])["total"])
    assert mine["land_late"] == int(q.land_late_counts(any_demo_engine, F, "commune")
                                    .query("code in @whole")[["late_finished", "late_open"]].sum().sum())


def test_sb004_page_on_todays_boundaries(demo_app):
    """The layout: the switch, what today's communes hold beside it, today's communes ranked; at
    the district level the ranking stays as it was and says so."""
    import importlib

    from tests.test_overview import by_id, render
    from tests.test_pages_by_period import ids, text_of

    page = importlib.import_module("pages.scorecard.scorecard")
    was = render(page, year="2023", level="commune")
    assert {"sco-bounds-historical", "sco-bounds-current"} <= ids(was) and "sco-rank-ended" not in ids(was)
    now = render(page, year="2023", level="commune", boundaries="current")
    assert "cấp huyện trước 01/07/2025 thuộc thành phố" in text_of(by_id(now, "sco-bounds-note"))
    assert "theo địa giới hiện nay" in text_of(by_id(now, "sco-rank-card"))
    grid = by_id(now, "sco-rank")
    assert len(grid.rowData) == 78 and "20579-2507" in {r["code"] for r in grid.rowData}
    picked = render(page, year="2023", level="commune", boundaries="current", unit="20579-2507")
    assert "Điện Bàn Đông" in text_of(by_id(picked, "sco-lost-card"))
    # Its not-digitised dossiers listed: those of its territory, as many as its counts say (received - digitised).
    listed = render(page, year="2023", level="commune", boundaries="current", unit="20579-2507", lost="digitised")
    counts = {r["code"]: r for r in grid.rowData}
    assert counts["20579-2507"]["unit"] == "Điện Bàn Đông"
    assert text_of(by_id(listed, "sco-list-card")).startswith("Hồ sơ chưa số hóa: Điện Bàn Đông, 2.748 hồ sơ")
    # A district picked: today's communes formed from its communes, said to hold only that district's part.
    in_509 = render(page, year="2023", level="commune", boundaries="current", district="509")
    assert "chỉ gồm hồ sơ của các xã cũ thuộc huyện đó" in text_of(by_id(in_509, "sco-bounds-note"))
    district = render(page, year="2023", boundaries="current")
    assert "luôn theo địa giới khi đó" in text_of(by_id(district, "sco-bounds-note"))


def test_sb005_cli_and_excel_on_todays_boundaries(reorganised, demo_app):  # noqa: F811 (the imported fixture)
    """`tthc scorecard --level commune --boundaries current --json` lists today's communes; the
    page's Excel ranks them and says which boundaries in its filter rows."""
    import importlib
    import io
    import json

    from openpyxl import load_workbook

    from tests.test_cli import _run
    from tests.test_hostile_data import sent_bytes

    url = reorganised.url.render_as_string(hide_password=False)
    out = json.loads(_run(["scorecard", "--year", "2023", "--level", "commune", "--boundaries", "current", "--json"], url).output)
    assert out["boundaries"] == "current" and [u["code"] for u in out["units"]] == ["90002", "90001"]
    assert out["units"][1]["groups"]["progress"]["rate"] == pytest.approx(2 / 3)
    kept = json.loads(_run(["scorecard", "--year", "2023", "--boundaries", "current", "--json"], url).output)
    assert kept["boundaries"] == "historical" and {u["code"] for u in kept["units"]} == {"509", "502"}

    page = importlib.import_module("pages.scorecard.scorecard")
    sent = page.download_xlsx(1, "?year=2023&level=commune&boundaries=current")
    rows = [[c for c in r if c is not None] for r in load_workbook(io.BytesIO(sent_bytes(sent))).active.iter_rows(values_only=True)]
    assert ["Địa giới", "theo địa giới hiện nay"] in rows
    codes = [r[1] for r in rows if len(r) > 2 and isinstance(r[0], int)]
    assert len(codes) == 78 and "20579-2507" in codes
