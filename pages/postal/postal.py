"""Postal substitution (/postal): who has handed the one-stop desk to the post office, and does it work.

The content is built by components/postal_view.py; this module registers the page
and holds its callbacks: a click on a tile or a bar writes the district into the URL
(the layout then shows its drill), and the district table downloads as CSV or Excel.
"""
from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from components.boundaries import PARAM as BOUNDARIES
from components.download import to_csv_bytes, to_xlsx_bytes
from components.navigation import go_to, page_location
from components.params import resolve_view
from data.db import get_engine
from pages.postal._view import build, download_frame, with_district
from server.faults import guard_layout
from server.page_cache import cached_page

dash.register_page(__name__, path="/postal", name="postal", title="TTHC · Bưu chính công ích", order=3, nav="nav.postal")


@guard_layout
@cached_page(params={"boundaries": BOUNDARIES})
def layout(**kwargs):
    engine = get_engine()
    view = resolve_view(kwargs, engine)
    return html.Div([build(view, engine), page_location("post")])  # components.navigation


@callback(go_to("post"), Input({"type": "post-tile", "code": ALL}, "n_clicks"),
          State("url", "search"), prevent_initial_call=True)
def tile_clicked(n_clicks, search):
    trig = ctx.triggered_id
    if not isinstance(trig, dict) or not any(n_clicks or []):
        return no_update
    # Only a real click: the clicked tile's own count must be positive.
    clicked = next((n for n, i in zip(n_clicks, ctx.inputs_list[0]) if i["id"] == trig), 0)
    if not clicked:
        return no_update
    return with_district(search, trig["code"])


@callback(go_to("post"), Input("post-rank-chart", "clickData"), State("url", "search"),
          prevent_initial_call=True)
def bar_clicked(click, search):
    try:
        code = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return no_update
    return with_district(search, str(code))


@callback(Output("post-dl-csv", "data"), Input("post-dl-csv-btn", "n_clicks"), State("url", "search"), prevent_initial_call=True)
def download_csv(n, search):
    if not n:
        return no_update
    frame, title, filters, view = download_frame(search)
    return dcc.send_bytes(to_csv_bytes(frame, title, filters), f"postal-districts-{view.year}.csv")


@callback(Output("post-dl-xlsx", "data"), Input("post-dl-xlsx-btn", "n_clicks"), State("url", "search"), prevent_initial_call=True)
def download_xlsx(n, search):
    if not n:
        return no_update
    frame, title, filters, view = download_frame(search)
    return dcc.send_bytes(to_xlsx_bytes(frame, title, filters, sheet="Postal"), f"postal-districts-{view.year}.xlsx")


# The drill sits under the headline: when the URL selects a district (a click on a tile or
# a bar, or a shared link) and the drill is out of sight, bring it into view.
clientside_callback(
    """function(id) {
        var el = document.getElementById("post-drill");
        if (el) {
            var top = el.getBoundingClientRect().top;
            if (top < 0 || top > window.innerHeight * 0.6) { el.scrollIntoView({block: "start"}); }
        }
        return "";
    }""",
    Output("post-scroll-done", "title"),
    Input("post-drill", "id"),
)
