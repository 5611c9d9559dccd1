"""The year's story as slides: one message per slide, a headline sentence and one chart.

Shared by ``/present`` (Plotly figures, :func:`plotly_figure`) and the PowerPoint
export (native charts, :mod:`pages.review._deck`), so the screen and the file say
the same thing. A chart is plain data (categories, series of values, colours), the
values straight from :class:`data.queries.review.ReviewFacts`; pure functions, no
database. At most nine slides.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go

from components.formatting import fmt_int, fmt_number, plotly_separators
from components.i18n import level_label
from components.i18n import t as common_t
from components.kpi import fmt_rate
from components.theme import (
    FONT_FAMILY,
    HIGHLIGHT_COLOR,
    LATE_COLOR,
    LEVEL_COLORS,
    LIGHT_TEMPLATE,
    NEUTRAL_COLOR,
    ON_TIME_COLOR,
    POSTAL_COLOR,
    ink,
    percent_ticks,
    plot_text,
)
from data.queries.review import ReviewFacts, units_below

from ._review_text import Report, Writer, section_text, w

MAX_SLIDES = 10
TOP_PROCEDURES = 8
TOP_NOT_ONLINE = 6
LABEL_MAX = 46  # characters of a category label before it is shortened
LIGHT_COLOR = "#BBBBBB"


@dataclass
class Series:
    name: str
    values: list  # numbers (None: no value, e.g. a unit without a record)
    color: str
    point_colors: list[str] | None = None  # one colour per category, when they differ


@dataclass
class Chart:
    kind: str  # "column" (vertical bars), "bar" (horizontal), "bar_stacked"
    categories: list[str]
    series: list[Series]
    number_format: str = "int"  # "int" or "pct" (values are fractions)
    reference: float | None = None  # a line across the bars (the province's rate)
    reference_label: str = ""


@dataclass
class Slide:
    key: str
    headline: str
    chart: Chart | None = None
    message: str | None = None  # said instead of a chart when there is nothing to draw
    footnote: str = ""  # under the chart: what its figures leave out (dossiers with no known channel)
    sections: list[str] = field(default_factory=list)  # report sections the slide shows (speaker notes)
    link: str = ""  # the page that shows the chart in full
    notes: str = ""


S: dict[str, tuple[str, str]] = {
    "received": ("Năm {year}, {scope} tiếp nhận {total} hồ sơ; nhiều nhất ở {level} ({n})",
                 "{total} dossiers received in {year}; most at {level} ({n})"),
    "received.none": ("Năm {year} không có hồ sơ nào được ghi nhận", "No dossiers recorded for {year}"),
    "scope.province": ("toàn tỉnh", "the province"),
    # '.city' variants: said when the unit in force is a city (Thành phố Đà Nẵng from July 2025).
    "scope.province.city": ("toàn thành phố", "the city"),
    "on_time": ("{Level} giải quyết đúng hạn {rate}, thấp nhất trong các cấp", "{Level}: {rate} on time, the lowest of the levels"),
    "on_time.one": ("Tỷ lệ giải quyết đúng hạn {rate}", "{rate} of dossiers finished on time"),
    "online": ("{Level} chỉ {rate} hồ sơ nộp trực tuyến, thấp nhất trong các cấp", "{Level}: only {rate} of dossiers submitted online, the lowest"),
    "online.one": ("{rate} hồ sơ được nộp trực tuyến", "{rate} of dossiers submitted online"),
    "postal": ("{staff} nhân viên bưu điện thay thế, hỗ trợ {cs} công chức tại bộ phận một cửa",
               "{staff} postal staff replace or support {cs} civil servants at the one-stop desks"),
    "postal.none": ("Chưa ghi nhận việc thay thế bằng bưu chính công ích năm {year}", "No postal substitution recorded for {year}"),
    "postal.staff": ("Nhân viên bưu điện", "Postal staff"),
    "postal.cs": ("Công chức được thay thế / hỗ trợ", "Civil servants replaced or supported"),
    "moved.district": ("{n}/{total} đơn vị cấp huyện đã chuyển 100 % thủ tục sang bưu chính công ích",
                       "{n} of {total} district-level units have moved 100% of procedures to the postal service"),
    "moved.commune": ("{n}/{total} xã của {district} đã chuyển 100 % thủ tục sang bưu chính công ích",
                      "{n} of {total} communes of {district} have moved 100% of procedures to the postal service"),
    "moved.commune.none": ("Chưa xã nào của {district} có số liệu chuyển thủ tục sang bưu chính công ích",
                           "No commune of {district} has a postal-substitution record"),
    "moved.series": ("Tỷ lệ thủ tục đã chuyển", "Share of procedures moved"),
    "late": ("Lĩnh vực {sector} chiếm {share} hồ sơ trễ hạn", "The {sector} sector accounts for {share} of late dossiers"),
    "late.one": ("{n} hồ sơ trễ hạn; nhiều nhất ở thủ tục {procedure}", "{n} late dossiers; most in {procedure}"),
    "late.none": ("Không có hồ sơ trễ hạn năm {year}", "No late dossiers in {year}"),
    "late.series": ("Hồ sơ trễ hạn", "Late dossiers"),
    "units.district": ("{nb}/{nr} đơn vị cấp huyện dưới mức đúng hạn chung của tỉnh ({bench})",
                       "{nb} of {nr} district-level units below the province's on-time rate ({bench})"),
    "units.commune": ("{nb}/{nr} xã của {district} dưới mức đúng hạn chung của tỉnh ({bench})",
                      "{nb} of {nr} communes of {district} below the province's on-time rate ({bench})"),
    "units.ok.district": ("Tất cả {nr} đơn vị cấp huyện đạt từ mức đúng hạn chung của tỉnh ({bench}) trở lên",
                          "All {nr} district-level units at or above the province's on-time rate ({bench})"),
    "units.ok.commune": ("Tất cả {nr} xã của {district} đạt từ mức đúng hạn chung của tỉnh ({bench}) trở lên",
                         "All {nr} communes of {district} at or above the province's on-time rate ({bench})"),
    # After July 2025 the units one step below the city are the former districts' areas (as the report says).
    "units.area": ("{nb}/{nr} địa bàn huyện cũ dưới mức đúng hạn chung của tỉnh ({bench})",
                   "{nb} of {nr} former district areas below the province's on-time rate ({bench})"),
    "units.ok.area": ("Tất cả {nr} địa bàn huyện cũ đạt từ mức đúng hạn chung của tỉnh ({bench}) trở lên",
                      "All {nr} former district areas at or above the province's on-time rate ({bench})"),
    "units.area.city": ("{nb}/{nr} địa bàn huyện cũ dưới mức đúng hạn chung của thành phố ({bench})",
                        "{nb} of {nr} former district areas below the city's on-time rate ({bench})"),
    "units.ok.area.city": ("Tất cả {nr} địa bàn huyện cũ đạt từ mức đúng hạn chung của thành phố ({bench}) trở lên",
                           "All {nr} former district areas at or above the city's on-time rate ({bench})"),
    "units.commune.city": ("{nb}/{nr} xã của {district} dưới mức đúng hạn chung của thành phố ({bench})",
                           "{nb} of {nr} communes of {district} below the city's on-time rate ({bench})"),
    "units.ok.commune.city": ("Tất cả {nr} xã của {district} đạt từ mức đúng hạn chung của thành phố ({bench}) trở lên",
                              "All {nr} communes of {district} at or above the city's on-time rate ({bench})"),
    "lvl.former": ("TTHC {level} trước đây", "formerly {level}"),
    "units.series": ("Tỷ lệ đúng hạn", "On-time rate"),
    "units.reference": ("Mức chung {bench}", "Overall {bench}"),
    "units.none": ("Chưa đủ hồ sơ để so sánh tỷ lệ đúng hạn giữa các đơn vị", "Too few finished dossiers to compare units"),
    "communes": ("{n}/{total} xã chưa chuyển thủ tục nào sang bưu chính công ích",
                 "{n} of {total} communes have moved nothing to the postal service"),
    "communes.ok": ("Tất cả {total} xã đã chuyển thủ tục sang bưu chính công ích", "All {total} communes have moved procedures to the postal service"),
    "communes.moved": ("Đã chuyển", "Moved some"),
    "communes.nothing": ("Chưa chuyển thủ tục nào", "Moved nothing"),
    "communes.series": ("Số xã", "Communes"),
    "not_online": ("Thủ tục đông hồ sơ nhất chưa trực tuyến toàn trình: {procedure} ({n} hồ sơ)",
                   "Busiest procedure not fully online: {procedure} ({n} dossiers)"),
    "not_online.none": ("Tất cả thủ tục có hồ sơ đều trực tuyến toàn trình", "Every procedure with dossiers is fully online"),
    "lvl.province": ("cấp tỉnh", "province"),
    "lvl.district": ("cấp huyện", "district"),
    "lvl.commune": ("cấp xã", "commune"),
    "online.partial": ("một phần", "partly online"),
    "online.none": ("chưa trực tuyến", "not online"),
    "not_online.series": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "scorecard": ("Chỉ số phục vụ (QĐ 766): {total}/{max} điểm đo được; mất nhiều nhất ở nhóm {group}",
                  "Service index (Decision 766): {total} of {max} points measured; most lost in {group}"),
    "scorecard.points": ("Điểm đạt", "Points"),
    "scorecard.lost": ("Điểm mất", "Points lost"),
    "kicker": ("Tổng kết công tác giải quyết thủ tục hành chính năm {year}", "Administrative procedures: the year {year} in review"),
}


def s(key: str, lang: str, **values) -> str:
    vi, en = S[key]
    return (en if lang == "en" else vi).format(**values)


def sp(key: str, facts: ReviewFacts, lang: str, **values) -> str:
    """``key`` for the unit in force: its '.city' variant for a city ('thành phố', not 'tỉnh')."""
    return s(f"{key}.city" if facts.province_is_city and f"{key}.city" in S else key, lang, **values)


def shorten(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,") + "…"


def _proc_label(wr: Writer, item, online: bool = False) -> str:
    """'Đăng ký biến động quyền sử dụng… (cấp huyện)': the name shortened, the level kept
    (and with ``online`` how far it is online: 'một phần' / 'chưa trực tuyến')."""
    level = item.extra.get("level")
    tail = s("lvl." + level, wr.lang)
    if level not in {lv.level for lv in wr.facts.levels}:  # a district-level procedure in 2026, received by communes
        tail = s("lvl.former", wr.lang, level=tail)
    if online:
        tail += " · " + s("online." + item.extra.get("online_level"), wr.lang)
    tail = f" ({tail})"
    return shorten(wr.name(item), LABEL_MAX + (12 if online else 0) - len(tail)) + tail


def kicker(facts: ReviewFacts, lang: str) -> str:
    return s("kicker", lang, year=facts.year)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _level_chart(facts: ReviewFacts, lang: str, attr: str, name: str, fmt: str) -> Chart:
    levels = [lv for lv in facts.levels if getattr(lv, attr) is not None]
    return Chart("column", [level_label(lv.level, lang) for lv in levels],
                 [Series(name, [getattr(lv, attr) for lv in levels], HIGHLIGHT_COLOR,
                         [LEVEL_COLORS[lv.level] for lv in levels])], fmt)


def _rate_headline(facts: ReviewFacts, lang: str, attr: str, key: str) -> str:
    levels = [lv for lv in facts.levels if getattr(lv, attr) is not None]
    if len(levels) == 1:
        return s(f"{key}.one", lang, rate=fmt_rate(getattr(levels[0], attr), lang))
    low = min(levels, key=lambda lv: getattr(lv, attr))
    return s(key, lang, Level=_cap(w(f"level.{low.level}", lang)), rate=fmt_rate(getattr(low, attr), lang))


def build_slides(facts: ReviewFacts, report: Report) -> list[Slide]:
    """The deck for the facts, in the report's language; speaker notes are the report's sections.
    One step per message, in the order of the conference: received, on time, online (1-3),
    postal staff and the units' shares moved (4-5), late dossiers (6), units against the province's
    rate (7), communes with nothing moved (8), busy procedures not online (9), the service index (10)."""
    wr = Writer(facts, report.lang)
    out = [*_level_slides(facts, report, wr), *_postal_slides(facts, report, wr)]
    if facts.has_data and report.section("late"):
        out += [_late_slide(facts, report, wr), *_units_slide(facts, report, wr)]
    out += _communes_slide(facts, wr)
    if facts.has_data and report.section("not_online"):
        out.append(_not_online_slide(facts, report, wr))
    if report.section("scorecard"):
        out.append(_scorecard_slide(facts, report, wr))
    return _with_notes(out[:MAX_SLIDES], report)


def _level_slides(facts: ReviewFacts, report: Report, wr: Writer) -> list[Slide]:
    """1. Dossiers received; 2. on time; 3. online: per level."""
    lang, year = report.lang, facts.year
    if not facts.has_data:
        return [Slide("received", s("received.none", lang, year=year), sections=["received"],
                      message=section_text(report.section("received")), link=wr.href("/levels"))]
    scope = facts.district_name or sp("scope.province", facts, lang)
    top = max(facts.levels, key=lambda lv: lv.received)
    out = [Slide("received", s("received", lang, year=year, scope=scope, total=fmt_int(facts.total_received, lang),
                               level=w(f"level.{top.level}", lang), n=fmt_int(top.received, lang)),
                 _level_chart(facts, lang, "received", w("h.received", lang), "int"),
                 sections=["received"], link=wr.href("/levels", "lvl-channels"))]
    if any(lv.on_time_rate is not None for lv in facts.levels):
        out.append(Slide("on_time", _rate_headline(facts, lang, "on_time_rate", "on_time"),
                         _level_chart(facts, lang, "on_time_rate", w("h.on_time", lang), "pct"),
                         sections=["on_time"], link=wr.href("/levels", "lvl-on-time")))
    if any(lv.online_share is not None for lv in facts.levels):
        unknown = facts.total_unknown_channel
        out.append(Slide("online", _rate_headline(facts, lang, "online_share", "online"),
                         _level_chart(facts, lang, "online_share", w("h.online", lang), "pct"),
                         sections=["online"], link=wr.href("/levels", "lvl-online"),
                         footnote=common_t("channel.unknown.note", lang, n=fmt_int(unknown, lang)) if unknown else ""))
    return out


def _postal_slides(facts: ReviewFacts, report: Report, wr: Writer) -> list[Slide]:
    """4. Postal staff per level; 5. the units' share of procedures moved."""
    lang = report.lang
    if not facts.postal:
        return [Slide("postal", s("postal.none", lang, year=facts.year), message=section_text(report.section("postal")),
                      sections=["postal"], link=wr.href("/postal"))]
    levels = [p for p in facts.postal if p.records]
    staff = sum(p.postal_staff for p in facts.postal)
    cs = sum(p.civil_servants for p in facts.postal)
    chart = Chart("column", [level_label(p.level, lang) for p in levels], [
        Series(s("postal.staff", lang), [p.postal_staff for p in levels], POSTAL_COLOR),
        Series(s("postal.cs", lang), [p.civil_servants for p in levels], NEUTRAL_COLOR)], "int")
    out = [Slide("postal", s("postal", lang, staff=fmt_int(staff, lang), cs=fmt_int(cs, lang)), chart,
                 sections=["postal"], link=wr.href("/postal", "post-headline"))]
    units = [u for u in facts.moved_units if u.extra.get("has_record")]
    units = sorted(units, key=lambda u: (-(u.rate if u.rate is not None else -1), u.name))
    n, total = fmt_int(len(facts.full_units), lang), fmt_int(len(facts.moved_units), lang)
    if facts.full_units_kind == "district":
        headline = s("moved.district", lang, n=n, total=total)
    elif units:
        headline = s("moved.commune", lang, n=n, total=total, district=facts.district_name)
    else:
        headline = s("moved.commune.none", lang, district=facts.district_name)
    if units:
        full_codes = {u.code for u in facts.full_units}
        chart = Chart("bar", [wr.name(u) for u in units],
                      [Series(s("moved.series", lang), [u.rate for u in units], POSTAL_COLOR,
                              [ON_TIME_COLOR if u.code in full_codes else POSTAL_COLOR for u in units])], "pct")
        out.append(Slide("moved", headline, chart, sections=["postal_full"], link=wr.href("/postal", "post-map")))
    elif report.section("postal_full"):
        out.append(Slide("moved", headline, message=section_text(report.section("postal_full")),
                         sections=["postal_full"], link=wr.href("/postal")))
    return out


