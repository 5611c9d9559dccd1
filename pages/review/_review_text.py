"""The review report's words, in Vietnamese and English, written from a
:class:`data.queries.review.ReviewFacts` object.

Pure functions: no database, no Dash. A report is a title, a line naming its filters
and a list of sections; a section is paragraphs; a paragraph is a list of segments,
each a plain string or a :class:`Fig` (a figure or a name with the link to the page
that shows it, filters carried in the link). ``/report`` renders the segments as
links, the slide deck's speaker notes and the tests use :func:`to_text`.

Rates follow the app's one rule (:func:`components.kpi.fmt_rate`): rounded to two
decimals, trailing zeros dropped. 0.997995 is 99,80 % at two decimals, written
``99,8 %``; 0.829196 is ``82,92 %``; 0.974998 is ``97,5 %``. So a rate shows one
decimal exactly when its value rounded to two decimals ends in 0 (it is within
0.005 points of its one-decimal form), and two decimals otherwise: no figure is
written more precisely than the province's reports write it, and none is rounded
by more than 0.005 points. A rate below 100 % never shows as 100 %.

Nothing here prints a missing number: a level with no finished dossier, a year
without data, a place without postal records each get a sentence saying so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from babel.dates import format_date

from components.formatting import fmt_int, fmt_number
from components.i18n import bilingual
from components.i18n import t as common_t
from components.kpi import fmt_rate
from data.queries.review import Item, ReviewFacts, units_below

LIST_MAX = 20  # the most names a sentence lists before it says "and N more"
TOP_LATE_SECTORS = 3
TOP_LATE_PROCEDURES = 5
TOP_NOT_ONLINE = 3


@dataclass(frozen=True)
class Fig:
    """A figure (or a name) in the text and the page that shows it."""

    text: str
    href: str
    kind: str = "figure"  # "figure" (a number) or "name" (a unit, sector, procedure)


Seg = str | Fig
Paragraph = list[Seg]


@dataclass
class Section:
    key: str  # received, on_time, online, postal, postal_full, late, units, communes, not_online
    heading: str  # "" : continues the section before it
    paragraphs: list[Paragraph] = field(default_factory=list)
    group: str | None = None  # "weak": the weak points, under one heading


@dataclass
class Report:
    title: str
    filters: str  # "Năm 2023 · Toàn tỉnh Quảng Nam · Tất cả lĩnh vực · Số liệu cập nhật ngày 29/11/2026"
    sections: list[Section]
    lang: str = "vi"

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


W: dict[str, tuple[str, str]] = {
    "title": ("Báo cáo tổng kết công tác tiếp nhận, giải quyết thủ tục hành chính năm {year}",
              "Review of the year's administrative-procedure work, {year}"),
    "title.scope": ("{title} — {scope}", "{title} — {scope}"),
    "scope.province": ("toàn tỉnh {name}", "{name} province"),
    "scope.city": ("toàn thành phố {name}", "{name} city"),
    "scope.province.noname": ("toàn tỉnh", "the whole province"),
    "filters.year": ("Năm {year}", "{year}"),
    "filters.province": ("Toàn tỉnh {name}", "Whole province ({name})"),
    # A '.city' variant is said instead when the unit in force is a city (Thành phố Đà Nẵng from July 2025).
    "filters.province.city": ("Toàn thành phố {name}", "Whole city ({name})"),
    "filters.district": ("{name}", "{name}"),
    "filters.sector.all": ("Tất cả lĩnh vực", "All sectors"),
    "filters.sector": ("Lĩnh vực {name}", "Sector: {name}"),
    "filters.date": ("Số liệu cập nhật ngày {date}", "Data as of {date}"),
    "level.province": ("cấp tỉnh", "province level"),
    "level.district": ("cấp huyện", "district level"),
    "level.commune": ("cấp xã", "commune level"),
    "and": (" và ", " and "),
    "more": ("{n} đơn vị khác", "{n} more"),
    # Headings
    "h.received": ("Tiếp nhận hồ sơ", "Dossiers received"),
    "h.on_time": ("Giải quyết đúng hạn", "Finished on time"),
    "h.online": ("Hồ sơ trực tuyến", "Online submissions"),
    "h.postal": ("Bưu chính công ích tiếp nhận hồ sơ thay công chức", "Postal staff at the one-stop desks"),
    "h.weak": ("Những hạn chế", "Weak points"),
    "h.scorecard": ("Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)", "Service index (Decision 766)"),
    "h.late": ("Hồ sơ trễ hạn", "Late dossiers"),
    "h.units": ("Đơn vị dưới mức đúng hạn chung", "Units below the overall on-time rate"),
    "h.communes": ("Xã chưa chuyển thủ tục sang bưu chính công ích", "Communes with nothing moved to the postal service"),
    "h.not_online": ("Thủ tục đông hồ sơ chưa trực tuyến toàn trình", "Busy procedures not fully online"),
    # Received
    "received.none": ("Năm {year}, {scope} không có hồ sơ thủ tục hành chính nào{sector} được ghi nhận.",
                      "No administrative-procedure dossiers{sector} are recorded for {scope} in {year}."),
    "received": ("Năm {year}, {subject} tiếp nhận {total} hồ sơ thủ tục hành chính{sector}: {levels}.",
                 "In {year} {subject} received {total} administrative-procedure {dossiers}{sector}: {levels}."),
    "received.subject.province": ("các cơ quan, đơn vị trên địa bàn tỉnh", "the province's agencies and units"),
    "received.subject.province.city": ("các cơ quan, đơn vị trên địa bàn thành phố", "the city's agencies and units"),
    "received.subject.district": ("{name} (cấp huyện và cấp xã)", "{name} (district and commune level)"),
    "received.level": ("{level} {n}", "{n} at {level}"),
    "sector.in": (" thuộc lĩnh vực {name}", " in the {name} sector"),
    # On time
    "on_time": ("Tỷ lệ hồ sơ giải quyết đúng hạn ở {levels}.", "On-time rates: {levels}."),
    "on_time.first": ("{level} đạt {rate}", "{rate} at {level}"),
    "on_time.level": ("{level} {rate}", "{rate} at {level}"),
    "on_time.nothing": ("{level} chưa có hồ sơ giải quyết xong", "no dossier finished at {level}"),
    "on_time.overall": ("Tính chung, {late} trong số {finished} hồ sơ đã giải quyết bị trễ hạn; tỷ lệ đúng hạn chung {where} là {rate}.",
                        "Overall {late} of {finished} finished {dossiers} {were} late; the on-time rate {where} is {rate}."),
    "where.province": ("của tỉnh", "of the province"),
    "where.province.city": ("của thành phố", "of the city"),
    "where.district": ("của {name}", "of {name}"),
    "on_time.benchmark": ("Mức chung của toàn tỉnh là {rate}.", "The rate of the whole province is {rate}."),
    "on_time.benchmark.city": ("Mức chung của toàn thành phố là {rate}.", "The rate of the whole city is {rate}."),
    "on_time.none": ("Chưa có hồ sơ nào được giải quyết xong trong năm {year}.", "No dossier was finished in {year}."),
    # Online
    "online": ("Tỷ lệ hồ sơ tiếp nhận trực tuyến ở {levels}.", "Share of dossiers received online: {levels}."),
    "online.first": ("{level} là {rate}", "{rate} at {level}"),
    "online.level": ("{level} {rate}", "{rate} at {level}"),
    "online.lowest": ("Thấp nhất là {level}: {n} trong số {received} hồ sơ được nộp trực tuyến.",
                      "Lowest is {level}: {n} of {received} {dossiers} {were} submitted online."),
    # Postal
    "postal.none": ("Chưa ghi nhận việc thay thế công chức tiếp nhận hồ sơ bằng nhân viên bưu chính công ích tại {scope} năm {year}.",
                    "No postal substitution recorded for {scope} in {year}."),
    "postal.level.none": ("Ở {level}, chưa ghi nhận việc thay thế bằng bưu chính công ích.",
                          "At {level}, no postal substitution is recorded."),
    "postal.level": ("Ở {level}, {staff} nhân viên bưu điện {verb} {cs} công chức {where}, tiếp nhận {moved} thủ tục hành chính, {share}.",
                     "At {level}, {staff} {staff_noun} {verb} {cs} civil {servants} {where}, receiving {moved} {procedures}, {share}."),
    "postal.level.nostaff": ("Ở {level}, chưa có nhân viên bưu điện tiếp nhận hồ sơ; {moved} thủ tục được ghi nhận đã chuyển sang bưu chính công ích.",
                             "At {level}, no postal staff receive dossiers yet; {moved} {procedures} {are} recorded as moved to the postal service."),
    "verb.replace": ("thay thế", "replace"),
    "verb.support": ("hỗ trợ", "support"),
    "postal.share.full": ("bằng {share} tổng số thủ tục", "{share} of all procedures"),
    "postal.share": ("bằng {share} tổng số {total} thủ tục", "{share} of the {total} procedures"),
    "postal.share.none": ("chưa có tổng số thủ tục để so sánh", "with no procedure total to compare with"),
    "postal.share.bad": ("bằng {share} tổng số {total} thủ tục (số đã chuyển lớn hơn tổng số: số liệu cần kiểm tra)",
                         "{share} of the {total} procedures (more moved than in total: the record needs checking)"),
    "where.centre": ("tại {name}", "at the provincial centre ({name})"),
    "where.centre.noname": ("tại bộ phận một cửa cấp tỉnh", "at the provincial one-stop desk"),
    "where.centre.city": ("tại {name}", "at the city's centre ({name})"),
    "where.centre.noname.city": ("tại bộ phận một cửa cấp thành phố", "at the city's one-stop desk"),
    "where.districts": ("tại bộ phận một cửa của {n} đơn vị cấp huyện", "at the one-stop desks of {n} district-level {units}"),
    "where.district.one": ("tại bộ phận một cửa của {name}", "at {name}'s one-stop desk"),
    "where.communes": ("tại {n} UBND cấp xã", "at {n} commune People's {committees}"),
    "postal.full.district": ("{n} đơn vị cấp huyện đã chuyển {full} thủ tục hành chính qua dịch vụ bưu chính công ích: {names}.",
                             "{n} district-level {units} {have} moved {full} of {their} procedures to the public postal service: {names}."),
    "postal.full.district.none": ("Chưa có đơn vị cấp huyện nào chuyển {full} thủ tục hành chính qua dịch vụ bưu chính công ích.",
                                  "No district-level unit has moved {full} of its procedures to the public postal service yet."),
    "postal.full.commune": ("{n} xã của {district} đã chuyển {full} thủ tục hành chính qua dịch vụ bưu chính công ích: {names}.",
                            "{n} {communes} of {district} {have} moved {full} of {their} procedures to the public postal service: {names}."),
    "postal.full.commune.none": ("Chưa có xã nào của {district} chuyển {full} thủ tục hành chính qua dịch vụ bưu chính công ích.",
                                 "No commune of {district} has moved {full} of its procedures to the public postal service yet."),
    "postal.sector": ("Số liệu triển khai bưu chính công ích không tách theo lĩnh vực.",
                      "Postal deployment figures are not kept per sector."),
    # Service index
    "scorecard": ("Tính từ hồ sơ của chính tỉnh, {scope} đạt {total} trên {max} điểm đo được của Bộ chỉ số phục vụ "
                  "người dân, doanh nghiệp; mất nhiều điểm nhất ở nhóm {group} ({points}/{gmax} điểm).",
                  "Computed from the province's own dossiers, {scope} scores {total} of the {max} points measured of the "
                  "service index; it loses the most in {group} ({points} of {gmax} points)."),
    "scorecard.city": ("Tính từ hồ sơ của chính thành phố, {scope} đạt {total} trên {max} điểm đo được của Bộ chỉ số phục vụ "
                       "người dân, doanh nghiệp; mất nhiều điểm nhất ở nhóm {group} ({points}/{gmax} điểm).",
                       "Computed from the city's own dossiers, {scope} scores {total} of the {max} points measured of the "
                       "service index; it loses the most in {group} ({points} of {gmax} points)."),
    "scorecard.units": ("Cao nhất là {best} ({best_share} số điểm đo được), thấp nhất là {worst} ({worst_share}).",
                        "Highest is {best} ({best_share} of the points measured), lowest {worst} ({worst_share})."),
    "scorecard.unmeasured": ("Dữ liệu chưa có để tính nhóm {groups}.", "The data does not measure {groups}."),
    "scope.subject.province": ("toàn tỉnh", "the province"),
    "scope.subject.province.city": ("toàn thành phố", "the city"),
    # Late
    "late.none": ("Không có hồ sơ nào giải quyết trễ hạn trong năm {year}.", "No dossier was finished late in {year}."),
    "late": ("Tình trạng hồ sơ trễ hạn vẫn còn: {late} hồ sơ giải quyết trễ hạn, trong đó {levels}.",
             "Late dossiers remain: {late} {dossiers} {were} finished late, {levels}."),
    "late.level": ("{level} {n}", "{n} at {level}"),
    "late.sector.top": ("Lĩnh vực {name} chiếm {n} hồ sơ ({share} số hồ sơ trễ hạn)",
                        "The {name} sector accounts for {n} of them ({share} of late dossiers)"),
    "late.sector.rest": (", tiếp theo là {rest}", ", followed by {rest}"),
    "late.sector.item": ("{name} ({n})", "{name} ({n})"),
    "late.procedures": ("Các thủ tục có nhiều hồ sơ trễ hạn nhất: {items}.", "The procedures with the most late dossiers: {items}."),
    "late.procedure.item": ("{name} ({level}, {n})", "{name} ({level}, {n})"),
    # A procedure written for a level the period no longer had (district-level procedures in 2026, received by communes).
    "procedure.former_level": ("TTHC {level} trước đây", "formerly {level} procedure"),
    # Units
    "units.none": ("Chưa đủ hồ sơ đã giải quyết để so sánh tỷ lệ đúng hạn giữa các đơn vị.",
                   "Too few finished dossiers to compare units' on-time rates."),
    "units.below.district": ("{nb}/{nr} đơn vị cấp huyện (tính cả các xã trực thuộc) có tỷ lệ giải quyết đúng hạn thấp hơn mức chung {where} ({bench}): {items}.",
                             "{nb} of {nr} district-level units (their communes included) {have} an on-time rate below the overall rate {where} ({bench}): {items}."),
    "units.below.commune": ("{nb}/{nr} xã của {district} có tỷ lệ giải quyết đúng hạn thấp hơn mức chung {where} ({bench}): {items}.",
                            "{nb} of {nr} communes of {district} {have} an on-time rate below the overall rate {where} ({bench}): {items}."),
    "units.ok.district": ("Tất cả {nr} đơn vị cấp huyện (tính cả các xã trực thuộc) đạt tỷ lệ đúng hạn từ mức chung {where} ({bench}) trở lên.",
                          "All {nr} district-level units (their communes included) are at or above the overall on-time rate {where} ({bench})."),
    "units.ok.commune": ("Tất cả {nr} xã của {district} đạt tỷ lệ đúng hạn từ mức chung {where} ({bench}) trở lên.",
                         "All {nr} communes of {district} are at or above the overall on-time rate {where} ({bench})."),
    "units.below.area": ("{nb}/{nr} địa bàn huyện cũ (các xã, phường hình thành từ huyện cũ) có tỷ lệ giải quyết đúng hạn thấp hơn mức chung {where} ({bench}): {items}.",
                         "{nb} of {nr} former district areas (the communes formed from each) {have} an on-time rate below the overall rate {where} ({bench}): {items}."),
    "units.ok.area": ("Tất cả {nr} địa bàn huyện cũ (các xã, phường hình thành từ huyện cũ) đạt tỷ lệ đúng hạn từ mức chung {where} ({bench}) trở lên.",
                      "All {nr} former district areas (the communes formed from each) are at or above the overall on-time rate {where} ({bench})."),
    "units.item": ("{name} ({rate})", "{name} ({rate})"),
    "units.unranked": ("{k} đơn vị có dưới {min} hồ sơ đã giải quyết không được xếp hạng.",
                       "{k} {units} with fewer than {min} finished dossiers {are} not ranked."),
    # Communes
    "communes": ("{n}/{total} xã chưa chuyển thủ tục hành chính nào sang bưu chính công ích{tail}.",
                 "{n} of {total} {communes} {have} moved no procedure to the public postal service{tail}."),
    "communes.tail.districts": ("; ở {k} đơn vị cấp huyện chưa có xã nào chuyển: {names}",
                                "; in {k} district-level {units} none has: {names}"),
    "communes.district": ("{n}/{total} xã của {district} chưa chuyển thủ tục hành chính nào sang bưu chính công ích: {names}.",
                          "{n} of {total} communes of {district} have moved no procedure to the public postal service: {names}."),
    "communes.district.all": ("Cả {total} xã của {district} đều chưa chuyển thủ tục hành chính nào sang bưu chính công ích.",
                              "None of the {total} {communes} of {district} has moved any procedure to the public postal service."),
    "communes.ok": ("Tất cả {total} xã đã chuyển ít nhất một thủ tục sang bưu chính công ích.",
                    "All {total} communes have moved at least one procedure to the public postal service."),
    # Not online
    "not_online": ("Một số thủ tục có nhiều hồ sơ chưa được cung cấp dịch vụ công trực tuyến toàn trình: {items}.",
                   "Some busy procedures are not offered as full online services: {items}."),
    "not_online.item": ("{name} ({level}, {n} hồ sơ, {online})", "{name} ({level}, {n} {dossiers}, {online})"),
    "not_online.none": ("Tất cả thủ tục có hồ sơ trong năm đều được cung cấp dịch vụ công trực tuyến toàn trình.",
                        "Every procedure with dossiers this year is offered as a full online service."),
    "online.partial": ("trực tuyến một phần", "partly online"),
    "online.none": ("chưa trực tuyến", "not online"),
}


PLURALS = {  # English nouns and verbs that follow a count; Vietnamese does not inflect
    "dossiers": ("dossier", "dossiers"), "were": ("was", "were"), "are": ("is", "are"), "have": ("has", "have"),
    "units": ("unit", "units"), "their": ("its", "their"), "communes": ("commune", "communes"), "committees": ("Committee", "Committees"),
    "procedures": ("procedure", "procedures"), "servants": ("servant", "servants"),
    "staff_noun": ("postal staff member", "postal staff"),
}


def pl(n: int, **words: str) -> dict[str, str]:
    """{'dossiers': 'dossier'} for n == 1: the English words a template needs for the count ``n``."""
    return {k: PLURALS[v][0 if n == 1 else 1] for k, v in words.items()}


def w(key: str, lang: str) -> str:
    vi, en = W[key]
    return en if lang == "en" else vi


def wp(key: str, facts: ReviewFacts, lang: str) -> str:
    """``key``'s wording for the unit in force: its '.city' variant for a city ('thành phố', not 'tỉnh')."""
    return w(f"{key}.city" if facts.province_is_city and f"{key}.city" in W else key, lang)


