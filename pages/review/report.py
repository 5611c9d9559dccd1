"""Review report (/report): the year's written summary for the January review conference.

Generated entirely from the database (data.queries.review -> pages.review._review_text), in
the style of the province's own report: dossiers received, on-time rates, shares online,
postal substitution, then the weak points found in the data. Every figure is a link to
the page that shows it, with the filters in the link. From here: present the year
(/present) or download the deck (.pptx with native charts) or the text.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components.i18n import make_translator
from components.params import parse_search, resolve_view
from components.structure import structure_note
from components.ui import card, empty_state, page_header
from data.db import get_engine
from data.queries.review import review_facts
from pages.review._deck import download_deck
from pages.review._pdf import PdfBusy, PdfUnavailable, report_pdf
from pages.review._pdf import available as pdf_available
from pages.review._review_text import Fig, build_report, report_text, w
from server.faults import guard_layout
from server.page_cache import cached_page

dash.register_page(__name__, path="/report", name="report", title="TTHC · Báo cáo hội nghị", order=4, nav="nav.report")

STRINGS = {
    "rep.title": ("Báo cáo hội nghị", "Review report"),
    "rep.present": ("▶ Trình chiếu", "▶ Present"),
    "rep.pptx": ("Tải PowerPoint (.pptx)", "Download PowerPoint (.pptx)"),
    "rep.txt": ("Tải văn bản (.txt)", "Download text (.txt)"),
    "rep.print": ("In báo cáo", "Print"),
    "rep.pdf": ("Tải PDF để in", "Download PDF for print"),
    "rep.pdf.busy": ("Máy chủ đang tạo một bản PDF khác. Vui lòng thử lại sau vài giây.",
                     "The server is making another PDF right now. Please try again in a few seconds."),
    "rep.pdf.failed": ("Không tạo được bản PDF lúc này; hãy dùng nút In báo cáo.",
                       "The PDF cannot be made right now; use the Print button instead."),
    "rep.hint": ("Mỗi con số dẫn tới biểu đồ thể hiện nó. Báo cáo được tạo tự động từ cơ sở dữ liệu theo bộ lọc đang chọn.",
                 "Every figure links to the chart that shows it. The report is written from the database for the chosen filters."),
    "rep.rule": ("Tỷ lệ được làm tròn đến hai chữ số thập phân và bỏ số 0 ở cuối (99,80 % viết là 99,8 %); "
                 "đơn vị có dưới {min} hồ sơ đã giải quyết không được xếp hạng.",
                 "Rates are rounded to two decimals with trailing zeros dropped (99.80% is written 99.8%); "
                 "units with fewer than {min} finished dossiers are not ranked."),
}
t = make_translator(STRINGS)


def render_paragraph(segs, id: str | None = None) -> html.P:
    children = [dcc.Link(s.text, href=s.href, className="rep-fig" if s.kind == "figure" else "rep-name")
                if isinstance(s, Fig) else s for s in segs]
    return html.P(children, className="rep-paragraph", **({"id": id} if id else {}))


def render_report(report, lang: str) -> html.Div:
    parts, group = [], None
    for sec in report.sections:
        if sec.group and sec.group != group:
            parts.append(html.H2(w("h." + sec.group, lang), className="rep-group", id=f"rep-group-{sec.group}"))
        group = sec.group
        # Headings in order (h1 title, h2 group, h3 section): a section outside any group is an h2.
        heading = html.H3 if sec.group else html.H2
        children = [heading(sec.heading, className="rep-heading")] if sec.heading else []
        children += [render_paragraph(p, id=f"rep-{sec.key}-{i}") for i, p in enumerate(sec.paragraphs)]
        parts.append(html.Section(children, className="rep-section", id=f"rep-{sec.key}"))
    return html.Div(parts, className="rep-body", id="rep-body")


@guard_layout
@cached_page
def layout(**kwargs):
    view = resolve_view(kwargs)
    lang = view.lang
    if not view.has_data:
        return html.Div([page_header(t("rep.title", lang), notes=view.notes, id_prefix="rep-"),
                         empty_state(t("no_data", lang), id="rep-empty")])
    facts = review_facts(get_engine(), view.filter())
    report = build_report(facts, lang)
    actions = html.Div([
        dcc.Link(t("rep.present", lang), href=view.href("/present"), className="btn btn-primary", id="rep-present-link"),
        dbc.Button(t("rep.pptx", lang), id="rep-pptx-btn", color="secondary", outline=True),
        dbc.Button(t("rep.txt", lang), id="rep-txt-btn", color="secondary", outline=True),
        *([dbc.Button(t("rep.pdf", lang), id="rep-pdf-btn", color="secondary", outline=True)] if pdf_available() else []),
        dbc.Button(t("rep.print", lang), id="rep-print-btn", color="secondary", outline=True),
        dcc.Download(id="rep-pptx"), dcc.Download(id="rep-txt"), dcc.Download(id="rep-pdf"),
    ], className="rep-actions d-flex flex-wrap gap-2 mb-3")
    pdf_status = html.Div(id="rep-pdf-status", role="status")
    return html.Div([
        page_header(report.title, report.filters, notes=view.notes, id_prefix="rep-"),
        structure_note(get_engine(), view.year, lang, id="rep-structure"),
        actions,
        pdf_status,
        card(None, [render_report(report, lang),
                    html.P([t("rep.hint", lang), " ", t("rep.rule", lang, min=facts.min_finished)],
                           className="rep-footnote text-muted small mb-0")], id="rep-card", className="rep-card"),
    ], className="report-page")


@callback(Output("rep-pptx", "data"), Input("rep-pptx-btn", "n_clicks"), State("url", "search"), prevent_initial_call=True)
def download_pptx(n, search):
    if not n:
        return no_update
    return download_deck(search)


def _report_for(search):
    view = resolve_view(parse_search(search))
    facts = review_facts(get_engine(), view.filter())
    name = ("review" if view.lang == "en" else "bao-cao-hoi-nghi") + f"-{facts.year}" + (f"-{facts.district_code}" if facts.district_code else "")
    return build_report(facts, view.lang), name


@callback(Output("rep-txt", "data"), Input("rep-txt-btn", "n_clicks"), State("url", "search"), prevent_initial_call=True)
def download_txt(n, search):
    if not n:
        return no_update
    report, name = _report_for(search)
    return dict(content=report_text(report), filename=name + ".txt")


@callback(Output("rep-pdf", "data"), Output("rep-pdf-status", "children"), Input("rep-pdf-btn", "n_clicks"),
          State("url", "search"), prevent_initial_call=True)
def download_pdf(n, search):
    if not n:
        return no_update, no_update
    report, name = _report_for(search)
    try:
        return dcc.send_bytes(report_pdf(report), name + ".pdf"), None
    except PdfBusy:  # rendering is limited machine-wide (pages.review._pdf)
        return no_update, dbc.Alert(t("rep.pdf.busy", report.lang), color="warning", dismissable=True, id="rep-pdf-busy",
                                    className="py-2")
    except PdfUnavailable:
        return no_update, dbc.Alert(t("rep.pdf.failed", report.lang), color="secondary", dismissable=True, className="py-2")


dash.clientside_callback(
    "function(n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
    Output("rep-print-btn", "title"), Input("rep-print-btn", "n_clicks"), prevent_initial_call=True,
)