def _scorecard_slide(facts: ReviewFacts, report: Report, wr: Writer) -> Slide:
    """10. The service index: each measured group's points and the points it loses."""
    lang = report.lang
    groups = [g for g in facts.score_groups if g.rate is not None]
    worst = max(groups, key=lambda g: (g.base * (1 - g.rate), g.code))
    headline = s("scorecard", lang, total=fmt_number(facts.score_total, lang, 1), max=fmt_int(facts.score_max, lang),
                 group=wr.name(worst).lower())
    chart = Chart("bar_stacked", [f"{wr.name(g)} ({g.base})" for g in groups], [
        Series(s("scorecard.points", lang), [round(g.value / 10) for g in groups], ON_TIME_COLOR),
        Series(s("scorecard.lost", lang), [g.base - round(g.value / 10) for g in groups], LIGHT_COLOR)], "int")
    return Slide("scorecard", headline, chart, sections=["scorecard"], link=wr.href("/scorecard"))


def _late_slide(facts: ReviewFacts, report: Report, wr: Writer) -> Slide:
    """6. Where the late dossiers are: procedures, coloured by sector."""
    lang, total = report.lang, facts.total_late
    procs = facts.late_procedures[:TOP_PROCEDURES]
    if total == 0 or not procs:
        return Slide("late", s("late.none", lang, year=facts.year), message=section_text(report.section("late")),
                     sections=["late"], link=wr.href("/late"))
    top_sector = facts.late_sectors[0] if facts.late_sectors else None
    if top_sector and not facts.sector_code:
        headline = s("late", lang, sector=wr.name(top_sector), share=fmt_rate(top_sector.value / total, lang))
    else:
        headline = s("late.one", lang, n=fmt_int(total, lang), procedure=shorten(wr.name(procs[0]), 40))
    top_code = top_sector.code if top_sector else None
    chart = Chart("bar", [_proc_label(wr, p) for p in procs],
                  [Series(s("late.series", lang), [p.value for p in procs], LATE_COLOR,
                          [LATE_COLOR if p.extra.get("sector_code") == top_code else LIGHT_COLOR for p in procs])], "int")
    return Slide("late", headline, chart, sections=["late"], link=wr.href("/late"))


