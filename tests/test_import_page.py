"""Import history page (/imports): what it shows after the sample imports, who may see it,
the rejected-rows report download, and the real app in a browser."""
from __future__ import annotations

import base64
from contextvars import copy_context

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from components.params import resolve_view
from data.importer import import_catalog, import_dossiers
from pages.imports._view import build
from tests.conftest import assert_no_console_errors
from tests.test_import import SAMPLES


def _ids(component, found=None):
    """Every id in a component tree."""
    found = [] if found is None else found
    cid = getattr(component, "id", None)
    if cid is not None:
        found.append(cid)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            _ids(child, found)
    return found


def _text(component) -> str:
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return " ".join(_text(c) for c in children if c is not None)
    return _text(children)


@pytest.fixture
def sample_engine(empty_engine, tmp_path):
    for kind in ("units", "agencies", "procedures", "postal"):
        import_catalog(empty_engine, kind, SAMPLES / f"{kind}.csv", report_dir=tmp_path)
    import_dossiers(empty_engine, SAMPLES / "dossiers.csv", report_dir=tmp_path, command="tthc import dossiers dossiers.csv")
    import_dossiers(empty_engine, SAMPLES / "dossiers-with-errors.csv", report_dir=tmp_path)
    return empty_engine


def test_imp301_history_lists_every_run_with_counts(sample_engine):
    page = build(resolve_view({}, sample_engine), sample_engine)
    ids = _ids(page)
    runs = [i for i in ids if isinstance(i, str) and i.startswith("imp-run-")]
    assert len(runs) == 6 and runs[0] == "imp-run-6"  # newest first
    reports = [i for i in ids if isinstance(i, dict) and i["type"] == "imp-report"]
    assert reports == [{"type": "imp-report", "run": 6}]  # only the run with rejected rows
    text = _text(page)
    assert "dossiers-with-errors.csv" in text and "Bị từ chối" in text and "tthc import dossiers dossiers.csv" in text
    en = _text(build(resolve_view({"lang": "en"}, sample_engine), sample_engine))
    assert "Import history" in en and "Rejected" in en and "Download (CSV)" in en


def test_imp302_denied_and_empty(empty_engine):
    view = resolve_view({}, empty_engine)
    denied = build(view, empty_engine, allowed=False)
    assert "imp-denied" in _ids(denied) and "imp-table" not in _ids(denied)
    empty = build(view, empty_engine)
    assert "imp-empty" in _ids(empty) and "tthc import dossiers" in _text(empty)


def _trigger(prop_id: str, fn, *args):
    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))
        return fn(*args)

    return copy_context().run(run)


def test_imp303_report_download(sample_engine, demo_app, monkeypatch):
    import pages.imports.imports as page

    monkeypatch.setattr(page, "get_engine", lambda: sample_engine)
    out = _trigger('{"run":6,"type":"imp-report"}.n_clicks', page.download_report, [1], [])
    body = out["content"] if not out.get("base64") else base64.b64decode(out["content"]).decode("utf-8-sig")
    assert out["filename"].startswith("import-6-") and "31/02/2023" in body and "not a valid date" in body
    # A run without a report, or a click that never happened, downloads nothing.
    assert _trigger('{"run":5,"type":"imp-report-m"}.n_clicks', page.download_report, [], [1]) is page.no_update
    assert _trigger('{"run":6,"type":"imp-report"}.n_clicks', page.download_report, [0], []) is page.no_update
    monkeypatch.setattr(page, "may_see_imports", lambda: False)
    assert _trigger('{"run":6,"type":"imp-report"}.n_clicks', page.download_report, [1], []) is page.no_update


@pytest.mark.browser
def test_imp304_page_in_the_app(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/imports?year=2023")
    dash_duo.wait_for_contains_text("#imp-title", "Lịch sử nhập dữ liệu", timeout=20)
    dash_duo.wait_for_contains_text("#imp-table", "Dữ liệu mẫu (demo)", timeout=10)
    dash_duo.wait_for_element("#nav-imports", timeout=10)
    assert_no_console_errors(dash_duo)
