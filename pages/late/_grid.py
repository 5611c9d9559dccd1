"""A dossier list as a dash-ag-grid with server-side paging (AG Grid's infinite row model).

The browser asks for one page at a time (``getRowsRequest``: startRow, endRow, sortModel,
filterModel); the page's callback answers with :func:`grid_response` (``getRowsResponse``:
rowData for that page only, rowCount). Sorting and column filters are applied in SQL by
``data.queries.late``: this module only translates AG Grid's models into a ListQuery and
formats rows for display.
"""
from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd

from components.i18n import make_translator
from data.queries.late import ListQuery

PAGE_SIZE = 100

STRINGS = {
    "col.code": ("Mã hồ sơ", "Dossier code"),
    "col.procedure": ("Thủ tục", "Procedure"),
    "col.unit": ("Đơn vị", "Unit"),
    "col.received_on": ("Ngày tiếp nhận", "Received"),
    "col.due_on": ("Ngày hẹn trả", "Due"),
    "col.finished_on": ("Ngày kết thúc", "Finished"),
    "col.workdays_late": ("Số ngày làm việc trễ", "Working days late"),
    "col.channel": ("Kênh nộp", "Channel"),
    "col.by_postal_staff": ("Người tiếp nhận", "Received by"),
    "col.status": ("Trạng thái", "Status"),
    "col.supplement_requests": ("Số lần yêu cầu bổ sung", "Supplement requests"),
    "still_open": ("Đang giải quyết", "Still open"),
    "deadline_moved": ("hạn mới {date} (chờ bổ sung {days} ngày)", "new deadline {date} ({days} days waiting for supplements)"),
    "op.contains": ("chứa", "contains"), "op.notContains": ("không chứa", "does not contain"),
    "op.equals": ("bằng", "equals"), "op.notEqual": ("khác", "not equal"),
    "op.startsWith": ("bắt đầu bằng", "starts with"), "op.endsWith": ("kết thúc bằng", "ends with"),
    "op.lessThan": ("trước", "before"), "op.greaterThan": ("sau", "after"), "op.inRange": ("từ … đến", "between"),
    "sort.asc": ("tăng dần", "ascending"), "sort.desc": ("giảm dần", "descending"),
}
t = make_translator(STRINGS)

COLUMNS = ["code", "procedure", "unit", "received_on", "due_on", "finished_on", "workdays_late", "channel",
           "by_postal_staff", "status", "supplement_requests"]
TEXT_OPTIONS = ["contains", "notContains", "equals", "notEqual", "startsWith", "endsWith"]
DATE_OPTIONS = ["equals", "lessThan", "greaterThan", "inRange"]


def _coded_labels(lang: str) -> dict[str, dict]:
    return {
        "channel": {c: t(f"channel.{c}", lang) for c in (1, 2, 3)},
        "status": {s: t(f"status.{s}", lang) for s in range(1, 11)},
        "by_postal_staff": {1: t("received_by.postal", lang), 0: t("received_by.civil", lang)},
    }


def column_defs(lang: str, mode: str) -> list[dict]:
    text_filter = {"filter": "agTextColumnFilter",
                   "filterParams": {"filterOptions": TEXT_OPTIONS, "maxNumConditions": 1, "buttons": ["reset", "apply"],
                                    "debounceMs": 400}}
    date_filter = {"filter": "agDateColumnFilter",
                   "filterParams": {"filterOptions": DATE_OPTIONS, "maxNumConditions": 1, "buttons": ["reset", "apply"],
                                    "inRangeInclusive": True}}
    late_header = t("col.workdays_late", lang)
    defs = [
        {"field": "code", "headerName": t("col.code", lang), "pinned": "left", "minWidth": 200, **text_filter},
        # Next to the code, so it is on screen without scrolling on a laptop: what a department head
        # chases first. Sorted in SQL (data.queries.late.workdays_late): "the most late first".
        {"field": "workdays_late", "headerName": late_header, "minWidth": 120, "filter": False,
         "type": "rightAligned", "headerTooltip": late_header,
         "cellClass": "late-days ag-right-aligned-cell"},  # a cellClass replaces the type's own: keep the alignment
        {"field": "procedure", "headerName": t("col.procedure", lang), "minWidth": 260, "flex": 2, "wrapText": True,
         "autoHeight": True, **text_filter},
        {"field": "unit", "headerName": t("col.unit", lang), "minWidth": 170, "flex": 1, **text_filter},
        {"field": "received_on", "headerName": t("col.received_on", lang), "minWidth": 130, **date_filter},
        {"field": "due_on", "headerName": t("col.due_on", lang), "minWidth": 130, **date_filter,
         "tooltipField": "due_note"},
        {"field": "finished_on", "headerName": t("col.finished_on", lang), "minWidth": 140, **date_filter},
        {"field": "channel", "headerName": t("col.channel", lang), "minWidth": 150, **text_filter},
        {"field": "by_postal_staff", "headerName": t("col.by_postal_staff", lang), "minWidth": 150, **text_filter},
        {"field": "status", "headerName": t("col.status", lang), "minWidth": 150, **text_filter},
        {"field": "supplement_requests", "headerName": t("col.supplement_requests", lang), "minWidth": 110,
         "filter": False, "type": "rightAligned"},
    ]
    if mode == "overdue":
        defs[5]["headerName"] = t("col.finished_on", lang)
    return defs


