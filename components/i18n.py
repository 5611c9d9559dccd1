"""Vietnamese first, English second: the app's words, and a way for pages to add theirs.

A page keeps its own strings in a dict ``{key: (vi, en)}`` and calls
``make_translator(PAGE_STRINGS)``; the shared words below are always there.
"""
from __future__ import annotations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

COMMON: dict[str, tuple[str, str]] = {
    "app.title": ("Giải quyết thủ tục hành chính", "Administrative procedures"),
    "nav.menu": ("Mở hoặc đóng danh sách trang", "Open or close the list of pages"),
    "app.subtitle": ("Bảng điều hành một cửa", "One-stop desk dashboard"),
    # Short: seven pages must fit one navbar line on a 1366 px laptop.
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.levels": ("Các cấp", "Levels"),
    "nav.late": ("Trễ hạn", "Late"),
    "nav.postal": ("Bưu chính", "Postal"),
    "nav.scorecard": ("Chỉ số", "Index"),
    "nav.report": ("Báo cáo", "Report"),
    "nav.present": ("Trình chiếu", "Present"),
    "nav.imports": ("Nhập dữ liệu", "Imports"),
    "filter.year": ("Năm", "Year"),
    "filter.district": ("Huyện / thị xã / thành phố", "District-level unit"),
    "filter.district.all": ("Toàn tỉnh", "Whole province"),
    "filter.sector": ("Lĩnh vực", "Sector"),
    "filter.sector.all": ("Tất cả lĩnh vực", "All sectors"),
    "filter.lang": ("Ngôn ngữ", "Language"),
    "level.province": ("Cấp tỉnh", "Province"),
    "level.district": ("Cấp huyện", "District level"),
    "level.commune": ("Cấp xã", "Commune level"),
    "channel.1": ("Trực tiếp", "In person"),
    "channel.2": ("Trực tuyến", "Online"),
    "channel.3": ("Qua bưu chính công ích", "By public postal service"),
    "channel.0": ("Không rõ kênh", "Channel not known"),
    "channel.unknown.note": ("{n} hồ sơ không rõ kênh nộp (tệp nhập không ghi): không tính vào tỷ lệ trực tuyến.",
                             "{n} dossiers with no known channel (the imported file did not say): left out of the online share."),
    "received_by.postal": ("Nhân viên bưu điện", "Postal staff"),
    "received_by.civil": ("Công chức", "Civil servant"),
    "status.1": ("Mới đăng ký", "Newly registered"),
    "status.2": ("Được tiếp nhận", "Received"),
    "status.3": ("Không được tiếp nhận", "Not accepted"),
    "status.4": ("Đang xử lý", "In progress"),
    "status.5": ("Yêu cầu bổ sung", "Supplement requested"),
    "status.6": ("Yêu cầu nghĩa vụ tài chính", "Financial obligation requested"),
    "status.7": ("Công dân yêu cầu rút", "Withdrawn by applicant"),
    "status.8": ("Dừng xử lý", "Processing stopped"),
    "status.9": ("Đã xử lý xong", "Processed"),
    "status.10": ("Đã trả kết quả", "Result returned"),
    "online.full": ("Toàn trình", "Full online"),
    "online.partial": ("Một phần", "Partly online"),
    "online.none": ("Không trực tuyến", "Not online"),
    "online.unknown": ("Chưa rõ", "Not known"),
    "measure.received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "measure.on_time_rate": ("Tỷ lệ đúng hạn", "On-time rate"),
    "measure.late_rate": ("Tỷ lệ trễ hạn", "Late rate"),
    "measure.online_share": ("Tỷ lệ trực tuyến", "Share online"),
    "measure.post_share": ("Tỷ lệ qua bưu chính", "Share by post"),
    "measure.postal_staff_share": ("Tỷ lệ do bưu điện tiếp nhận", "Share received by postal staff"),
    "measure.finished_late": ("Hồ sơ trễ hạn", "Late dossiers"),
    "db.down.title": ("Không kết nối được cơ sở dữ liệu", "The database cannot be reached"),
    "db.down.body": ("Số liệu tạm thời không hiển thị được. Trang sẽ tự tải lại khi cơ sở dữ liệu hoạt động trở lại; không có dữ liệu nào bị mất.",
                     "Figures cannot be shown for now. The page will recover by itself when the database is back; no data is lost."),
    "db.busy.title": ("Cơ sở dữ liệu đang bận", "The database is busy"),
    "db.busy.body": ("Có thể đang nhập dữ liệu. Số liệu tạm thời không hiển thị được; trang sẽ tự tải lại khi cơ sở dữ liệu sẵn sàng, không có dữ liệu nào bị mất.",
                     "Data may be being imported. The figures cannot be shown for the moment; the page reloads by itself when the database is ready, and nothing is lost."),
    "db.timeout.title": ("Truy vấn chạy quá lâu nên đã bị dừng", "The query took too long and was stopped"),
    "db.timeout.body": ("Hãy thu hẹp bộ lọc (một năm, một huyện, một lĩnh vực) rồi thử lại. Nếu lỗi lặp lại, xin báo bộ phận CNTT.",
                        "Narrow the filters (one year, one district, one sector) and try again. If it happens again, tell the IT team."),
    "db.empty.title": ("Cơ sở dữ liệu chưa có số liệu", "The database holds no data yet"),
    "db.empty.body": ("Hãy nhập dữ liệu (tthc import) hoặc tạo cơ sở dữ liệu mẫu (tthc demo).",
                      "Import data (tthc import) or build the demo database (tthc demo)."),
    "note.year": ("Không có số liệu năm {bad}; đang hiển thị năm {good}.", "No data for {bad}; showing {good}."),
    "note.district": ("Không có đơn vị mã “{bad}”; đang hiển thị toàn tỉnh.", "No unit with code “{bad}”; showing the whole province."),
    "note.sector": ("Không có lĩnh vực mã “{bad}”; đang hiển thị tất cả lĩnh vực.", "No sector with code “{bad}”; showing all sectors."),
    "placeholder": ("Trang này đang được xây dựng.", "This page is being built."),
    "no_data": ("Không có số liệu cho lựa chọn này.", "No data for this selection."),
    "download.csv": ("Tải CSV", "Download CSV"),
    "download.xlsx": ("Tải Excel", "Download Excel"),
    "total": ("Tổng cộng", "Total"),
}


def normalise_lang(lang) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def make_translator(page_strings: dict[str, tuple[str, str]] | None = None):
    """A ``t(key, lang, **fmt)`` that knows the shared words and the page's own."""
    table = {**COMMON, **(page_strings or {})}

    def t(key: str, lang: str = DEFAULT_LANG, **fmt) -> str:
        pair = table.get(key)
        if pair is None:
            return key
        text = pair[1] if normalise_lang(lang) == "en" else pair[0]
        return text.format(**fmt) if fmt else text

    return t


t = make_translator()


def bilingual(name, name_en, lang: str):
    """A name from data in the language: the English one when English is asked for and the data
    has one, else the Vietnamese (which every unit, sector and procedure has)."""
    if lang == "en" and isinstance(name_en, str) and name_en:
        return name_en
    return name


def level_label(level: str, lang: str) -> str:
    return t(f"level.{level}", lang)