def fill(template: str, **values) -> Paragraph:
    """'{n} xã' with n=Fig(...) -> [Fig(...), ' xã']; a value may be a string, a Fig or a list of them."""
    out: Paragraph = []
    for i, part in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2 == 0:
            if part:
                out.append(part)
            continue
        v = values[part]
        out.extend(v if isinstance(v, list) else [v if isinstance(v, Fig) else str(v)])
    return _merge(out)


def _merge(segs: Paragraph) -> Paragraph:
    out: Paragraph = []
    for s in segs:
        if isinstance(s, str) and out and isinstance(out[-1], str):
            out[-1] += s
        elif s != "":
            out.append(s)
    return out


def join(items: list[Paragraph], lang: str) -> Paragraph:
    """'A, B và C' / 'A, B and C'."""
    out: Paragraph = []
    for i, item in enumerate(items):
        if i:
            out.append(w("and", lang) if i == len(items) - 1 else ", ")
        out.extend(item)
    return _merge(out)


def sentence(*parts: Paragraph) -> Paragraph:
    """Sentences of one paragraph, separated by a space."""
    out: Paragraph = []
    for p in parts:
        if not p:
            continue
        if out:
            out.append(" ")
        out.extend(p)
    return _merge(out)


def to_text(segs: Paragraph) -> str:
    return "".join(s.text if isinstance(s, Fig) else s for s in segs)