def dossier_grid(id: str, lang: str, mode: str, row_count: int | None = None) -> dag.AgGrid:
    """The grid: one page of rows per request, the count known up front when given."""
    return dag.AgGrid(
        id=id,
        rowModelType="infinite",
        columnDefs=column_defs(lang, mode),
        defaultColDef={"sortable": True, "resizable": True, "floatingFilter": False, "suppressHeaderMenuButton": False,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions={
            "pagination": True, "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
            "paginationPageSizeSelector": False, "maxBlocksInCache": 3, "maxConcurrentDatasourceRequests": 1,
            "infiniteInitialRowCount": row_count or 1, "rowBuffer": 0, "tooltipShowDelay": 300,
            "enableCellTextSelection": True, "ensureDomOrder": True,
            "localeText": _locale_text(lang),
        },
        className="ag-theme-alpine dossier-grid",
        style={"height": "560px", "width": "100%"},
    )


def _locale_text(lang: str) -> dict:
    if lang != "vi":
        return {}
    return {"page": "Trang", "of": "trên", "to": "đến", "more": "nhiều hơn", "loadingOoo": "Đang tải…",
            "noRowsToShow": "Không có hồ sơ", "contains": "Chứa", "notContains": "Không chứa", "equals": "Bằng",
            "notEqual": "Khác", "startsWith": "Bắt đầu bằng", "endsWith": "Kết thúc bằng", "lessThan": "Trước",
            "greaterThan": "Sau", "inRange": "Trong khoảng", "applyFilter": "Áp dụng", "resetFilter": "Xóa lọc",
            "filterOoo": "Lọc…", "firstPage": "Trang đầu", "lastPage": "Trang cuối", "nextPage": "Trang sau",
            "previousPage": "Trang trước", "inRangeStart": "Từ", "inRangeEnd": "Đến", "dateFormatOoo": "dd/mm/yyyy"}


def list_query(request: dict | None, lang: str) -> ListQuery:
    """AG Grid's sortModel/filterModel -> ListQuery (unknown columns and operators are dropped)."""
    request = request or {}
    sort = tuple((s.get("colId"), "desc" if s.get("sort") == "desc" else "asc")
                 for s in request.get("sortModel") or [] if s.get("colId") in COLUMNS)
    filters = []
    for col, model in (request.get("filterModel") or {}).items():
        if col not in COLUMNS or not isinstance(model, dict):
            continue
        if "conditions" in model:  # combined conditions: keep the first (the grid allows one)
            model = (model.get("conditions") or [{}])[0]
        op = model.get("type") or "contains"
        if model.get("filterType") == "date":
            value, value_to = model.get("dateFrom"), model.get("dateTo")
        else:
            value, value_to = model.get("filter"), None
        if value in (None, ""):
            continue
        filters.append((col, str(op), str(value)[:100], None if value_to is None else str(value_to)[:100]))
    labels = tuple((col, tuple(pairs.items())) for col, pairs in _coded_labels(lang).items())
    return ListQuery(sort=sort, filters=tuple(filters), labels=labels)


def describe_query(q: ListQuery, lang: str) -> list[tuple[str, str]]:
    """Column filters and sort in words, for a download's header rows."""
    out = []
    for col, op, value, value_to in q.filters:
        shown = f"{value[:10]} – {value_to[:10]}" if op == "inRange" and value_to else (value[:10] if col in ("received_on", "due_on", "finished_on") else value)
        out.append((t(f"col.{col}", lang), f"{t(f'op.{op}', lang)} “{shown}”"))
    if q.sort:
        out.append(("Sắp xếp" if lang == "vi" else "Sort",
                    ", ".join(f"{t(f'col.{c}', lang)} ({t(f'sort.{d}', lang)})" for c, d in q.sort)))
    return out


def _date(d) -> str:
    if d is None or (not isinstance(d, str) and pd.isna(d)):
        return ""
    return d.strftime("%d/%m/%Y")


def display_rows(df: pd.DataFrame, lang: str) -> list[dict]:
    """Rows as the grid (and the downloads) show them: dates dd/mm/yyyy, labels for codes."""
    labels = _coded_labels(lang)
    rows = []
    for r in df.itertuples(index=False):
        finished = _date(r.finished_on) or t("still_open", lang)
        due_note = ""
        if r.deadline_on != r.due_on:
            due_note = t("deadline_moved", lang, date=_date(r.deadline_on), days=int(r.supplement_days))
        rows.append({
            "code": r.code, "procedure": r.procedure_name, "procedure_code": r.procedure_code, "unit": r.unit,
            "received_on": _date(r.received_on), "due_on": _date(r.due_on), "due_note": due_note,
            "finished_on": finished, "workdays_late": int(r.workdays_late),
            "channel": labels["channel"].get(int(r.channel), str(r.channel)),
            "by_postal_staff": labels["by_postal_staff"][1 if r.by_postal_staff else 0],
            "status": labels["status"].get(int(r.status), str(r.status)),
            "supplement_requests": int(r.supplement_requests),
        })
    return rows


def grid_response(df: pd.DataFrame, total: int, lang: str) -> dict:
    return {"rowData": display_rows(df, lang), "rowCount": int(total)}


def export_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The list as a download: the grid's columns with their headers, plus the deadline after supplements."""
    rows = display_rows(df, lang)
    out = pd.DataFrame(rows, columns=["code", "procedure_code", "procedure", "unit", "received_on", "due_on", "due_note",
                                      "finished_on", "workdays_late", "channel", "by_postal_staff", "status",
                                      "supplement_requests"])
    headers = {c: t(f"col.{c}", lang) for c in COLUMNS}
    headers["procedure_code"] = "Mã thủ tục" if lang == "vi" else "Procedure code"
    headers["due_note"] = "Ghi chú hạn" if lang == "vi" else "Deadline note"
    return out.rename(columns=headers)

