"""The demo's pages for 2025 and 2026 on a phone (issue 19's look): nothing scrolls sideways, not even
inside a table."""
import pytest

from tests.conftest import PHONE_METRICS, assert_no_console_errors, page_paths, pages_wider_than_a_phone

pytestmark = pytest.mark.browser


def test_blook001_no_page_of_the_new_structure_scrolls_sideways_on_a_phone(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    urls = [dash_duo.server_url + path + f"?year={year}" for year in (2025, 2026) for path in page_paths()]
    wide = pages_wider_than_a_phone(dash_duo, urls)
    assert wide == {}, f"pages wider than the phone (scrollWidth, clientWidth): {wide}"
    assert_no_console_errors(dash_duo)


def test_blook002_postal_communes_table_fits_a_phone(dash_duo, demo_app):
    # 2026's communes table (every commune of the city's area) scrolled sideways inside its card on a
    # 390 px phone: its last column, the share received by postal staff, was cut off.
    dash_duo.start_server(demo_app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE_METRICS)
    try:
        dash_duo.wait_for_page(url=dash_duo.server_url + "/postal?year=2026")
        dash_duo.wait_for_element("#post-commune-table", timeout=30)
        widths = dash_duo.driver.execute_script(
            "const w = document.querySelector('#post-commune-table').parentElement;"
            "return [w.scrollWidth, w.clientWidth];")
        assert widths[0] <= widths[1], widths
    finally:
        dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert_no_console_errors(dash_duo)
