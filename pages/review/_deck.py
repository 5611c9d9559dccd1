"""The review deck as a PowerPoint file with native, editable charts (python-pptx).

Same slides as ``/present`` (:mod:`pages.review._slides`): the headline sentence as the
slide title, one native chart whose series hold the query results (so the presenter can
restyle or re-type it in PowerPoint), the filters and the data date in the footer, and
the report's text for the slide as the speaker notes. 16:9.
"""
from __future__ import annotations

import io
import math
from contextlib import contextmanager

from dash import dcc
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Inches, Pt, lazyproperty
from xlsxwriter import Workbook

from components.params import parse_search, resolve_view
from components.theme import ink
from data.cells import XLSXWRITER_TEXT_OPTIONS
from data.db import get_engine
from data.queries.review import review_facts

from ._review_text import build_report
from ._slides import Chart, Slide, build_slides, kicker, value_labels

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CHART_TYPES = {
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "bar_stacked": XL_CHART_TYPE.BAR_STACKED,
}
NUMBER_FORMATS = {"int": "#,##0", "pct": "0.0#%"}  # the values as the sheet behind the chart shows them
# A number format's separators are the viewer's locale's, not the deck's: a Vietnamese deck on an
# English laptop would read 87.11%. So the bars' labels are written text (value_labels), and the
# only number format shown is the rate axis's, whole percentages, which have no separator at all.
RATE_AXIS_FORMATS = {"vi": '0"\u00a0"%', "en": "0%"}  # 90 % / 90%; the % sign still scales by 100
TEXT_COLOR = RGBColor(0x21, 0x25, 0x29)
MUTED_COLOR = RGBColor(0x6C, 0x75, 0x7D)
FONT = "Arial"
REFERENCE_LINE = "Reference line"  # shape names, so a reader (or a test) can find them
REFERENCE_LABEL = "Reference label"
REFERENCE_SIZE = 14  # pt, the label's type
CHAR_WIDTH = 0.58  # an Arial character's width in em, generous, to reserve room for axis labels


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The workbook behind a chart with its labels written as text: xlsxwriter would write a
    category that starts with "=" (a unit name from data) as a live formula (data.cells)."""

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = Workbook(xlsx_file, {"in_memory": True, **XLSXWRITER_TEXT_OPTIONS})
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class TextCategoryChartData(CategoryChartData):
    """CategoryChartData whose embedded workbook holds text, never formulas."""

    @lazyproperty
    def _workbook_writer(self):
        return _TextWorkbookWriter(self)


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


def _value_bounds(chart: Chart) -> tuple[float, float | None]:
    """The value axis's range: rates 0-100 %; counts from zero, their top fixed (a round number
    above the longest bar) only when a reference line needs the scale to be known."""
    if chart.number_format == "pct":
        return 0.0, 1.0
    if chart.reference is None:
        return 0.0, None
    ends = [sum(v or 0 for v in col) for col in zip(*(ser.values for ser in chart.series))] if chart.kind == "bar_stacked" \
        else [v for ser in chart.series for v in ser.values if v is not None]
    top = max(ends + [chart.reference]) * 1.05 or 1
    step = 10 ** math.floor(math.log10(top))
    return 0.0, next(m * step for m in (1, 2, 5, 10) if m * step >= top)


def _text_width(text: str, size: int):
    return Pt(len(text) * CHAR_WIDTH * size)


def _plot_box(chart: Chart, width, height) -> tuple[float, float, float, float]:
    """The plot area's inner rectangle (the axes' box, tick labels outside it) as fractions
    (x, y, w, h) of the chart frame, room left around it for the tick labels, the data labels
    and the reference's label above (the values sit inside the bars). PowerPoint and LibreOffice both
    honour it, so a shape drawn over the chart lands on the value it stands for."""
    top = Pt(REFERENCE_SIZE * 2)
    right = _text_width("100 %", 12)  # half the last tick label, with room to spare
    if chart.kind == "column":
        left = _text_width("100%", 12) + Inches(0.15)
        bottom = Pt(14 * 3.5)  # category labels, up to two lines
    else:
        left = _text_width(max(chart.categories, key=len), 12) + Inches(0.15)
        bottom = Pt(12 * 2.2)  # the value axis's tick labels
    x, y = min(left / width, 0.45), top / height
    # Rounded as the chart's XML holds them, so the shapes use the very numbers the chart does.
    return tuple(round(v, 5) for v in (x, y, 1 - x - right / width, 1 - y - bottom / height))


def _fix_plot_area(ch, box: tuple[float, float, float, float]) -> None:
    x, y, w, h = box
    plot_area = ch._chartSpace.chart.plotArea
    for old in plot_area.findall(qn("c:layout")):
        plot_area.remove(old)
    plot_area.insert(0, parse_xml(
        f'<c:layout {nsdecls("c")}><c:manualLayout><c:layoutTarget val="inner"/>'
        f'<c:xMode val="edge"/><c:yMode val="edge"/><c:x val="{x}"/><c:y val="{y}"/>'
        f'<c:w val="{w}"/><c:h val="{h}"/></c:manualLayout></c:layout>'))


def add_reference(slide, chart: Chart, frame, box: tuple[float, float, float, float], bounds: tuple[float, float]):
    """The reference value (the province's rate) as a dashed line across the bars, with its
    label, drawn over the chart: python-pptx has no combo charts, and a line shape at the
    position the fixed axis scale and plot area give looks the same in PowerPoint and LibreOffice."""
    x, y, w, h = box
    low, high = bounds
    at = (chart.reference - low) / (high - low)
    left, top, width, height = frame.left, frame.top, frame.width, frame.height
    plot_left, plot_top = left + width * x, top + height * y
    plot_right, plot_bottom = left + width * (x + w), top + height * (y + h)
    label_w, label_h = _text_width(chart.reference_label, REFERENCE_SIZE) + Pt(8), Pt(REFERENCE_SIZE * 1.7)
    if chart.kind == "column":  # a horizontal line; the label above its right end
        y_at = plot_bottom - (plot_bottom - plot_top) * at
        ends = (plot_left, y_at, plot_right, y_at)
        label_at, align = (plot_right - label_w, y_at - label_h), PP_ALIGN.RIGHT
    else:  # a vertical line; the label above the plot, on the side with room
        x_at = plot_left + (plot_right - plot_left) * at
        ends = (x_at, plot_top, x_at, plot_bottom)
        gap = Pt(4)
        label_at, align = ((x_at - label_w - gap, plot_top - label_h), PP_ALIGN.RIGHT) if at > 0.5 \
            else ((x_at + gap, plot_top - label_h), PP_ALIGN.LEFT)
    line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, *(Emu(round(v)) for v in ends))
    line.name = REFERENCE_LINE
    line.line.color.rgb = TEXT_COLOR
    line.line.width = Pt(2.25)
    line.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    label = _text_box(slide, Emu(round(label_at[0])), Emu(round(label_at[1])), Emu(round(label_w)), Emu(round(label_h)),
                      chart.reference_label, REFERENCE_SIZE, bold=True, align=align, anchor=MSO_ANCHOR.BOTTOM)
    label.name = REFERENCE_LABEL
    label.text_frame.word_wrap = False
    return line, label


def _write_label(point, text: str, size: int, color: RGBColor, position) -> None:
    """The point's value label as the app writes it, in the deck's language. A point's label
    replaces the series' (LibreOffice inherits nothing), so it repeats position, size and colour."""
    label = point.data_label
    label.position = position
    label.font.size, label.font.color.rgb = Pt(size), color
    frame = label.text_frame
    frame.text = text
    for run in frame.paragraphs[0].runs:
        run.font.size, run.font.name = Pt(size), FONT
        run.font.color.rgb = color


def _label_points(ser, spec, chart: Chart, lang: str, position) -> None:
    """Every bar's value as text: white or black on a bar coloured point by point (the values sit
    inside the bars where a reference line crosses their ends), near-black otherwise. No label
    where there is no bar: a missing value, a zero slice of a stacked bar."""
    inside = chart.reference is not None
    size = 14 if not inside or len(chart.categories) <= 12 else 12  # inside thin bars
    for i, (value, text) in enumerate(zip(spec.values, value_labels(spec.values, chart.number_format, lang))):
        if value is None or (chart.kind == "bar_stacked" and value == 0):
            continue
        background = spec.point_colors[i] if spec.point_colors and len(chart.series) == 1 else spec.color
        color = _rgb(ink(background)) if inside else TEXT_COLOR
        _write_label(ser.points[i], text, size, color, position)


def add_chart(slide, chart: Chart, left, top, width, height, lang: str):
    """A native chart: one series per :class:`pages.review._slides.Series`, values as given,
    labelled as ``/present`` labels them in ``lang``."""
    data = TextCategoryChartData(number_format=NUMBER_FORMATS[chart.number_format])
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
    # A reference line crosses the bars' ends: the values then sit at the bars' base, clear of it.
    position = XL_LABEL_POSITION.CENTER if chart.kind == "bar_stacked" else \
        XL_LABEL_POSITION.INSIDE_BASE if chart.reference is not None else XL_LABEL_POSITION.OUTSIDE_END
    for ser, spec in zip(plot.series, chart.series):
        ser.format.fill.solid()
        ser.format.fill.fore_color.rgb = _rgb(spec.color)
        if spec.point_colors and len(chart.series) == 1:
            for i, color in enumerate(spec.point_colors):
                point = ser.points[i]
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = _rgb(color)
        _label_points(ser, spec, chart, lang, position)
    values = ch.value_axis
    if chart.number_format == "pct":
        values.has_major_gridlines = True
        values.major_gridlines.format.line.color.rgb = RGBColor(0xE0, 0xE0, 0xE0)
        values.tick_labels.number_format = RATE_AXIS_FORMATS[lang]
        values.tick_labels.number_format_is_linked = False
        values.tick_labels.font.size = Pt(12)
    else:
        # Counts: every bar carries its number, and "#,##0" ticks would show the viewer's
        # thousands separator (200,000 in a Vietnamese deck): no count axis, as on a poster.
        values.visible = False
        values.has_major_gridlines = False  # lines without numbers say nothing
    bounds = _value_bounds(chart)
    values.minimum_scale, values.maximum_scale = bounds
    cats = ch.category_axis
    cats.tick_labels.font.size = Pt(14 if chart.kind == "column" else 12)
    if chart.kind in ("bar", "bar_stacked"):
        cats.reverse_order = True  # the first category at the top, as on the screen
        # and the value axis below the bars, as on the screen: it crosses the reversed category
        # axis at its last category (python-pptx sets only the other direction, ValueAxis.crosses)
        values._element.find(qn("c:crosses")).set("val", "max")
    ch.has_legend = len(chart.series) > 1
    if ch.has_legend:
        ch.legend.position = XL_LEGEND_POSITION.TOP
        ch.legend.include_in_layout = False
        ch.legend.font.size = Pt(14)
    if chart.reference is not None:
        box = _plot_box(chart, width, height)
        _fix_plot_area(ch, box)
        add_reference(slide, chart, frame, box, bounds)
    return frame


def build_deck(slides: list[Slide], footer: str, kicker: str, lang: str) -> bytes:
    """The .pptx file's bytes: one slide per :class:`Slide`, footer = filters and data date,
    the charts' numbers written in ``lang`` (the slides' language)."""
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
        body_top, body_height = Inches(2.0), Inches(4.3 if spec.footnote else 4.7)
        if spec.chart is not None:
            add_chart(slide, spec.chart, MARGIN, body_top, WIDTH - 2 * MARGIN, body_height, lang)
        else:
            _text_box(slide, MARGIN, body_top, WIDTH - 2 * MARGIN, body_height, spec.message or "", 24,
                      anchor=MSO_ANCHOR.MIDDLE)
        if spec.footnote:  # what the chart leaves out, under it as on /present
            _text_box(slide, MARGIN, Inches(6.35), WIDTH - 2 * MARGIN, Inches(0.5), spec.footnote, 14, TEXT_COLOR)
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
    facts = review_facts(engine or get_engine(), view.filter())
    report = build_report(facts, view.lang)
    deck = build_deck(build_slides(facts, report), report.filters, kicker(facts, view.lang), view.lang)
    return deck_filename(facts.year, facts.district_code, view.lang), deck


def download_deck(search: str | None) -> dict:
    """What a dcc.Download needs for the deck of the URL's filters (a callback's answer)."""
    view = resolve_view(parse_search(search))
    name, data = deck_for_view(view)
    return dcc.send_bytes(data, name)
