"""Cache warm-up (``tthc warm``): every view of the filter bar rendered into the shared cache."""
from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from sqlalchemy import event, insert

from cli.main import main as tthc
from data import cache as qcache
from data.schema import ImportRun
from server.warmup import claim_warmup, view_params, warm_cache
from tests.conftest import page_cache_off


def test_warm001_views_most_useful_first():
    views = list(view_params([2022, 2023], ["502", "509"], ["DD"], ("vi", "en")))
    # the bare URLs, then the latest year: whole province, each district, then the sector
    assert views[:6] == [{}, {"lang": "en"}, {"year": "2023"}, {"year": "2023", "lang": "en"},
                         {"year": "2023", "district": "502"}, {"year": "2023", "district": "502", "lang": "en"}]
    assert views[8] == {"year": "2023", "sector": "DD"}
    # 2 bare + 2 years × (1 + 1 sector) × (1 + 2 districts) × 2 languages, no view twice
    assert len(views) == 2 + 2 * 2 * 3 * 2
    assert len({json.dumps(v, sort_keys=True) for v in views}) == len(views)
    assert views[-1] == {"year": "2022", "district": "509", "sector": "DD", "lang": "en"}


def test_warm002_cli_needs_a_shared_cache(monkeypatch):
    monkeypatch.delenv("CACHE_REDIS_URL", raising=False)
    result = CliRunner().invoke(tthc, ["warm"])
    assert result.exit_code == 1
    assert "CACHE_REDIS_URL is not set" in result.output
    monkeypatch.setenv("CACHE_REDIS_URL", "redis://127.0.0.1:1/0")
    result = CliRunner().invoke(tthc, ["warm", "--langs", "fr"])
    assert result.exit_code == 1 and "--langs takes vi and/or en" in result.output


def _statements_while(engine, fn) -> int:
    seen = []
    listener = lambda *a, **k: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_warm003_warmed_views_are_served_without_the_database(redis_app):
    import dash

    from data.db import get_engine

    layouts = {p["path"]: p["layout"] for p in dash.page_registry.values()}
    report = warm_cache(redis_app, langs=("vi",), pages=("/",))
    assert report.errors == [] and report.stopped is None
    # fixture: two years received in (2022: the dossier carried over; 2023), 2 district-level
    # units, 2 sectors -> 1 bare URL + 2 × (1 + 2) × (1 + 2) views, one page
    assert report.views == 1 + 2 * 3 * 3
    engine = get_engine()
    with redis_app.test_request_context("/"):
        # stored compressed, one entry per view
        stored = qcache.cache.cache._write_client.keys("tthc:layout:*")
        assert len(stored) == report.views
        assert all(isinstance(qcache.cache.get(k.decode()[len("tthc:"):]), bytes) for k in stored)
        served = []
        warmed = _statements_while(engine, lambda: served.append(layouts["/"](year="2023", district="509")))
        cold = _statements_while(engine, lambda: layouts["/postal"](year="2023", district="509"))
        # what the cache serves is the page as rendered without any cache
        from plotly.io.json import to_json_plotly

        with page_cache_off():
            fresh = layouts["/"](year="2023", district="509")
        assert served[0] == json.loads(to_json_plotly(fresh))
    assert warmed == 0
    assert cold > 0  # the counter sees the queries of a page nobody warmed
    # one warm-up per data version across workers: the second claim is refused
    version = qcache.data_version(engine)
    with redis_app.app_context():
        assert claim_warmup(f"test-{version}") is True
        assert claim_warmup(f"test-{version}") is False


def test_warm004_stops_when_an_import_lands(redis_app, empty_engine):
    """A warm-up for data that has changed stops: the next one (for the new version) starts over."""

    def an_import_lands_after_the_first_view(done, total):
        if done == 1:
            now = dt.datetime(2024, 2, 1, 8, 0)
            with empty_engine.begin() as conn:
                conn.execute(insert(ImportRun), [dict(started_at=now, finished_at=now, command="test 2", kind="test", added=1, status="ok")])
            qcache.reset_version()

    report = warm_cache(redis_app, langs=("vi",), pages=("/postal",), progress=an_import_lands_after_the_first_view)
    assert report.stopped == "the data changed (an import landed)"
    assert report.views == 1


def test_warm005_cli_warms_once_per_data_version(redis_app):
    """`tthc warm` fills every page's views; a second run for the same data finds the lock."""
    first = CliRunner().invoke(tthc, ["warm", "--langs", "vi"])
    assert first.exit_code == 0, first.output
    # 1 bare URL + 2 years × 3 places × 3 sector choices = 19 views × 7 pages (the scorecard too)
    assert "warmed 133 views" in first.output and "failed" not in first.output
    second = CliRunner().invoke(tthc, ["warm", "--langs", "vi"])
    assert second.exit_code == 0 and "already being warmed" in second.output
