"""Small layout factories shared by every page."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from .i18n import t
from .lazy import LazyBlock
from .params import keep_out_of_cache
from .theme import graph_config


def page_header(title: str, subtitle: str | None = None, notes: list[str] | None = None, id_prefix: str = "") -> html.Div:
    """Page title (it names the filters, e.g. "… — Quế Sơn, 2023") and any URL corrections."""
    if notes:
        keep_out_of_cache()  # a corrected URL: served, not stored (server.page_cache)
    children = [html.H1(title, className="page-title", **({"id": f"{id_prefix}title"} if id_prefix else {}))]
    if subtitle:
        children.append(html.P(subtitle, className="page-subtitle text-muted"))
    for note in notes or []:
        children.append(dbc.Alert(note, color="warning", className="py-2 url-note", dismissable=True))
    return html.Div(children, className="page-header")


def card(title: str | None, body, id: str | None = None, className: str = "") -> dbc.Card:
    parts = []
    if title:
        parts.append(dbc.CardHeader(html.H2(title, className="card-title-text")))
    parts.append(dbc.CardBody(body))
    kwargs = {"id": id} if id else {}
    return dbc.Card(parts, className=f"mb-3 shadow-sm {className}", **kwargs)


def graph(id, figure, filename: str, *, alt: str | None = None, box: str | None = None, fit_height: bool = False,
          toolbar: bool = True, lazy: bool = True, **props):
    """A chart as every page shows one: the app's toolbar with a PNG export named ``filename``.

    ``box``: the CSS class of a plain block around the graph: ``graph-box`` in a stretched flex
    column (a bare graph's ``height: 100%`` resolves against the column and collapses to a few
    pixels), ``late-scroll late-scroll-wide`` for a chart a phone scrolls sideways.
    ``fit_height``: the graph as tall as its figure (a responsive graph in a flex column otherwise
    collapses to its toolbar and the plot spills over what follows).
    ``toolbar=False``: no mode bar (a slide on a projector). ``props``: other dcc.Graph properties.
    ``alt``: the chart's text alternative (components.chart_text): what a screen reader says for it.
    ``lazy``: drawn when it scrolls into view, its height held until then (components.lazy)."""
    config = graph_config(filename) if toolbar else dict(graph_config(filename), displayModeBar=False)
    height = (figure.get("layout") or {}).get("height") if isinstance(figure, dict) else figure.layout.height
    if fit_height:
        props["style"] = {**props.get("style", {}), "height": f"{height}px"}
    chart = dcc.Graph(id=id, figure=figure, config=config, **props)
    if lazy:  # the block is the box, so CSS on the box's children (.late-scroll-wide > .late-graph) still applies
        return spoken(LazyBlock(chart, height=height or 450, className=box), alt)  # 450: dcc.Graph's height when the figure sets none
    return spoken(html.Div(chart, className=box) if box else chart, alt)


def spoken(chart, alt: str | None):
    """A chart that speaks: a wrapper with role="figure" named by ``alt`` (a sentence stating the
    chart's message with its numbers), which a screen reader says on reaching the chart. Not
    role="img": that would hide the chart's toolbar buttons (PNG export), which keyboards reach.
    The wrapper takes no room (``display: contents``, app.css): the chart's layout is unchanged."""
    if not alt:
        return chart
    return html.Div(chart, role="figure", className="chart-alt", **{"aria-label": alt})


def by_screen(wide: str, phone: str) -> list:
    """Words that differ on a phone (below Bootstrap's ``sm``, 576 px: where pages hide charts
    with ``d-none d-sm-block``), e.g. a hint to click bars that a phone does not show."""
    return [html.Span(wide, className="d-none d-sm-inline"), html.Span(phone, className="d-sm-none")]


def empty_state(message: str, action=None, id: str | None = None) -> html.Div:
    """Words instead of empty axes."""
    children = [html.P(message, className="mb-1")]
    if action is not None:
        children.append(action)
    kwargs = {"id": id} if id else {}
    return html.Div(children, className="empty-state text-muted", **kwargs)


def db_down_alert(lang: str, id: str = "db-down-banner", busy: bool = False) -> dbc.Alert:
    """The banner for a database that cannot be read: down, or busy (a writer holds its lock
    longer than data.db.busy_timeout_ms). Either way the page reloads itself once it answers."""
    key = "db.busy" if busy else "db.down"
    if busy and id == "db-down-banner":
        id = "db-busy-banner"
    return dbc.Alert([html.H4(t(f"{key}.title", lang), className="alert-heading"), html.P(t(f"{key}.body", lang), className="mb-0")],
                     color="warning" if busy else "danger", className="db-down", id=id)


def no_data_alert(lang: str) -> dbc.Alert:
    return dbc.Alert([html.H4(t("db.empty.title", lang), className="alert-heading"), html.P(t("db.empty.body", lang), className="mb-0")],
                     color="info", id="db-empty-banner")


def timeout_alert(lang: str) -> dbc.Alert:
    """The banner for a query the statement timeout stopped: the database is there, the question too big."""
    return dbc.Alert([html.H4(t("db.timeout.title", lang), className="alert-heading"),
                      html.P(t("db.timeout.body", lang), className="mb-0")],
                     color="warning", id="db-timeout-banner", dismissable=True)