def _units_slide(facts: ReviewFacts, report: Report, wr: Writer) -> list[Slide]:
    """7. Units against the province's on-time rate."""
    lang = report.lang
    if facts.units and facts.benchmark_rate is not None:
        below = units_below(facts)
        bench = fmt_rate(facts.benchmark_rate, lang)
        kind = "area" if facts.units_kind == "district" and facts.two_tier else facts.units_kind
        key = f"units.{kind}" if below else f"units.ok.{kind}"
        headline = sp(key, facts, lang, nb=fmt_int(len(below), lang), nr=fmt_int(len(facts.units), lang), bench=bench,
                     district=facts.district_name)
        low = {u.code for u in below}
        chart = Chart("bar", [wr.name(u) for u in facts.units],
                      [Series(s("units.series", lang), [u.rate for u in facts.units], ON_TIME_COLOR,
                              [LATE_COLOR if u.code in low else ON_TIME_COLOR for u in facts.units])], "pct",
                      reference=facts.benchmark_rate, reference_label=s("units.reference", lang, bench=bench))
        return [Slide("units", headline, chart, sections=["units"], link=wr.href("/levels", "lvl-breakdown", level=facts.units_kind))]
    if report.section("units"):
        return [Slide("units", s("units.none", lang), message=section_text(report.section("units")),
                      sections=["units"], link=wr.href("/levels"))]
    return []


