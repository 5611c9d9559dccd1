"""The page's title in the served HTML (server/first_paint.py, issue 16): what a phone shows before
any script has run, escaped, never a stale copy of the live page's ids, never a new way to fail."""
from __future__ import annotations

import json
import re

import dash
import pytest
from dash import dcc, html
from plotly.io.json import to_json_plotly

from server.first_paint import static_html


@pytest.fixture(scope="module")
def client(demo_app):
    return demo_app.server.test_client()


def entry(client, url: str) -> str:
    """The inside of ``#react-entry-point`` as served."""
    body = client.get(url).get_data(as_text=True)
    return re.search(r'<div id="react-entry-point">(.*?)</div>\s*<footer', body + "<footer", re.S).group(1)


@pytest.mark.parametrize("url, title", [
    ("/levels?year=2023", "So sánh các cấp — toàn tỉnh, 2023"),
    ("/levels?year=2023&lang=en", "Level comparison — whole province, 2023"),
    ("/late?year=2023&district=509", "Hồ sơ trễ hạn — Quế Sơn, 2023"),
])
def test_fp001_served_html_holds_the_title_the_page_will_show(client, url, title):
    for _ in range(2):  # the first render builds the layout; the second is the page cache's dict tree
        inside = entry(client, url)
        assert f'<h1 class="first-paint-title">{title}</h1>' in inside
        assert "Loading..." not in inside
        assert "id=" not in inside.replace('id="react-entry-point"', "")  # the live page owns every id
        assert 'class="page-title"' not in inside  # nothing looking for the live title finds this copy


def test_fp002_brand_names_the_unit_in_force(client):
    assert "Quảng Nam</small>" in entry(client, "/levels?year=2023")
    assert "Đà Nẵng</small>" in entry(client, "/levels?year=2026")


def test_fp003_no_page_or_a_failing_layout_keeps_dashs_loading_text(client, monkeypatch):
    assert "_dash-loading" in entry(client, "/no-such-page")
    page = next(p for p in dash.page_registry.values() if p["path"] == "/postal")

    def broken(**_):
        raise RuntimeError("boom")

    monkeypatch.setitem(page, "layout", broken)
    r = client.get("/postal?year=2023")
    assert r.status_code == 200
    assert "_dash-loading" in r.get_data(as_text=True) and "boom" not in r.get_data(as_text=True)


HOSTILE = html.Div([
    html.H1(['<img src=x onerror="alert(1)">', html.Span("&amp; \"q\"", className='x" onmouseover="alert(2)')],
            className="page-title", id="lvl-title"),
    html.Script("alert(3)"),
    dcc.Markdown("**md**", className="note"),
    html.P(["a", 1, None, True], className="page-subtitle text-muted"),
], className="page-header")


def test_fp004_text_and_classes_escaped_tags_limited():
    out = static_html(HOSTILE)
    assert out == (
        '<div class="page-header"><h1 class="first-paint-title">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
        '<span class="x&quot; onmouseover=&quot;alert(2)">&amp;amp; &quot;q&quot;</span></h1>'
        '<div>alert(3)</div><p class="page-subtitle text-muted">a1</p></div>')


def test_fp005_cached_dict_tree_renders_as_the_components_do():
    page = html.Main([dcc.Store(id="s"), html.Section(HOSTILE)])
    tree = json.loads(to_json_plotly(page))
    assert static_html(tree) == static_html(page) == f"<main><section>{static_html(HOSTILE)}</section></main>"


def test_fp006_bootstrap_blocks_charts_held_controls_left_out():
    import dash_bootstrap_components as dbc

    from components.lazy import LazyBlock

    layout = html.Div([
        dbc.Card([dbc.CardHeader(html.H2("Tiếp nhận")), dbc.CardBody([
            dbc.Row([dbc.Col(html.P("a"), xs=12, lg=4), dbc.Col("b")], className="g-3"),
            dcc.Graph(id="g", figure={"data": [], "layout": {"height": 320}}),
            dcc.Graph(id="g2", figure={"data": []}),
            LazyBlock(html.P("later"), height=500),
            dcc.Dropdown(id="d", options=["x"], value="x"),
            dbc.Alert("note", color="warning", className="py-2"),
            dbc.Button("Tải", color="secondary", outline=True, size="sm"),
            html.Details([html.Summary("45 đơn vị"), html.P("rows")], open=True),
            dcc.Link("Đất đai", href="/late?sector=DD", className="btn btn-sm"),
        ])], className="mb-3"),
    ])
    assert static_html(layout) == (
        '<div><div class="card mb-3"><div class="card-header"><h2>Tiếp nhận</h2></div><div class="card-body">'
        '<div class="row g-3"><div class="col-12 col-lg-4"><p>a</p></div><div class="col">b</div></div>'
        '<div style="min-height:320px"></div><div style="min-height:450px"></div><div style="min-height:500px"></div>'
        '<div class="alert alert-warning py-2">note</div><span class="btn btn-outline-secondary btn-sm">Tải</span>'
        '<details open><summary>45 đơn vị</summary><p>rows</p></details><span class="btn btn-sm">Đất đai</span>'
        '</div></div></div>')


def test_fp007_long_pages_cut_at_the_budget():
    out = static_html(html.Div([html.P("x" * 1000) for _ in range(200)]))
    assert 40_000 <= len(out) < 42_000 and out.endswith("</div>") and out.count("<p>") == out.count("</p>")
