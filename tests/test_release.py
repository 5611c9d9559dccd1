"""The running code's fingerprint in the shared cache's keys (server/release.py): a deploy never
serves pages rendered by the previous code from Redis."""
from __future__ import annotations

import flask

from data import cache as qcache
from server.release import code_fingerprint


def test_rel001_fingerprint_follows_every_source_file(tmp_path):
    (tmp_path / "app.py").write_text("app = 1\n")
    (tmp_path / "pages" / "levels").mkdir(parents=True)
    page = tmp_path / "pages" / "levels" / "levels.py"
    page.write_text("layout = 1\n")
    (tmp_path / "pages" / "notes.txt").write_text("not code")
    first = code_fingerprint(tmp_path)
    assert len(first) == 12 and code_fingerprint(tmp_path) == first
    (tmp_path / "pages" / "notes.txt").write_text("still not code")
    assert code_fingerprint(tmp_path) == first
    page.write_text("layout = 2\n")
    changed = code_fingerprint(tmp_path)
    assert changed != first
    page.rename(tmp_path / "pages" / "levels" / "other.py")  # same content, another module
    assert code_fingerprint(tmp_path) not in (first, changed)


def test_rel002_shared_cache_keys_carry_the_release(redis_url, monkeypatch):
    import redis

    monkeypatch.setenv("CACHE_REDIS_URL", redis_url)
    monkeypatch.delenv("TTHC_CACHE", raising=False)
    server = flask.Flask("rel002")
    qcache.init_cache(server, release="abc123def456")
    r = redis.Redis.from_url(redis_url)
    try:
        with server.app_context():
            qcache.cache.set("rel002", 1)
            assert r.exists("tthc:abc123def456:rel002") and not r.exists("tthc:rel002")
            assert qcache.cache.get("rel002") == 1
    finally:
        r.delete("tthc:abc123def456:rel002")
