"""Import history (/imports), read-only: each run of ``tthc import`` with its counts and
its rejected-rows report (downloaded through a callback, so sign-in rules apply)."""
from __future__ import annotations

import os

import dash
from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update

from components.params import resolve_view
from data.db import get_engine
from data.queries.imports import report_path_of
from pages.imports._view import build
from server.auth import may_see_imports
from server.faults import guard_layout
from server.page_cache import cached_page

# An admin's page without the global filters: nothing for the warm-up to render per view.
dash.register_page(__name__, path="/imports", name="imports", title="TTHC · Nhập dữ liệu", order=6, nav="nav.imports", warm=False)


@guard_layout
@cached_page
def layout(**kwargs):
    engine = get_engine()
    view = resolve_view(kwargs, engine)
    return html.Div([build(view, engine, allowed=may_see_imports()), dcc.Download(id="imp-download")])


@callback(Output("imp-download", "data"), Input({"type": "imp-report", "run": ALL}, "n_clicks"),
          Input({"type": "imp-report-m", "run": ALL}, "n_clicks"), prevent_initial_call=True)
def download_report(n_table, n_list):
    trig = ctx.triggered_id
    if not isinstance(trig, dict) or not any([*(n_table or []), *(n_list or [])]) or not may_see_imports():
        return no_update
    path = report_path_of(get_engine(), trig["run"])
    # Only a rejected-rows report the importer wrote, and only while it exists.
    if not path or not path.endswith("-rejected.csv") or not os.path.isfile(path):
        return no_update
    return dcc.send_file(path, filename=f"import-{trig['run']}-{os.path.basename(path)}")
