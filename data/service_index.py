"""The national service index of Decision 766/QĐ-TTg (2022), as far as dossier data measures it.

Six groups, 100 points: publicity and transparency 18, progress of resolution 20, online
public services 12, online payment 10, satisfaction 18, digitisation 22. Each group here is
scored from one or two indicators we can count (docs/scorecard.md lists the decision's other
indicators and why dossier data cannot measure them). An indicator is a rate, numerator over
denominator, both sums of the aggregate tables' counts; a rate becomes points linearly
(points = rate x the indicator's maximum): the decision's own conversion tables are not
public in a form we could read, so the conversion is ours and docs/scorecard.md says so.

An indicator whose denominator is zero is *not measured* (a province whose export carries no
rating has no satisfaction score, not a zero); a group is measured when any of its indicators
is; the total is the sum over measured groups, out of ``max_measured`` (their maxima).

Pure Python over a mapping of counts: the page, the CLI, the report and the tests share it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    max_points: float  # of the group's maximum, this indicator's share
    numerator: str  # a derived count (see counts_for)
    denominator: str
    name: str
    name_en: str
    lost: str  # the dossiers that cost points: denominator - numerator, where they are listed


@dataclass(frozen=True)
class Group:
    key: str
    max_points: int
    name: str
    name_en: str


GROUPS = (
    Group("publicity", 18, "Công khai, minh bạch", "Publicity and transparency"),
    Group("progress", 20, "Tiến độ, kết quả giải quyết", "Progress of resolution"),
    Group("online", 12, "Dịch vụ công trực tuyến", "Online public services"),
    Group("online_payment", 10, "Thanh toán trực tuyến", "Online payment"),
    Group("satisfaction", 18, "Mức độ hài lòng", "Satisfaction"),
    Group("digitisation", 22, "Số hóa hồ sơ, kết quả", "Digitisation"),
)
GROUP_BY_KEY = {g.key: g for g in GROUPS}

INDICATORS = (
    Indicator("published", "publicity", 18, "published", "publication_known",
              "Hồ sơ được công khai trên Cổng DVCQG", "Dossiers published on the national portal", "unpublished"),
    Indicator("progress", "progress", 20, "in_time", "handled",
              "Hồ sơ giải quyết trước và đúng hạn (gồm hồ sơ đang giải quyết trong hạn)",
              "Dossiers finished early or on time, or open within deadline", "late"),
    Indicator("online_share", "online", 6, "received_online_offered", "received_offered_online",
              "Hồ sơ nộp trực tuyến (thủ tục có dịch vụ trực tuyến)", "Dossiers received online (procedures offered online)",
              "not_online"),
    Indicator("full_online_procedures", "online", 6, "procedures_full_online", "procedures_received",
              "Thủ tục có dịch vụ công trực tuyến toàn trình", "Procedures offered fully online", "procedures"),
    Indicator("paid_online", "online_payment", 10, "received_paid_online", "received_with_fee",
              "Hồ sơ có phí được thanh toán trực tuyến", "Dossiers with a fee paid online", "not_paid_online"),
    Indicator("satisfied", "satisfaction", 18, "rated_satisfied", "rated",
              "Đánh giá hài lòng trên tổng số đánh giá", "Satisfied ratings among all ratings", "not_satisfied"),
    Indicator("digitised", "digitisation", 11, "received_digitised", "received",
              "Hồ sơ tiếp nhận được số hóa", "Dossiers received and digitised", "not_digitised"),
    Indicator("e_result", "digitisation", 11, "finished_e_result", "finished",
              "Kết quả giải quyết điện tử", "Results issued electronically", "no_e_result"),
)
INDICATOR_BY_KEY = {i.key: i for i in INDICATORS}
TOTAL_POINTS = sum(g.max_points for g in GROUPS)  # 100

# The aggregate counts the score reads (summed over a period; open_* taken at its last month).
FLOW_COUNTS = ("received", "finished_early", "finished_on_time", "finished_late", "received_offered_online",
               "received_online_offered", "received_with_fee", "received_paid_online", "received_digitised",
               "finished_e_result", "rated_satisfied", "rated_neutral", "rated_dissatisfied", "publication_known",
               "published")
STOCK_COUNTS = ("open_end", "open_overdue_end")


def counts_for(raw: dict) -> dict:
    """The derived counts the indicators read, from a period's summed aggregate counts
    (``open_end`` / ``open_overdue_end`` at the period's last month) and the unit's procedure
    counts (``procedures_received``, ``procedures_full_online``; 0 when not given)."""
    c = {k: int(raw.get(k) or 0) for k in (*FLOW_COUNTS, *STOCK_COUNTS, "procedures_received",
                                           "procedures_full_online")}
    finished = c["finished_early"] + c["finished_on_time"] + c["finished_late"]
    c["finished"] = finished
    # Progress (the decision): finished early or on time in the period plus open at its end within
    # the deadline, over everything finished in the period plus everything open at its end.
    c["handled"] = finished + c["open_end"]
    c["in_time"] = c["finished_early"] + c["finished_on_time"] + c["open_end"] - c["open_overdue_end"]
    c["rated"] = c["rated_satisfied"] + c["rated_neutral"] + c["rated_dissatisfied"]
    return c


def score(raw: dict) -> dict:
    """{"total", "max_measured", "groups": {key: {"points", "max", "rate", "indicators": {...}}}}
    for one unit's counts. Rates are fractions, None where not measured."""
    c = counts_for(raw)
    groups = {}
    for g in GROUPS:
        indicators = {}
        for ind in (i for i in INDICATORS if i.group == g.key):
            den, num = c[ind.denominator], c[ind.numerator]
            rate = num / den if den > 0 else None
            indicators[ind.key] = {
                "rate": rate, "max": ind.max_points, "numerator": num, "denominator": den,
                "points": None if rate is None else rate * ind.max_points,
                "lost_dossiers": None if rate is None else den - num,
            }
        measured = [v for v in indicators.values() if v["rate"] is not None]
        if measured:
            # Unmeasured indicators leave the group: its rate is its measured indicators' rate,
            # weighted by their points, and its points that rate of the group's maximum.
            weight = sum(v["max"] for v in measured)
            rate = sum(v["rate"] * v["max"] for v in measured) / weight
            points = rate * g.max_points
        else:
            rate = points = None
        groups[g.key] = {"points": points, "max": g.max_points, "rate": rate, "indicators": indicators}
    measured_groups = [v for v in groups.values() if v["rate"] is not None]
    return {
        "total": sum(v["points"] for v in measured_groups) if measured_groups else None,
        "max_measured": sum(v["max"] for v in measured_groups),
        "groups": groups,
    }


def what_if_on_time(raw: dict, late_finished: int, late_open: int) -> float:
    """Points the unit would gain if ``late_finished`` late finished dossiers and ``late_open``
    dossiers open past their deadline had been on time (the progress group only moves)."""
    before = score(raw)
    better = dict(raw)
    # A late finish becomes an on-time one; an overdue open dossier becomes one within deadline.
    better["finished_late"] = int(raw.get("finished_late") or 0) - late_finished
    better["finished_on_time"] = int(raw.get("finished_on_time") or 0) + late_finished
    better["open_overdue_end"] = int(raw.get("open_overdue_end") or 0) - late_open
    after = score(better)
    return (after["total"] or 0.0) - (before["total"] or 0.0)


def points_lost(result: dict) -> list[dict]:
    """The measured indicators ranked by points lost (most first), with the dossiers behind them."""
    rows = []
    for ind in INDICATORS:
        v = result["groups"][ind.group]["indicators"][ind.key]
        if v["rate"] is None:
            continue
        rows.append({"indicator": ind.key, "group": ind.group, "lost": ind.max_points - v["points"],
                     "dossiers": v["lost_dossiers"], "rate": v["rate"], "max": ind.max_points, "kind": ind.lost})
    return sorted(rows, key=lambda r: (-r["lost"], r["indicator"]))
