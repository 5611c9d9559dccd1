"""The app's frame: navbar, global filter bar (year, district, sector, language) and
the callbacks that keep the filter bar and the URL in step, so a link reproduces a view."""
from __future__ import annotations

from html import escape as html_escape

import dash
import dash_bootstrap_components as dbc
import flask
from dash import ClientsideFunction, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import MissingCallbackContextException

from components.i18n import bilingual, normalise_lang, t
from components.kpi import whole_area
from components.params import GLOBAL_PARAMS, build_search, parse_search, reference_lists
from components.structure import is_two_tier, province_short
from components.structure import t as structure_t
from data.auth import active_scope
from data.db import DB_ERRORS, get_engine


def nav_pages() -> list[tuple[str, str]]:
    """(path, label key) of the navbar's pages: every registered page with a ``nav`` label,
    in their ``order`` (dash.register_page in each page's module: the one list of pages)."""
    return [(page["path"], page["nav"]) for page in dash.page_registry.values() if page.get("nav")]


def nav_id(key: str) -> str:
    return f"nav-{key.split('.')[1]}"


def navbar(lang: str) -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(t(key, lang), href=path, id=nav_id(key), active="exact"))
             for path, key in nav_pages()]
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand([html.Span(t("app.title", lang), id="brand-title"),
                             html.Small(" · Quảng Nam", className="brand-province", id="brand-province")], href="/", id="brand"),
            # Bootstrap's toggler, spelled out: dbc.NavbarToggler names itself "Toggle navigation" in
            # English whatever the page's language (a screen reader would say it with a Vietnamese voice).
            html.Button(html.Span(className="navbar-toggler-icon"), id="nav-toggler", className="navbar-toggler", type="button",
                        n_clicks=0, **{"aria-label": t("nav.menu", lang), "aria-controls": "nav-collapse"}),
            dbc.Collapse(dbc.Nav(links, navbar=True, className="ms-auto"), id="nav-collapse", navbar=True),
        ], fluid=True),
        color="primary", dark=True, className="mb-2 app-navbar", id="navbar",
    )


def district_options(ref: dict, lang: str, year: int | None = None) -> list[dict]:
    """The district-level units of ``year`` (those in force; after July 2025 the former ones, whose
    areas the new communes cover); every district when the year is not known."""
    if active_scope() is not None:  # a district user (server.auth): their district is their whole view
        return [{"label": d["short_name"], "value": ""} for d in ref["districts"][:1]] or [{"label": "—", "value": ""}]
    spec = ref.get("districts_by_year", {}).get(year)
    districts = ref["districts"] if spec is None else [d for d in ref["districts"] if d["code"] in spec["codes"]]
    if spec is not None:
        districts = sorted(districts, key=lambda d: spec["codes"].index(d["code"]))
    whole = whole_area(year, lang).capitalize() if year is not None else t("filter.district.all", lang)
    return [{"label": whole, "value": ""}] + [
        {"label": d["short_name"], "value": d["code"]} for d in districts]


def _year_of(params: dict, ref: dict) -> int | None:
    try:
        year = int(params.get("year", ""))
    except ValueError:
        year = None
    return year if year in ref["years"] else ref["latest"]


def sector_options(ref: dict, lang: str) -> list[dict]:
    return [{"label": t("filter.sector.all", lang), "value": ""}] + [
        {"label": bilingual(s["name"], s["name_en"], lang), "value": s["code"]} for s in ref["sectors"]]


