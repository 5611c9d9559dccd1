"""Every page loads in headless Chromium on the demo database, with no console error."""
import pytest

from tests.conftest import assert_no_console_errors, page_paths

pytestmark = pytest.mark.browser


def test_bsmk001_page_loads(dash_duo, demo_app, page_path):
    """Every registered page (tests.conftest parametrizes ``page_path`` from the page registry)."""
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + page_path + "?year=2023")
    dash_duo.wait_for_element("#_pages_content h1, #_pages_content h2", timeout=30)
    assert dash_duo.find_element("#filter-year").text.strip().startswith("2023")
    assert_no_console_errors(dash_duo)


def test_bsmk002_language_switch_and_bad_params(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=1999&district=999&lang=en")
    dash_duo.wait_for_text_to_equal("#nav-levels", "Levels", timeout=10)
    dash_duo.wait_for_element(".url-note", timeout=10)
    notes = dash_duo.find_elements(".url-note")
    assert any("1999" in n.text for n in notes) and any("999" in n.text for n in notes)
    assert_no_console_errors(dash_duo)


def test_bsmk003_no_page_scrolls_sideways_on_a_phone(dash_duo, demo_app):
    """390×844 as a phone lays it out (device metrics, not a window: headless Chromium keeps
    windows at least ~500 px wide, which hid the overflow). The navbar's brand once widened
    every page to 481 px."""
    dash_duo.start_server(demo_app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        wide = {}
        for path in page_paths():
            dash_duo.wait_for_page(url=dash_duo.server_url + path + "?year=2023")
            dash_duo.wait_for_element("#_pages_content h1, #_pages_content h2", timeout=30)
            widths = dash_duo.driver.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if widths[0] > widths[1]:
                wide[path] = widths
        assert wide == {}, f"pages wider than the phone (scrollWidth, clientWidth): {wide}"
    finally:
        dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert_no_console_errors(dash_duo)