def section_text(section: Section) -> str:
    return "\n".join(to_text(p) for p in section.paragraphs)


def report_text(report: Report, headings: bool = True) -> str:
    """The whole report as plain text (speaker notes, tests, a copy into a speech)."""
    lines = [report.title, report.filters, ""]
    group = None
    for s in report.sections:
        if headings and s.group and s.group != group:
            lines += [w("h." + s.group, report.lang).upper(), ""]
        group = s.group
        if headings and s.heading:
            lines.append(s.heading)
        elif not s.heading and lines and lines[-1] == "":
            lines.pop()  # continues the section before it
        lines += [to_text(p) for p in s.paragraphs] + [""]
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- links

class Writer:
    """Formats figures in the report's language and links them to the page showing them."""

    def __init__(self, facts: ReviewFacts, lang: str):
        self.facts, self.lang = facts, lang

    def href(self, path: str, anchor: str | None = None, **params) -> str:
        base = {"year": self.facts.year, "district": self.facts.district_code, "sector": self.facts.sector_code,
                "lang": "en" if self.lang == "en" else None}
        base.update(params)
        q = urlencode({k: v for k, v in base.items() if v not in (None, "")})
        return (f"{path}?{q}" if q else path) + (f"#{anchor}" if anchor else "")

    def n(self, value, path: str, anchor: str | None = None, **params) -> Fig:
        return Fig(fmt_int(value, self.lang), self.href(path, anchor, **params))

    def r(self, rate, path: str, anchor: str | None = None, **params) -> Fig:
        return Fig(fmt_rate(rate, self.lang), self.href(path, anchor, **params))

    def a(self, text: str, path: str, anchor: str | None = None, **params) -> Fig:
        return Fig(text, self.href(path, anchor, **params), "name")

    def t(self, key: str, **values) -> Paragraph:
        return fill(wp(key, self.facts, self.lang), **values)

    def name(self, item: Item) -> str:
        return bilingual(item.name, item.name_en, self.lang)

    def level(self, level: str) -> str:
        return w(f"level.{level}", self.lang)


