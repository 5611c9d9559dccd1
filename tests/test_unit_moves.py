"""Finding 11 of issue 13: an import must not move a unit or an agency to another parent.

Dossiers carry their agency's district and commune, agencies their unit's, and the
district scope of a user follows them: a commune re-parented in ``units`` alone made a
district's pages and its scope disagree. Such rows are refused with a reason; the rest of
the file is imported. On SQLite and PostgreSQL.
"""
from __future__ import annotations

from sqlalchemy import select

from data.importer import import_catalog
from data.importer.report import read_report
from data.schema import Agency, Unit
from tests.conftest import insert_fixture

UNITS_HEADER = "Mã đơn vị,Tên đơn vị,Tên ngắn,Loại đơn vị,Cấp,Mã đơn vị cấp trên,Thứ tự\n"


def test_mov001_a_commune_is_not_moved_to_another_district(tmp_path, empty_engine):
    with empty_engine.begin() as conn:
        insert_fixture(conn)
    path = tmp_path / "units.csv"
    path.write_text(UNITS_HEADER
                    + "20335,Phường Tân Thạnh,Tân Thạnh,phường,commune,509,1\n"  # Tam Kỳ's commune into Quế Sơn
                    + "502,Thành phố Tam Kỳ,Tam Kỳ,thành phố,commune,509,1\n"  # a district made a commune
                    + "20641,Thị trấn Đông Phú (mới),Đông Phú,thị trấn,commune,509,1\n"  # a rename: fine
                    + "20999,Xã Mới,Mới,xã,commune,502,9\n", encoding="utf-8")  # a new commune: fine
    result = import_catalog(empty_engine, "units", path, report_dir=tmp_path)
    assert (result.added, result.updated, result.rejected) == (1, 1, 2)
    with empty_engine.connect() as conn:
        units = {c: (lvl, p) for c, lvl, p in conn.execute(select(Unit.code, Unit.level, Unit.parent_code))}
        agencies = {c: (d, m) for c, d, m in conn.execute(select(Agency.code, Agency.district_code, Agency.commune_code))}
    assert units["20335"] == ("commune", "502") and units["502"] == ("district", "49")
    assert agencies["X20335"] == ("502", "20335")  # unit and agency agree
    assert units["20999"] == ("commune", "502") and agencies["X20999"] == ("502", "20999")
    report = read_report(result.report_path)
    assert sorted(report["Cột / Column"]) == ["Cấp", "Mã đơn vị cấp trên"]
    assert all("refused" in r for r in report["Reason"])


def test_mov002_an_agency_is_not_moved_to_another_unit(tmp_path, empty_engine):
    with empty_engine.begin() as conn:
        insert_fixture(conn)
    path = tmp_path / "agencies.csv"
    path.write_text("Mã cơ quan,Tên cơ quan,Tên tiếng Anh,Mã đơn vị\n"
                    "X20335,UBND Phường Tân Thạnh,People's Committee of Tân Thạnh,20641\n"
                    "H509,UBND huyện Quế Sơn (tên mới),People's Committee of Quế Sơn,509\n", encoding="utf-8")
    result = import_catalog(empty_engine, "agencies", path, report_dir=tmp_path)
    assert (result.updated, result.rejected) == (1, 1)
    with empty_engine.connect() as conn:
        row = conn.execute(select(Agency.unit_code, Agency.district_code).where(Agency.code == "X20335")).one()
    assert tuple(row) == ("20335", "502")
