"""The /late drill state from the URL (bad codes land on the nearest valid level with a note),
the breadcrumb, and the CSV download matching the grid's filter (fixture database)."""
import csv
import io

import pytest

from components.formatting import period_label
from components.params import resolve_view
from data.filters import Period
from data.queries import late as q
from data.queries.reference import years_with_data
from pages.late._drill import crumbs, resolve_drill


def drill_for(engine, **kwargs):
    view = resolve_view(kwargs, engine)
    ref = {**q.reference_maps(engine), "years": years_with_data(engine)}
    return view, resolve_drill(kwargs, view, ref)


def test_drl001_full_path(fixture_engine):
    view, d = drill_for(fixture_engine, year="2023", sector="DD", procedure="DD-X-01", district="509", commune="20650")
    assert d.notes == [] and view.notes == []
    assert d.step == "list" and d.is_leaf
    f = d.filter(view.filter())
    assert (f.sector_code, f.procedure_code, f.district_code, f.commune_code) == ("DD", "DD-X-01", "509", "20650")
    labels = [label for label, _ in crumbs(d, view, "/late", "vi")]
    assert labels == ["Tất cả lĩnh vực", "Đất đai", "Tiếp nhận hồ sơ đăng ký biến động đất đai", "Quế Sơn", "Quế Xuân 1"]
    hrefs = [h for _, h in crumbs(d, view, "/late", "vi")]
    assert hrefs[-1] is None  # the current step
    assert hrefs[1] == "/late?year=2023&sector=DD" and "commune" not in hrefs[3] and "district=509" in hrefs[3]


def test_drl002_steps(fixture_engine):
    assert drill_for(fixture_engine, year="2023")[1].step == "entry"
    assert drill_for(fixture_engine, year="2023", sector="DD")[1].step == "sector"
    assert drill_for(fixture_engine, year="2023", sector="DD", procedure="DD-H-01")[1].step == "units"
    # A district-level procedure has no commune level: choosing the district shows the dossiers.
    assert drill_for(fixture_engine, year="2023", sector="DD", procedure="DD-H-01", district="509")[1].step == "list"
    # A commune-level one goes on to the communes of the district.
    assert drill_for(fixture_engine, year="2023", sector="DD", procedure="DD-X-01", district="509")[1].step == "units"
    # A province-level procedure is handled by one department: straight to the dossiers.
    assert drill_for(fixture_engine, year="2023", sector="DD", procedure="DD-T-01")[1].step == "list"
    assert drill_for(fixture_engine, year="2023", sector="DD", view="list")[1].step == "list"


def test_drl003_unknown_sector_lands_on_entry(fixture_engine):
    view, d = drill_for(fixture_engine, year="2023", sector="XX", procedure="DD-H-01")
    assert d.sector is None and d.procedure is None and d.step == "entry"
    assert any("XX" in n for n in view.notes) and any("DD-H-01" in n for n in d.notes)


def test_drl004_procedure_not_in_sector(fixture_engine):
    view, d = drill_for(fixture_engine, year="2023", sector="TP", procedure="DD-H-01")
    assert d.sector["code"] == "TP" and d.procedure is None and d.step == "sector"
    assert len(d.notes) == 1 and "DD-H-01" in d.notes[0] and "Tư pháp" in d.notes[0]
    _, d = drill_for(fixture_engine, year="2023", sector="DD", procedure="NOPE-1", lang="en")
    assert d.procedure is None and d.step == "sector" and "NOPE-1" in d.notes[0] and "No procedure" in d.notes[0]


def test_drl005_procedure_alone_names_its_sector(fixture_engine):
    _, d = drill_for(fixture_engine, year="2023", procedure="dd-h-01")
    assert d.sector["code"] == "DD" and d.procedure["code"] == "DD-H-01" and d.notes == []


def test_drl006_commune_not_in_district(fixture_engine):
    view, d = drill_for(fixture_engine, year="2023", sector="DD", procedure="DD-X-01", district="502", commune="20650")
    assert d.commune is None and d.district["code"] == "502" and d.step == "units"
    assert len(d.notes) == 1 and "Tam Kỳ" in d.notes[0]
    _, d = drill_for(fixture_engine, year="2023", commune="99999")
    assert d.commune is None and "99999" in d.notes[0]
    # A commune alone names its district.
    _, d = drill_for(fixture_engine, year="2023", commune="20650")
    assert d.district["code"] == "509" and d.notes == [] and d.step == "list"


