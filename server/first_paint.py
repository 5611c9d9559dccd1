"""The page's title in the first HTML, before any script has run (issue 16).

Dash sends an empty page ("Loading...") and draws everything once its scripts have booted and
the page's content callback has answered: on a phone over a slow line the first words a leader
reads (the page's title: what is shown, for which unit and year) came 4 s after the request,
after ~370 KB of JavaScript. Here the served HTML already holds the navbar's brand and the
page's header (title, subtitle, URL notes), rendered on the server from the same layout the
content callback will send (so it says exactly what the page will say, and the callback then
finds the layout in the page cache: no work is done twice). React replaces it when the shell
mounts.

Only plain ``dash.html`` elements are written out, without ids or event props (the live page
owns those; tests and scripts must never find a stale copy), every text escaped. Anything that
goes wrong here leaves Dash's own loading text: the first paint is an improvement, never a
new way to fail.
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
HEADER_CLASS = "page-header"
# Renamed so that nothing looking for the live page's title (tests, assets/a11y.js) finds this copy;
# app.css styles both names alike.
CLASS_RENAMES = {"page-title": "first-paint-title"}
# Text and structure only: an element of any other kind (a script, a frame, a form) is written as a div.
TEXT_TAGS = frozenset({"div", "span", "p", "h1", "h2", "h3", "h4", "h5", "h6", "small", "strong", "em", "b", "i", "ul", "ol",
                       "li", "abbr", "code", "mark", "section", "header"})


def init_first_paint(app: dash.Dash) -> None:
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
    header = find_header(layout(**{**(path_variables or {}), **params}))
    if header is None:
        return None
    return _brand_bar(params) + f'<div class="container-fluid page-body">{static_html(header)}</div>'


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
        return node._namespace, node._type, {k: getattr(node, k, None) for k in ("children", "className")}
    if isinstance(node, dict) and "type" in node and isinstance(node.get("props"), dict):
        return str(node.get("namespace", "")), str(node["type"]), node["props"]
    return None


def find_header(node):
    """The first element of the layout whose class is ``page-header`` (components.ui.page_header)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif (element := _element(item)) is not None:
            props = element[2]
            if HEADER_CLASS in str(props.get("className") or "").split():
                return item
            stack.append(props.get("children"))
    return None


def static_html(node) -> str:
    """``dash.html`` elements as HTML: tag, class and text only, all escaped; any other component
    as a plain block of its children."""
    if node is None or isinstance(node, bool):
        return ""
    if isinstance(node, (str, int, float)):
        return escape(str(node))
    if isinstance(node, (list, tuple)):
        return "".join(static_html(child) for child in node)
    element = _element(node)
    if element is None:
        return ""
    namespace, kind, props = element
    classes = " ".join(CLASS_RENAMES.get(c, c) for c in str(props.get("className") or "").split())
    tag = kind.lower() if namespace == HTML_NAMESPACE else "div"
    tag = tag if tag in TEXT_TAGS else "div"
    attrs = f' class="{escape(classes)}"' if classes else ""
    return f"<{tag}{attrs}>{static_html(props.get('children'))}</{tag}>"
