"""In the browser: charts draw with the partial plotly.js, grids load dash-ag-grid on demand (issue 16)."""
from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import assert_no_console_errors

pytestmark = pytest.mark.browser

LOADED = "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"


def test_bdlv001_charts_draw_with_the_partial_bundle_and_no_grid_library(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    dash_duo.wait_for_element("#lvl-channels .main-svg .bars .point path", timeout=45)
    dash_duo.wait_for_element("#lvl-on-time .main-svg .bars .point path", timeout=30)
    loaded = dash_duo.driver.execute_script(LOADED)
    assert any("/assets/vendor/plotly-bar-heatmap-scatter-4.1.1.min.js" in u for u in loaded), loaded
    assert not any("plotly.min.js" in u for u in loaded)
    assert not any("dash_ag_grid" in u for u in loaded)  # no grid on /levels
    assert dash_duo.driver.execute_script("return window.Plotly.version") == "4.1.1"
    assert_no_console_errors(dash_duo)


def test_bdlv002_grid_pages_load_the_grid_library_and_show_rows(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/postal?year=2023")
    dash_duo.wait_for_element("#post-headline", timeout=45)
    # The table sits below the fold: neither it nor the grid library is loaded yet.
    assert dash_duo.find_elements("#post-table") == []
    assert not any("dash_ag_grid" in u for u in dash_duo.driver.execute_script(LOADED))
    dash_duo.driver.execute_script("document.getElementById('post-table-card').scrollIntoView()")
    dash_duo.wait_for_element("#post-table .ag-row", timeout=45)
    # one row per district-level unit (18 in Quảng Nam)
    rows = dash_duo.find_elements("#post-table .ag-center-cols-container .ag-row")
    assert len(rows) == 18
    loaded = dash_duo.driver.execute_script(LOADED)
    assert sum("dash_ag_grid.v" in u for u in loaded) == 1, loaded
    dash_duo.driver.execute_script("document.getElementById('post-district-view').scrollIntoView()")
    dash_duo.wait_for_element("#post-rank-chart .bars .point path", timeout=30)
    assert_no_console_errors(dash_duo)
    # /late's dossier list: an infinite-row grid whose rows come from a callback on the grid's
    # own request (the renderer waits for the library before it runs it).
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023&view=list")
    dash_duo.wait_for_element("#late-grid .ag-row .ag-cell", timeout=45)
    assert_no_console_errors(dash_duo)


def test_bdlv003_charts_below_the_fold_draw_when_scrolled_to(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    dash_duo.wait_for_element("#lvl-channels .main-svg", timeout=45)
    # The chart of procedures not yet fully online sits far below: its place is held, nothing drawn.
    assert dash_duo.find_elements("#lvl-procedures") == []
    held = dash_duo.driver.execute_script("return document.querySelectorAll('.lazy-block-pending')[0].getBoundingClientRect().height")
    assert held >= 300  # the first chart not drawn yet keeps its figure's height
    dash_duo.driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    dash_duo.wait_for_element("#lvl-procedures .main-svg .bars .point path", timeout=30)
    assert_no_console_errors(dash_duo)


def test_bdlv004_layout_preloaded_and_taken_by_the_renderer(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/report?year=2023")
    dash_duo.wait_for_element("#_pages_content h1", timeout=45)
    entries = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return [e.name, e.initiatorType]; })")
    for path in ("/_dash-layout", "/_dash-dependencies"):
        # one request each, the preload's: the renderer's fetch was answered from it (not fetched again)
        assert [kind for url, kind in entries if url.endswith(path)] == ["link"], entries
    logs = dash_duo.get_logs() or []
    assert not [e for e in logs if "preload" in e.get("message", "")], logs  # "preloaded but not used" warns
    assert_no_console_errors(dash_duo)


CALLBACK_REQUESTS = ("return performance.getEntriesByType('resource')"
                     ".filter(function (e) { return e.name.indexOf('_dash-update-component') >= 0; }).length")


@pytest.mark.parametrize("path, ready, clickable", [
    ("/scorecard?year=2023", "#sco-rank-card", "#sco-level"),
    ("/levels?year=2023", "#lvl-channels .main-svg", "#lvl-channels"),
    ("/postal?year=2023", "#post-headline", "#post-table-card"),
    ("/late?year=2023", "#late-kpi", "#late-kpi"),
])
def test_bdlv005_a_page_load_sends_only_the_frames_three_callbacks(dash_duo, demo_app, path, ready, clickable):
    """The frame's filter bar and labels and the page's content: nothing else on load. A page's
    navigating callbacks (a bar or a level clicked) write to the page's own Location
    (components.navigation); on the shell's ``url`` Dash fired each once per load, whatever
    ``prevent_initial_call`` said (three requests answering "no change" on /scorecard)."""
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + path)
    dash_duo.wait_for_element(ready, timeout=45)
    dash_duo.wait_for_element(clickable, timeout=30)
    time.sleep(2)  # any callback the page's content set off has been sent by now
    assert dash_duo.driver.execute_script(CALLBACK_REQUESTS) == 3
    assert_no_console_errors(dash_duo)


CHART_SIZE = ("var gd = document.querySelector('#lvl-channels .js-plotly-plot');"
              " return gd && gd._fullLayout ? [gd.clientWidth, gd._fullLayout.width, gd.layout.autosize === true] : null")


def test_bdlv006_a_chart_is_not_relaid_out_at_the_size_it_was_drawn(dash_duo, demo_app):
    """dcc.Graph resizes a chart just after drawing it and when its ResizeObserver first reports,
    both at the size just drawn: plotly.js relaid the chart out (autosize) and Dash took the
    relayout, main-thread work a phone paid for each chart in view (assets/lazy_libraries.js
    skips a resize to the same size). A real change of width still redraws the chart."""
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    dash_duo.wait_for_element("#lvl-channels .main-svg .bars .point path", timeout=45)
    time.sleep(1.5)  # dcc.Graph's resizes (plotly.js waits 100 ms before it relays out) are done by now
    box, drawn, relaid_out = dash_duo.driver.execute_script(CHART_SIZE)
    assert abs(box - drawn) <= 1, (box, drawn)  # drawn to its box's width
    assert not relaid_out  # a relayout to autosize sets layout.autosize
    dash_duo.driver.set_window_size(800, 844)  # still one chart a row (lg: three a row)

    def redrawn(driver):
        box_now, drawn_now, _ = driver.execute_script(CHART_SIZE)
        return drawn_now > drawn + 100 and abs(box_now - drawn_now) <= 1
    WebDriverWait(dash_duo.driver, 10).until(redrawn)
    assert_no_console_errors(dash_duo)


BLOCK_TOP = "return [document.querySelectorAll('.lazy-block')[1].getBoundingClientRect().top, window.innerHeight]"


def test_bdlv007_on_a_phone_a_chart_just_below_the_fold_waits_for_the_first_scroll(dash_duo, demo_app):
    """/levels' second chart (on-time rate) a little below the fold of a phone: drawn at once,
    it cost the load ~300 ms of main thread at 4x CPU slowdown and nobody saw it; it is drawn
    when the reader first scrolls (assets/lazy_blocks.js), before it comes into view."""
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    dash_duo.wait_for_element("#lvl-channels .main-svg .bars .point path", timeout=45)
    top, height = dash_duo.driver.execute_script(BLOCK_TOP)
    # A window whose fold is 100 px above the chart, within the 200 px a block is revealed ahead.
    dash_duo.driver.set_window_size(390, 844 + int(top - height) - 100)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    dash_duo.wait_for_element("#lvl-channels .main-svg .bars .point path", timeout=45)
    top, height = dash_duo.driver.execute_script(BLOCK_TOP)
    assert 0 < top - height < 200, (top, height)
    time.sleep(2)  # plotly.js drew the chart in view a while ago; a block revealed with it would be drawn by now
    assert dash_duo.find_elements("#lvl-on-time") == []
    dash_duo.driver.execute_script("window.scrollBy(0, 20)")
    dash_duo.wait_for_element("#lvl-on-time .main-svg .bars .point path", timeout=30)
    assert_no_console_errors(dash_duo)
