"""How pages travel (server/delivery.py, issue 16): compressed by the app itself, fingerprinted files
cached for a year, the partial plotly.js instead of the full one, dash-ag-grid only on demand."""
from __future__ import annotations

import gzip
import json
import re

import brotli
import dash
import pytest

from server import delivery
from tests.conftest import page_cache_off
from tests.test_ids import VIEWS


@pytest.fixture(scope="module")
def client(demo_app, tmp_path_factory):
    before = delivery.COMPRESSED_DIR
    delivery.COMPRESSED_DIR = tmp_path_factory.mktemp("compressed")
    yield demo_app.server.test_client()
    delivery.COMPRESSED_DIR = before


def decoded(response) -> bytes:
    enc = response.headers.get("Content-Encoding")
    return brotli.decompress(response.data) if enc == "br" else gzip.decompress(response.data) if enc == "gzip" else response.data


def page_html(client) -> str:
    return decoded(client.get("/levels?year=2023", headers={"Accept-Encoding": "br"})).decode()


def libraries(html: str) -> dict:
    tag = re.search(r'<meta name="tthc-libraries" content="([^"]+)"', html).group(1)
    return json.loads(tag.replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.parametrize("accept, expected", [("gzip, deflate, br, zstd", "br"), ("gzip, deflate", "gzip"), ("", None),
                                              ("br;q=0, gzip", "gzip"), ("identity", None)])
def test_dlv001_page_html_compressed_as_the_browser_accepts(client, accept, expected):
    r = client.get("/levels?year=2023", headers={"Accept-Encoding": accept})
    assert r.status_code == 200
    assert r.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in r.headers["Vary"]
    html = decoded(r).decode()
    assert "<title>TTHC · Quảng Nam</title>" in html
    if expected:
        assert len(r.data) < len(html.encode()) / 2


def test_dlv002_layout_and_callback_json_compressed(client):
    r = client.get("/_dash-layout", headers={"Accept-Encoding": "br, gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert json.loads(decoded(r))["props"]["children"]  # the frame's layout, intact
    deps = client.get("/_dash-dependencies", headers={"Accept-Encoding": "gzip"})
    assert deps.headers["Content-Encoding"] == "gzip" and isinstance(json.loads(decoded(deps)), list)
    # A callback answer: the page container's content for /levels, the largest the app sends.
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/levels"},
                       {"id": "_pages_location", "property": "search", "value": "?year=2023"}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    cb = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "br"})
    assert cb.status_code == 200 and cb.headers["Content-Encoding"] == "br"
    assert b"lvl-channels" in decoded(cb)
    assert len(cb.data) * 4 < len(decoded(cb))


def test_dlv003_static_files_compressed_once_and_cached_for_a_year(client):
    html = page_html(client)
    src = next(s for s in re.findall(r'src="([^"]+)"', html) if "dash_core_components.v" in s)
    r = client.get(src, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    body = decoded(r)
    assert len(r.data) * 3 < len(body) and b"dash_core_components" in body
    kept = list(delivery.COMPRESSED_DIR.glob("*.br"))
    assert kept and any(k.read_bytes() == r.data for k in kept)  # the copy the next request reads
    assert client.get(src, headers={"Accept-Encoding": "br"}).data == r.data
    gz = client.get(src, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and decoded(gz) == body
    plain = client.get(src)
    assert "Content-Encoding" not in plain.headers and plain.data == body
    # An asset with Dash's ?m= fingerprint is immutable; the same file without it is revalidated.
    css = next(s for s in re.findall(r'href="([^"]+)"', html) if "bootstrap.min.css?m=" in s)
    assert client.get(css).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in client.get(css.split("?")[0]).headers.get("Cache-Control", "")


def test_dlv004_full_plotly_bundle_neither_linked_nor_served(client):
    html = page_html(client)
    assert "plotly.min.js" not in html and "package_data" not in html
    assert client.get("/_dash-component-suites/plotly/package_data/plotly.min.js").status_code >= 400
    urls = libraries(html)
    assert urls["plotly"].startswith("/assets/vendor/plotly-bar-heatmap-scatter-4.1.1.min.js?m=")
    assert "plotly-bar-heatmap-scatter" not in " ".join(re.findall(r'src="([^"]+)"', html))  # loaded by the first chart, not by every page
    r = client.get(urls["plotly"], headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    body = decoded(r)
    assert body.startswith(b"/**\n* plotly.js (bar, heatmap, scatter - minified) v4.1.1") and b"window.Plotly = Plotly" in body
    assert len(r.data) < 400_000  # against 4.8 MB for the full bundle, uncompressed


def test_dlv005_dash_ag_grid_only_on_demand(client):
    html = page_html(client)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert not any("dash_ag_grid" in s for s in scripts)
    assert any("lazy_libraries.js?m=" in s for s in scripts)
    url = libraries(html)["dash_ag_grid"]
    assert re.fullmatch(r"/_dash-component-suites/dash_ag_grid/dash_ag_grid\.v[\w]+m\d+\.min\.js", url)
    r = client.get(url, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"window.dash_ag_grid" in decoded(r)


def figure_traces(tree) -> set[str]:
    """The trace types of every figure in a rendered layout (plotly's default type is scatter)."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            fig = node.get("figure") if isinstance(node.get("figure"), dict) else None
            for trace in (fig or {}).get("data", []):
                found.add(trace.get("type", "scatter"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    from plotly.io.json import to_json_plotly
    walk(json.loads(to_json_plotly(tree)))
    return found


def test_dlv006_partial_bundle_draws_every_trace_type_the_pages_use(demo_app):
    registry = {page["path"]: page for page in dash.page_registry.values()}
    used = set()
    with page_cache_off(), demo_app.server.test_request_context("/"):
        for path, views in VIEWS.items():
            for params in views:
                used |= figure_traces(registry[path]["layout"](**params))
    assert {"bar", "scatter", "heatmap"} <= used  # the pages did draw
    assert used <= delivery.PLOTLY_BUNDLE_TRACES, used - delivery.PLOTLY_BUNDLE_TRACES
    bundle = (delivery.ASSETS / delivery.PLOTLY_BUNDLE).read_text()
    for trace in used:  # each registers itself by name in the bundle
        assert f'moduleType:"trace",name:"{trace}"' in bundle, trace


@pytest.mark.parametrize("header, expected", [("br", "br"), ("gzip;q=1.0, br;q=0.5", "br"), ("*", "br"), ("deflate", None),
                                              ("gzip;q=0", None), ("GZIP", "gzip"), ("br;q=bad, gzip", "gzip")])
def test_dlv007_accepted_encoding(header, expected):
    assert delivery.accepted_encoding(header) == expected


def test_dlv008_charts_are_lazy_blocks_holding_their_height():
    from dash import dcc

    from components.lazy import LazyBlock
    from components.ui import graph

    fig = {"data": [{"type": "bar", "x": [1], "y": [2]}], "layout": {"height": 380}}
    block = graph("g", fig, "f", box="late-scroll late-scroll-wide")
    assert isinstance(block, LazyBlock) and isinstance(block.children, dcc.Graph)
    assert block.to_plotly_json()["namespace"] == "tthc_lazy" and block.height == 380
    assert block.className == "late-scroll late-scroll-wide"  # the block is the box: CSS on its children holds
    assert graph("g", {"data": [], "layout": {}}, "f").height == 450  # dcc.Graph's own height
    assert isinstance(graph("g", fig, "f", lazy=False), dcc.Graph)
    # The browser side defines the namespace the layout names.
    assert "window.tthc_lazy = {LazyBlock: LazyBlock}" in (delivery.ASSETS / "lazy_blocks.js").read_text()


def test_dlv007_no_data_table_bundle_and_no_page_draws_one(client, demo_app):
    html = page_html(client)
    assert not any("dash_table" in s for s in re.findall(r'<script src="([^"]+)"', html))
    assert any("dash_core_components" in s for s in re.findall(r'<script src="([^"]+)"', html))  # the others still are
    registry = {page["path"]: page for page in dash.page_registry.values()}
    namespaces = set()
    with page_cache_off(), demo_app.server.test_request_context("/"):
        for path, views in VIEWS.items():
            for params in views:
                layout = registry[path]["layout"](**params)
                namespaces |= {c._namespace for c in [layout, *layout._traverse()] if hasattr(c, "_namespace")}
    assert "dash_html_components" in namespaces and "dash_table" not in namespaces, namespaces


def test_dlv009_polyfill_only_for_browsers_without_es_modules(client):
    """@babel/polyfill is linked ``nomodule``; the regenerator runtime the Dash bundles call is
    linked as a plain script before the renderer (which calls it)."""
    scripts = re.findall(r"<script[^>]*>", page_html(client))
    polyfill = [s for s in scripts if "/deps/polyfill@" in s]
    assert len(polyfill) == 1 and polyfill[0].startswith("<script nomodule src=")
    order = [s for s in scripts if "regenerator-runtime-0.14.1.min.js" in s or "dash_renderer" in s]
    assert len(order) == 2 and "regenerator-runtime" in order[0]
    runtime = re.search(r'src="([^"]*regenerator-runtime[^"]*)"', order[0]).group(1)
    assert b"regeneratorRuntime=runtime" in decoded(client.get(runtime, headers={"Accept-Encoding": "br"}))
