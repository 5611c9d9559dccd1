"""Charts that speak: the words of a chart's text alternative (``components.ui.graph(alt=…)``).

A screen reader says a chart's text alternative instead of drawing it, so the sentence states
the chart's message with its numbers, in the review report's style ("Cấp huyện giải quyết đúng
hạn 82,92 %, thấp nhất trong các cấp"). Each page writes its charts' sentences from the same
data as the figures; the pieces every page needs (level names, lists, extremes of a series,
months) are here so that all charts speak alike.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .kpi import fmt_rate

LEVEL_WORDS = {"province": ("cấp tỉnh", "province level"), "district": ("cấp huyện", "district level"),
               "commune": ("cấp xã", "commune level")}

WORDS = {
    "levels.low": ("{Level} {what} {value}, thấp nhất trong các cấp", "{Level}: {value} {what}, the lowest of the levels"),
    "levels.one": ("{Level} {what} {value}", "{Level}: {value} {what}"),
    "range": ("thấp nhất {low_name} {low}, cao nhất {high_name} {high}", "lowest {low_name} {low}, highest {high_name} {high}"),
    "range.one": ("{name} {value}", "{name} {value}"),
    "month": ("tháng {m}/{y}", "{month} {y}"),
    "level.range": ("{level} thấp nhất {low} ({low_month}), cao nhất {high} ({high_month})",
                    "{level} lowest {low} ({low_month}), highest {high} ({high_month})"),
}
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


def word(key: str, lang: str, **values) -> str:
    vi, en = WORDS[key]
    return (en if lang == "en" else vi).format(**values)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def level_word(level: str, lang: str) -> str:
    """'cấp huyện' / 'district level', as a sentence names a level."""
    vi, en = LEVEL_WORDS[level]
    return en if lang == "en" else vi


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pairs(names: Sequence[str], values: Sequence, fmt: Callable, lang: str, brackets: bool = False) -> str:
    """'cấp tỉnh 99,8 %, cấp huyện 82,92 %' (values that are missing left out); with ``brackets``
    'Quế Xuân 1 (11), Quế Long (11)', for names that may end in a number."""
    form = "{} ({})" if brackets else "{} {}"
    return ", ".join(form.format(n, fmt(v, lang)) for n, v in zip(names, values) if not missing(v))


def lowest_level(values: dict[str, float | None], what: tuple[str, str], lang: str, fmt: Callable = fmt_rate) -> str:
    """The level with the lowest value, and the others in brackets: 'Cấp huyện giải quyết đúng
    hạn 82,92 %, thấp nhất trong các cấp (cấp tỉnh 99,8 %, cấp xã 97,5 %).' ``what``: the
    measure as the sentence says it (vi, en): ('giải quyết đúng hạn', 'on time')."""
    known = {lv: v for lv, v in values.items() if not missing(v)}
    if not known:
        return ""
    low = min(known, key=known.get)
    key = "levels.low" if len(known) > 1 else "levels.one"
    text = word(key, lang, Level=cap(level_word(low, lang)), what=what[1 if lang == "en" else 0], value=fmt(known[low], lang))
    others = [lv for lv in known if lv != low]
    if others:
        text += " (" + pairs([level_word(lv, lang) for lv in others], [known[lv] for lv in others], fmt, lang) + ")"
    return text + "."


def extremes(names: Sequence[str], values: Sequence, fmt: Callable, lang: str) -> str:
    """'thấp nhất Quế Sơn 71,2 %, cao nhất Hội An 99,1 %' over the values that are known."""
    known = [(n, v) for n, v in zip(names, values) if not missing(v)]
    if not known:
        return ""
    low = min(known, key=lambda p: p[1])
    high = max(known, key=lambda p: p[1])
    if len(known) == 1 or low[1] == high[1] and low[0] == high[0]:
        return word("range.one", lang, name=low[0], value=fmt(low[1], lang))
    return word("range", lang, low_name=low[0], low=fmt(low[1], lang), high_name=high[0], high=fmt(high[1], lang))


def month_name(ym: int, lang: str) -> str:
    """202303 -> 'tháng 3/2023' / 'March 2023'."""
    y, m = int(ym) // 100, int(ym) % 100
    return word("month", lang, m=m, y=y, month=MONTHS_EN[m - 1])


def level_ranges(frame, levels: Sequence[str], measure: str, fmt: Callable, lang: str) -> str:
    """A monthly line per level in words: each level's lowest and highest month.
    ``frame``: rows of (level, ym, measure)."""
    parts = []
    for lv in levels:
        part = frame[(frame["level"] == lv) & frame[measure].notna()]
        if part.empty:
            continue
        low, high = part.loc[part[measure].idxmin()], part.loc[part[measure].idxmax()]
        parts.append(word("level.range", lang, level=level_word(lv, lang), low=fmt(low[measure], lang), low_month=month_name(low["ym"], lang),
                          high=fmt(high[measure], lang), high_month=month_name(high["ym"], lang)))
    return "; ".join(parts)