def _communes_slide(facts: ReviewFacts, wr: Writer) -> list[Slide]:
    """8. Communes with nothing moved to the postal service."""
    if not facts.communes_total:
        return []
    lang, n = wr.lang, len(facts.communes_nothing)
    headline = (s("communes", lang, n=fmt_int(n, lang), total=fmt_int(facts.communes_total, lang)) if n
                else s("communes.ok", lang, total=fmt_int(facts.communes_total, lang)))
    if facts.district_code:
        chart = Chart("column", [s("communes.moved", lang), s("communes.nothing", lang)],
                      [Series(s("communes.series", lang), [facts.communes_total - n, n], POSTAL_COLOR,
                              [POSTAL_COLOR, LATE_COLOR])], "int")
    else:
        rows = facts.communes_by_district
        chart = Chart("bar_stacked", [r.name for r in rows], [
            Series(s("communes.moved", lang), [r.base - r.value for r in rows], POSTAL_COLOR),
            Series(s("communes.nothing", lang), [r.value for r in rows], LIGHT_COLOR)], "int")
    return [Slide("communes", headline, chart, sections=["communes"], link=wr.href("/postal", "post-map"))]


def _not_online_slide(facts: ReviewFacts, report: Report, wr: Writer) -> Slide:
    """9. Busy procedures not offered as full online services."""
    lang = report.lang
    procs = facts.not_online[:TOP_NOT_ONLINE]
    if not procs:
        return Slide("not_online", s("not_online.none", lang), message=section_text(report.section("not_online")),
                     sections=["not_online"], link=wr.href("/levels"))
    headline = s("not_online", lang, procedure=shorten(wr.name(procs[0]), 40), n=fmt_int(procs[0].value, lang))
    chart = Chart("bar", [_proc_label(wr, p, online=True) for p in procs],
                  [Series(s("not_online.series", lang), [p.value for p in procs], HIGHLIGHT_COLOR)], "int")
    return Slide("not_online", headline, chart, sections=["not_online"], link=wr.href("/levels", "lvl-procedures-card"))


