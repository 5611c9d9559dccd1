"""Number formats: Vietnamese 90.010 and 99,8 %, English 90,010 and 99.8% (babel, CLDR)."""
from __future__ import annotations

import babel.numbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.formatting import LOCALES, fmt_int, fmt_pct, format_decimal
from components.kpi import fmt_rate

PATTERNS = ["#,##0", "#,##0.0", "#,##0.00", "#,##0.#", "#,##0.##"]


@given(value=st.one_of(st.integers(-10**12, 10**12), st.floats(-1e9, 1e9, allow_nan=False)),
       pattern=st.sampled_from(PATTERNS), lang=st.sampled_from(["vi", "en"]))
def test_fmt001_same_text_as_babel(value, pattern, lang):
    """The parsed-once shortcut writes exactly what babel.numbers.format_decimal writes."""
    assert format_decimal(value, pattern, lang) == babel.numbers.format_decimal(value, format=pattern, locale=LOCALES[lang])


@pytest.mark.parametrize(("lang", "count", "rate", "pct"), [
    ("vi", "90.010", "82,92\u00a0%", "99,8\u00a0%"),
    ("en", "90,010", "82.92%", "99.8%"),
])
def test_fmt002_article_figures(lang, count, rate, pct):
    assert fmt_int(90_010, lang) == count
    assert fmt_rate(0.829196, lang) == rate
    assert fmt_pct(0.998, lang) == pct
    assert fmt_int(-1_234_567, lang) == ("-1.234.567" if lang == "vi" else "-1,234,567")
    assert fmt_int(float("nan"), lang) == "—"
