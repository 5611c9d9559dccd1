"""The Import history page's content (pages/imports.py registers it): when each file was
imported, by which command, what it added, updated, left unchanged and rejected, and a
link to download the rejected-rows report. Read-only."""
from __future__ import annotations

import datetime as dt
import os

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.formatting import fmt_int
from components.i18n import make_translator
from components.ui import card, empty_state, page_header
from data.queries.imports import import_history

STRINGS = {
    "title": ("Lịch sử nhập dữ liệu", "Import history"),
    "subtitle": ("Mỗi lần nhập tệp bằng lệnh tthc import: thời điểm, tệp, số hồ sơ thêm mới, cập nhật, không đổi và bị từ chối. "
                 "Dữ liệu mới hiển thị trên các trang ngay sau khi nhập.",
                 "Every file loaded with tthc import: when, which file, how many rows were added, updated, unchanged and rejected. "
                 "New data shows on every page right after an import."),
    "denied": ("Chỉ quản trị viên xem được lịch sử nhập dữ liệu.", "Only administrators can see the import history."),
    "none": ("Chưa có lần nhập dữ liệu nào. Nhập tệp bằng: tthc import dossiers TỆP.csv",
             "No imports yet. Load a file with: tthc import dossiers FILE.csv"),
    "latest": ("Lần nhập gần nhất: {when} — {file}", "Latest import: {when} — {file}"),
    "shown": ("Hiển thị {shown} lần nhập gần nhất trong tổng số {total}.", "Showing the latest {shown} of {total} imports."),
    "col.when": ("Thời điểm", "When"),
    "col.kind": ("Loại dữ liệu", "Data"),
    "col.file": ("Tệp", "File"),
    "col.command": ("Lệnh", "Command"),
    "col.added": ("Thêm mới", "Added"),
    "col.updated": ("Cập nhật", "Updated"),
    "col.unchanged": ("Không đổi", "Unchanged"),
    "col.rejected": ("Bị từ chối", "Rejected"),
    "skipped": ("bỏ qua {n} dòng không phải hồ sơ (dòng tổng, số thứ tự cột, chữ ký)",
                "{n} rows that are not dossiers skipped (totals, column numbers, signatures)"),
    "col.report": ("Báo cáo dòng bị từ chối", "Rejected-rows report"),
    "report.get": ("Tải về (CSV)", "Download (CSV)"),
    "report.gone": ("tệp không còn", "file removed"),
    "report.none": ("không có", "none"),
    "kind.dossiers": ("Hồ sơ", "Dossiers"),
    "kind.units": ("Đơn vị hành chính", "Units"),
    "kind.agencies": ("Cơ quan tiếp nhận", "Agencies"),
    "kind.procedures": ("Thủ tục hành chính", "Procedures"),
    "kind.postal": ("Bưu chính công ích", "Postal records"),
    "kind.demo": ("Dữ liệu mẫu (demo)", "Demo data"),
    "status.ok": ("đầy đủ", "complete"),
    "status.partial": ("có dòng bị từ chối", "some rows rejected"),
}
tr = make_translator(STRINGS)
NUMBERS = ("added", "updated", "unchanged", "rejected")


def fmt_when(value, lang: str) -> str:
    if value is None or value != value or value is pd.NaT:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.strftime("%d/%m/%Y %H:%M") if lang == "vi" else value.strftime("%Y-%m-%d %H:%M")


def _report_cell(run, lang: str, id_type: str = "imp-report"):
    path = run.report_path
    if not isinstance(path, str) or not path:
        return html.Span(tr("report.none", lang), className="text-muted")
    if not os.path.exists(path):
        return html.Span(tr("report.gone", lang), className="text-muted")
    return dbc.Button(tr("report.get", lang), id={"type": id_type, "run": int(run.id)}, color="link",
                      className="p-0 imp-report-link", n_clicks=0)


def _details(run, lang: str) -> list:
    """How the file was read (format, date order, catalogue additions) and what was skipped, under its name."""
    out = []
    skipped = getattr(run, "skipped", 0) or 0
    if skipped:
        out.append(html.Div(tr("skipped", lang, n=fmt_int(skipped, lang)), className="imp-skipped small text-muted"))
    details = getattr(run, "details", None)
    if isinstance(details, str) and details:
        out.append(html.Div(details.replace("\n", " · "), className="imp-details small text-muted"))
    return out


