"""In headless Chromium: the database goes away, the page shows the banner, and the page
comes back by itself once the database is back, with no console error."""
from __future__ import annotations

import os
import time

import pytest

from tests.auth_server import AppServer, fixture_with_users
from tests.conftest import assert_no_console_errors

pytestmark = pytest.mark.browser


def test_bflt001_banner_then_self_recovery(dash_duo, tmp_path):
    path = tmp_path / "browser-faults.sqlite"
    fixture_with_users(f"sqlite:///{path}").dispose()
    server = AppServer(f"sqlite:///{path}", tmp_path, AUTH_DISABLED="1").start()
    away = path.with_suffix(".away")
    try:
        dash_duo.driver.get(server.url + "/late?year=2023")
        dash_duo.wait_for_element(".page-title", timeout=20)
        os.rename(path, away)
        time.sleep(6)  # let the cached data version (5 s) expire, so nothing is served from the cache
        dash_duo.driver.get(server.url + "/late?year=2023&sector=TP")
        dash_duo.wait_for_element("#db-down-banner", timeout=20)
        assert not dash_duo.find_elements(".page-title")
        os.rename(away, path)
        # The banner polls /healthz every 3 s and reloads the page when the database answers.
        dash_duo.wait_for_element(".page-title", timeout=10)
        assert not dash_duo.find_elements("#db-down-banner")
        assert dash_duo.driver.current_url.endswith("/late?year=2023&sector=TP")
        assert_no_console_errors(dash_duo)
    finally:
        if away.exists():
            os.rename(away, path)
        server.stop()