def _names(wr: Writer, items: list[Item], link) -> Paragraph:
    """A list of names, each a link; past LIST_MAX the rest are counted."""
    shown = [[link(it)] for it in items[:LIST_MAX]]
    if len(items) > LIST_MAX:
        shown.append(wr.t("more", n=fmt_int(len(items) - LIST_MAX, wr.lang)))
    return join(shown, wr.lang)


def scope_name(facts: ReviewFacts, lang: str) -> str:
    if facts.district_code:
        return facts.district_name or facts.district_code
    if facts.province_name:
        return w("scope.city" if facts.province_is_city else "scope.province", lang).format(name=facts.province_name)
    return w("scope.province.noname", lang)


def report_title(facts: ReviewFacts, lang: str) -> str:
    title = w("title", lang).format(year=facts.year)
    return w("title.scope", lang).format(title=title, scope=scope_name(facts, lang))


def fmt_date(d, lang: str) -> str:
    return d.strftime("%d/%m/%Y") if lang != "en" else format_date(d, "d MMM y", locale="en_US")


def filters_line(facts: ReviewFacts, lang: str) -> str:
    """The filters and the data date, printed on every slide and under the report's title."""
    parts = [w("filters.year", lang).format(year=facts.year)]
    if facts.district_code:
        parts.append(w("filters.district", lang).format(name=facts.district_name or facts.district_code))
    else:
        parts.append(wp("filters.province", facts, lang).format(name=facts.province_name or "").replace(" ()", "").strip())
    if facts.sector_code:
        name = bilingual(facts.sector_name, facts.sector_name_en, lang) or facts.sector_code
        parts.append(w("filters.sector", lang).format(name=name))
    else:
        parts.append(w("filters.sector.all", lang))
    if facts.data_date:
        parts.append(w("filters.date", lang).format(date=fmt_date(facts.data_date, lang)))
    return " · ".join(parts)