def _with_notes(slides: list[Slide], report: Report) -> list[Slide]:
    """Speaker notes: the report's sections each slide shows (the first slide adds the title and filters)."""
    for i, slide in enumerate(slides):
        parts = [section_text(report.section(k)) for k in slide.sections if report.section(k)]
        if i == 0:
            parts = [report.title, report.filters] + parts
        slide.notes = "\n\n".join(p for p in parts if p)
    return slides


# ---------------------------------------------------------------- Plotly (the /present screen)

def value_labels(values, fmt: str, lang: str) -> list[str]:
    """The text written on each bar, the same on the screen and in the .pptx ('' for no value)."""
    return ["" if v is None else fmt_rate(v, lang) if fmt == "pct" else fmt_int(v, lang) for v in values]


def spoken_chart(slide: Slide, lang: str) -> str:
    """What a screen reader says for the slide's chart: its headline, then every bar's value
    ('Nhân viên bưu điện: cấp tỉnh 17, cấp huyện 44, cấp xã 20.'), as the .pptx's data sheet would."""
    chart = slide.chart
    parts = []
    for ser in chart.series:
        labels = value_labels(ser.values, chart.number_format, lang)
        values = ", ".join(f"{c} {v}" for c, v in zip(chart.categories, labels) if v)
        parts.append(f"{ser.name}: {values}" if len(chart.series) > 1 or ser.name else values)
    if chart.reference is not None and chart.reference_label:
        parts.append(chart.reference_label)
    return slide.headline.rstrip(".") + ". " + "; ".join(parts) + "."