def history_table(df, lang: str) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(tr("col.when", lang)), html.Th(tr("col.kind", lang)), html.Th(tr("col.file", lang)),
                               *[html.Th(tr(f"col.{c}", lang), className="text-end") for c in NUMBERS],
                               html.Th(tr("col.report", lang))]))
    body = []
    for run in df.itertuples():
        kind = tr(f"kind.{run.kind}", lang) if f"kind.{run.kind}" in STRINGS else run.kind
        file_name = os.path.basename(run.file_name) if isinstance(run.file_name, str) and run.file_name else "—"
        rejected = fmt_int(run.rejected, lang)
        body.append(html.Tr([
            html.Td(fmt_when(run.finished_at or run.started_at, lang), className="text-nowrap"),
            html.Td(kind),
            html.Td([html.Div(file_name, className="fw-semibold imp-file"),
                     html.Code(str(run.command), className="imp-command small text-muted"),
                     *_details(run, lang)]),
            *[html.Td(fmt_int(getattr(run, c), lang), className="text-end") for c in NUMBERS[:3]],
            html.Td(html.Span(rejected, className="text-danger fw-semibold") if run.rejected else rejected, className="text-end"),
            html.Td(_report_cell(run, lang)),
        ], id=f"imp-run-{int(run.id)}"))
    return dbc.Table([head, html.Tbody(body)], id="imp-table", hover=True, responsive=True, size="sm",
                     className="imp-table align-middle mb-0")


def _kind(run, lang):
    return tr(f"kind.{run.kind}", lang) if f"kind.{run.kind}" in STRINGS else run.kind


def history_list(df, lang: str) -> html.Div:
    """Phones: one block per run instead of a wide table."""
    items = []
    for run in df.itertuples():
        file_name = os.path.basename(run.file_name) if isinstance(run.file_name, str) and run.file_name else _kind(run, lang)
        counts = []
        for c in NUMBERS:
            text = f"{tr(f'col.{c}', lang)} {fmt_int(getattr(run, c), lang)}"
            counts += [" · " if counts else "", html.Span(text, className="text-danger fw-semibold") if c == "rejected" and run.rejected else text]
        items.append(dbc.ListGroupItem([
            html.Div([html.Span(file_name, className="fw-semibold"), html.Small(f" · {_kind(run, lang)}", className="text-muted")]),
            html.Small(fmt_when(run.finished_at or run.started_at, lang), className="text-muted d-block"),
            html.Div(counts, className="small"),
            html.Div(_report_cell(run, lang, "imp-report-m"), className="small") if run.rejected else None,
        ], id=f"imp-item-{int(run.id)}"))
    return dbc.ListGroup(items, id="imp-list", flush=True)


def build(view, engine, allowed: bool = True):
    lang = view.lang
    header = page_header(tr("title", lang), tr("subtitle", lang), notes=view.notes, id_prefix="imp-")
    if not allowed:
        return html.Div([header, dbc.Alert(tr("denied", lang), color="warning", id="imp-denied")])
    df, total = import_history(engine)
    if df.empty:
        return html.Div([header, empty_state(tr("none", lang), id="imp-empty")])
    latest = df.iloc[0]
    lead = html.P(tr("latest", lang, when=fmt_when(latest.finished_at or latest.started_at, lang),
                     file=os.path.basename(latest.file_name) if isinstance(latest.file_name, str) and latest.file_name else tr(f"kind.{latest.kind}", lang)
                     if f"kind.{latest.kind}" in STRINGS else latest.kind),
                  className="lead imp-latest", id="imp-latest")
    parts = [header, lead, card(None, [html.Div(history_table(df, lang), className="d-none d-md-block"),
                                       html.Div(history_list(df, lang), className="d-md-none")])]
    if total > len(df):
        parts.append(html.P(tr("shown", lang, shown=fmt_int(len(df), lang), total=fmt_int(total, lang)), className="text-muted small"))
    return html.Div(parts, className="imp-page")
