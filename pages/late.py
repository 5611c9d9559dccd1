"""Placeholder until its issue lands: says so on the page."""
import dash
from dash import html

from components.i18n import t
from components.params import resolve_view
from components.ui import guard_layout, page_header

dash.register_page(__name__, path="/late", name="late")


@guard_layout
def layout(**kwargs):
    view = resolve_view(kwargs)
    return html.Div([page_header(t("nav.late", view.lang), notes=view.notes),
                     html.P(t("placeholder", view.lang), className="placeholder-note")])
