"""The standard report table (Biểu số 06/VPCP/KSTT, Circular 01/2020/TT-VPCP) as a
reusable piece: an HTML table with the form's two header rows, and the same table
as a flat frame for CSV / Excel downloads.

Input: a frame with the Biểu 06 measures of ``data.queries.summary`` (one row per
unit or level), a ``label`` column (what the row is) and optionally ``row_kind``
(``unit``, ``level_total`` or ``total``; totals are drawn in bold).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.formatting import fmt_int
from components.i18n import make_translator
from components.kpi import fmt_rate_fixed

STRINGS = {
    "rt.unit": ("Đơn vị", "Unit"),
    "rt.group.received": ("Số hồ sơ nhận giải quyết", "Dossiers to handle"),
    "rt.group.finished": ("Số hồ sơ đã giải quyết", "Dossiers finished"),
    "rt.group.progress": ("Số hồ sơ đang giải quyết", "Dossiers in progress"),
    "rt.handled": ("Tổng số", "Total"),
    "rt.received": ("Mới tiếp nhận", "Newly received"),
    "rt.received_online": ("Trực tuyến", "Online"),
    "rt.received_in_person_or_post": ("Trực tiếp, BCCI", "In person or by post"),
    "rt.received_unknown_channel": ("Không rõ kênh", "Channel not known"),
    "rt.unknown": ("{n} hồ sơ mới tiếp nhận không rõ kênh nộp (tệp nhập không ghi kênh): cột “Không rõ kênh”; "
                   "không tính vào Trực tuyến hay Trực tiếp, BCCI.",
                   "{n} newly received dossiers have no known channel (the imported file did not say): column "
                   "“Channel not known”; counted neither online nor in person or by post."),
    "rt.carried_over": ("Kỳ trước chuyển sang", "Carried over"),
    "rt.finished": ("Tổng số", "Total"),
    "rt.finished_early": ("Trước hạn", "Early"),
    "rt.finished_on_time": ("Đúng hạn", "On time"),
    "rt.finished_late": ("Quá hạn", "Late"),
    "rt.in_progress": ("Tổng số", "Total"),
    "rt.in_progress_within": ("Trong hạn", "Within deadline"),
    "rt.in_progress_overdue": ("Quá hạn", "Overdue"),
    "rt.on_time_rate": ("Tỷ lệ đúng hạn", "On-time rate"),
    "rt.form": ("Theo Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP). Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết.",
                "Laid out as form 06/VPCP/KSTT (Circular 01/2020/TT-VPCP). On-time rate = (early + on time) / finished."),
}
t = make_translator(STRINGS)

# (group, column) in the form's order; group None = a single column spanning both header rows.
COLUMNS: list[tuple[str | None, str]] = [
    ("received", "handled"), ("received", "received"), ("received", "received_online"),
    ("received", "received_in_person_or_post"), ("received", "carried_over"),
    ("finished", "finished"), ("finished", "finished_early"), ("finished", "finished_on_time"), ("finished", "finished_late"),
    ("progress", "in_progress"), ("progress", "in_progress_within"), ("progress", "in_progress_overdue"),
    (None, "on_time_rate"),
]
UNKNOWN = ("received", "received_unknown_channel")


def _unknown_channel(df: pd.DataFrame) -> int:
    """Dossiers of the table with no known channel (the largest row: totals include the units)."""
    if "received_unknown_channel" not in df.columns or df.empty:
        return 0
    return int(pd.to_numeric(df["received_unknown_channel"]).max())


def columns_for(df: pd.DataFrame) -> list[tuple[str | None, str]]:
    """The form's columns, and "channel not known" after "in person or by post" when the data has any:
    an export without a channel column must not make online + in person look like the whole."""
    if not _unknown_channel(df):
        return COLUMNS
    at = COLUMNS.index(("received", "received_in_person_or_post")) + 1
    return COLUMNS[:at] + [UNKNOWN] + COLUMNS[at:]


def column_title(group: str | None, col: str, lang: str) -> str:
    """Flat title for files: 'Số hồ sơ đã giải quyết – Quá hạn'."""
    return t(f"rt.{col}", lang) if group is None else f"{t(f'rt.group.{group}', lang)} – {t(f'rt.{col}', lang)}"


def report_table(df: pd.DataFrame, lang: str, id: str, label_title: str | None = None,
                 label_col: str = "label", extra_label_col: str | None = None) -> html.Div:
    """The Biểu 06 table; scrolls sideways on a phone, the unit column stays readable."""
    columns = columns_for(df)
    groups = []
    for g, _ in columns:
        if g is not None and (not groups or groups[-1][0] != g):
            groups.append([g, 0])
        if g is not None:
            groups[-1][1] += 1
    head1 = [html.Th(label_title or t("rt.unit", lang), rowSpan=2, className="rt-label-col")]
    for g, n in groups:
        head1.append(html.Th(t(f"rt.group.{g}", lang), colSpan=n, className="rt-group"))
    head1.append(html.Th(t("rt.on_time_rate", lang), rowSpan=2, className="rt-num"))
    head2 = [html.Th(t(f"rt.{c}", lang), className="rt-num") for g, c in columns if g is not None]
    body = []
    for i, row in enumerate(df.to_dict("records")):
        kind = row.get("row_kind", "unit")
        label = row.get(label_col) or ""
        cells = [html.Th(label, scope="row", className="rt-label-col")]
        if extra_label_col and row.get(extra_label_col):
            cells = [html.Th([html.Span(row[extra_label_col], className="rt-prefix"), label], scope="row", className="rt-label-col")]
        for _, c in columns:
            text = fmt_rate_fixed(row[c], lang) if c == "on_time_rate" else fmt_int(row[c], lang)
            cells.append(html.Td(text, className="rt-num"))
        body.append(html.Tr(cells, className=f"rt-{kind.replace('_', '-')}", id=f"{id}-row-{i}"))
    table = dbc.Table([html.Thead([html.Tr(head1), html.Tr(head2)]), html.Tbody(body)],
                      bordered=True, hover=True, size="sm", className="report-table mb-1", id=id)
    unknown = _unknown_channel(df)
    note = [html.P(t("rt.unknown", lang, n=fmt_int(unknown, lang)), className="rt-note rt-unknown small mb-0",
                   id=f"{id}-unknown-channel")] if unknown else []
    return html.Div([html.Div(table, className="table-responsive"), *note,
                     html.P(t("rt.form", lang), className="rt-note text-muted small mb-0")])


def report_frame(df: pd.DataFrame, lang: str, label_cols: list[tuple[str, str]]) -> pd.DataFrame:
    """The table as a flat frame for files: label columns (source column, title), counts as
    integers, the on-time rate in per cent with two decimals (blank when nothing finished)."""
    out = pd.DataFrame({title: df[src].fillna("").astype(str).to_numpy() for src, title in label_cols})
    for g, c in columns_for(df):
        title = column_title(g, c, lang)
        if c == "on_time_rate":
            title += " (%)"
            out[title] = (pd.to_numeric(df[c]) * 100).round(2).to_numpy()
        else:
            out[title] = pd.to_numeric(df[c]).astype("int64").to_numpy()
    return out
