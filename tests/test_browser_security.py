"""In headless Chromium: the content-security policy lets Dash and plotly work, and a
district user signed in through the form sees only their district on every page."""
from __future__ import annotations

import pytest
import requests

from tests.auth_server import PASSWORDS, start_fixture_app
from tests.conftest import assert_no_console_errors

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/levels?year=2023", "/postal?year=2023"])
def test_bsec001_csp_lets_dash_draw_charts(dash_duo, demo_app, path):
    dash_duo.start_server(demo_app)
    csp = requests.get(dash_duo.server_url + path, timeout=10).headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp
    dash_duo.wait_for_page(url=dash_duo.server_url + path)
    dash_duo.wait_for_element(".main-svg", timeout=20)  # plotly drew under the policy
    assert_no_console_errors(dash_duo)  # a CSP violation is a SEVERE console entry


@pytest.fixture(scope="module")
def browser_auth_app(tmp_path_factory, pg_schema_factory_lazy):
    # Plain HTTP in the test: the browser would drop a Secure cookie, so COOKIE_SECURE=0 here
    # (test_security checks the Secure flag of the default).
    server, engine, cleanup = start_fixture_app("sqlite", tmp_path_factory.mktemp("browser-auth"), pg_schema_factory_lazy,
                                                "browser", COOKIE_SECURE="0")
    yield server
    server.stop()
    cleanup()
    engine.dispose()


def test_bsec002_district_user_sees_only_their_district(dash_duo, browser_auth_app):
    server = browser_auth_app
    dash_duo.driver.get(server.url + "/levels?year=2023&district=502")
    dash_duo.wait_for_element("#login-form", timeout=10)
    dash_duo.find_element("#username").send_keys("queson")
    dash_duo.find_element("#password").send_keys(PASSWORDS["queson"])
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element(".page-title", timeout=20)
    assert dash_duo.driver.current_url.endswith("/levels?year=2023&district=502")  # back where the link pointed
    dash_duo.wait_for_text_to_equal("#user-name", "Đăng nhập: Phòng một cửa Quế Sơn (Quế Sơn)", timeout=10)
    for path in ["/levels", "/", "/late", "/postal"]:
        dash_duo.driver.get(f"{server.url}{path}?year=2023&district=502")
        dash_duo.wait_for_element(".page-title", timeout=20)
        dash_duo.wait_for_element(".url-note", timeout=10)  # "your account sees Quế Sơn only"
        source = dash_duo.driver.page_source
        assert "Tam Kỳ" not in source and "Tân Thạnh" not in source, path
        assert "Quế Sơn" in dash_duo.find_element("#filter-district").text
    dash_duo.driver.get(f"{server.url}/levels?year=2023")
    dash_duo.wait_for_element(".page-title", timeout=20)
    dash_duo.find_element("#user-logout").click()
    dash_duo.wait_for_element("#login-form", timeout=10)
    assert_no_console_errors(dash_duo)
