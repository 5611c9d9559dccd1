"""Accessibility in headless Chromium (issue 18): axe-core, Deque's engine (the one Lighthouse
audits with), on every page in both languages, failing on any violation of a WCAG 2.0/2.1/2.2
level A or AA rule; ``<html lang>`` follows the language switch; every chart speaks: a
screen reader finds it as a figure whose name states its message with the numbers
(read from Chromium's own accessibility tree).

axe-core comes from npm, installed by ./test.sh into var/npm (never fetched at run time
from anywhere else). Each test keeps one browser session for many pages: fast.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import assert_no_console_errors, page_paths

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).resolve().parent.parent / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Pages in the states users reach (drilled down), besides every registered page at its start.
DRILLED = [
    "/levels?year=2023&level=district",
    "/late?year=2023&sector=DD",
    "/late?year=2023&sector=DD&procedure=DD-X-01&district=509",
    "/postal?year=2023&district=509",
    # On today's boundaries (components.boundaries): today's units ranked, a unit's list.
    "/late?year=2023&boundaries=current",
    "/late?year=2023&boundaries=current&unit=20579-2507&view=list",
    "/postal?year=2023&boundaries=current",
    "/present?year=2023&slide=2",
    "/scorecard?year=2023&level=commune&district=509",
]


def views() -> list[str]:
    return [path + "?year=2023" for path in page_paths()] + DRILLED


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        reason = f"axe-core is not installed ({AXE_JS} missing): run ./test.sh once (it installs axe-core from npm)"
        if os.environ.get("CI"):
            pytest.fail("CI must run the accessibility tests: " + reason)
        pytest.skip(reason)
    return AXE_JS.read_text()


def _settled(dash_duo) -> None:
    """The page's heading is there and Dash has nothing left to load."""
    dash_duo.wait_for_element("#_pages_content h1", timeout=30)
    dash_duo.wait_for_no_elements("[data-dash-is-loading=true]", timeout=30)


