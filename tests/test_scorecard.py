"""The service-index scorecard (Decision 766) on the hand-built fixture, on SQLite and PostgreSQL.

Every rate and every point below is counted by hand from tests/fixture_data.py (2023):

Quế Sơn (509, agency H509): D1 (land, late, not digitised, neutral, published), D2 (land, early,
not published), D3 (mortgage, full online, on time, online, paid online, e-result, satisfied),
D6 (open at year end within its deadline).
  progress 3/4 -> 15; online share 1/4 -> 1.5 of 6, procedures fully online 1/2 -> 3 of 6:
  online 4.5; paid online 1/4 -> 2.5; digitised 3/4 -> 8.25 of 11, e-result 1/3 -> 11/3 of 11:
  digitisation 71.5/6; satisfied 1/2 -> 9; published 1/2 -> 9. Total 51.91666 of 100.
Tam Kỳ (502, H502): D4 (late by two supplement requests), D5 (open, overdue, not digitised),
D7 (withdrawn). progress 0/2 -> 0; online 0/3 and 1/2 -> 3; paid 0/3 -> 0; digitised 2/3,
e-result 0/1 -> 22/3; no rating, no publication known: not measured. Total 31/3 of 64.
"""
from __future__ import annotations

import pytest

from data.filters import DossierFilter, Period
from data.queries import scorecard as q
from data.service_index import score, what_if_on_time

Y2023 = DossierFilter(Period.year(2023))


def _by_code(units):
    return {u["code"]: u for u in units}


def test_sco001_district_units_by_hand(fixture_engine):
    units = _by_code(q.unit_scores(fixture_engine, Y2023, "district"))
    assert set(units) == {"509", "502"}
    qs = units["509"]
    g = qs["groups"]
    assert g["progress"]["rate"] == pytest.approx(0.75) and g["progress"]["points"] == pytest.approx(15)
    assert g["online"]["indicators"]["online_share"]["rate"] == pytest.approx(0.25)
    assert g["online"]["indicators"]["full_online_procedures"]["rate"] == pytest.approx(0.5)
    assert g["online"]["points"] == pytest.approx(4.5) and g["online"]["rate"] == pytest.approx(0.375)
    assert g["online_payment"]["rate"] == pytest.approx(0.25) and g["online_payment"]["points"] == pytest.approx(2.5)
    assert g["digitisation"]["indicators"]["digitised"]["rate"] == pytest.approx(0.75)
    assert g["digitisation"]["indicators"]["e_result"]["rate"] == pytest.approx(1 / 3)
    assert g["digitisation"]["points"] == pytest.approx(8.25 + 11 / 3)
    assert g["satisfaction"]["rate"] == pytest.approx(0.5) and g["satisfaction"]["points"] == pytest.approx(9)
    assert g["publicity"]["rate"] == pytest.approx(0.5) and g["publicity"]["points"] == pytest.approx(9)
    assert qs["total"] == pytest.approx(15 + 4.5 + 2.5 + 8.25 + 11 / 3 + 9 + 9)
    assert qs["max_measured"] == 100
    assert qs["name"] == "Quế Sơn"


def test_sco002_unmeasured_groups_leave_the_maximum(fixture_engine):
    tk = _by_code(q.unit_scores(fixture_engine, Y2023, "district"))["502"]
    g = tk["groups"]
    assert g["satisfaction"] == {**g["satisfaction"], "points": None, "rate": None, "max": 18}
    assert g["publicity"]["rate"] is None and g["publicity"]["points"] is None
    assert g["progress"]["rate"] == 0 and g["online"]["points"] == pytest.approx(3)
    assert g["online_payment"]["rate"] == 0 and g["digitisation"]["points"] == pytest.approx(22 / 3)
    assert tk["max_measured"] == 64
    assert tk["total"] == pytest.approx(3 + 22 / 3)


def test_sco003_ranking_best_first_by_share_of_measured(fixture_engine):
    units = q.unit_scores(fixture_engine, Y2023, "district")
    assert [u["code"] for u in units] == ["509", "502"]


