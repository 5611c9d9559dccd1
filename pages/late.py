"""Placeholder until its issue lands: says so on the page."""
import dash
from dash import html

from components.i18n import normalise_lang, t
from components.ui import page_header

dash.register_page(__name__, path="/late", name="late")


def layout(**kwargs):
    lang = normalise_lang(kwargs.get("lang"))
    return html.Div([page_header(t("nav.late", lang)), html.P(t("placeholder", lang), className="placeholder-note")])