def axe_violations(driver, source: str) -> list[str]:
    """axe-core's WCAG A/AA violations on the current page, one line per failing element."""
    driver.set_script_timeout(60)
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(source)
    found = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(function (r) { done(r.violations.map(function (v) {"
        "  return v.id + ' (' + v.impact + '): ' + v.nodes.map(function (n) {"
        "    return n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ');"
        "  }).join(' | '); })); })"
        ".catch(function (e) { done(['axe failed: ' + e]); });", WCAG_A_AA)
    return found


def silent_charts(driver) -> list[str]:
    """Charts (dcc.Graph) that no element with role=figure and a non-empty aria-label wraps."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.dash-graph')).filter(function (g) {"
        "  var box = g.closest('[role=\"figure\"]');"
        "  return !box || !(box.getAttribute('aria-label') || '').trim();"
        "}).map(function (g) { return g.id || g.outerHTML.slice(0, 80); });")


def test_ba11y001_axe_every_page_both_languages(dash_duo, demo_app, axe_source):
    """Every page (and its drilled-down states) in Vietnamese and English: no WCAG A/AA
    violation, ``<html lang>`` says the language, every chart has a text alternative."""
    dash_duo.start_server(demo_app)
    problems = []
    for lang in ("vi", "en"):
        for view in views():
            url = dash_duo.server_url + view + ("&lang=en" if lang == "en" else "")
            dash_duo.wait_for_page(url=url)
            _settled(dash_duo)
            driver = dash_duo.driver
            problems += [f"{view} [{lang}] {v}" for v in axe_violations(driver, axe_source)]
            if driver.execute_script("return document.documentElement.lang") != lang:
                problems.append(f"{view} [{lang}] <html lang> is {driver.execute_script('return document.documentElement.lang')!r}")
            problems += [f"{view} [{lang}] chart without text alternative: {g}" for g in silent_charts(driver)]
    assert problems == [], "\n".join(problems)
    assert_no_console_errors(dash_duo)


def test_ba11y002_lang_follows_the_switch(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    _settled(dash_duo)
    lang = lambda: dash_duo.driver.execute_script("return document.documentElement.lang")
    assert lang() == "vi"
    dash_duo.find_element("#filter-lang input[value='en']").click()  # the URL changes, the page is not reloaded
    dash_duo.wait_for_text_to_equal("#nav-levels", "Levels", timeout=10)
    assert "lang=en" in dash_duo.driver.current_url
    assert lang() == "en"
    # The phone menu button speaks the page's language too (Bootstrap's own says "Toggle navigation").
    dash_duo.wait_for_element("#nav-toggler[aria-label='Open or close the list of pages']", timeout=10)
    dash_duo.find_element("#filter-lang input[value='vi']").click()
    dash_duo.wait_for_text_to_equal("#nav-levels", "Các cấp", timeout=10)
    assert lang() == "vi"
    assert dash_duo.find_element("#nav-toggler").get_attribute("aria-label") == "Mở hoặc đóng danh sách trang"
    assert_no_console_errors(dash_duo)


def test_ba11y003_dropdowns_reachable_by_keyboard(dash_duo, demo_app):
    """The filter dropdowns take the Tab stop on their button (the hidden helper input that
    dcc.Dropdown puts before it is out of the tab order) and open from the keyboard."""
    from selenium.webdriver.common.keys import Keys

    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    _settled(dash_duo)
    driver = dash_duo.driver
    state = driver.execute_script(
        "return Array.from(document.querySelectorAll('input.dash-dropdown-focus-target')).map(function (i) {"
        " return [i.tabIndex, i.nextElementSibling.id, i.nextElementSibling.tabIndex]; });")
    assert ["filter-year", "filter-district", "filter-sector"] == [s[1] for s in state[:3]]
    assert all(s[0] == -1 and s[2] == 0 for s in state), state
    driver.execute_script("document.getElementById('filter-year-label').scrollIntoView()")
    # Tab from the year's label lands on the year dropdown's button; Enter opens it.
    driver.execute_script("document.querySelector('.filter-bar').setAttribute('tabindex', '-1');"
                          "document.querySelector('.filter-bar').focus()")
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "filter-year"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    dash_duo.wait_for_element(".dash-dropdown-content", timeout=10)
    assert_no_console_errors(dash_duo)


def test_ba11y004_sign_in_page(dash_duo, axe_source, tmp_path, pg_schema_factory_lazy):
    """The sign-in page (sign-in on: a database that is not the demo) in both languages."""
    from tests.auth_server import start_fixture_app

    server, engine, cleanup = start_fixture_app("sqlite", tmp_path, pg_schema_factory_lazy, "a11y", COOKIE_SECURE="0")
    try:
        problems = []
        for lang in ("vi", "en"):
            dash_duo.driver.get(server.url + "/login" + ("?lang=en" if lang == "en" else ""))
            dash_duo.wait_for_element("#login-form", timeout=10)
            problems += [f"/login [{lang}] {v}" for v in axe_violations(dash_duo.driver, axe_source)]
            assert dash_duo.driver.execute_script("return document.documentElement.lang") == lang
        assert problems == [], "\n".join(problems)
    finally:
        server.stop()
        cleanup()
        engine.dispose()


def _ax_figures(driver) -> list[str]:
    """The names of the figure nodes in Chromium's accessibility tree (what a screen reader hears)."""
    tree = driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})
    return [n["name"]["value"] for n in tree["nodes"]
            if not n.get("ignored") and n.get("role", {}).get("value") == "figure" and n.get("name", {}).get("value")]


def test_ba11y005_chart_heard_through_the_accessibility_tree(dash_duo, demo_app):
    """The on-time chart of /levels, as Chromium exposes it to a screen reader: the 2023
    figures of the seed (province 99.8 %, district 82.92 %, commune 97.5 %), the lowest named."""
    dash_duo.start_server(demo_app)
    for lang, expected in (
        # Vietnamese writes a no-break space before "%" (components.kpi.fmt_rate).
        ("vi", "Cấp huyện giải quyết đúng hạn 82,92\u00a0%, thấp nhất trong các cấp (cấp tỉnh 99,8\u00a0%, cấp xã 97,5\u00a0%)."),
        ("en", "District level: 82.92% on time, the lowest of the levels (province level 99.8%, commune level 97.5%)."),
    ):
        dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023" + ("&lang=en" if lang == "en" else ""))
        _settled(dash_duo)
        assert expected in _ax_figures(dash_duo.driver)
    assert_no_console_errors(dash_duo)


def test_ba11y006_heat_map_cells_by_keyboard(dash_duo, demo_app):
    """What a click on a heat cell opens, the keyboard reaches through the folded table under it:
    Quế Sơn × land opens /late for the land sector in Quế Sơn (509)."""
    from selenium.webdriver.common.keys import Keys

    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023")
    _settled(dash_duo)
    dash_duo.find_element("#late-heat-table summary").send_keys(Keys.ENTER)  # a <summary> opens with Enter
    dash_duo.wait_for_element("#late-heat-table table.late-heat-table", timeout=10)  # built when the fold opens
    rows = dash_duo.driver.find_elements("xpath", "//table[contains(@class, 'late-heat-table')]//tr[th[normalize-space()='Quế Sơn']]//a")
    assert rows, "no link for Quế Sơn in the heat map's table"
    link = rows[0]  # the first sector column: land, the sector with the most late dossiers
    assert link.is_displayed()
    link.send_keys(Keys.ENTER)
    dash_duo.wait_for_element("#late-pareto-card", timeout=30)
    assert "sector=DD" in dash_duo.driver.current_url and "district=509" in dash_duo.driver.current_url
    assert_no_console_errors(dash_duo)
