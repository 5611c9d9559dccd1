"""Accepted column headers for each kind of import, and the user's mapping option.

Headers are matched after normalising: Unicode NFC, diacritics removed, ``đ``→``d``,
lower case, every run of other characters turned into ``_``. So ``Mã hồ sơ``,
``MA HO SO`` and ``ma_ho_so`` are one header. English field names are accepted too.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path


def fold(text) -> str:
    """'Mã hồ sơ ' -> 'ma_ho_so' (accent-free, lower case, underscores)."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFD", str(text).strip().replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


@dataclass(frozen=True)
class Field:
    name: str  # internal field name (also accepted as a header)
    headers: tuple[str, ...]  # accepted headers (Vietnamese first: the documented one)
    required: bool = False
    en: str = ""  # English header accepted and documented

    @property
    def label(self) -> str:
        return self.headers[0]


F = Field
DOSSIER_FIELDS = [
    # The national portal's sync field names (DongBoHoSoMC: MaHoSo, MaTTHC, NgayTiepNhan...) are
    # accepted as headers too, so the portal's records flattened to CSV/XLSX read as they are.
    F("code", ("Mã hồ sơ", "Số hồ sơ", "Mã HS", "MaHoSo"), True, "Dossier code"),
    F("procedure_code", ("Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính", "MaTTHC"), False, "Procedure code"),
    F("agency_code", ("Mã cơ quan", "Mã cơ quan tiếp nhận", "Mã cơ quan giải quyết"), False, "Agency code"),
    F("unit_code", ("Mã đơn vị", "Mã đơn vị hành chính", "Mã địa bàn"), False, "Unit code"),
    F("received_on", ("Ngày tiếp nhận", "Ngày nhận", "Ngày nộp", "Ngày nhận hồ sơ", "NgayTiepNhan"), True, "Received on"),
    F("due_on", ("Ngày hẹn trả", "Ngày hẹn trả kết quả", "Hạn xử lý", "Ngày hẹn", "Hẹn trả kết quả", "NgayHenTra"), True,
      "Due on"),
    F("finished_on", ("Ngày kết thúc xử lý", "Ngày kết thúc", "Ngày hoàn thành", "Ngày xử lý xong", "Ngày có kết quả",
                      "NgayKetThucXuLy"), False, "Finished on"),
    F("returned_on", ("Ngày trả kết quả", "Ngày trả", "Trả kết quả", "NgayTra"), False, "Returned on"),
    F("status", ("Trạng thái", "Trạng thái hồ sơ", "Tình trạng", "Tình trạng hồ sơ", "TrangThaiHoSo"), False, "Status"),
    F("channel", ("Kênh nộp", "Kênh thực hiện", "Hình thức nộp", "Hình thức tiếp nhận", "Kênh tiếp nhận", "KenhThucHien"),
      False, "Channel"),
    F("by_postal_staff", ("Bưu điện tiếp nhận", "Nhân viên bưu điện tiếp nhận", "BCCI tiếp nhận"), False, "Received by postal staff"),
    F("supplement_days", ("Số ngày chờ bổ sung", "Số ngày bổ sung"), False, "Supplement days"),
    F("supplement_requests", ("Số lần yêu cầu bổ sung", "Số lần bổ sung"), False, "Supplement requests"),
    F("has_fee", ("Có phí", "Có phí, lệ phí"), False, "Has fee"),
    F("paid_online", ("Thanh toán trực tuyến",), False, "Paid online"),
    F("digitised", ("Số hóa", "Đã số hóa", "HoSoCoThanhPhanSoHoa"), False, "Digitised"),
    F("e_result", ("Kết quả điện tử", "Trả kết quả điện tử"), False, "Electronic result"),
    # The service index (docs/scorecard.md): the applicant's rating and publication on the national
    # portal. The portal's dossier sync (DongBoHoSoMC) carries neither; provincial one-stop systems
    # keep the rating as "mức độ hài lòng" (DanhGiaHaiLong / MucDoHaiLong in their tables).
    F("rating", ("Mức độ hài lòng", "Đánh giá hài lòng", "Kết quả đánh giá", "DanhGiaHaiLong", "MucDoHaiLong"),
      False, "Rating"),
    F("published_on_portal", ("Công khai trên Cổng DVCQG", "Đồng bộ Cổng DVCQG", "Công khai trên Cổng Dịch vụ công"),
      False, "Published on the national portal"),
    # Names: read when the codes are missing (resolved against the catalogue, see data/importer/resolve.py).
    F("procedure_name", ("Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính", "Thủ tục hành chính", "Thủ tục", "TenTTHC"),
      False, "Procedure name"),
    F("agency_name", ("Cơ quan tiếp nhận", "Tên cơ quan", "Đơn vị tiếp nhận", "Đơn vị xử lý", "Cơ quan giải quyết",
                      "Cơ quan chủ trì giải quyết", "Tên đơn vị tiếp nhận", "DonViXuLy"), False, "Agency name"),
    F("sector_code", ("Mã lĩnh vực", "MaLinhVuc"), False, "Sector code"),
    F("sector_name", ("Lĩnh vực", "Tên lĩnh vực", "TenLinhVuc"), False, "Sector"),
    F("district_name", ("Huyện", "Quận/huyện", "Quận, huyện", "Huyện/thị xã/thành phố", "Đơn vị cấp huyện"), False, "District"),
    F("commune_name", ("Xã", "Xã/phường/thị trấn", "Xã, phường, thị trấn", "Đơn vị cấp xã"), False, "Commune"),
    F("note", ("Ghi chú", "GhiChu"), False, "Note"),
]

