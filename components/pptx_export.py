"""The review deck as a PowerPoint file with native, editable charts (python-pptx).

Same slides as ``/present`` (:mod:`components.slides`): the headline sentence as the
slide title, one native chart whose series hold the query results (so the presenter can
restyle or re-type it in PowerPoint), the filters and the data date in the footer, and
the report's text for the slide as the speaker notes. 16:9.
"""
from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from .slides import Chart, Slide

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CHART_TYPES = {
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "bar_stacked": XL_CHART_TYPE.BAR_STACKED,
}
NUMBER_FORMATS = {"int": "#,##0", "pct": "0.0#%"}
LABEL_FORMATS = {"int": "#,##0;-#,##0;", "pct": "0.0#%"}  # a zero count gets no label (stacked bars)
TEXT_COLOR = RGBColor(0x21, 0x25, 0x29)
MUTED_COLOR = RGBColor(0x6C, 0x75, 0x7D)
FONT = "Arial"


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _text_box(slide, left, top, width, height, text: str, size: int, color=TEXT_COLOR, bold=False,
              align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = 0
    para = tf.paragraphs[0]
    para.alignment = align
    run = para.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    run.font.color.rgb = color
    return box


def add_chart(slide, chart: Chart, left, top, width, height):
    """A native chart: one series per :class:`components.slides.Series`, values as given."""
    data = CategoryChartData(number_format=NUMBER_FORMATS[chart.number_format])
    data.categories = chart.categories
    for ser in chart.series:
        data.add_series(ser.name, [None if v is None else float(v) for v in ser.values])
    frame = slide.shapes.add_chart(CHART_TYPES[chart.kind], left, top, width, height, data)
    ch = frame.chart
    ch.has_title = False  # the slide's headline says what the chart shows
    ch.font.size, ch.font.name = Pt(16), FONT
    ch.font.color.rgb = TEXT_COLOR
    plot = ch.plots[0]
    plot.gap_width = 60
    if chart.kind == "bar_stacked":
        plot.overlap = 100
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = LABEL_FORMATS[chart.number_format]
    labels.number_format_is_linked = False
    labels.font.size = Pt(14)
    labels.position = XL_LABEL_POSITION.CENTER if chart.kind == "bar_stacked" else XL_LABEL_POSITION.OUTSIDE_END
    for ser, spec in zip(plot.series, chart.series):
        ser.format.fill.solid()
        ser.format.fill.fore_color.rgb = _rgb(spec.color)
        if spec.point_colors and len(chart.series) == 1:
            for i, color in enumerate(spec.point_colors):
                point = ser.points[i]
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = _rgb(color)
    values = ch.value_axis
    values.has_major_gridlines = True
    values.major_gridlines.format.line.color.rgb = RGBColor(0xE0, 0xE0, 0xE0)
    values.tick_labels.number_format = "0%" if chart.number_format == "pct" else "#,##0"
    values.tick_labels.number_format_is_linked = False
    values.tick_labels.font.size = Pt(12)
    values.minimum_scale = 0
    if chart.number_format == "pct":
        values.maximum_scale = 1.0
    cats = ch.category_axis
    cats.tick_labels.font.size = Pt(14 if chart.kind == "column" else 12)
    if chart.kind in ("bar", "bar_stacked"):
        cats.reverse_order = True  # the first category at the top, as on the screen
    ch.has_legend = len(chart.series) > 1
    if ch.has_legend:
        ch.legend.position = XL_LEGEND_POSITION.TOP
        ch.legend.include_in_layout = False
        ch.legend.font.size = Pt(14)
    return frame


def build_deck(slides: list[Slide], footer: str, kicker: str) -> bytes:
    """The .pptx file's bytes: one slide per :class:`Slide`, footer = filters and data date."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    layout = prs.slide_layouts[5]  # "Title Only": the headline is the slide's real title
    n = len(slides)
    for i, spec in enumerate(slides, start=1):
        slide = prs.slides.add_slide(layout)
        _text_box(slide, MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(0.4), kicker, 14, MUTED_COLOR)
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = MARGIN, Inches(0.6), WIDTH - 2 * MARGIN, Inches(1.3)
        title.text = spec.headline
        tf = title.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = MSO_ANCHOR.TOP
        for para in tf.paragraphs:
            para.alignment = PP_ALIGN.LEFT
            for run in para.runs:
                run.font.size, run.font.bold, run.font.name = Pt(30), True, FONT
                run.font.color.rgb = TEXT_COLOR
        body_top, body_height = Inches(2.0), Inches(4.7)
        if spec.chart is not None:
            add_chart(slide, spec.chart, MARGIN, body_top, WIDTH - 2 * MARGIN, body_height)
        else:
            _text_box(slide, MARGIN, body_top, WIDTH - 2 * MARGIN, body_height, spec.message or "", 24,
                      anchor=MSO_ANCHOR.MIDDLE)
        _text_box(slide, MARGIN, Inches(6.9), WIDTH - 2 * MARGIN - Inches(1), Inches(0.4), footer, 12, MUTED_COLOR)
        _text_box(slide, WIDTH - MARGIN - Inches(1), Inches(6.9), Inches(1), Inches(0.4), f"{i}/{n}", 12, MUTED_COLOR,
                  align=PP_ALIGN.RIGHT)
        slide.notes_slide.notes_text_frame.text = spec.notes
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def deck_filename(year: int, district: str | None, lang: str) -> str:
    base = "bao-cao-hoi-nghi" if lang != "en" else "review"
    return f"{base}-{year}" + (f"-{district}" if district else "") + ".pptx"




def deck_for_view(view, engine=None) -> tuple[str, bytes]:
    """(file name, .pptx bytes) of the review deck for a resolved URL view (components.params)."""
    from data.db import get_engine
    from data.queries.review import review_facts

    from .review_text import build_report
    from .slides import build_slides, kicker

    facts = review_facts(engine or get_engine(), view.filter())
    report = build_report(facts, view.lang)
    deck = build_deck(build_slides(facts, report), report.filters, kicker(facts, view.lang))
    return deck_filename(facts.year, facts.district_code, view.lang), deck


def download_deck(search: str | None) -> dict:
    """What a dcc.Download needs for the deck of the URL's filters (a callback's answer)."""
    from dash import dcc

    from .params import parse_search, resolve_view

    view = resolve_view(parse_search(search))
    name, data = deck_for_view(view)
    return dcc.send_bytes(data, name)
