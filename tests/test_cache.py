"""The query cache: answers are cached, and an import makes the next request show the new data."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from data import cache as qcache
from data.aggregates import refresh_aggregates
from data.filters import DossierFilter, Period
from data.queries.summary import standard_report
from data.schema import Agency, Dossier, ImportRun
from tests import fixture_data as fx
from tests.conftest import insert_fixture


def _load(engine) -> None:
    with engine.begin() as conn:
        insert_fixture(conn, deployments=())
        conn.execute(insert(ImportRun), [_run("first")])


def _run(name: str) -> dict:
    now = dt.datetime(2024, 1, 2, 8, 0)
    return dict(started_at=now, finished_at=now, command=f"test {name}", kind="test", added=1, status="ok")


def _import(engine, year: int, n: int) -> None:
    """What an import does: new dossiers, aggregates refreshed, an import_runs row."""
    with engine.begin() as conn:
        start = conn.execute(select(func.max(Dossier.id))).scalar() + 1
        rows = [fx._d(f"NEW{year}-{i}", 3, 3, 1, dt.date(year, 3, 1), dt.date(year, 3, 15), dt.date(year, 3, 10), 10)
                for i in range(n)]
        conn.execute(insert(Dossier), [dict(r, id=start + i) for i, r in enumerate(rows)])
        refresh_aggregates(conn)
        conn.execute(insert(ImportRun), [_run(f"import {year}")])


@pytest.fixture
def cached_app(monkeypatch):
    """A Flask app with the query cache configured as the app does it (in-process)."""
    monkeypatch.delenv("CACHE_REDIS_URL", raising=False)
    monkeypatch.delenv("TTHC_CACHE", raising=False)
    monkeypatch.setattr(qcache, "VERSION_TTL", 0.0)  # check the data version at every query
    app = Flask("cache-test")
    qcache.init_cache(app)
    qcache.reset_version()
    with app.app_context():
        qcache.cache.clear()
        yield app
    qcache.reset_version()


@qcache.cached_query
def district_received(engine, f):
    return int(standard_report(engine, f, "level").set_index("level").loc["district", "received"])


def test_cache001_cached_until_an_import_lands(empty_engine, cached_app):
    _load(empty_engine)
    f = DossierFilter(Period.year(2023))
    assert district_received(empty_engine, f) == 7
    # Dossiers written without an import run: the cache still answers (it is really used) ...
    with empty_engine.begin() as conn:
        conn.execute(insert(Dossier), [dict(fx._d("QUIET", 3, 3, 1, dt.date(2023, 3, 1), dt.date(2023, 3, 15),
                                                  dt.date(2023, 3, 10), 10), id=1000)])
        refresh_aggregates(conn)
    assert district_received(empty_engine, f) == 7
    assert district_received.uncached(empty_engine, f) == 8
    # ... and an import (which records its run) makes the next request see the new data.
    _import(empty_engine, 2023, 2)
    assert district_received(empty_engine, f) == 10


def test_cache002_import_then_page_request_shows_new_year(empty_engine, cached_app, monkeypatch):
    """Through the real app: the filter bar's years come from a cached query; after an
    import of 2025 dossiers, the next page request offers 2025."""
    _load(empty_engine)
    monkeypatch.setenv("DATABASE_URL", str(empty_engine.url.render_as_string(hide_password=False)))
    import app as dash_app  # the real app: its own Flask server and cache
    from data.db import get_engine

    get_engine.cache_clear()  # get_engine() caches the engine of the first DATABASE_URL it saw

    # Sign-in is on for any database but the demo file: this test is about the cache, not sign-in.
    monkeypatch.setitem(dash_app.server.config, "TTHC_AUTH", "off-setting")
    client = dash_app.server.test_client()

    def years_offered():
        layout = client.get("/_dash-layout")
        assert layout.status_code == 200
        found = []

        def walk(node):
            if isinstance(node, dict):
                if node.get("props", {}).get("id") == "filter-year":
                    found.extend(o["value"] if isinstance(o, dict) else o for o in node["props"].get("options") or [])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(json.loads(layout.data))
        return [int(y) for y in found]

    before = years_offered()
    assert 2023 in before and 2025 not in before
    _import(empty_engine, 2025, 3)
    assert 2025 in years_offered()
    get_engine.cache_clear()


def test_cache003_reference_kept_per_data_version(empty_engine, cached_app):
    """Reference maps are kept in the worker per data version: the same object until an
    import lands, then read again (a new agency shows)."""
    from data.queries.late import reference_maps

    _load(empty_engine)
    first = reference_maps(empty_engine)
    assert reference_maps(empty_engine) is first  # no recompute, no unpickling
    assert len(first["agencies"]) == 7
    with empty_engine.begin() as conn:
        conn.execute(insert(Agency), [dict(id=8, code="X99", name="UBND mới", name_en="New", level="commune",
                                           unit_code="20335", district_code="502", commune_code="20335")])
    assert len(reference_maps(empty_engine)["agencies"]) == 7  # same data version: still the kept maps
    _import(empty_engine, 2023, 1)
    again = reference_maps(empty_engine)
    assert again is not first and len(again["agencies"]) == 8


def test_cache004_junk_parameters_add_no_cache_keys(redis_app):
    """Finding 5: /levels?year=2023&junk=N made one Redis entry per N. Only the page's known
    parameters, spelled canonically, form a key; a corrected URL is served, not stored."""
    import dash
    import redis

    from tests.conftest import REDIS_URL

    r = redis.Redis.from_url(REDIS_URL)
    levels = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/levels")
    late = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/late")

    def layout_keys():
        return {k for k in r.scan_iter("tthc:layout:*")}

    from plotly.io.json import to_json_plotly

    def as_json(page):
        return json.loads(to_json_plotly(page))

    with redis_app.test_request_context("/"):
        canonical = as_json(levels(year="2023"))
        before = layout_keys()
        assert len(before) == 1  # the canonical view is cached
        for n in range(60):
            page = levels(year="2023", junk=str(n), **{f"x{n}": "y"})
            assert as_json(page) == canonical
        odd = [dict(year="+2023"), dict(year="02023"), dict(year="2023 "), dict(year="2023", sector="dd"),
               dict(year="2023", district=" 509"), dict(year="2023", lang="EN"), dict(year="1999"),
               dict(year="2023", level="nowhere"), dict(year="2023", district="9" * 9), dict(year="x" * 500)]
        for params in odd:
            levels(**params)
        for n in range(20):
            late(year="2023", commune=f"9{n:04d}")  # a canonical-looking code that is no commune: a note
        assert layout_keys() == before
        late(year="2023", sector="DD")
        assert len(layout_keys()) == 2  # a real view is still cached