def test_sco004_commune_and_department_levels(fixture_engine):
    communes = _by_code(q.unit_scores(fixture_engine, Y2023, "commune"))
    assert set(communes) == {"20641", "20650", "20335"}
    dp = communes["20641"]  # C1 (online, early, e-result, satisfied), C2 (on time): no fee, nothing published
    assert dp["groups"]["online_payment"]["rate"] is None
    assert dp["total"] == pytest.approx(20 + 9 + 16.5 + 18) and dp["max_measured"] == 72
    assert dp["parent_code"] == "509"
    departments = _by_code(q.unit_scores(fixture_engine, Y2023, "department"))
    tn = departments["STNMT"]  # P1 (online, early, paid, satisfied, published), P3 (late, dissatisfied, not published)
    assert tn["total"] == pytest.approx(9 + 10 + 3 + 5 + 9 + 16.5) and tn["max_measured"] == 100


def test_sco005_scope_progress_and_district_scope(fixture_engine):
    province = q.scope_score(fixture_engine, Y2023)
    c = province["counts"]
    # finished in 2023: 12 (8 early or on time); open at its end: D5 (overdue), D6
    assert (c["finished_early"] + c["finished_on_time"], c["finished_late"], c["open_end"], c["open_overdue_end"]) \
        == (8, 4, 2, 1)
    assert province["groups"]["progress"]["rate"] == pytest.approx(9 / 14)
    scoped = DossierFilter(Period.year(2023), scope_district_code="509")
    assert {u["code"] for u in q.unit_scores(fixture_engine, scoped, "district")} == {"509"}
    assert {u["code"] for u in q.unit_scores(fixture_engine, scoped, "commune")} == {"20641", "20650"}
    assert q.unit_scores(fixture_engine, scoped, "department") == []
    assert q.scope_score(fixture_engine, scoped)["groups"]["progress"]["rate"] == pytest.approx(
        (3 + 2) / (4 + 3))  # 509 (3 of 4, D6 open in time) and its communes C1 C2 C3 (C3 late)


def test_sco006_what_if_late_land_on_time(fixture_engine):
    units = _by_code(q.unit_scores(fixture_engine, Y2023, "district"))
    assert units["509"]["land_late"] == 1 and units["509"]["land_gain"] == pytest.approx(5)  # D1: 3/4 -> 4/4
    assert units["502"]["land_late"] == 2 and units["502"]["land_gain"] == pytest.approx(20)  # D4, D5: 0/2 -> 2/2


def test_sco007_lost_dossier_lists(fixture_engine):
    f = DossierFilter(Period.year(2023), district_code="509", level="district")
    n, rows = q.lost_dossiers(fixture_engine, f, "digitised")
    assert n == 1 and rows["code"].tolist() == ["D1"]
    n, rows = q.lost_dossiers(fixture_engine, f, "online_share")
    assert n == 3 and sorted(rows["code"]) == ["D1", "D2", "D6"]
    n, rows = q.lost_dossiers(fixture_engine, f, "satisfied")
    assert n == 1 and rows["code"].tolist() == ["D1"]
    n, rows = q.lost_dossiers(fixture_engine, f, "paid_online")
    assert n == 3
    with pytest.raises(ValueError):
        q.lost_dossiers(fixture_engine, f, "full_online_procedures")


def test_sco008_monthly_trend(fixture_engine):
    months = q.monthly_scores(fixture_engine, Y2023).set_index("ym")
    # July 2023: D3 only (on time, online, paid, e-result, satisfied; mortgage fully online): every measured rate 1
    july = months.loc[202307]
    assert july["progress"] == pytest.approx(20) and july["total"] == pytest.approx(july["max_measured"])


def test_sco009_score_without_counts_is_not_measured():
    empty = score({})
    assert empty["total"] is None and empty["max_measured"] == 0
    assert what_if_on_time({}, 0, 0) == 0


