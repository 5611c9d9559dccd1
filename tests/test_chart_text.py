"""The words charts speak (components.chart_text), on hand-made numbers."""
from __future__ import annotations

import math

import pandas as pd

from components import chart_text as ct

NBSP = "\u00a0"


def test_ctx001_lowest_level_in_the_reports_words():
    rates = {"province": 0.997995, "district": 0.829196, "commune": 0.975}
    assert ct.lowest_level(rates, ("giải quyết đúng hạn", "on time"), "vi") == (
        f"Cấp huyện giải quyết đúng hạn 82,92{NBSP}%, thấp nhất trong các cấp (cấp tỉnh 99,8{NBSP}%, cấp xã 97,5{NBSP}%).")
    assert ct.lowest_level(rates, ("giải quyết đúng hạn", "on time"), "en") == (
        "District level: 82.92% on time, the lowest of the levels (province level 99.8%, commune level 97.5%).")


def test_ctx002_levels_without_a_value_are_left_out():
    one = {"province": None, "district": 0.5, "commune": math.nan}
    assert ct.lowest_level(one, ("đúng hạn", "on time"), "en") == "District level: 50% on time."
    assert ct.lowest_level({"district": None}, ("đúng hạn", "on time"), "vi") == ""


def test_ctx003_extremes_and_pairs():
    names, values = ["Quế Sơn", "Hội An", "Tam Kỳ"], [0.712, 0.991, None]
    assert ct.extremes(names, values, lambda v, lang: f"{v:.1%}", "en") == "lowest Quế Sơn 71.2%, highest Hội An 99.1%"
    assert ct.extremes(["A"], [0.5], lambda v, lang: f"{v:.0%}", "vi") == "A 50%"
    assert ct.extremes(["A"], [None], str, "vi") == ""
    assert ct.pairs(["Quế Xuân 1", "Quế Long"], [11, 9], lambda v, lang: str(v), "vi", brackets=True) == "Quế Xuân 1 (11), Quế Long (9)"


def test_ctx004_months_and_level_ranges():
    assert ct.month_name(202303, "vi") == "tháng 3/2023" and ct.month_name(202312, "en") == "December 2023"
    frame = pd.DataFrame({"level": ["district"] * 3 + ["commune"] * 2, "ym": [202301, 202302, 202303, 202301, 202302],
                          "rate": [0.9, 0.7, 0.8, None, 0.95]})
    fmt = lambda v, lang: f"{v:.0%}"
    assert ct.level_ranges(frame, ["province", "district", "commune"], "rate", fmt, "en") == (
        "district level lowest 70% (February 2023), highest 90% (January 2023); "
        "commune level lowest 95% (February 2023), highest 95% (February 2023)")