def _sector_phrase(wr: Writer) -> str:
    f = wr.facts
    if not f.sector_code:
        return ""
    name = bilingual(f.sector_name, f.sector_name_en, wr.lang) or f.sector_code
    return w("sector.in", wr.lang).format(name=name)


# ---------------------------------------------------------------- sections

def _received(wr: Writer) -> Section:
    f, lang = wr.facts, wr.lang
    sec = Section("received", w("h.received", lang))
    if not f.has_data:
        sec.paragraphs.append(wr.t("received.none", year=f.year, scope=scope_name(f, lang), sector=_sector_phrase(wr)))
        return sec
    subject = (w("received.subject.district", lang).format(name=f.district_name or f.district_code) if f.district_code
               else wp("received.subject.province", f, lang))
    levels = [wr.t("received.level", level=wr.level(lv.level), n=wr.n(lv.received, "/levels", "lvl-channels", level=lv.level))
              for lv in f.levels]
    sec.paragraphs.append(wr.t("received", year=f.year, subject=subject, sector=_sector_phrase(wr),
                               **pl(f.total_received, dossiers="dossiers"),
                               total=wr.n(f.total_received, "/levels", "lvl-channels"), levels=join(levels, lang)))
    return sec


def _rate_list(wr: Writer, key: str, attr: str, anchor: str, levels) -> Paragraph:
    items = []
    for lv in levels:
        rate = getattr(lv, attr)
        if rate is None:
            items.append(wr.t("on_time.nothing", level=wr.level(lv.level)))
            continue
        first = not any(getattr(x, attr) is not None for x in levels[:levels.index(lv)])
        items.append(wr.t(f"{key}.first" if first else f"{key}.level", level=wr.level(lv.level),
                          rate=wr.r(rate, "/levels", anchor, level=lv.level)))
    return join(items, wr.lang)


