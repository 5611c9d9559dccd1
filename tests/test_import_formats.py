"""Issue 14: the province's real exports import as they are, every stored value exact.

The files are written here from the public descriptions of each source, not from the
project's own samples:

* the national portal's ``DongBoHoSoMC`` sync records, with the field names, date format
  (``yyyyMMddHHmmss``, Vietnam time) and status codes of VietOpenCPS/opencps-v2
  (DVCQGIntegrationActionImpl.createSyncDossierBodyRequest: a body {"service", "isUpdating",
  "data"}, no KenhThucHien, DonViXuLy = the agency's name) and of HuanVu201/
  DichVuCong_KhoaLuan_PASETO (SyncLocalDataToDVCQG: a bare list, KenhThucHien 1/2/3, the
  portal's ten status wordings and "Trực tiếp / Nộp trực tuyến / Qua bưu chính công ích");
* a "Sổ theo dõi hồ sơ" register (sheets per month, a summary sheet, a title block, a two-row
  header with "Ngày" merged over its sub-columns, the "(1) (2) (3)…" row, totals, signatures),
  in .xlsx and, written by another program (xlwt; tests/files/register-97.xls), in .xls;
* a web system's "Excel" download that is an HTML table named .xls;
* CSV saved by Excel on office PCs: Windows-1258 with combining tone marks and ";", and
  English (US) settings with m/d/yyyy dates.

Every test runs on SQLite and PostgreSQL (``empty_engine``).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import insert, select

from data.filters import DossierFilter, Period
from data.importer import ImportFileError, NothingValid, import_catalog, import_dossiers
from data.importer.dates import DateOrderError
from data.importer.report import read_report
from data.queries.summary import summary_by_level
from data.schema import Dossier, DossierMonthAgencyStats, DossierMonthStats, ImportRun, Procedure
from tests.test_import import count, dossiers_by_code, load_catalogs, to_cp1258, write_csv

FILES = Path(__file__).resolve().parent / "files"
D = dt.date


def catalogue(engine):
    """The fixture's catalogue plus "Chứng thực bản sao từ bản chính" at district and commune level
    (the same name at two levels, as in the national catalogue)."""
    load_catalogs(engine)
    with engine.begin() as conn:
        conn.execute(insert(Procedure), [
            dict(id=7, code="TP-H-01", name="Chứng thực bản sao từ bản chính", name_en=None, sector_id=2, level="district",
                 online_level="none", processing_days=1),
            dict(id=8, code="TP-X-04", name="Chứng thực bản sao từ bản chính", name_en=None, sector_id=2, level="commune",
                 online_level="partial", processing_days=1)])


def stored(engine) -> pd.DataFrame:
    return dossiers_by_code(engine).set_index("code")


def values(got, code, *cols):
    return tuple(None if pd.isna(v := got.loc[code, c]) else v for c in cols)


COLS = ("received_on", "due_on", "finished_on", "returned_on", "status", "channel", "agency_code", "procedure_code")


# ---------------------------------------------------------------- 1. the national portal's sync payload

def portal_record(code, ma_tthc, ten_tthc, don_vi, rec, due, status, fin="", ret="", **extra):
    """One record as opencps-v2 builds it (every field it puts, empty lists included)."""
    r = {"MaHoSo": code, "MaTTHC": ma_tthc, "TenTTHC": ten_tthc, "MaLinhVuc": extra.pop("lv", "TP"),
         "TenLinhVuc": extra.pop("ten_lv", "Tư pháp – Hộ tịch"), "ChuHoSo": "Trần Thị B", "LoaiDoiTuong": "1",
         "MaDoiTuong": "", "ThongTinKhac": "", "Email": "b@example.vn", "Fax": "", "SoDienThoai": "0235000000",
         "TrichYeuHoSo": ten_tthc, "NgayTiepNhan": rec, "NgayHenTra": due, "TrangThaiHoSo": status, "NgayTra": ret,
         "ThongTinTra": "", "HinhThuc": "1", "NgayKetThucXuLy": fin, "DonViXuLy": don_vi, "GhiChu": "",
         "TaiLieuNop": [], "DanhSachLePhi": [], "DanhSachTepDinhKemKhac": [], "DanhSachHoSoBoSung": [],
         "DanhSachGiayToKetQua": []}
    r.update(extra)
    return r


OPENCPS_BODY = {"isUpdating": False, "service": "DongBoHoSoMC", "data": [
    portal_record("000.00.20.H22-240115-0001", "TP-X-01", "Đăng ký khai sinh", "UBND Thị trấn Đông Phú",
                  "20240115083000", "20240116170000", "10", fin="20240115160000", ret="20240116091500"),
    # A national code the catalogue lacks, the name of a procedure of two levels, a commune desk: TP-X-04.
    portal_record("000.00.20.H22-240122-0002", "2.000908", "Chứng thực bản sao từ bản chính", "UBND Xã Quế Xuân 1",
                  "20240122140000", "20240122170000", "9", fin="20240122163000"),
    # A code and name the catalogue lacks, with its sector: added, at the agency's level (province).
    portal_record("000.00.01.H22-240129-0003", "1.010099", "Cấp bản sao trích lục hộ tịch", "Sở Tư pháp tỉnh Quảng Nam",
                  "20240129080000", "20240131170000", "4"),
    portal_record("000.00.12.H22-240125-0004", "DD-H-01", "Đăng ký biến động quyền sử dụng đất", "UBND Huyện Quế Sơn",
                  "20240125100000", "20240222170000", "5", lv="DD", ten_lv="Đất đai"),
    # No such commune in the catalogue: rejected, the nearest names listed, nothing guessed.
    portal_record("000.00.20.H22-240130-0005", "TP-X-01", "Đăng ký khai sinh", "UBND Xã Quế Xuân 2",
                  "20240130080000", "20240130170000", "2"),
]}


def test_imp301_portal_sync_body_imports_with_names_and_no_channel(empty_engine, tmp_path):
    catalogue(empty_engine)
    path = tmp_path / "dongbo.json"
    path.write_text(json.dumps(OPENCPS_BODY, ensure_ascii=False), encoding="utf-8")
    r = import_dossiers(empty_engine, path, report_dir=tmp_path)
    assert (r.rows_read, r.added, r.rejected, r.skipped) == (5, 4, 1, 0)
    assert r.fmt == "national portal sync payload (DongBoHoSoMC)" and r.date_order is None
    assert r.procedures_added == ["1.010099"] and r.unknown_channel == 4
    got = stored(empty_engine)
    assert values(got, "000.00.20.H22-240115-0001", *COLS) == (D(2024, 1, 15), D(2024, 1, 16), D(2024, 1, 15),
                                                                D(2024, 1, 16), 10, 0, "X20641", "TP-X-01")
    assert values(got, "000.00.20.H22-240122-0002", *COLS) == (D(2024, 1, 22), D(2024, 1, 22), D(2024, 1, 22),
                                                                None, 9, 0, "X20650", "TP-X-04")
    assert values(got, "000.00.01.H22-240129-0003", *COLS) == (D(2024, 1, 29), D(2024, 1, 31), None, None, 4, 0,
                                                                "STP", "1.010099")
    assert values(got, "000.00.12.H22-240125-0004", "status", "agency_code", "level", "district_code") == (5, "H509", "district", "509")
    with empty_engine.connect() as conn:
        new = conn.execute(select(Procedure.name, Procedure.level, Procedure.online_level)
                           .where(Procedure.code == "1.010099")).one()
    assert tuple(new) == ("Cấp bản sao trích lục hộ tịch", "province", "unknown")
    rep = read_report(r.report_path)
    assert rep["Dòng / Line"].tolist() == ["5"] and rep["Cột / Column"].tolist() == ["Cơ quan tiếp nhận"]
    assert "Quế Xuân 2" in rep["Reason"][0] and "UBND Xã Quế Xuân 1 (X20650)" in rep["Reason"][0]
    # Counted apart in the aggregates; the online share's base leaves them out.
    with empty_engine.connect() as conn:
        for table in (DossierMonthStats, DossierMonthAgencyStats):
            assert sum(conn.execute(select(table.received_unknown_channel)).scalars()) == 4
    summary = summary_by_level(empty_engine, DossierFilter(Period.year(2024)))
    assert summary.loc["commune", "received_unknown_channel"] == 2 and pd.isna(summary.loc["commune", "online_share"])
    # Re-import changes nothing; the procedure added the first time is now the catalogue's.
    before = dossiers_by_code(empty_engine)
    again = import_dossiers(empty_engine, path, report_dir=tmp_path)
    assert (again.added, again.updated, again.unchanged, again.rejected, again.procedures_added) == (0, 0, 4, 1, [])
    pd.testing.assert_frame_equal(dossiers_by_code(empty_engine), before)


def test_imp302_portal_bare_list_with_channel_updates_the_unknown_one(empty_engine, tmp_path):
    """The same dossier later sent by a system that gives KenhThucHien: its channel becomes known;
    a file without the channel never turns a known channel back into unknown."""
    catalogue(empty_engine)
    first = tmp_path / "a.json"
    first.write_text(json.dumps(OPENCPS_BODY, ensure_ascii=False), encoding="utf-8")
    import_dossiers(empty_engine, first, report_dir=tmp_path)
    rec = dict(OPENCPS_BODY["data"][0], KenhThucHien="2", TrangThaiHoSo="10")
    later = tmp_path / "b.json"
    later.write_text(json.dumps([rec], ensure_ascii=False), encoding="utf-8")
    r = import_dossiers(empty_engine, later, report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged, r.fmt) == (0, 1, 0, "JSON list of portal records")
    assert stored(empty_engine).loc["000.00.20.H22-240115-0001", "channel"] == 2
    r = import_dossiers(empty_engine, first, report_dir=tmp_path)
    assert (r.updated, r.unchanged) == (0, 4)
    assert stored(empty_engine).loc["000.00.20.H22-240115-0001", "channel"] == 2


def test_imp303_portal_records_flattened_to_csv_and_xlsx(empty_engine, tmp_path):
    """The portal's records with its field names as headers, HuanVu201's channel codes and wordings."""
    catalogue(empty_engine)
    records = [portal_record("HS-1", "TP-X-01", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1", "20240205080000",
                             "20240206170000", "Đã trả kết quả", fin="20240206100000", ret="20240206150000",
                             KenhThucHien="Nộp trực tuyến"),
               portal_record("HS-2", "DD-X-01", "Tiếp nhận hồ sơ đăng ký biến động đất đai", "UBND Phường Tân Thạnh",
                             "20240219080000", "20240304170000", "Yêu cầu bổ sung giấy tờ", KenhThucHien="3"),
               portal_record("HS-3", "TP-X-01", "Đăng ký khai sinh", "UBND Phường Tân Thạnh", "20240219080000",
                             "20240220170000", "Công dân yêu cầu rút hồ sơ", fin="20240219150000",
                             KenhThucHien="Qua bưu chính công ích")]
    keys = [k for k in records[0] if not isinstance(records[0][k], list)]
    write_csv(tmp_path / "portal.csv", keys, [[r[k] for k in keys] for r in records], encoding="utf-8-sig")
    r = import_dossiers(empty_engine, tmp_path / "portal.csv", report_dir=tmp_path)
    assert (r.added, r.rejected) == (3, 0)
    got = stored(empty_engine)
    assert values(got, "HS-1", *COLS) == (D(2024, 2, 5), D(2024, 2, 6), D(2024, 2, 6), D(2024, 2, 6), 10, 2, "X20650", "TP-X-01")
    assert values(got, "HS-2", *COLS) == (D(2024, 2, 19), D(2024, 3, 4), None, None, 5, 3, "X20335", "DD-X-01")
    assert values(got, "HS-3", "status", "channel", "finished_on") == (7, 3, D(2024, 2, 19))
    wb = openpyxl.Workbook()
    wb.active.append(keys)
    for rec in records:
        wb.active.append([rec[k] for k in keys])
    wb.save(tmp_path / "portal.xlsx")
    r = import_dossiers(empty_engine, tmp_path / "portal.xlsx", report_dir=tmp_path)
    assert (r.added, r.updated, r.unchanged, r.rejected) == (0, 0, 3, 0)


# ---------------------------------------------------------------- 2. "Sổ theo dõi hồ sơ" registers

def register_workbook(path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    ws.append(["TỔNG HỢP"])
    ws.append(["Tháng", "Tiếp nhận", "Đã giải quyết"])
    ws.append(["1", 2, 1])
    month_rows = {
        "T1": [[1, "DP-01", "Đăng ký khai sinh", "Tư pháp – Hộ tịch", dt.datetime(2024, 1, 15, 8, 30), dt.date(2024, 1, 16),
                dt.date(2024, 1, 16), dt.date(2024, 1, 16), "Đã trả kết quả", "Trực tiếp"],
               [2, "DP-02", "Chứng thực bản sao từ bản chính", "Tư pháp – Hộ tịch", "17/01/2024", "17/01/2024", None,
                None, "Quá hạn", "Dịch vụ bưu chính công ích"]],
        "T2": [[1, "DP-03", "Tiếp nhận hồ sơ đăng ký biến động đất đai", "Đất đai", "19/02/2024", "04/03/2024", None,
                None, "Chờ bổ sung", "nộp trực tuyến"],
               [2, "DP-04", "Đăng ký khai sinh", "Tư pháp – Hộ tịch", "45348", "45349", "45349", None, "ĐÃ GIẢI QUYẾT",
                "TRỰC TIẾP"]],
    }
    for title, rows in month_rows.items():
        ws = wb.create_sheet(title)
        ws.append(["UBND HUYỆN QUẾ SƠN", None, None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
        ws.append(["UBND THỊ TRẤN ĐÔNG PHÚ", None, None, None, None, None, "Độc lập - Tự do - Hạnh phúc"])
        ws.append([])
        ws.append([f"SỔ THEO DÕI HỒ SƠ {title}/2024"])
        ws.append(["STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Lĩnh vực", "Ngày", None, None, None, "Trạng thái", "Kênh nộp"])
        ws.append([None, None, None, None, "Tiếp nhận", "Hẹn trả", "Kết thúc xử lý", "Trả kết quả", None, None])
        for c in "ABCDIJ":
            ws.merge_cells(f"{c}5:{c}6")
        ws.merge_cells("E5:H5")
        ws.append([f"({i})" for i in range(1, 11)])
        for r in rows:
            ws.append(r)
        ws.append([])
        ws.append(["Tổng cộng", f"{len(rows)} hồ sơ"])
        ws.append([None, None, None, None, None, None, "Đông Phú, ngày 29 tháng 02 năm 2024"])
        ws.append([None, "Người lập biểu", None, None, None, None, "Thủ trưởng đơn vị"])
    wb.save(path)


def test_imp304_register_workbook_with_title_block_and_no_agency_column(empty_engine, tmp_path):
    catalogue(empty_engine)
    register_workbook(tmp_path / "so.xlsx")
    r = import_dossiers(empty_engine, tmp_path / "so.xlsx", report_dir=tmp_path)
    # Per month sheet: the column-number row, the totals row, the date line and the signatures are skipped.
    assert (r.rows_read, r.added, r.rejected, r.skipped) == (4, 4, 0, 8)
    assert r.sheets == ["T1", "T2"] and any("Tổng hợp" in n for n in r.notes) and r.date_order == "dmy"
    got = stored(empty_engine)
    assert values(got, "DP-01", *COLS) == (D(2024, 1, 15), D(2024, 1, 16), D(2024, 1, 16), D(2024, 1, 16), 10, 1,
                                           "X20641", "TP-X-01")
    # The name of two levels at a commune desk: the commune's; "Quá hạn": in progress.
    assert values(got, "DP-02", *COLS) == (D(2024, 1, 17), D(2024, 1, 17), None, None, 4, 3, "X20641", "TP-X-04")
    assert values(got, "DP-03", "status", "channel", "procedure_code") == (5, 2, "DD-X-01")
    # Serial numbers written as text: 45348 = 26/02/2024.
    assert values(got, "DP-04", "received_on", "due_on", "finished_on", "status", "channel") == (
        D(2024, 2, 26), D(2024, 2, 27), D(2024, 2, 27), 9, 1)
    with empty_engine.connect() as conn:
        run = conn.execute(select(ImportRun.skipped, ImportRun.details).order_by(ImportRun.id.desc())).first()
    assert run.skipped == 8 and "XLSX" in run.details


def test_imp305_register_in_excel_97_written_by_another_program(empty_engine, tmp_path):
    """tests/files/register-97.xls (BIFF, written by xlwt): title naming the commune desk, merged header
    cells, real date cells and text dates, a summary sheet, totals and signatures."""
    catalogue(empty_engine)
    r = import_dossiers(empty_engine, FILES / "register-97.xls", report_dir=tmp_path)
    assert (r.added, r.rejected, r.skipped) == (3, 0, 4) and r.fmt == "Excel 97-2003 (.xls)"
    got = stored(empty_engine)
    assert values(got, "QX1-0301", *COLS) == (D(2024, 3, 4), D(2024, 3, 5), D(2024, 3, 5), D(2024, 3, 5), 10, 1,
                                              "X20650", "TP-X-01")
    assert values(got, "QX1-0302", *COLS) == (D(2024, 3, 12), D(2024, 3, 12), D(2024, 3, 12), None, 9, 3, "X20650", "TP-X-04")
    assert values(got, "QX1-0303", "status", "channel", "procedure_code", "due_on") == (4, 2, "DD-X-01", D(2024, 4, 3))


def test_imp306_unit_name_is_looked_for_in_the_district_the_row_or_sheet_names(empty_engine, tmp_path):
    """Xã Tân Minh is a commune of Huyện Sóc Sơn and of Huyện Thường Tín (Hà Nội, official 2023 codes):
    the row's district column or the sheet's title settles it; with neither it is rejected, both listed."""
    catalogue(empty_engine)
    units = write_csv(tmp_path / "u.csv", ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp", "Mã đơn vị cấp trên"],
                      [["1", "Thành phố Hà Nội", "thành phố trung ương", "tỉnh", ""],
                       ["16", "Huyện Sóc Sơn", "huyện", "huyện", "1"], ["279", "Huyện Thường Tín", "huyện", "huyện", "1"],
                       ["406", "Xã Tân Minh", "xã", "xã", "16"], ["10240", "Xã Tân Minh", "xã", "xã", "279"]])
    assert import_catalog(empty_engine, "units", units, report_dir=tmp_path).rejected == 0
    header = ["Mã hồ sơ", "Tên thủ tục", "Đơn vị tiếp nhận", "Huyện", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái"]
    rows = [["TM-1", "Đăng ký khai sinh", "UBND xã Tân Minh", "Huyện Thường Tín", "13/03/2024", "14/03/2024", "Đang xử lý"],
            ["TM-2", "Đăng ký khai sinh", "UBND xã Tân Minh", "Sóc Sơn", "13/03/2024", "14/03/2024", "Đang xử lý"],
            ["TM-3", "Đăng ký khai sinh", "UBND xã Tân Minh", "", "13/03/2024", "14/03/2024", "Đang xử lý"]]
    r = import_dossiers(empty_engine, write_csv(tmp_path / "tm.csv", header, rows), report_dir=tmp_path)
    assert (r.added, r.rejected) == (2, 1)
    got = stored(empty_engine)
    assert got.loc["TM-1", "agency_code"] == "X10240" and got.loc["TM-2", "agency_code"] == "X406"
    assert got.loc["TM-1", "channel"] == 0
    reason = read_report(r.report_path)["Reason"][0]
    assert "several agencies" in reason and "X406" in reason and "X10240" in reason
    # A sheet whose title names the district settles the same name.
    wb = openpyxl.Workbook()
    wb.active.append(["UBND HUYỆN SÓC SƠN"])
    wb.active.append([h for h in header if h != "Huyện"])
    wb.active.append(["TM-3", "Đăng ký khai sinh", "UBND xã Tân Minh", "13/03/2024", "14/03/2024", "Đang xử lý"])
    wb.save(tmp_path / "tm.xlsx")
    r = import_dossiers(empty_engine, tmp_path / "tm.xlsx", report_dir=tmp_path)
    assert (r.added, r.rejected) == (1, 0) and stored(empty_engine).loc["TM-3", "agency_code"] == "X406"


# ---------------------------------------------------------------- 3. web "Excel" downloads: HTML named .xls

WEB_PAGE = """<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>
<meta http-equiv="content-type" content="application/vnd.ms-excel; charset=UTF-8"></head><body>
<h3>DANH SÁCH HỒ SƠ TIẾP NHẬN</h3>
<table border="1">
<tr><th rowspan="2">STT</th><th rowspan="2">Số hồ sơ</th><th rowspan="2">Thủ tục hành chính</th>
<th rowspan="2">Đơn vị tiếp nhận</th><th colspan="3">Ngày</th><th rowspan="2">Tình trạng</th><th rowspan="2">Hình thức nộp</th></tr>
<tr><th>Nhận hồ sơ</th><th>Hẹn trả</th><th>Có kết quả</th></tr>
<tr><td>1</td><td>W-1</td><td>Đăng ký biến động quyền sử dụng đất</td><td>UBND huyện Quế Sơn</td>
<td>04/03/2024 08:15</td><td>18/03/2024</td><td>15/03/2024</td><td>Đã giải quyết</td><td>Trực tiếp</td></tr>
<tr><td>2</td><td>W-2</td><td>Chứng thực bản sao<br>từ bản chính</td><td>Ủy ban nhân dân Thành phố Tam Kỳ</td>
<td>13/03/2024 14:05</td><td>13/03/2024</td><td>13/03/2024</td><td>Đã trả kết quả</td><td>Dịch vụ bưu chính công ích</td></tr>
<tr><td>3</td><td>W-3</td><td>Đăng ký khai sinh</td><td>UBND xã Quế Xuân 1</td>
<td>2024-03-05T01:40:00Z</td><td>06/03/2024</td><td></td><td>Mới đăng ký</td><td>Nộp trực tuyến</td></tr>
<tr><td colspan="4"><b>Tổng số: 3 hồ sơ</b></td><td colspan="5"></td></tr>
</table></body></html>"""


def test_imp307_html_table_saved_as_xls(empty_engine, tmp_path):
    catalogue(empty_engine)
    (tmp_path / "DanhSachHoSo.xls").write_text(WEB_PAGE, encoding="utf-8")
    r = import_dossiers(empty_engine, tmp_path / "DanhSachHoSo.xls", report_dir=tmp_path)
    assert (r.added, r.rejected, r.skipped) == (3, 0, 1) and r.fmt.startswith("HTML table")
    got = stored(empty_engine)
    assert values(got, "W-1", *COLS) == (D(2024, 3, 4), D(2024, 3, 18), D(2024, 3, 15), None, 9, 1, "H509", "DD-H-01")
    # The district-level desk: the district's "Chứng thực bản sao từ bản chính".
    assert values(got, "W-2", *COLS) == (D(2024, 3, 13), D(2024, 3, 13), D(2024, 3, 13), None, 10, 3,
                                         "H502", "TP-H-01")
    # 01:40 UTC is 08:40 in Vietnam, the same day.
    assert values(got, "W-3", "received_on", "status", "channel", "agency_code") == (D(2024, 3, 5), 1, 2, "X20650")


# ---------------------------------------------------------------- 4. CSV saved by Excel on office PCs

OFFICE_HEADER = ["Mã hồ sơ", "Tên thủ tục", "Cơ quan tiếp nhận", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý",
                 "Trạng thái", "Kênh nộp"]


def test_imp308_windows_1258_semicolons_and_tone_marks(empty_engine, tmp_path):
    catalogue(empty_engine)
    rows = [["C-1", "Đăng ký thế chấp quyền sử dụng đất", "UBND Thành phố Tam Kỳ", "15/04/2024", "16/04/2024", "16/04/2024",
             "Đã giải quyết", "Qua bưu chính công ích"],
            ["C-2", "Đăng ký khai sinh", "UBND Thị trấn Đông Phú", "02/04/2024", "03/04/2024", "", "Chờ bổ sung", "Trực tiếp"],
            ["C-3", "Cấp Phiếu lý lịch tư pháp", "Sở Tư pháp", "08.04.2024", "22.04.2024", "", "Đang xử lý quá hạn",
             "Nộp trực tuyến"]]
    text = "\r\n".join(";".join(r) for r in [OFFICE_HEADER, *rows]) + "\r\n"
    raw = to_cp1258(text)
    assert "\u0301".encode("cp1258") in raw  # tone marks are combining characters in this file
    (tmp_path / "office.csv").write_bytes(raw)
    r = import_dossiers(empty_engine, tmp_path / "office.csv", report_dir=tmp_path)
    assert (r.added, r.rejected) == (3, 0) and r.fmt == "CSV (Windows-1258, ';')" and r.date_order == "dmy"
    got = stored(empty_engine)
    assert values(got, "C-1", *COLS) == (D(2024, 4, 15), D(2024, 4, 16), D(2024, 4, 16), None, 9, 3, "H502", "DD-H-04")
    assert values(got, "C-2", "status", "channel", "agency_code", "procedure_code") == (5, 1, "X20641", "TP-X-01")
    assert values(got, "C-3", "received_on", "due_on", "status", "channel", "agency_code", "procedure_code") == (
        D(2024, 4, 8), D(2024, 4, 22), 4, 2, "STP", "TP-T-01")


def test_imp309_english_us_dates_import_right_never_swapped(empty_engine, tmp_path):
    catalogue(empty_engine)
    rows = [["U-1", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1", "11/1/2024 2:30 PM", "11/4/2024", "11/4/2024",
             "Đã trả kết quả", "Trực tuyến"],
            ["U-2", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1", "11/21/2024", "11/22/2024", "", "Đang xử lý", "Trực tiếp"]]
    r = import_dossiers(empty_engine, write_csv(tmp_path / "us.csv", OFFICE_HEADER, rows), report_dir=tmp_path)
    assert (r.added, r.rejected, r.date_order) == (2, 0, "mdy")
    assert "month/day" in r.date_order_text and "11/21/2024" in r.date_order_text
    got = stored(empty_engine)
    assert values(got, "U-1", "received_on", "due_on", "finished_on") == (D(2024, 11, 1), D(2024, 11, 4), D(2024, 11, 4))


def test_imp310_undecidable_or_contradictory_dates_refused_whole(empty_engine, tmp_path):
    catalogue(empty_engine)
    ambiguous = [["A-1", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1", "11/1/2024", "11/4/2024", "", "Đang xử lý", "Trực tiếp"]]
    path = write_csv(tmp_path / "amb.csv", OFFICE_HEADER, ambiguous)
    with pytest.raises(DateOrderError) as exc:
        import_dossiers(empty_engine, path, report_dir=tmp_path)
    assert "--date-order dmy" in str(exc.value) and "--date-order mdy" in str(exc.value) and "11/1/2024" in str(exc.value)
    assert count(empty_engine, Dossier) == 0
    r = import_dossiers(empty_engine, path, report_dir=tmp_path, date_order="mdy")
    assert stored(empty_engine).loc["A-1", "received_on"] == D(2024, 11, 1)
    assert "--date-order" in r.date_order_text
    contradictory = [["B-1", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1", "25/11/2024", "26/11/2024", "", "Đang xử lý", "Trực tiếp"],
                     ["B-2", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1", "11/25/2024", "11/26/2024", "", "Đang xử lý", "Trực tiếp"]]
    path = write_csv(tmp_path / "both.csv", OFFICE_HEADER, contradictory)
    with pytest.raises(DateOrderError, match="contradicts itself: the column Ngày tiếp nhận has both 25/11/2024"):
        import_dossiers(empty_engine, path, report_dir=tmp_path)
    assert count(empty_engine, Dossier) == 1


def test_imp311_check_reads_everything_and_writes_nothing(empty_engine, tmp_path):
    catalogue(empty_engine)
    path = tmp_path / "dongbo.json"
    path.write_text(json.dumps(OPENCPS_BODY, ensure_ascii=False), encoding="utf-8")
    before = (count(empty_engine, Dossier), count(empty_engine, ImportRun), count(empty_engine, Procedure))
    c = import_dossiers(empty_engine, path, report_dir=tmp_path, check=True)
    assert (count(empty_engine, Dossier), count(empty_engine, ImportRun), count(empty_engine, Procedure)) == before
    assert c.report_path is None and not list(tmp_path.glob("*rejected.csv"))
    assert (c.added, c.rejected, c.procedures_added, c.unknown_channel) == (4, 1, ["1.010099"], 4)
    assert c.top_reasons and "not in the catalogue" in c.top_reasons[0][0]
    r = import_dossiers(empty_engine, path, report_dir=tmp_path)
    assert (r.added, r.rejected) == (c.added, c.rejected)


def test_imp312_a_provinces_own_wordings(empty_engine, tmp_path):
    catalogue(empty_engine)
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"status": {"Hồ sơ đã hoàn tất": 10, "Trễ hẹn": "Đang xử lý"},
                                  "channel": {"Nộp tại Bộ phận một cửa": "Trực tiếp"},
                                  "agency": {"BPMC huyện Quế Sơn": "H509"}}, ensure_ascii=False), encoding="utf-8")
    rows = [["L-1", "Đăng ký biến động quyền sử dụng đất", "BPMC huyện Quế Sơn", "14/05/2024", "28/05/2024", "27/05/2024",
             "hồ sơ đã HOÀN TẤT", "Nộp tại bộ phận một cửa"],
            ["L-2", "Đăng ký biến động quyền sử dụng đất", "BPMC huyện Quế Sơn", "14/05/2024", "28/05/2024", "",
             "Trễ hẹn", "Nộp tại bộ phận một cửa"]]
    path = write_csv(tmp_path / "own.csv", OFFICE_HEADER, rows)
    with pytest.raises(NothingValid) as exc:  # without the file: unknown words, rejected with their reasons
        import_dossiers(empty_engine, path, report_dir=tmp_path)
    reasons = read_report(exc.value.result.report_path)["Reason"].tolist()
    assert any("unknown status" in x for x in reasons) and any("BPMC huyện Quế Sơn" in x for x in reasons)
    r = import_dossiers(empty_engine, path, report_dir=tmp_path, labels=str(labels))
    assert (r.added, r.rejected) == (2, 0)
    got = stored(empty_engine)
    assert values(got, "L-1", "status", "channel", "agency_code") == (10, 1, "H509")
    assert values(got, "L-2", "status") == (4,)


@pytest.mark.parametrize("content", [b"{", b"[]", b'{"service": "DongBoHoSoMC", "data": "x"}', b"<html><body>no table</body></html>",
                                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, b"<table><tr><td>a</td></tr></table>"],
                         ids=["broken-json", "empty-list", "data-not-a-list", "html-no-table", "fake-ole", "one-cell"])
def test_imp313_broken_files_of_the_new_formats_say_what(empty_engine, tmp_path, content):
    catalogue(empty_engine)
    path = tmp_path / ("bad.json" if content[:1] in b"{[" else "bad.xls")
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as exc:
        import_dossiers(empty_engine, path, report_dir=tmp_path)
    assert path.name in str(exc.value) and "\n" not in str(exc.value)
    assert count(empty_engine, Dossier) == 0