UNIT_FIELDS = [
    F("code", ("Mã đơn vị", "Mã đơn vị hành chính"), True, "Unit code"),
    F("name", ("Tên đơn vị", "Tên"), True, "Name"),
    F("short_name", ("Tên ngắn", "Tên gọn"), False, "Short name"),
    F("division_type", ("Loại đơn vị", "Loại"), True, "Division type"),
    F("level", ("Cấp",), True, "Level"),
    F("parent_code", ("Mã đơn vị cấp trên", "Mã cấp trên"), False, "Parent code"),
    F("sort_order", ("Thứ tự",), False, "Sort order"),
]

AGENCY_FIELDS = [
    F("code", ("Mã cơ quan",), True, "Agency code"),
    F("name", ("Tên cơ quan",), True, "Name"),
    F("name_en", ("Tên tiếng Anh",), False, "English name"),
    F("unit_code", ("Mã đơn vị",), True, "Unit code"),
]

PROCEDURE_FIELDS = [
    F("code", ("Mã thủ tục",), True, "Procedure code"),
    F("name", ("Tên thủ tục",), True, "Name"),
    F("name_en", ("Tên tiếng Anh",), False, "English name"),
    F("sector_code", ("Mã lĩnh vực",), True, "Sector code"),
    F("sector_name", ("Lĩnh vực", "Tên lĩnh vực"), False, "Sector name"),
    F("sector_name_en", ("Lĩnh vực (tiếng Anh)",), False, "Sector name (English)"),
    F("level", ("Cấp thực hiện", "Cấp"), True, "Level"),
    F("online_level", ("Mức độ trực tuyến", "Dịch vụ công trực tuyến"), True, "Online level"),
    F("processing_days", ("Thời hạn giải quyết (ngày làm việc)", "Thời hạn giải quyết", "Số ngày giải quyết"), True, "Processing days"),
]

POSTAL_FIELDS = [
    F("unit_code", ("Mã đơn vị",), True, "Unit code"),
    F("year", ("Năm",), True, "Year"),
    F("postal_staff", ("Số nhân viên bưu điện",), True, "Postal staff"),
    F("civil_servants", ("Số công chức được thay thế", "Số công chức"), True, "Civil servants"),
    F("procedures_moved", ("Số thủ tục chuyển giao",), True, "Procedures moved"),
    F("procedures_total", ("Tổng số thủ tục",), True, "Procedures total"),
    F("decided_on", ("Ngày quyết định",), False, "Decided on"),
    F("note", ("Ghi chú",), False, "Note"),
]

# Read only to find what a code would say (names) or a status a register writes in its notes.
NAME_FIELDS = {"procedure_name", "agency_name", "sector_code", "sector_name", "district_name", "commune_name", "note"}
INFO_FIELDS: set[str] = set()  # nothing in a dossier file is read by people only any more

