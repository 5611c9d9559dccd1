"""No component id is used by two pages, nor by a page and the frame around it.

Dash keeps one callback graph for the whole app: an id two pages share would tie their
callbacks together (or break them). Every registered page is rendered in the views that
show the most of it (a level's units, the drill to the dossier list, a district on
/postal, each slide), on the demo database, and the ids of each are collected.
"""
from __future__ import annotations

import itertools
import json

import dash
import pytest
from plotly.io.json import to_json_plotly

from tests.conftest import page_cache_off

# The views of each page that between them show all its parts.
VIEWS = {
    "/": [{"year": "2023"}, {"year": "2023", "district": "509"}],
    "/levels": [{"year": "2023"}, {"year": "2023", "level": "district"}, {"year": "2023", "district": "509", "level": "commune"}],
    "/late": [{"year": "2023"}, {"year": "2023", "sector": "DD"}, {"year": "2023", "sector": "DD", "procedure": "DD-H-01"},
              {"year": "2023", "view": "list"}, {"year": "2023", "mode": "overdue"}],
    "/postal": [{"year": "2023"}, {"year": "2023", "district": "509"}],
    "/scorecard": [{"year": "2023"}, {"year": "2023", "district": "509", "level": "commune", "unit": "20641",
                                      "lost": "digitised"}],
    "/report": [{"year": "2023"}],
    "/present": [{"year": "2023", "slide": str(i)} for i in range(1, 11)],
    "/imports": [{}],
}


def ids_in(tree) -> set[str]:
    """Every component id in a layout (pattern-matching ids by their ``type``)."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "id" in props:
                ident = props["id"]
                found.add(ident["type"] if isinstance(ident, dict) else str(ident))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(to_json_plotly(tree)))
    return found


@pytest.fixture(scope="module")
def page_ids(demo_app):
    registry = {page["path"]: page for page in dash.page_registry.values()}
    assert set(VIEWS) == set(registry), "a new page: list the views that show its parts in VIEWS"
    out = {}
    with page_cache_off(), demo_app.server.test_request_context("/"):
        for path, views in VIEWS.items():
            out[path] = set().union(*(ids_in(registry[path]["layout"](**params)) for params in views))
        frame = ids_in(demo_app.layout())
    return out, frame


def test_ids001_no_id_is_shared_by_two_pages(page_ids):
    pages, _ = page_ids
    assert all(len(ids) > 3 for ids in pages.values()), {p: len(i) for p, i in pages.items()}  # the pages did render
    shared = {(a, b): sorted(pages[a] & pages[b]) for a, b in itertools.combinations(pages, 2) if pages[a] & pages[b]}
    assert shared == {}


def test_ids002_no_page_reuses_an_id_of_the_frame(page_ids):
    pages, frame = page_ids
    assert {"url", "navbar", "filter-year", "db-status"} <= frame  # the frame did render
    clashes = {path: sorted(ids & frame) for path, ids in pages.items() if ids & frame}
    assert clashes == {}