def _on_time(wr: Writer) -> Section | None:
    f, lang = wr.facts, wr.lang
    if not f.has_data:
        return None
    sec = Section("on_time", w("h.on_time", lang))
    finished = sum(lv.finished for lv in f.levels)
    if finished == 0:
        sec.paragraphs.append(wr.t("on_time.none", year=f.year))
        return sec
    in_time = sum(lv.finished_in_time for lv in f.levels)
    shown = [lv for lv in f.levels if lv.received + lv.finished > 0]
    where = (w("where.district", lang).format(name=f.district_name or f.district_code) if f.district_code
             else wp("where.province", f, lang))
    parts = [wr.t("on_time", levels=_rate_list(wr, "on_time", "on_time_rate", "lvl-on-time", shown)),
             wr.t("on_time.overall", late=wr.n(f.total_late, "/late"), finished=wr.n(finished, "/levels", "lvl-report"),
                  **pl(finished, dossiers="dossiers"), **pl(f.total_late, were="were"),
                  where=where, rate=wr.r(in_time / finished, "/levels", "lvl-on-time"))]
    if f.district_code and f.benchmark_rate is not None and f.benchmark_scope == "province":
        parts.append(wr.t("on_time.benchmark", rate=wr.r(f.benchmark_rate, "/levels", "lvl-on-time", district=None)))
    sec.paragraphs.append(sentence(*parts))
    return sec


def _online(wr: Writer) -> Section | None:
    f, lang = wr.facts, wr.lang
    shown = [lv for lv in f.levels if lv.received > 0]
    if not shown:
        return None
    sec = Section("online", w("h.online", lang))
    # A level whose every channel is unknown has no share (None): the note below counts its dossiers.
    known = [lv for lv in shown if lv.online_share is not None]
    parts = [wr.t("online", levels=_rate_list(wr, "online", "online_share", "lvl-online", known))] if known else []
    if len(known) > 1:
        low = min(known, key=lambda lv: lv.online_share)
        base = low.received - low.received_unknown_channel  # what the share is out of
        parts.append(wr.t("online.lowest", level=wr.level(low.level), **pl(base, dossiers="dossiers"),
                          **pl(low.received_online, were="were"),
                          n=wr.n(low.received_online, "/levels", "lvl-online", level=low.level),
                          received=wr.n(base, "/levels", "lvl-channels", level=low.level)))
    if f.total_unknown_channel:  # an export without a channel: said as /levels and the overview say it
        parts.append(fill(common_t("channel.unknown.note", lang),
                          n=wr.n(f.total_unknown_channel, "/levels", "lvl-channels")))
    sec.paragraphs.append(sentence(*parts))
    return sec


def _postal_share(wr: Writer, p) -> Paragraph:
    if p.moved_share is None:
        return wr.t("postal.share.none")
    share = wr.r(p.moved_share, "/postal", "post-headline")
    if p.procedures_moved > p.procedures_total:
        return wr.t("postal.share.bad", share=share, total=wr.n(p.procedures_total, "/postal", "post-headline"))
    if p.procedures_moved == p.procedures_total:
        return wr.t("postal.share.full", share=share)
    return wr.t("postal.share", share=share, total=wr.n(p.procedures_total, "/postal", "post-headline"))


def _postal(wr: Writer) -> Section:
    f, lang = wr.facts, wr.lang
    sec = Section("postal", w("h.postal", lang))
    if not f.postal:
        sec.paragraphs.append(wr.t("postal.none", scope=scope_name(f, lang), year=f.year))
        return sec
    for p in f.postal:
        level = wr.level(p.level)
        if p.records == 0:
            sec.paragraphs.append(wr.t("postal.level.none", level=level))
            continue
        moved = wr.n(p.procedures_moved, "/postal", "post-headline")
        if p.postal_staff == 0:
            sec.paragraphs.append(wr.t("postal.level.nostaff", level=level, moved=moved,
                                       **pl(p.procedures_moved, procedures="procedures", are="are")))
            continue
        full = p.procedures_total > 0 and p.procedures_moved == p.procedures_total
        if p.level == "province":
            where = (wr.t("where.centre", name=f.centre_name) if f.centre_name else wr.t("where.centre.noname"))
        elif p.level == "district" and f.district_code:
            where = wr.t("where.district.one", name=f.district_name or f.district_code)
        elif p.level == "district":
            where = wr.t("where.districts", n=wr.n(p.units_with_staff, "/postal", "post-map"), **pl(p.units_with_staff, units="units"))
        else:
            where = wr.t("where.communes", n=wr.n(p.units_with_staff, "/postal", "post-over-time"),
                         **pl(p.units_with_staff, committees="committees"))
        sec.paragraphs.append(wr.t(
            "postal.level", level=level, staff=wr.n(p.postal_staff, "/postal", "post-headline"),
            verb=w("verb.replace" if full else "verb.support", lang) + ("s" if lang == "en" and p.postal_staff == 1 else ""),
            **pl(p.postal_staff, staff_noun="staff_noun"), **pl(p.civil_servants, servants="servants"),
            **pl(p.procedures_moved, procedures="procedures"),
            cs=wr.n(p.civil_servants, "/postal", "post-headline"), where=where, moved=moved, share=_postal_share(wr, p)))
    return sec


