"""The page as text in the first HTML, before any script has run (issue 16).

Dash sends an empty page ("Loading...") and draws everything once its scripts have booted and
the page's content callback has answered: on a phone over a slow line the first words a leader
read (the page's title: what is shown, for which unit and year; its findings) came 4 s after
the request, after ~370 KB of JavaScript. Here the served HTML already holds the navbar's brand
and the page's content as plain HTML (titles, sentences, cards, tables; a chart's place held,
empty), rendered on the server from the same layout the content callback will send: it says
exactly what the page will say, and the callback then finds the layout in the page cache (no
work is done twice). React replaces it when the shell mounts, one painted frame later.

Only text is written out: no ids, links, event props or inline styles (the live page owns those;
tests and scripts never find a stale copy), every text and class escaped, at most ``BUDGET``
characters. Anything that goes wrong leaves Dash's own loading text: the first paint is an
improvement, never a new way to fail.
"""
from __future__ import annotations

import logging
from html import escape

import dash
import flask
from dash._pages import _parse_query_string, _path_to_page
from dash.development.base_component import Component

from components.i18n import normalise_lang, t
from server.shell import province_of

log = logging.getLogger("tthc.first_paint")

HTML_NAMESPACE = "dash_html_components"
DBC_NAMESPACE = "dash_bootstrap_components"
# Renamed so that nothing looking for the live page's title (tests, assets/a11y.js) finds this copy;
# app.css styles both names alike.
CLASS_RENAMES = {"page-title": "first-paint-title"}
# Text, structure and tables only: an element of any other kind (a script, a frame, a form, an
# image) is written as a div of its text.
TEXT_TAGS = frozenset({"div", "span", "p", "h1", "h2", "h3", "h4", "h5", "h6", "small", "strong", "em", "b", "i", "u", "ul",
                       "ol", "li", "dl", "dt", "dd", "abbr", "code", "mark", "section", "header", "footer", "main", "article",
                       "aside", "nav", "label", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "details",
                       "summary", "blockquote", "figure", "figcaption", "sup", "sub", "br", "hr"})
VOID = frozenset({"br", "hr"})
# Bootstrap's classes of the dash-bootstrap-components the pages use (what dbc's React adds).
DBC_CLASSES = {"Card": "card", "CardHeader": "card-header", "CardBody": "card-body", "CardFooter": "card-footer", "Row": "row",
               "ListGroup": "list-group", "ListGroupItem": "list-group-item", "Container": "container-fluid",
               "Accordion": "accordion", "AccordionItem": "accordion-item"}
BREAKPOINTS = ("xs", "sm", "md", "lg", "xl", "xxl")
BUDGET = 40_000  # characters of HTML: the first screens, not a second copy of a long page
# Dash starts its renderer as soon as its scripts have run, and React then replaces the first
# paint: on a fast line that happened before the browser had painted a frame, so the text was
# never shown. Here one frame is painted first. A tab opened in the background paints nothing:
# it starts when it is first shown (or after 3 s), so the reader then sees the text at once
# while React boots. Hashed into the CSP with Dash's other inline scripts.
RENDERER = """var renderer;
(function () {
    var started = false;
    function start() { if (!started) { started = true; renderer = new DashRenderer(); } }
    function afterAPaint() { requestAnimationFrame(function () { setTimeout(start, 0); }); }
    if (document.visibilityState === "hidden") {
        document.addEventListener("visibilitychange", function () {
            if (document.visibilityState !== "hidden") { afterAPaint(); }
        });
        setTimeout(start, 3000);
    } else {
        afterAPaint();
    }
})();"""


def init_first_paint(app: dash.Dash) -> None:
    app.renderer = RENDERER
    interpolate = app.interpolate_index

    def with_first_paint(**parts):
        entry = first_paint_entry(parts["app_entry"])
        return interpolate(**{**parts, "app_entry": entry})

    app.interpolate_index = with_first_paint


def first_paint_entry(default_entry: str) -> str:
    """``<div id="react-entry-point">`` holding the page's header, or Dash's own when there is none."""
    try:
        inner = _first_paint_html()
    except Exception:  # noqa: BLE001 - a first paint must never break the page; the live page shows any error itself
        log.exception("first paint failed for %s", flask.request.full_path)
        inner = None
    if not inner:
        return default_entry
    return f'<div id="react-entry-point"><div class="first-paint" aria-busy="true">{inner}</div></div>'


def _first_paint_html() -> str | None:
    if flask.request.method != "GET":
        return None
    page, path_variables = _path_to_page(dash.get_app().strip_relative_path(flask.request.path) or "")
    layout = page.get("layout") if page else None
    if not callable(layout):
        return None
    params = _parse_query_string("?" + flask.request.query_string.decode("utf-8", "replace"))
    body = static_html(layout(**{**(path_variables or {}), **params}))  # a page, the deck's slide, a fault's banner
    return _brand_bar(params) + f'<div class="container-fluid page-body">{body}</div>' if body else None