FIELDS = {"dossiers": DOSSIER_FIELDS, "units": UNIT_FIELDS, "agencies": AGENCY_FIELDS,
          "procedures": PROCEDURE_FIELDS, "postal": POSTAL_FIELDS}


def alias_table(kind: str, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Folded header -> field name, the user's mapping winning over the built-in names."""
    fields = FIELDS[kind]
    table: dict[str, str] = {}
    for f in fields:
        for h in (f.name, f.en, *f.headers):
            if h:
                table[fold(h)] = f.name
    for header, field in (mapping or {}).items():
        if field not in {f.name for f in fields}:
            raise ValueError(f"mapping: unknown field '{field}' for {kind} (known: {', '.join(f.name for f in fields)})")
        table[fold(header)] = field
    return table


def match_headers(kind: str, headers: list, mapping: dict[str, str] | None = None) -> dict[int, str]:
    """Column position -> field for every recognised header (first occurrence wins).
    Separators do not count either: ``Ma ho so``, ``ma_ho_so``, ``MaHoSo`` and ``maHoSo`` are one header."""
    table = alias_table(kind, mapping)
    squashed = {k.replace("_", ""): v for k, v in table.items()}
    out: dict[int, str] = {}
    seen = set()
    for i, h in enumerate(headers):
        key = fold(h)
        field = table.get(key) or squashed.get(key.replace("_", ""))
        if field and field not in seen:
            out[i] = field
            seen.add(field)
    return out


AGENCY_SOURCES = {"agency_code", "unit_code", "agency_name", "commune_name", "district_name"}


def missing_required(kind: str, matched: dict[int, str], agency_from_title: bool = False) -> list[Field]:
    """Required fields the header lacks. Dossiers: the code, both dates, the procedure (code or
    name) and the receiving agency (code, unit, name, or a register's title naming its desk)."""
    have = set(matched.values())
    missing = [f for f in FIELDS[kind] if f.required and f.name not in have]
    if kind == "dossiers":
        by_name = {f.name: f for f in DOSSIER_FIELDS}
        if not ({"procedure_code", "procedure_name"} & have):
            missing.append(by_name["procedure_code"])
        if not (AGENCY_SOURCES & have) and not agency_from_title:
            missing.append(by_name["agency_code"])
        if "status" not in have and not ({"finished_on", "returned_on"} & have):
            missing.append(by_name["status"])
    return missing


def load_mapping(pairs: tuple[str, ...] = (), path: str | None = None) -> dict[str, str]:
    """``--map "Số HS=code"`` options and/or a JSON file {"header": "field"}."""
    mapping: dict[str, str] = {}
    if path:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"mapping file {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"mapping file {path}: expected a JSON object {{\"header\": \"field\"}}")
        mapping.update({str(k): str(v) for k, v in data.items()})
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"--map '{pair}': expected HEADER=FIELD")
        header, field = pair.rsplit("=", 1)
        mapping[header.strip()] = field.strip()
    return mapping


def best_header(kind: str, rows: list[list], mapping) -> tuple[int, dict[int, str]]:
    """Index of the header row among the first rows and its column->field map.

    A header split over two rows by merged cells (``Ngày`` over ``Tiếp nhận | Hẹn trả``)
    is read as ``Ngày tiếp nhận``: the upper row is filled rightwards like a merged cell.
    """
    best_i, best_map = -1, {}
    for i, row in enumerate(rows):
        own = match_headers(kind, row, mapping)
        combined = dict(own)
        if i > 0:
            upper, last = [], ""
            for v in rows[i - 1]:
                last = str(v).strip() if v not in (None, "") else last
                upper.append(last)
            alt = []
            for j, v in enumerate(row):
                top = upper[j] if j < len(upper) else ""
                own_text = "" if v is None else str(v).strip()
                alt.append(f"{top} {own_text}".strip() if own_text else top)
            for j, f in match_headers(kind, alt, mapping).items():
                if j not in combined and f not in combined.values():
                    combined[j] = f
        if len(combined) > len(best_map):
            best_i, best_map = i, combined
    return best_i, best_map