def test_drl007_mode_level_period(fixture_engine):
    _, d = drill_for(fixture_engine, year="2023", mode="overdue", level="district", **{"from": "2023-01", "to": "2023-06"})
    assert d.mode == "overdue" and d.level == "district" and d.notes == []
    assert (d.period.first_ym, d.period.last_ym) == (202301, 202306)
    assert d.params() == {"from": "2023-01", "to": "2023-06", "mode": "overdue", "level": "district"}
    _, d = drill_for(fixture_engine, year="2023", mode="weird", level="planet", **{"from": "2023-13", "to": "x"})
    assert d.mode == "late" and d.level is None and d.period.is_whole_year and len(d.notes) == 3
    _, d = drill_for(fixture_engine, year="2023", **{"from": "1990-01", "to": "1990-06"})
    assert d.period.first_ym == 202301 and len(d.notes) == 1  # no data then: the year instead
    # A commune-level procedure does not exist at district level.
    _, d = drill_for(fixture_engine, year="2023", level="district", procedure="DD-X-01")
    assert d.procedure is None and len(d.notes) == 1


@pytest.fixture()
def late_page(fixture_engine, monkeypatch):
    """pages.late.late with the fixture database (importing the app registers the page)."""
    import importlib

    import app  # noqa: F401

    page = importlib.import_module("pages.late.late")
    return page


def test_drl008_csv_download_matches_grid_filter(fixture_engine, late_page):
    state = {"mode": "late", "lang": "vi", "first_ym": 202301, "last_ym": 202312, "level": None, "district": None,
             "sector": "DD", "procedure": None, "commune": None}
    request = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "received_on", "sort": "asc"}],
               "filterModel": {"by_postal_staff": {"filterType": "text", "type": "contains", "filter": "bưu điện"}}}
    grid = late_page.rows_response(request, state, fixture_engine)
    content, name = late_page.build_download("csv", request, state, fixture_engine)
    assert name == "tre-han-2023.csv"
    text = content.decode("utf-8-sig")
    head, table = text.split("\n\n", 1)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["Mã hồ sơ"] for r in rows] == [r["code"] for r in grid["rowData"]] == ["D1", "P3"]
    assert grid["rowCount"] == 2
    assert [r["Số ngày làm việc trễ"] for r in rows] == ["2", "3"]
    assert "Lĩnh vực,Đất đai (DD)" in head and "Người tiếp nhận,chứa “bưu điện”" in head
    assert "Ngày tiếp nhận (tăng dần)" in head and "Số hồ sơ,2" in head
    xlsx, xname = late_page.build_download("xlsx", request, state, fixture_engine)
    assert xname.endswith(".xlsx") and xlsx[:2] == b"PK"


def test_drl009_tampered_state_is_revalidated(fixture_engine, late_page):
    """The grid's state store is client data: bad codes are dropped, not queried."""
    state = {"mode": "late'; --", "lang": "xx", "first_ym": 202301, "last_ym": 202312, "sector": "DD' OR 1=1",
             "procedure": "ZZZ", "commune": "20650", "district": "502"}
    grid = late_page.rows_response({"startRow": 0, "endRow": 100}, state, fixture_engine)
    # mode falls back to late; the sector and procedure go; the commune is not in Tam Kỳ: Tam Kỳ's late dossiers.
    assert [r["code"] for r in grid["rowData"]] == ["D4"]


@pytest.mark.parametrize("first, last, lang, label", [
    (202508, 202508, "vi", "Th8/2025"), (202508, 202508, "en", "Aug 2025"),
    (202301, 202306, "vi", "Th1–Th6/2023"), (202301, 202312, "vi", "2023"), (202411, 202502, "en", "Nov 2024 – Feb 2025"),
])
def test_period_label_one_month_is_named_once(first, last, lang, label):
    assert period_label(Period(first, last), lang) == label
