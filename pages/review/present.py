"""Presentation (/present): the year's story full screen, one message per slide.

A full-screen overlay (16:9 slide box, large type) covers the navbar and the filter bar;
the slide number lives in the URL (``slide=``), so a link opens a given slide. Next /
previous by the arrow keys (assets/present.js clicks the buttons) or by clicking the
buttons; Escape leaves for the report. Every slide prints the active filters and the
data date. The same slides download as a .pptx with native charts.
"""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from components.i18n import make_translator
from components.params import keep_out_of_cache, resolve_view
from components.ui import empty_state, graph
from data.db import get_engine
from data.queries.review import review_facts
from pages.review._deck import download_deck
from pages.review._review_text import build_report
from pages.review._slides import build_slides, kicker, plotly_figure, spoken_chart
from server.faults import guard_layout
from server.page_cache import cached_page

dash.register_page(__name__, path="/present", name="present", title="TTHC · Trình chiếu", order=5, nav="nav.present")

STRINGS = {
    "prs.prev": ("Trang trước (←)", "Previous (←)"),
    "prs.next": ("Trang sau (→)", "Next (→)"),
    "prs.exit": ("✕ Thoát", "✕ Exit"),
    "prs.exit.title": ("Thoát trình chiếu (Esc)", "Leave the presentation (Esc)"),
    "prs.pptx": ("⤓ PowerPoint", "⤓ PowerPoint"),
    "prs.pptx.title": ("Tải bộ trình chiếu (.pptx, biểu đồ chỉnh sửa được)", "Download the deck (.pptx, editable charts)"),
    "prs.note.slide": ("Không có trang “{bad}”; đang hiển thị trang {good}.", "No slide “{bad}”; showing slide {good}."),
    "prs.counter": ("Trang {i}/{n}", "Slide {i}/{n}"),
}
t = make_translator(STRINGS)


def slide_number(raw, n: int, lang: str, notes: list[str]) -> int:
    """The URL's ``slide`` (1-based), or the nearest slide with a note when it is not one."""
    if raw in (None, ""):
        return 1
    try:
        i = int(str(raw).strip())
    except ValueError:
        notes.append(t("prs.note.slide", lang, bad=str(raw)[:20], good=1))
        return 1
    good = min(max(i, 1), n)
    if good != i:
        notes.append(t("prs.note.slide", lang, bad=str(raw)[:20], good=good))
    return good


def _nav(view, i: int, n: int, lang: str) -> html.Div:
    def step(target, key, id, symbol):
        if 1 <= target <= n:
            return dcc.Link(symbol, href=view.href("/present", keep_extra=True, slide=target), id=id,
                            className="prs-btn", title=t(key, lang))
        return html.Span(symbol, id=id, className="prs-btn prs-btn-disabled", title=t(key, lang), **{"aria-disabled": "true"})

    return html.Div([
        step(i - 1, "prs.prev", "prs-prev", "‹"),
        step(i + 1, "prs.next", "prs-next", "›"),
        html.Button(t("prs.pptx", lang), id="prs-pptx-btn", className="prs-btn prs-btn-text", title=t("prs.pptx.title", lang)),
        dcc.Link(t("prs.exit", lang), href=view.href("/report"), id="prs-exit", className="prs-btn prs-btn-text",
                 title=t("prs.exit.title", lang)),
        dcc.Download(id="prs-pptx"),
    ], className="prs-controls", id="prs-controls")


def overlay(children, **kwargs) -> html.Div:
    return html.Div(children, id="prs-overlay", className="prs-overlay", **kwargs)


@guard_layout
@cached_page(params={"slide": r"[1-9]\d?"})
def layout(**kwargs):
    view = resolve_view(kwargs)
    lang = view.lang
    if not view.has_data:
        return overlay(html.Div([empty_state(t("no_data", lang), id="prs-empty"),
                                 dcc.Link(t("prs.exit", lang), href=view.href("/report"), id="prs-exit", className="prs-btn prs-btn-text")],
                                className="prs-slide"))
    facts = review_facts(get_engine(), view.filter())
    report = build_report(facts, lang)
    slides = build_slides(facts, report)
    n = len(slides)
    notes = list(view.notes)
    i = slide_number(view.extra.get("slide"), n, lang, notes)
    if notes:
        keep_out_of_cache()  # a corrected URL: served, not stored
    view.extra["slide"] = str(i)
    sl = slides[i - 1]
    if sl.chart is not None:
        name = f"review-{facts.year}-slide-{i}-{sl.key.replace('_', '-')}" + (f"-{facts.district_code}" if facts.district_code else "")
        # A clean slide, no toolbar; the .pptx carries the charts.
        body = graph("prs-graph", plotly_figure(sl.chart, lang), name, alt=spoken_chart(sl, lang), toolbar=False, lazy=False,
                     className="prs-graph",
                     style={"height": "100%", "width": "100%"})
    else:
        body = html.Div(sl.message, className="prs-message", id="prs-message")
    slide = html.Div([
        html.Div([html.Span(kicker(facts, lang), className="prs-kicker"),
                  html.Span(t("prs.counter", lang, i=i, n=n), id="prs-counter", className="prs-counter")], className="prs-top"),
        *[html.Div(note, className="prs-note") for note in notes],
        html.H1(sl.headline, id="prs-headline", className="prs-headline"),
        html.Div(body, className="prs-body"),
        *([html.Div(sl.footnote, className="prs-footnote", id="prs-footnote")] if sl.footnote else []),
        html.Div(report.filters, className="prs-footer", id="prs-filters"),
    ], className="prs-slide", id="prs-slide", **{"data-slide": str(i), "data-key": sl.key})
    return overlay([slide, _nav(view, i, n, lang)], **{"data-slides": str(n)})


@callback(Output("prs-pptx", "data"), Input("prs-pptx-btn", "n_clicks"), State("url", "search"), prevent_initial_call=True)
def download_pptx(n, search):
    if not n:
        return no_update
    return download_deck(search)