def filter_bar(ref: dict, lang: str) -> html.Div:
    year_options = [{"label": str(y), "value": str(y)} for y in ref["years"]]

    def field(label_id, label, control, width, xs=12):
        return dbc.Col([dbc.Label(label, html_for=control.id, id=label_id, className="filter-label"), control],
                       xs=xs, sm=6, lg=width, className="mb-1")

    year = field("filter-year-label", t("filter.year", lang),
                 dcc.Dropdown(id="filter-year", options=year_options, clearable=False, searchable=False), 2, xs=5)
    district = field("filter-district-label", t("filter.district", lang),
                     dcc.Dropdown(id="filter-district", options=district_options(ref, lang), clearable=False), 4)
    sector = field("filter-sector-label", t("filter.sector", lang),
                   dcc.Dropdown(id="filter-sector", options=sector_options(ref, lang), clearable=False), 4)
    language = field("filter-lang-label", t("filter.lang", lang),
                     # Each language's name in its own language, marked so (a screen reader switches voice).
                     dbc.RadioItems(id="filter-lang", options=[{"label": html.Span("Tiếng Việt", lang="vi"), "value": "vi"},
                                                               {"label": html.Span("English", lang="en"), "value": "en"}],
                                    inline=True, className="lang-switch"), 2, xs=7)
    # On a phone, year and language share the first line; on wider screens language goes last.
    language.className += " order-sm-last"
    return html.Div(dbc.Row([
        year, language, district, sector,
    ], className="g-2 align-items-end"), className="filter-bar container-fluid", id="filter-bar")


@callback(
    Output("url", "search"),
    Output("filter-year", "value"),
    Output("filter-district", "value"),
    Output("filter-sector", "value"),
    Output("filter-lang", "value"),
    Input("url", "search"),
    Input("filter-year", "value"),
    Input("filter-district", "value"),
    Input("filter-sector", "value"),
    Input("filter-lang", "value"),
    State("filter-year", "options"),
    State("filter-district", "options"),
    State("filter-sector", "options"),
)
def sync_filters_and_url(search, year, district, sector, lang, year_options, district_options_, sector_options_):
    """One callback owns both directions (URL -> controls, controls -> URL), so they never loop.

    Controls show the effective view (a bad code in the URL shows as "whole province");
    the URL is rewritten only when the user changes a control, so the page can still
    say what it corrected."""
    params = parse_search(search)

    def valid(value, options):
        return value if value in [o["value"] for o in options or []] else ""

    valid_years = [o["value"] for o in year_options or []]
    effective = (
        params.get("year") if params.get("year") in valid_years else (valid_years[0] if valid_years else None),
        valid(params.get("district", ""), district_options_),
        valid(params.get("sector", ""), sector_options_),
        normalise_lang(params.get("lang")),
    )
    if ctx.triggered_id in (None, "url"):
        return (no_update, *effective)
    if (year, district or "", sector or "", lang) == effective:
        return no_update, no_update, no_update, no_update, no_update
    new = dict(params)
    new.update({"year": year, "district": district or None, "sector": sector or None,
                "lang": None if lang == "vi" else lang})
    if ctx.triggered_id in ("filter-district", "filter-sector", "filter-year"):
        # Drill parameters belong to the old selection; a new filter starts from the top.
        for k in list(new):
            if k not in GLOBAL_PARAMS and k not in ("level",):
                new.pop(k)
    search_new = build_search(new)
    return (search_new if search_new != (search or "") else no_update), no_update, no_update, no_update, no_update


def translate_shell(search):
    """Nav links carry the global filters; the frame speaks the chosen language."""
    params = parse_search(search)
    lang = normalise_lang(params.get("lang"))
    keep = build_search({k: v for k, v in params.items() if k in GLOBAL_PARAMS})
    pages = nav_pages()
    hrefs = [path + keep for path, _ in pages]
    labels = [t(key, lang) for _, key in pages]
    district_label, province = t("filter.district", lang), no_update
    try:
        ref = reference_lists()
        year = _year_of(params, ref)
        options = [district_options(ref, lang, year), sector_options(ref, lang)]
        if year is not None:
            # The title follows the unit in force (Quảng Nam, then Đà Nẵng); after July 2025 the
            # district filter names the former districts' areas.
            engine = get_engine()
            province = f" · {province_short(engine, year)}"
            if is_two_tier(engine, year):
                district_label = structure_t("filter.district.former", lang)
    except DB_ERRORS:
        options = [no_update, no_update]
    return hrefs + labels + [t("app.title", lang), t("filter.year", lang), district_label,
                             t("filter.sector", lang), t("filter.lang", lang), t("nav.menu", lang)] + options + [province]


