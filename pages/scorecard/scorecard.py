"""Service index (/scorecard): Decision 766's six groups computed from our own dossiers.

The content is built by pages/scorecard/_view.py; this module registers the page and holds its
callbacks: the level and month controls and a click on a ranking row write the URL (the layout
then shows that view), and the ranking downloads as Excel.
"""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from components.boundaries import PARAM as BOUNDARIES
from components.boundaries import shown
from components.download import to_xlsx_bytes
from components.kpi import whole_area
from components.navigation import go_to, page_location
from components.params import UNIT_CODE, build_search, parse_search, resolve_view
from data.db import get_engine
from data.queries import scorecard as q
from data.service_index import INDICATOR_BY_KEY
from pages.scorecard._view import LEVELS, Choice, build, download_frame, t
from server.faults import guard_layout
from server.page_cache import cached_page

dash.register_page(__name__, path="/scorecard", name="scorecard", title="TTHC · Chỉ số phục vụ", order=3.5,
                   nav="nav.scorecard")

PARAMS = {"level": "|".join(LEVELS), "month": r"[1-9]|1[0-2]", "unit": r"[0-9A-Za-z_.-]{1,20}",
          "lost": "|".join(k for k in INDICATOR_BY_KEY if k not in ("progress", "full_online_procedures")),
          "boundaries": BOUNDARIES}
assert UNIT_CODE  # units of every level are spelled as the global pattern allows (departments by agency code)


@guard_layout
@cached_page(params=PARAMS)
def layout(**kwargs):
    engine = get_engine()
    view = resolve_view(kwargs, engine)
    return html.Div([build(view, view.extra, engine), page_location("sco")])  # components.navigation


def _with(search: str | None, **changes) -> str:
    params = parse_search(search)
    for key, value in changes.items():
        if value in (None, "", 0):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return build_search(params)


@callback(go_to("sco"), Input("sco-level", "value"), State("url", "search"),
          prevent_initial_call=True)
def level_changed(level, search):
    view = resolve_view(parse_search(search))
    offered = Choice(view, view.extra, get_engine()).levels  # no district level after June 2025
    if level not in offered or parse_search(search).get("level", offered[0]) == level:
        return no_update
    # Another level has other units: the selection and its list go.
    return _with(search, level=None if level == offered[0] else level, unit=None, lost=None)


@callback(go_to("sco"), Input("sco-month", "value"), State("url", "search"),
          prevent_initial_call=True)
def month_changed(month, search):
    if str(parse_search(search).get("month", 0)) == str(month or 0):
        return no_update
    return _with(search, month=month or None)


@callback(go_to("sco"), Input("sco-rank", "cellClicked"), State("url", "search"),
          prevent_initial_call=True)
def row_clicked(cell, search):
    try:
        code = str(cell["rowId"])
    except (TypeError, KeyError):
        return no_update
    if parse_search(search).get("unit") == code:
        return no_update
    return _with(search, unit=code, lost=None)


@callback(Output("sco-dl-xlsx", "data"), Input("sco-dl-xlsx-btn", "n_clicks"), State("url", "search"),
          prevent_initial_call=True)
def download_xlsx(n, search):
    if not n:
        return no_update
    kwargs = parse_search(search)
    view = resolve_view(kwargs)
    if not view.has_data:
        return no_update
    choice = Choice(view, view.extra, get_engine())
    lang = view.lang
    units = q.unit_scores(get_engine(), view.filter(period=choice.period), choice.level, choice.bounds)
    level = t(f"level.{choice.level}", lang)
    filters = [(t("dl.period", lang), choice.period_text(view)),
               (t("dl.scope", lang), view.district_name or whole_area(view.year, lang).capitalize())]
    if view.sector:
        filters.append((t("dl.sector", lang), view.sector))
    filters.append((t("dl.bounds", lang), shown("current" if choice.current else "historical", lang)))
    data = to_xlsx_bytes(download_frame(units, lang), t("dl.title", lang, level=level), filters, sheet="Scorecard")
    suffix = f"{view.year}-{choice.month:02d}" if choice.month else str(view.year)
    return dcc.send_bytes(data, f"service-index-{choice.level}-{suffix}.xlsx")