def _postal_full(wr: Writer) -> Section | None:
    """The units that moved all their procedures (the slide of the district-level units' shares)."""
    f = wr.facts
    if not f.postal:
        return None
    sec = Section("postal_full", "")
    full = wr.r(1.0, "/postal", "post-map")
    if f.full_units_kind == "district":
        if f.postal_level("district") and f.postal_level("district").records:
            if f.full_units:
                names = _names(wr, f.full_units, lambda it: wr.a(wr.name(it), "/postal", district=it.code))
                sec.paragraphs.append(wr.t("postal.full.district", n=wr.n(len(f.full_units), "/postal", "post-map"),
                                           **pl(len(f.full_units), units="units", have="have", their="their"),
                                           full=full, names=names))
            else:
                sec.paragraphs.append(wr.t("postal.full.district.none", full=full))
    elif f.postal_level("commune") and f.postal_level("commune").records:
        district = f.district_name or f.district_code
        if f.full_units:
            names = _names(wr, f.full_units, lambda it: wr.a(wr.name(it), "/postal", "post-drill"))
            sec.paragraphs.append(wr.t("postal.full.commune", n=wr.n(len(f.full_units), "/postal", "post-drill"),
                                       **pl(len(f.full_units), communes="communes", have="have", their="their"),
                                       district=district, full=full, names=names))
        else:
            sec.paragraphs.append(wr.t("postal.full.commune.none", district=district, full=full))
    if f.sector_code:
        sec.paragraphs.append(wr.t("postal.sector"))
    return sec if sec.paragraphs else None


def _scorecard(wr: Writer) -> Section | None:
    """The service index in one paragraph: the total of the points measured, the group that loses
    the most, the best and the lowest unit; the groups the data does not measure named."""
    f, lang = wr.facts, wr.lang
    if not f.has_data or f.score_total is None:
        return None
    sec = Section("scorecard", w("h.scorecard", lang))
    measured = [g for g in f.score_groups if g.rate is not None]
    worst = max(measured, key=lambda g: (g.base * (1 - g.rate), g.code))
    parts = [wr.t("scorecard", scope=f.district_name or wp("scope.subject.province", f, lang),
                  total=Fig(fmt_number(f.score_total, lang, 1), wr.href("/scorecard")),
                  max=fmt_int(f.score_max, lang), group=bilingual(worst.name, worst.name_en, lang).lower(),
                  points=fmt_number(worst.value / 10, lang, 1), gmax=fmt_int(worst.base, lang))]
    if len(f.score_units) >= 2:
        best, low = f.score_units[0], f.score_units[-1]
        level = "commune" if f.units_kind == "commune" else None
        parts.append(wr.t("scorecard.units",
                          best=wr.a(wr.name(best), "/scorecard", level=level, unit=best.code),
                          best_share=fmt_rate(best.rate, lang),
                          worst=wr.a(wr.name(low), "/scorecard", level=level, unit=low.code),
                          worst_share=fmt_rate(low.rate, lang)))
    missing = [g for g in f.score_groups if g.rate is None]
    if missing:
        parts.append(wr.t("scorecard.unmeasured",
                          groups=join([[bilingual(g.name, g.name_en, lang).lower()] for g in missing], lang)))
    sec.paragraphs.append(sentence(*parts))
    return sec


def _late(wr: Writer) -> Section | None:
    f, lang = wr.facts, wr.lang
    if not f.has_data or sum(lv.finished for lv in f.levels) == 0:
        return None
    sec = Section("late", w("h.late", lang), group="weak")
    total = f.total_late
    if total == 0:
        sec.paragraphs.append(wr.t("late.none", year=f.year))
        return sec
    levels = [wr.t("late.level", level=wr.level(lv.level), n=wr.n(lv.finished_late, "/late", level=lv.level))
              for lv in f.levels if lv.finished_late > 0]
    parts = [wr.t("late", late=wr.n(total, "/late"), levels=join(levels, lang), **pl(total, dossiers="dossiers", were="were"))]
    if f.late_sectors and not f.sector_code:
        top = f.late_sectors[0]
        s = wr.t("late.sector.top", name=wr.a(wr.name(top), "/late", sector=top.code),
                 n=wr.n(top.value, "/late", sector=top.code), share=wr.r(top.value / total, "/late", sector=top.code))
        rest = [wr.t("late.sector.item", name=wr.a(wr.name(it), "/late", sector=it.code),
                     n=wr.n(it.value, "/late", sector=it.code)) for it in f.late_sectors[1:TOP_LATE_SECTORS]]
        if rest:
            s += wr.t("late.sector.rest", rest=join(rest, lang))
        parts.append(_merge(s + ["."]))
    if f.late_procedures:
        items = [wr.t("late.procedure.item",
                      name=wr.a(wr.name(p), "/late", sector=p.extra.get("sector_code"), procedure=p.code),
                      level=procedure_level(wr, p),
                      n=wr.n(p.value, "/late", sector=p.extra.get("sector_code"), procedure=p.code))
                 for p in f.late_procedures[:TOP_LATE_PROCEDURES]]
        parts.append(wr.t("late.procedures", items=join(items, lang)))
    sec.paragraphs.append(sentence(*parts))
    return sec