def test_sco010_import_reads_rating_and_publication(empty_engine, tmp_path):
    """A one-stop export with the rating ("Mức độ hài lòng", in the words systems print) and
    publication columns: stored, counted, scored; a rating in no known words is rejected; a file
    without the columns leaves them as they were (not measured stays not measured)."""
    from data.importer import import_dossiers
    from tests.test_import import BASE_HEADER, load_catalogs, row, write_csv

    load_catalogs(empty_engine)
    header = BASE_HEADER + ["Mức độ hài lòng", "Công khai trên Cổng DVCQG"]
    write_csv(tmp_path / "rated.csv", header, [
        row("X1") + ["Rất hài lòng", "Có"],
        row("X2") + ["Không hài lòng", "Không"],
        row("X3") + ["", ""],
        row("X4") + ["5 sao", "Có"],  # a star count: not a rating we can place
    ])
    r = import_dossiers(empty_engine, tmp_path / "rated.csv", report_dir=tmp_path)
    assert (r.added, r.rejected) == (3, 1)
    from sqlalchemy import select

    from data.schema import Dossier
    with empty_engine.connect() as conn:
        got = dict((c, (rt, pub)) for c, rt, pub in conn.execute(
            select(Dossier.code, Dossier.rating, Dossier.published_on_portal)))
    assert got == {"X1": ("satisfied", True), "X2": ("dissatisfied", False), "X3": (None, None)}
    commune = _by_code(q.unit_scores(empty_engine, Y2023, "commune"))["20641"]
    assert commune["groups"]["satisfaction"]["rate"] == pytest.approx(0.5)
    assert commune["groups"]["publicity"]["rate"] == pytest.approx(0.5)
    write_csv(tmp_path / "plain.csv", BASE_HEADER, [row("X1")])
    import_dossiers(empty_engine, tmp_path / "plain.csv", report_dir=tmp_path)
    with empty_engine.connect() as conn:
        assert conn.execute(select(Dossier.rating).where(Dossier.code == "X1")).scalar() == "satisfied"


def test_sco011_demo_rates_match_sql_on_dossiers(demo_engine):
    """On the demo, 2023: the 18 district-level units ranked, and every computed rate equal to an
    independent count written in plain SQL over the dossiers table (not the aggregates)."""
    from sqlalchemy import text

    units = q.unit_scores(demo_engine, Y2023, "district")
    assert len(units) == 18
    totals = [u["total"] / u["max_measured"] for u in units]
    assert totals == sorted(totals, reverse=True) and totals[0] - totals[-1] > 0.05  # not flat
    sql = text("""
        SELECT d.district_code AS code,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' THEN 1 ELSE 0 END) AS received,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' AND d.digitised THEN 1 ELSE 0 END) AS digitised,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' AND d.has_fee THEN 1 ELSE 0 END) AS fee,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' AND d.has_fee AND d.paid_online
              THEN 1 ELSE 0 END) AS paid,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' AND p.online_level <> 'none'
              THEN 1 ELSE 0 END) AS offered,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' AND p.online_level <> 'none'
              AND d.channel = 2 THEN 1 ELSE 0 END) AS offered_online,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' AND d.published_on_portal IS NOT NULL
              THEN 1 ELSE 0 END) AS pub_known,
          SUM(CASE WHEN d.received_on BETWEEN '2023-01-01' AND '2023-12-31' AND d.published_on_portal
              THEN 1 ELSE 0 END) AS pub,
          SUM(CASE WHEN d.status IN (9, 10) AND d.finished_on BETWEEN '2023-01-01' AND '2023-12-31'
              THEN 1 ELSE 0 END) AS finished,
          SUM(CASE WHEN d.status IN (9, 10) AND d.finished_on BETWEEN '2023-01-01' AND '2023-12-31'
              AND d.finished_on <= d.deadline_on AND d.supplement_requests <= 1 THEN 1 ELSE 0 END) AS in_time,
          SUM(CASE WHEN d.status IN (9, 10) AND d.finished_on BETWEEN '2023-01-01' AND '2023-12-31' AND d.e_result
              THEN 1 ELSE 0 END) AS e_result,
          SUM(CASE WHEN d.status IN (9, 10) AND d.finished_on BETWEEN '2023-01-01' AND '2023-12-31'
              AND d.rating IS NOT NULL THEN 1 ELSE 0 END) AS rated,
          SUM(CASE WHEN d.status IN (9, 10) AND d.finished_on BETWEEN '2023-01-01' AND '2023-12-31'
              AND d.rating = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
          SUM(CASE WHEN d.received_on <= '2023-12-31' AND (d.finished_on IS NULL OR d.finished_on > '2023-12-31')
              THEN 1 ELSE 0 END) AS open_end,
          SUM(CASE WHEN d.received_on <= '2023-12-31' AND (d.finished_on IS NULL OR d.finished_on > '2023-12-31')
              AND d.deadline_on < '2023-12-31' THEN 1 ELSE 0 END) AS open_overdue
        FROM dossiers d JOIN procedures p ON p.id = d.procedure_id
        WHERE d.level = 'district' GROUP BY d.district_code""")
    with demo_engine.connect() as conn:
        raw = {r.code: r for r in conn.execute(sql)}
    for u in units:
        r, ind = raw[u["code"]], {k: v for g in u["groups"].values() for k, v in g["indicators"].items()}
        assert ind["digitised"]["rate"] == pytest.approx(r.digitised / r.received)
        assert ind["paid_online"]["rate"] == pytest.approx(r.paid / r.fee)
        assert ind["online_share"]["rate"] == pytest.approx(r.offered_online / r.offered)
        assert ind["published"]["rate"] == pytest.approx(r.pub / r.pub_known)
        assert ind["e_result"]["rate"] == pytest.approx(r.e_result / r.finished)
        assert ind["satisfied"]["rate"] == pytest.approx(r.satisfied / r.rated)
        assert ind["progress"]["rate"] == pytest.approx(
            (r.in_time + r.open_end - r.open_overdue) / (r.finished + r.open_end))