def _brand_bar(params: dict) -> str:
    """The navbar's colour and brand where the live navbar will be (its links come with it)."""
    lang = normalise_lang(params.get("lang") if isinstance(params.get("lang"), str) else None)
    province = province_of(params)
    brand = escape(t("app.title", lang)) + (f'<small class="brand-province"> · {escape(province)}</small>' if province else "")
    return (f'<nav class="navbar navbar-dark bg-primary mb-2 app-navbar first-paint-bar"><div class="container-fluid">'
            f'<span class="navbar-brand">{brand}</span></div></nav>')


def _element(node) -> tuple[str, str, dict] | None:
    """(namespace, type, props) of a component, whether built (a Component) or from the page
    cache (the JSON dict tree Dash sends: server.page_cache)."""
    if isinstance(node, Component):
        return node._namespace, node._type, {k: getattr(node, k) for k in node._prop_names if hasattr(node, k)}
    if isinstance(node, dict) and "type" in node and isinstance(node.get("props"), dict):
        return str(node.get("namespace", "")), str(node["type"]), node["props"]
    return None


def static_html(node, budget: list[int] | None = None) -> str:
    """A layout as plain HTML: ``dash.html`` text and structure elements and the Bootstrap blocks
    of dash-bootstrap-components, with their classes and text, all escaped; a chart or a block
    drawn later as an empty box of its height; controls (dropdowns, stores, downloads) left out.
    Stops adding elements once ``BUDGET`` characters are written."""
    budget = [BUDGET] if budget is None else budget
    if budget[0] <= 0 or node is None or isinstance(node, bool):
        return ""
    if isinstance(node, (str, int, float)):
        text = escape(str(node))
        budget[0] -= len(text)
        return text
    if isinstance(node, (list, tuple)):
        return "".join(static_html(child, budget) for child in node)
    element = _element(node)
    if element is None:
        return ""
    namespace, kind, props = element
    own = " ".join(CLASS_RENAMES.get(c, c) for c in str(props.get("className") or "").split())
    if namespace == HTML_NAMESPACE:
        tag = kind.lower() if kind.lower() in TEXT_TAGS else "div"
        classes, children = own, props.get("children")
    elif namespace == DBC_NAMESPACE:
        tag, classes, children = _bootstrap(kind, props, own)
    elif kind in ("Graph", "LazyBlock", "AgGrid"):  # drawn by the live page: its place, empty
        return _box(_held_height(kind, props), own)
    elif kind == "Link" and namespace == "dash_core_components":
        tag, classes, children = "span", own, props.get("children")
    else:
        return ""
    if tag is None:
        return ""
    attrs = f' class="{escape(classes)}"' if classes else ""
    if tag == "details" and props.get("open"):
        attrs += " open"
    budget[0] -= len(tag) * 2 + len(attrs) + 5
    if tag in VOID:
        return f"<{tag}{attrs}>"
    return f"<{tag}{attrs}>{static_html(children, budget)}</{tag}>"


def _bootstrap(kind: str, props: dict, own: str) -> tuple[str | None, str, object]:
    children = props.get("children")
    if kind == "Col":
        widths = [f"col-{props[b]}" if b == "xs" else f"col-{b}-{props[b]}" for b in BREAKPOINTS
                  if isinstance(props.get(b), (int, str)) and str(props.get(b)).isalnum()]
        return "div", " ".join(widths or ["col"]) + (f" {own}" if own else ""), children
    if kind == "Alert":
        return "div", f"alert alert-{_word(props.get('color'), 'primary')} {own}".strip(), children
    if kind == "Table":
        return "table", f"table {own}".strip(), children
    if kind == "Badge":
        return "span", f"badge text-bg-{_word(props.get('color'), 'primary')} {own}".strip(), children
    if kind == "Button":
        outline = "outline-" if props.get("outline") else ""
        size = {"sm": " btn-sm", "lg": " btn-lg"}.get(str(props.get("size")), "")
        return "span", f"btn btn-{outline}{_word(props.get('color'), 'primary')}{size} {own}".strip(), children
    if kind in DBC_CLASSES:
        return "div", f"{DBC_CLASSES[kind]} {own}".strip(), children
    return None, "", None  # inputs, selects, modals, tooltips: nothing to read before the page is live


def _word(value, default: str) -> str:
    return value if isinstance(value, str) and value.replace("-", "").isalnum() else default


def _held_height(kind: str, props: dict) -> int | None:
    if kind == "LazyBlock":
        height = props.get("height")
    elif kind == "Graph":
        figure = props.get("figure") or {}
        layout = figure.get("layout") if isinstance(figure, dict) else getattr(figure, "layout", None)
        height = layout.get("height") if isinstance(layout, dict) else getattr(layout, "height", None)
        height = height or 450  # dcc.Graph's height when the figure sets none
    else:
        style = props.get("style") or {}
        height = str(style.get("height", "")).removesuffix("px") if isinstance(style, dict) else None
    try:
        return max(0, min(int(float(height)), 2000)) if height is not None else None
    except (TypeError, ValueError):
        return None


def _box(height: int | None, classes: str) -> str:
    style = f' style="min-height:{height}px"' if height else ""
    return f'<div class="{escape(classes)}"{style}></div>' if classes else f"<div{style}></div>"