# ---------------------------------------------------------------- the browser tab's title

APP_SHORT = "TTHC"


def province_of(params: dict) -> str | None:
    """The province (or city) in force in the chosen year, as the navbar names it (None: the
    database cannot say)."""
    try:
        ref = reference_lists()
        year = _year_of(params, ref)
        return province_short(get_engine(), year) if year is not None else None
    except DB_ERRORS:
        return None


def page_title(page: dict, params: dict) -> str:
    """'TTHC · Trễ hạn · Đà Nẵng': the page, then the unit in force in the chosen year (Quảng Nam
    until June 2025, Đà Nẵng after), as the navbar's title. Vietnamese pages keep the title they
    registered; English ones are named as the navbar names them."""
    lang = normalise_lang(params.get("lang"))
    own = page.get("supplied_title")
    if own and lang == "vi":
        base = own
    elif page.get("nav"):
        base = f"{APP_SHORT} · {t(page['nav'], lang)}"
    else:
        base = APP_SHORT
    province = province_of(params)
    return f"{base} · {province}" if province else base


def _request_params() -> dict:
    """The query string the title is for: the URL a page change sends to Dash's page callback, or
    the one the page was first loaded with."""
    try:
        search = dash.callback_context.inputs.get("_pages_location.search")
    except (MissingCallbackContextException, LookupError):  # not in a callback (LookupError: never set)
        return dict(flask.request.args) if flask.has_request_context() else {}
    return parse_search(search)


def _title_of(page: dict):
    return lambda **_: page_title(page, _request_params())


def with_page_title(index_html: str, default: str, params: dict) -> str:
    """The served page's ``<title>`` names the unit in force in the year it asks for (the page's
    own title follows once it is drawn)."""
    province = province_of(params)
    title = f"{APP_SHORT} · {province}" if province else default
    return index_html.replace(f"<title>{default}</title>", f"<title>{html_escape(title)}</title>", 1)


def with_page_lang(index_html: str, lang: str) -> str:
    """The served page's ``<html>`` carries the language its ``?lang=`` asks for, so a screen
    reader picks the right voice from the first word (assets/a11y.js keeps it in step when
    the language switch changes the URL without a reload)."""
    return index_html.replace("<html>", f'<html lang="{normalise_lang(lang)}">', 1)


def init_shell(app) -> None:
    """The callback that translates the frame names every navbar link, so it is registered
    once the pages are (after ``dash.Dash(use_pages=True)``); the page's language attribute."""
    interpolate = app.interpolate_index
    app.interpolate_index = lambda **parts: with_page_title(
        with_page_lang(interpolate(**parts), flask.request.args.get("lang")), app.title, dict(flask.request.args))
    for page in dash.page_registry.values():  # every tab's title follows the chosen year's province
        page["title"] = _title_of(page)
    app.clientside_callback(ClientsideFunction("a11y", "set_lang"), Input("url", "search"))
    pages = nav_pages()
    app.callback(
        [Output(nav_id(key), "href") for _, key in pages]
        + [Output(nav_id(key), "children") for _, key in pages]
        + [Output("brand-title", "children"), Output("filter-year-label", "children"),
           Output("filter-district-label", "children"), Output("filter-sector-label", "children"),
           Output("filter-lang-label", "children"), Output("nav-toggler", "aria-label"),
           Output("filter-district", "options"), Output("filter-sector", "options"),
           Output("brand-province", "children")],
        Input("url", "search"),
        prevent_initial_call=False,
    )(translate_shell)


@callback(Output("nav-collapse", "is_open"), Input("nav-toggler", "n_clicks"), State("nav-collapse", "is_open"),
          prevent_initial_call=True)
def toggle_nav(n, is_open):
    return not is_open
