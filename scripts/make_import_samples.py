"""Write data/samples/'s files of the four source families (run once; the files are committed).

Each is written from the public description of its format (docs/import-format.md says
where each comes from), for the sample catalogues (units.csv, agencies.csv, procedures.csv):

* portal-dongbohosomc.json: the national portal's DongBoHoSoMC body as opencps-v2 builds it
  (no KenhThucHien: the channel is not known); portal-records.json: the bare list another
  system posts (with KenhThucHien); portal-records.csv: those records flattened under the
  portal's field names;
* so-theo-doi-ho-so.xlsx: a "Sổ theo dõi hồ sơ" register: a sheet per month and a summary
  sheet, title block, two-row header with "Ngày" merged over its sub-columns, the
  "(1) (2) (3)…" row, totals and a signature block; no agency column (the title names the
  desk); so-theo-doi-ho-so-97.xls, the same in Excel 97-2003 (needs xlwt: ``--xls``);
* web-export-html.xls: a web system's "Xuất Excel": an HTML table named .xls;
* office-pc-windows1258.csv (Vietnamese Windows settings: Windows-1258 with combining tone
  marks, ";", dd/mm/yyyy) and office-pc-en-us.csv (English (US) settings: m/d/yyyy).

    python scripts/make_import_samples.py [--xls]   # --xls needs the xlwt package (not a dependency)
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.test_import import to_cp1258  # noqa: E402  (the one Windows-1258 writer: the tests' own)

OUT = Path(__file__).resolve().parent.parent / "data" / "samples"


def ts(y, m, d, hh=8, mm=0) -> str:
    return dt.datetime(y, m, d, hh, mm).strftime("%Y%m%d%H%M%S")


def portal_record(code, ma_tthc, ten_tthc, ma_lv, ten_lv, don_vi, rec, due, fin, ret, status, kenh=None):
    r = {"MaHoSo": code, "MaTTHC": ma_tthc, "TenTTHC": ten_tthc, "MaLinhVuc": ma_lv, "TenLinhVuc": ten_lv,
         "ChuHoSo": "Nguyễn Văn A", "LoaiDoiTuong": "1", "MaDoiTuong": "", "ThongTinKhac": "", "Email": "", "Fax": "",
         "SoDienThoai": "0905000000", "TrichYeuHoSo": ten_tthc, "NgayTiepNhan": rec, "NgayHenTra": due,
         "TrangThaiHoSo": str(status), "NgayTra": ret, "ThongTinTra": "", "HinhThuc": "0", "NgayKetThucXuLy": fin,
         "DonViXuLy": don_vi, "GhiChu": "", "TaiLieuNop": [], "DanhSachLePhi": [], "DanhSachTepDinhKemKhac": [],
         "DanhSachHoSoBoSung": [], "DanhSachGiayToKetQua": []}
    if kenh is not None:
        r["KenhThucHien"] = str(kenh)
    return r


def portal() -> None:
    body = {"service": "DongBoHoSoMC", "isUpdating": False, "data": [
        portal_record("000.00.20.H22-240115-0001", "TP-X-01", "Đăng ký khai sinh", "TP", "Tư pháp – Hộ tịch",
                      "UBND Thị trấn Đông Phú", ts(2024, 1, 15), ts(2024, 1, 16, 17), ts(2024, 1, 15, 16), ts(2024, 1, 16, 9), 10),
        portal_record("000.00.20.H22-240122-0002", "2.000908", "Chứng thực bản sao từ bản chính", "TP", "Tư pháp – Hộ tịch",
                      "UBND Xã Quế Xuân 1", ts(2024, 1, 22), ts(2024, 1, 22, 17), ts(2024, 1, 22, 15), "", 9),
        portal_record("000.00.12.H22-240125-0003", "DD-H-01", "Đăng ký biến động quyền sử dụng đất", "DD", "Đất đai",
                      "UBND Huyện Quế Sơn", ts(2024, 1, 25), ts(2024, 2, 22, 17), "", "", 4),
        portal_record("000.00.01.H22-240129-0004", "1.010099", "Cấp bản sao trích lục hộ tịch", "TP", "Tư pháp – Hộ tịch",
                      "Sở Tư pháp tỉnh Quảng Nam", ts(2024, 1, 29), ts(2024, 1, 31, 17), ts(2024, 1, 30, 10),
                      ts(2024, 1, 30, 14), 10),
    ]}
    (OUT / "portal-dongbohosomc.json").write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    records = [
        portal_record("000.00.20.H22-240205-0005", "TP-X-01", "Đăng ký khai sinh", "TP", "Tư pháp – Hộ tịch",
                      "UBND Xã Quế Xuân 1", ts(2024, 2, 5), ts(2024, 2, 6, 17), ts(2024, 2, 6, 10), ts(2024, 2, 6, 15), 10, 2),
        portal_record("000.00.20.H22-240219-0006", "DD-X-01", "Tiếp nhận hồ sơ đăng ký biến động đất đai", "DD", "Đất đai",
                      "UBND Phường Tân Thạnh", ts(2024, 2, 19), ts(2024, 3, 4, 17), ts(2024, 3, 6, 9), "", 9, 3),
        portal_record("000.00.01.H22-240220-0007", "DD-T-01", "Đăng ký biến động đất đai (tổ chức)", "DD", "Đất đai",
                      "Sở Tài nguyên và Môi trường", ts(2024, 2, 20), ts(2024, 3, 5, 17), "", "", 5, 1),
    ]
    (OUT / "portal-records.json").write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    keys = [k for k in records[0] if not isinstance(records[0][k], list)]
    with open(OUT / "portal-records.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(keys)
        for r in records:
            w.writerow([r[k] for k in keys])


REGISTER_HEADER_1 = ["STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Lĩnh vực", "Ngày", None, None, None, "Trạng thái",
                     "Kênh nộp", "Ghi chú"]
REGISTER_HEADER_2 = [None, None, None, None, "Tiếp nhận", "Hẹn trả", "Kết thúc xử lý", "Trả kết quả", None, None, None]
REGISTER_ROWS = {
    "Tháng 1": [
        ["DP-2401-001", "Đăng ký khai sinh", "Tư pháp – Hộ tịch", dt.date(2024, 1, 15), "16/01/2024", "16/01/2024",
         "16/01/2024", "Đã trả kết quả", "Trực tiếp", ""],
        ["DP-2401-002", "Chứng thực bản sao từ bản chính", "Tư pháp – Hộ tịch", "17/01/2024", "17/01/2024", "17/01/2024",
         "", "Đã xử lý xong", "Qua bưu chính công ích", ""],
        ["DP-2401-003", "Tiếp nhận hồ sơ đăng ký biến động đất đai", "Đất đai", "22/01/2024", "05/02/2024", "", "",
         "Quá hạn", "Nộp trực tuyến", ""],
    ],
    "Tháng 2": [
        ["DP-2402-001", "Đăng ký khai sinh", "Tư pháp – Hộ tịch", "19/02/2024", "20/02/2024", "", "",
         "Yêu cầu bổ sung giấy tờ", "Trực tuyến", ""],
        ["DP-2402-002", "Chứng thực bản sao từ bản chính", "Tư pháp – Hộ tịch", "26/02/2024", "26/02/2024", "", "",
         "Công dân yêu cầu rút hồ sơ", "Trực tiếp", "Công dân rút hồ sơ ngày 26/02"],
    ],
}


def register_rows(title: str, month: int) -> list[list]:
    """The rows of one month's sheet, top to bottom, as a person lays out the register."""
    rows = [["UBND HUYỆN QUẾ SƠN", None, None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["UBND THỊ TRẤN ĐÔNG PHÚ", None, None, None, None, None, "Độc lập - Tự do - Hạnh phúc"],
            [],
            [f"SỔ THEO DÕI HỒ SƠ — {title.upper()} NĂM 2024"],
            [],
            REGISTER_HEADER_1, REGISTER_HEADER_2,
            [f"({i})" for i in range(1, 12)]]
    for i, r in enumerate(REGISTER_ROWS[title], start=1):
        rows.append([i, *r])
    rows += [[None], ["Tổng cộng", f"{len(REGISTER_ROWS[title])} hồ sơ"], [],
             [None, None, None, None, None, None, None, f"Đông Phú, ngày 31 tháng {month:02d} năm 2024"],
             [None, "Người lập biểu", None, None, None, None, None, "Thủ trưởng đơn vị"],
             [None, "(Ký, ghi rõ họ tên)", None, None, None, None, None, "(Ký tên, đóng dấu)"]]
    return rows


MERGES = ["B6:B7", "C6:C7", "D6:D7", "E6:H6", "I6:I7", "J6:J7", "K6:K7", "A6:A7", "A4:K4"]


def register_xlsx() -> None:
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Tổng hợp"
    summary.append(["TỔNG HỢP TÌNH HÌNH TIẾP NHẬN HỒ SƠ NĂM 2024"])
    summary.append(["Tháng", "Số hồ sơ tiếp nhận", "Đã giải quyết", "Đang giải quyết"])
    summary.append(["Tháng 1", 3, 2, 1])
    summary.append(["Tháng 2", 2, 1, 1])
    for month, title in enumerate(REGISTER_ROWS, start=1):
        ws = wb.create_sheet(title)
        for r in register_rows(title, month):
            ws.append(r)
        for m in MERGES:
            ws.merge_cells(m)
        for cell in ws[6] + ws[7]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for row in ws.iter_rows(min_row=9, max_row=8 + len(REGISTER_ROWS[title])):
            if isinstance(row[4].value, dt.date):
                row[4].number_format = "dd/mm/yyyy"
    wb.save(OUT / "so-theo-doi-ho-so.xlsx")


def register_xls() -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for month, title in enumerate(REGISTER_ROWS, start=1):
        ws = wb.add_sheet(title)
        for r_i, row in enumerate(register_rows(title, month)):
            for c_i, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write(r_i, c_i, v, date_style)
                else:
                    ws.write(r_i, c_i, v)
    wb.save(str(OUT / "so-theo-doi-ho-so-97.xls"))


def web_html() -> None:
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in [
            ["1", "H509-2403-0101", "Đăng ký biến động quyền sử dụng đất", "Đất đai", "UBND huyện Quế Sơn",
             "04/03/2024 08:15", "18/03/2024", "15/03/2024", "Đã giải quyết", "Trực tiếp"],
            ["2", "X20650-2403-0102", "Đăng ký khai sinh", "Tư pháp – Hộ tịch", "UBND xã Quế Xuân 1",
             "05/03/2024 09:40", "06/03/2024", "", "Đang xử lý", "Nộp trực tuyến"],
            ["3", "X20335-2403-0103", "Chứng thực bản sao từ bản chính", "Tư pháp – Hộ tịch", "UBND phường Tân Thạnh",
             "13/03/2024 14:05", "13/03/2024", "13/03/2024", "Đã trả kết quả", "Dịch vụ bưu chính công ích"],
        ])
    page = f"""<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="content-type" content="application/vnd.ms-excel; charset=UTF-8">
<title>DanhSachHoSo</title></head>
<body>
<h3>DANH SÁCH HỒ SƠ TIẾP NHẬN TỪ 01/03/2024 ĐẾN 31/03/2024</h3>
<table border="1">
<tr><th rowspan="2">STT</th><th rowspan="2">Số hồ sơ</th><th rowspan="2">Thủ tục hành chính</th><th rowspan="2">Lĩnh vực</th>
<th rowspan="2">Đơn vị tiếp nhận</th><th colspan="3">Ngày</th><th rowspan="2">Tình trạng</th><th rowspan="2">Hình thức nộp</th></tr>
<tr><th>Nhận hồ sơ</th><th>Hẹn trả</th><th>Có kết quả</th></tr>
{rows}
<tr><td colspan="5"><b>Tổng số: 3 hồ sơ</b></td><td colspan="5"></td></tr>
</table>
</body></html>
"""
    (OUT / "web-export-html.xls").write_text(page, encoding="utf-8")


OFFICE_HEADER = ["Mã hồ sơ", "Tên thủ tục", "Cơ quan tiếp nhận", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý",
                 "Trạng thái", "Kênh nộp"]


def office_csv() -> None:
    vn = [["H502-2404-0201", "Đăng ký thế chấp quyền sử dụng đất", "UBND Thành phố Tam Kỳ", "15/04/2024", "16/04/2024",
           "16/04/2024", "Đã giải quyết", "Qua bưu chính công ích"],
          ["X20641-2404-0202", "Đăng ký khai sinh", "UBND Thị trấn Đông Phú", "02/04/2024", "03/04/2024", "",
           "Chờ bổ sung", "Trực tiếp"]]
    text = "\r\n".join(";".join(r) for r in [OFFICE_HEADER, *vn]) + "\r\n"
    (OUT / "office-pc-windows1258.csv").write_bytes(to_cp1258(text))
    us = [["H509-2405-0301", "Đăng ký biến động quyền sử dụng đất", "UBND Huyện Quế Sơn", "5/2/2024 8:30", "5/16/2024",
           "5/14/2024", "Đã trả kết quả", "Trực tiếp"],
          ["X20650-2405-0302", "Đăng ký khai sinh", "UBND Xã Quế Xuân 1", "5/6/2024 14:10", "5/7/2024", "",
           "Đang xử lý", "Trực tuyến"]]
    with open(OUT / "office-pc-en-us.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([OFFICE_HEADER, *us])


def labels_file() -> None:
    labels = {"status": {"Hồ sơ đã hoàn tất": 10, "Trễ hẹn": "Đang xử lý"},
              "channel": {"Nộp tại Bộ phận một cửa": "Trực tiếp"},
              "agency": {"BPMC huyện Quế Sơn": "H509"}}
    (OUT / "import-labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    portal()
    register_xlsx()
    web_html()
    office_csv()
    labels_file()
    if "--xls" in sys.argv:
        register_xls()
    print(f"written to {OUT}")