def plotly_figure(chart: Chart, lang: str, font_size: int = 22) -> go.Figure:
    """The slide's chart for the screen: large type, values written on the bars, no toolbar clutter."""
    horizontal = chart.kind in ("bar", "bar_stacked")
    # Many bars (18 district-level units) leave each about 20 px on a 1366x768 screen: smaller labels, all shown.
    n = len(chart.categories)
    label_size = font_size if n <= 9 else 16 if n <= 14 else 14
    fig = go.Figure()
    # Unit and procedure names come from data: escaped for Plotly (the .pptx takes them as written).
    categories = [plot_text(c) for c in chart.categories]
    for ser in chart.series:
        values = [None if v is None else v for v in ser.values]
        text = value_labels(values, chart.number_format, lang)
        hover = [f"{c}: {t}" for c, t in zip(categories, text)]
        # Rates on horizontal bars sit inside the bar's end (they are all long bars); counts outside.
        inside = chart.kind == "bar_stacked" or (horizontal and chart.number_format == "pct")
        common = dict(name=plot_text(ser.name), marker_color=ser.point_colors or ser.color, text=text, hovertext=hover,
                      hoverinfo="text", textposition="inside" if inside else "outside", insidetextanchor="end",
                      cliponaxis=False, textfont=dict(size=label_size, color=([ink(c) for c in ser.point_colors] if ser.point_colors else ink(ser.color))
                                    if inside else "#212529"))
        if horizontal:
            fig.add_trace(go.Bar(y=categories, x=values, orientation="h", **common))
        else:
            fig.add_trace(go.Bar(x=categories, y=values, **common))
    value_axis = dict(showgrid=True, gridcolor="#E9ECEF", zeroline=True, zerolinecolor="#ADB5BD",
                      tickfont=dict(size=font_size - 4))
    if chart.number_format == "pct":
        value_axis.update(range=[0, 1.12], **percent_ticks(lang, 0, 1.12))  # bars start at zero, as in the .pptx
    else:
        value_axis.update(tickformat=",d")
    cat_axis = dict(tickfont=dict(size=label_size if horizontal else font_size), automargin=True, dtick=1)
    if horizontal:
        cat_axis["autorange"] = "reversed"  # the first category at the top, as read
        fig.update_layout(xaxis=value_axis, yaxis=cat_axis, bargap=0.25)
    else:
        fig.update_layout(xaxis=cat_axis, yaxis=value_axis, bargap=0.35)
    if chart.reference is not None:
        line = dict(type="line", line=dict(color="#212529", width=3, dash="dash"))
        if horizontal:
            fig.add_shape(x0=chart.reference, x1=chart.reference, y0=0, y1=1, yref="paper", **line)
        else:
            fig.add_shape(y0=chart.reference, y1=chart.reference, x0=0, x1=1, xref="paper", **line)
        # A line past the middle of the bars (an on-time rate of 97 %) has its label on its left: on its right
        # 'Mức chung 97,48 %' ran off the slide.
        top = max([chart.reference, *(v for sr in chart.series for v in sr.values if v is not None)])
        label_left = not horizontal or chart.reference > top / 2
        fig.add_annotation(x=chart.reference if horizontal else 1, y=1 if horizontal else chart.reference,
                           xref="x" if horizontal else "paper", yref="paper" if horizontal else "y",
                           text=plot_text(chart.reference_label), showarrow=False, yanchor="bottom", xanchor="right" if label_left else "left",
                           font=dict(size=font_size - 2, color="#212529"), bgcolor="rgba(255,255,255,.85)")
    fig.update_layout(
        font=dict(family=FONT_FAMILY, size=font_size, color="#212529"), separators=plotly_separators(lang),
        template=LIGHT_TEMPLATE, margin=dict(l=10, r=30, t=40 if chart.reference is not None or len(chart.series) > 1 else 10, b=10),
        barmode="stack" if chart.kind == "bar_stacked" else "group", uniformtext=dict(minsize=min(label_size, 12), mode="hide"),
        showlegend=len(chart.series) > 1, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, font=dict(size=font_size - 2)),
        hoverlabel=dict(font_size=font_size - 4), paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig
