"""Reference data of the demo province: real units, real sectors, real procedure names.

Units and their official codes come from ``vietnam-provinces==0.5.0`` (2023
boundaries). Procedure codes are demo codes (``DD-H-01``), not national codes;
processing times, volumes and lateness weights are plausible demo values.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

PROVINCE_CODE = "49"

# Schematic tile map of Quảng Nam: row 0 is the north, column 0 the mountainous
# west, the coast in the east. Equal tiles, rough geography.
TILES = {
    "504": (0, 0), "505": (0, 1), "506": (0, 2), "507": (0, 3), "503": (0, 4),
    "510": (1, 1), "519": (1, 2), "508": (1, 3),
    "511": (2, 1), "512": (2, 2), "509": (2, 3), "513": (2, 4),
    "514": (3, 2), "518": (3, 3), "502": (3, 4),
    "515": (4, 2), "517": (4, 4),
    "516": (5, 2),
}


def load_units() -> list[dict]:
    """The province, its 18 district-level units and 241 communes, as unit rows."""
    provinces = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    prov = next(p for p in provinces if str(p["code"]) == PROVINCE_CODE)

    def short(name: str, division_type: str) -> str:
        prefix = division_type[:1].upper() + division_type[1:] + " "
        return name[len(prefix):] if name.startswith(prefix) else name

    rows = [dict(code=PROVINCE_CODE, name=prov["name"], short_name=short(prov["name"], prov["division_type"]),
                 division_type=prov["division_type"], level="province", parent_code=None,
                 tile_row=None, tile_col=None, sort_order=0)]
    for i, d in enumerate(sorted(prov["districts"], key=lambda d: d["code"])):
        code = str(d["code"])
        tile = TILES.get(code, (None, None))
        rows.append(dict(code=code, name=d["name"], short_name=short(d["name"], d["division_type"]),
                         division_type=d["division_type"], level="district", parent_code=PROVINCE_CODE,
                         tile_row=tile[0], tile_col=tile[1], sort_order=i + 1))
        for j, w in enumerate(sorted(d["wards"], key=lambda w: w["code"])):
            rows.append(dict(code=str(w["code"]), name=w["name"], short_name=short(w["name"], w["division_type"]),
                             division_type=w["division_type"], level="commune", parent_code=code,
                             tile_row=None, tile_col=None, sort_order=j + 1))
    return rows


SECTORS = [
    # code, Vietnamese, English
    ("DD", "Đất đai", "Land"),
    ("TP", "Tư pháp – Hộ tịch", "Justice – civil status"),
    ("XD", "Xây dựng", "Construction"),
    ("KHDT", "Kế hoạch và Đầu tư", "Planning and investment"),
    ("GTVT", "Giao thông vận tải", "Transport"),
    ("LDTBXH", "Lao động – TB&XH", "Labour and social affairs"),
    ("TNMT", "Tài nguyên và Môi trường", "Natural resources and environment"),
    ("YT", "Y tế", "Health"),
    ("GD", "Giáo dục và Đào tạo", "Education and training"),
    ("CT", "Công thương", "Industry and trade"),
]

# Provincial departments that receive dossiers at the Public Administration Service Center.
DEPARTMENTS = [
    # agency code, Vietnamese, English, sectors it handles
    ("STNMT", "Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment", ("DD", "TNMT")),
    ("STP", "Sở Tư pháp", "Department of Justice", ("TP",)),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment", ("KHDT",)),
    ("SXD", "Sở Xây dựng", "Department of Construction", ("XD",)),
    ("SGTVT", "Sở Giao thông vận tải", "Department of Transport", ("GTVT",)),
    ("SLDTBXH", "Sở Lao động – Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs", ("LDTBXH",)),
    ("SYT", "Sở Y tế", "Department of Health", ("YT",)),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training", ("GD",)),
    ("SCT", "Sở Công thương", "Department of Industry and Trade", ("CT",)),
]


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    name_en: str
    sector: str
    level: str
    online_level: str  # full / partial / none
    days: int  # processing time in working days
    volume: float  # relative share of the level's dossiers
    lateness: float  # relative propensity to be late


P = ProcedureSpec
PROCEDURES = [
    # Province: provincial departments
    P("KHDT-T-01", "Đăng ký thành lập doanh nghiệp", "Business registration (new enterprise)", "KHDT", "province", "full", 3, 10, 0.4),
    P("KHDT-T-02", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "Change of enterprise registration details", "KHDT", "province", "full", 3, 14, 0.4),
    P("GTVT-T-01", "Cấp đổi giấy phép lái xe", "Renewal of driving licence", "GTVT", "province", "full", 5, 30, 0.3),
    P("TP-T-01", "Cấp Phiếu lý lịch tư pháp", "Criminal record certificate", "TP", "province", "full", 10, 12, 0.5),
    P("XD-T-01", "Cấp giấy phép xây dựng công trình", "Construction permit (works)", "XD", "province", "partial", 15, 3, 2.0),
    P("DD-T-01", "Đăng ký biến động đất đai (tổ chức)", "Registration of land changes (organisations)", "DD", "province", "partial", 10, 6, 3.0),
    P("TNMT-T-01", "Cấp giấy phép môi trường", "Environmental permit", "TNMT", "province", "partial", 20, 2, 2.0),
    P("LDTBXH-T-01", "Cấp giấy phép lao động cho người nước ngoài", "Work permit for foreign workers", "LDTBXH", "province", "full", 5, 5, 0.5),
    P("YT-T-01", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "Medical practice certificate", "YT", "province", "partial", 10, 6, 1.0),
    P("GD-T-01", "Công nhận văn bằng do cơ sở nước ngoài cấp", "Recognition of foreign diplomas", "GD", "province", "full", 5, 4, 0.5),
    P("CT-T-01", "Cấp giấy phép bán buôn rượu", "Liquor wholesale licence", "CT", "province", "full", 10, 8, 0.5),
    # District: district People's Committees (land through the land-registration branch)
    P("DD-H-01", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "Registration of changes in land-use rights", "DD", "district", "partial", 10, 24, 6.0),
    P("DD-H-02", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "First issue of land-use right certificate", "DD", "district", "partial", 20, 9, 9.0),
    P("DD-H-03", "Cấp đổi, cấp lại Giấy chứng nhận quyền sử dụng đất", "Renewal / reissue of land-use right certificate", "DD", "district", "partial", 7, 8, 6.0),
    P("DD-H-04", "Đăng ký thế chấp quyền sử dụng đất", "Registration of land mortgage", "DD", "district", "full", 1, 12, 4.0),
    P("DD-H-05", "Xóa đăng ký thế chấp quyền sử dụng đất", "Cancellation of land mortgage registration", "DD", "district", "full", 1, 9, 4.0),
    P("DD-H-06", "Chuyển mục đích sử dụng đất", "Change of land-use purpose", "DD", "district", "none", 15, 4, 5.0),
    P("KHDT-H-01", "Đăng ký thành lập hộ kinh doanh", "Household business registration", "KHDT", "district", "full", 3, 10, 0.5),
    P("XD-H-01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Building permit for a private house", "XD", "district", "partial", 15, 6, 1.5),
    P("LDTBXH-H-01", "Giải quyết trợ cấp xã hội hàng tháng", "Monthly social allowance", "LDTBXH", "district", "partial", 7, 6, 0.6),
    P("CT-H-01", "Cấp giấy phép bán lẻ rượu", "Liquor retail licence", "CT", "district", "full", 10, 3, 0.5),
    P("TP-H-01", "Chứng thực bản sao từ bản chính", "Certified copy from the original", "TP", "district", "none", 1, 9, 0.2),
    # Commune: commune People's Committees
    P("TP-X-01", "Đăng ký khai sinh", "Birth registration", "TP", "commune", "full", 1, 18, 0.6),
    P("TP-X-02", "Đăng ký kết hôn", "Marriage registration", "TP", "commune", "partial", 1, 6, 0.6),
    P("TP-X-03", "Đăng ký khai tử", "Death registration", "TP", "commune", "full", 1, 6, 0.5),
    P("TP-X-04", "Chứng thực bản sao từ bản chính", "Certified copy from the original", "TP", "commune", "partial", 1, 20, 0.2),
    P("TP-X-05", "Cấp giấy xác nhận tình trạng hôn nhân", "Certificate of marital status", "TP", "commune", "full", 3, 12, 0.6),
    P("DD-X-01", "Tiếp nhận hồ sơ đăng ký biến động đất đai", "Receiving land change registrations", "DD", "commune", "partial", 10, 9, 6.0),
    P("DD-X-02", "Tiếp nhận hồ sơ cấp Giấy chứng nhận lần đầu", "Receiving first land certificate applications", "DD", "commune", "partial", 20, 3, 8.0),
    P("LDTBXH-X-01", "Đề nghị trợ cấp xã hội hàng tháng", "Application for monthly social allowance", "LDTBXH", "commune", "partial", 7, 6, 0.8),
    P("XD-X-01", "Xác nhận đủ điều kiện sửa chữa nhà ở", "Confirmation for house repairs", "XD", "commune", "none", 5, 2, 1.0),
]

# Postal substitution (Decision 2114 of the provincial People's Committee).
# 2023 reproduces the source article; 2022 and 2024 are demo values.
DISTRICTS_AT_FULL_2023 = ("519", "511", "516", "515", "505", "504", "513", "502", "510", "508", "509")