def procedure_level(wr: Writer, p: Item) -> str:
    """The level a late procedure was written for; 'TTHC cấp huyện trước đây' when the period had no such
    level (2026: the communes receive the former district-level procedures), never a level that did not exist."""
    level = p.extra.get("level")
    if level in {lv.level for lv in wr.facts.levels}:
        return wr.level(level)
    return w("procedure.former_level", wr.lang).format(level=wr.level(level))


def _units(wr: Writer) -> Section | None:
    f, lang = wr.facts, wr.lang
    if not f.has_data or sum(lv.finished for lv in f.levels) == 0:
        return None
    sec = Section("units", w("h.units", lang), group="weak")
    if f.benchmark_rate is None or not f.units:
        sec.paragraphs.append(wr.t("units.none"))
        return sec
    kind = f.units_kind
    wording = "area" if kind == "district" and f.two_tier else kind  # after July 2025: former districts' areas
    district = f.district_name or f.district_code
    where = (wp("where.province", f, lang) if f.benchmark_scope == "province"
             else w("where.district", lang).format(name=district))
    bench = wr.r(f.benchmark_rate, "/levels", "lvl-on-time", district=None)

    def unit_link(it: Item, text: str) -> Fig:
        if kind == "commune":
            return wr.a(text, "/late", district=f.district_code, commune=it.code)
        return wr.a(text, "/late", district=it.code)

    below = units_below(f)
    nr = wr.n(len(f.units), "/levels", level=kind)
    if below:
        items = [wr.t("units.item", name=unit_link(u, wr.name(u)), rate=unit_link(u, fmt_rate(u.rate, lang))) for u in below]
        parts = [wr.t(f"units.below.{wording}", nb=wr.n(len(below), "/levels", level=kind), nr=nr, where=where, bench=bench,
                      **pl(len(below), have="have"),
                      district=district, items=join(items, lang))]
    else:
        parts = [wr.t(f"units.ok.{wording}", nr=nr, where=where, bench=bench, district=district)]
    if f.units_unranked:
        parts.append(wr.t("units.unranked", k=fmt_int(f.units_unranked, lang), min=fmt_int(f.min_finished, lang),
                          **pl(f.units_unranked, units="units", are="are")))
    sec.paragraphs.append(sentence(*parts))
    return sec


def _communes(wr: Writer) -> Section | None:
    f, lang = wr.facts, wr.lang
    if not f.communes_total:
        return None
    sec = Section("communes", w("h.communes", lang), group="weak")
    n, total = len(f.communes_nothing), f.communes_total
    if n == 0:
        sec.paragraphs.append(wr.t("communes.ok", total=wr.n(total, "/postal")))
    elif f.district_code:
        district = f.district_name or f.district_code
        if n == total:
            sec.paragraphs.append(wr.t("communes.district.all", total=wr.n(total, "/postal", "post-drill"), district=district,
                                       **pl(total, communes="communes")))
        else:
            names = _names(wr, f.communes_nothing, lambda it: wr.a(wr.name(it), "/postal", "post-nothing-moved"))
            sec.paragraphs.append(wr.t("communes.district", n=wr.n(n, "/postal", "post-nothing-moved"),
                                       total=wr.n(total, "/postal", "post-drill"), district=district, names=names))
    else:
        none_moved = [d for d in f.communes_by_district if d.base > 0 and d.value == d.base]
        tail: Paragraph = []
        if none_moved:
            tail = wr.t("communes.tail.districts", k=wr.n(len(none_moved), "/postal", "post-map"),
                        **pl(len(none_moved), units="units"),
                        names=_names(wr, none_moved, lambda it: wr.a(wr.name(it), "/postal", district=it.code)))
        sec.paragraphs.append(wr.t("communes", n=wr.n(n, "/postal", "post-map"), total=wr.n(total, "/postal", "post-map"),
                                   **pl(total, communes="communes"), **pl(n, have="have"),
                                   tail=tail))
    if f.sector_code:
        sec.paragraphs.append(wr.t("postal.sector"))
    return sec


def _not_online(wr: Writer) -> Section | None:
    f, lang = wr.facts, wr.lang
    if not f.has_data:
        return None
    sec = Section("not_online", w("h.not_online", lang), group="weak")
    if not f.not_online:
        sec.paragraphs.append(wr.t("not_online.none"))
        return sec
    items = [wr.t("not_online.item", name=wr.a(wr.name(p), "/levels", "lvl-procedures-card"),
                  level=wr.level(p.extra.get("level")),
                  n=wr.n(p.value, "/levels", "lvl-procedures-card"), **pl(p.value, dossiers="dossiers"),
                  online=w(f"online.{p.extra.get('online_level')}", lang))
             for p in f.not_online[:TOP_NOT_ONLINE]]
    sec.paragraphs.append(wr.t("not_online", items=join(items, lang)))
    return sec


def build_report(facts: ReviewFacts, lang: str = "vi") -> Report:
    """The report for the facts, in ``lang`` (vi or en)."""
    lang = "en" if lang == "en" else "vi"
    wr = Writer(facts, lang)
    sections = [s for s in (_received(wr), _on_time(wr), _online(wr), _postal(wr), _postal_full(wr), _scorecard(wr),
                            _late(wr), _units(wr), _communes(wr), _not_online(wr)) if s is not None]
    return Report(title=report_title(facts, lang), filters=filters_line(facts, lang), sections=sections, lang=lang)