def test_sco012_excel_ranking_cells_are_never_formulas(fixture_engine):
    """The ranking's Excel download: a unit named like a formula stays text (data.cells)."""
    import io

    import openpyxl

    from components.download import table_start_row, to_xlsx_bytes
    from pages.scorecard._view import download_frame

    units = q.unit_scores(fixture_engine, Y2023, "district")
    units[0] = dict(units[0], name='=HYPERLINK("http://evil.example","Quế Sơn")')
    filters = [("Kỳ", "năm 2023"), ("Phạm vi", "Toàn tỉnh")]
    data = to_xlsx_bytes(download_frame(units, "vi"), "Chỉ số phục vụ", filters, sheet="Scorecard")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    head = table_start_row(filters)
    header = [c.value for c in ws[head]]
    assert header[:6] == ["#", "Mã", "Đơn vị", "Tổng", "Đo được", "Tỷ lệ điểm (%)"]
    first = ws[head + 1]
    assert first[2].data_type == "s" and first[2].value.startswith("=HYPERLINK")
    assert first[1].value == "509" and first[3].value == pytest.approx(51.9) and first[4].value == 100
    second = ws[head + 2]
    assert second[header.index("Mức độ hài lòng (18)")].value is None  # not measured: an empty cell, not 0


@pytest.mark.parametrize("period,previous", [
    (Period.year(2023), Period.year(2022)),
    (Period(202307, 202307), Period(202306, 202306)),
    (Period(202301, 202301), Period(202212, 202212)),  # the month before is in the year before
])
def test_sco013_scope_from_months_equals_the_period_read_whole(fixture_engine, period, previous):
    """The page reads the scope and the period before from one read of months (scope_and_trend):
    the same score as the period read on its own."""
    scope, prev, months = q.scope_and_trend(fixture_engine, DossierFilter(period), previous)
    for got, want in ((scope, q.scope_score(fixture_engine, DossierFilter(period))),
                      (prev, q.scope_score(fixture_engine, DossierFilter(previous), what_if=False))):
        assert got["counts"] == want["counts"]
        assert got["total"] == pytest.approx(want["total"]) if want["total"] is not None else got["total"] is None
    assert scope["land_gain"] == pytest.approx(q.scope_score(fixture_engine, DossierFilter(period))["land_gain"])
    assert set(months["ym"] // 100) <= {2022, 2023} and len(months) >= 12
