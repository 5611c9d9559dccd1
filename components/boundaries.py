"""The switch "theo địa giới khi đó / theo địa giới hiện nay" (as it was / on today's boundaries)
that every trend and ranking carries (issue 19): the URL parameter ``boundaries=current``, the
switch as links (a view is a URL), and the words that say which boundaries a chart shows.
The re-aggregation itself is data.queries.boundaries'."""
from __future__ import annotations

from collections.abc import Callable

from dash import dcc, html

from .i18n import make_translator

# What @cached_page(params=...) accepts for the parameter.
PARAM = "current|historical"
CHOICES = ("historical", "current")
# A unit in force today, as a page's URL names one (official code, a version suffix after a merger: 20579-2507).
UNIT = r"[0-9A-Za-z]{1,10}(-[0-9]{4})?"

STRINGS = {
    "bounds.historical": ("Theo địa giới khi đó", "As it was"),
    "bounds.current": ("Theo địa giới hiện nay", "On today's boundaries"),
    "bounds.label": ("Địa giới hành chính", "Administrative boundaries"),
    # After a chart's title: which boundaries its units are.
    "bounds.shown.historical": ("theo địa giới khi đó", "as it was"),
    "bounds.shown.current": ("theo địa giới hiện nay", "on today's boundaries"),
    "bounds.note": ("Theo địa giới hiện nay: số liệu các năm trước được cộng vào đơn vị hiện nay đã tiếp nhận địa bàn "
                    "(xã cũ vào xã mới, cấp huyện vào thành phố); tổng toàn địa bàn không đổi.",
                    "On today's boundaries: earlier years' figures are added to the unit of today that took the "
                    "territory over (old communes into new ones, the district level into the city); totals stay the same."),
}
t = make_translator(STRINGS)


def boundaries(params: dict) -> str:
    """``current`` when the URL asks for today's boundaries, else ``historical`` (anything else too)."""
    return "current" if (params or {}).get("boundaries") == "current" else "historical"


def shown(choice: str, lang: str) -> str:
    """Which boundaries a chart shows, for its title: "theo địa giới hiện nay"."""
    return t(f"bounds.shown.{choice}", lang)


def titled(title: str, choice: str, lang: str) -> str:
    """A chart title that says which boundaries it is on: "Diễn biến theo tháng — theo địa giới khi đó"."""
    return f"{title} — {shown(choice, lang)}"


def boundaries_switch(choice: str, lang: str, prefix: str, href: Callable[[str | None], str],
                      note: str | None = None, explain: bool = True) -> html.Div:
    """The two choices as links (ids ``{prefix}bounds-historical`` / ``-current``; ``href(value)``
    gives the page's URL with ``boundaries=value``, None for as it was), then what today's
    boundaries do (when chosen and ``explain``) and the page's own ``note`` (what stays as it was, and why)."""
    links = html.Div([dcc.Link(t(f"bounds.{b}", lang), href=href(None if b == "historical" else b),
                               className=f"btn btn-sm {'btn-secondary' if b == choice else 'btn-outline-secondary'}",
                               id=f"{prefix}bounds-{b}")
                      for b in CHOICES], className=f"btn-group {prefix}bounds", role="group",
                     **{"aria-label": t("bounds.label", lang)})
    words = " ".join(([t("bounds.note", lang)] if choice == "current" and explain else []) + ([note] if note else []))
    return html.Div([links, html.Span(words, className="text-muted small ms-2", id=f"{prefix}bounds-note")] if words else [links],
                    className="mb-2 d-flex flex-wrap align-items-center gap-2 bounds-switch")
