"""/scorecard's switch "theo địa giới khi đó / theo địa giới hiện nay" in headless Chromium on the
demo: it changes the URL, the commune ranking lists today's communes (2023's dossiers on today's
boundaries), a row's lateness opens its territory's list on /late, no console errors."""
from urllib.parse import urlparse

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from data.queries import boundaries as qb
from data.queries import scorecard as q
from tests.conftest import assert_no_console_errors
from tests.test_browser_boundaries import _switch
from tests.test_browser_postal import click
from tests.test_browser_scorecard import ROW, url_params, wait_for_param
from tests.test_late_boundaries import F

pytestmark = pytest.mark.browser


def _row_id(dash_duo, i: int) -> str:
    return dash_duo.find_element(f"#sco-rank .ag-pinned-left-cols-container .ag-row[row-index='{i}']").get_attribute("row-id")


def test_bsb001_scorecard_switch_ranks_todays_communes(dash_duo, demo_app, demo_engine):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/scorecard?year=2023&level=commune")
    dash_duo.wait_for_element(ROW.format(i=0), timeout=45)
    assert not qb.is_current_unit(demo_engine, _row_id(dash_duo, 0))  # 2023's communes as they were

    _switch(dash_duo, "sco", "current")
    wait_for_param(dash_duo, "boundaries", "current")
    assert url_params(dash_duo) == {"year": "2023", "level": "commune", "boundaries": "current"}
    dash_duo.wait_for_contains_text("#sco-rank-card .card-title-text", "theo địa giới hiện nay", timeout=40)
    assert "cấp huyện trước 01/07/2025 thuộc thành phố" in dash_duo.find_element("#sco-bounds-note").text
    best = q.unit_scores(demo_engine, F, "commune", "current")[0]
    dash_duo.wait_for_element(ROW.format(i=0), timeout=40)
    WebDriverWait(dash_duo.driver, 20).until(lambda d: _row_id(dash_duo, 0) == best["code"])
    assert dash_duo.find_element(ROW.format(i=0)).text == best["name"]
    assert qb.is_current_unit(demo_engine, best["code"])

    # A row picks today's commune: where it loses points.
    click(dash_duo, f"#sco-rank .ag-pinned-left-cols-container .ag-row[row-id='{best['code']}'] [col-id='unit']")
    wait_for_param(dash_duo, "unit", best["code"])
    dash_duo.wait_for_contains_text("#sco-lost-card", f"Mất điểm ở đâu: {best['name']}", timeout=30)

    # Phường Điện Bàn Đông's lateness opens its territory's list on /late, on today's boundaries (213 late).
    dash_duo.wait_for_page(url=dash_duo.server_url + "/scorecard?year=2023&level=commune&boundaries=current&unit=20579-2507")
    dash_duo.wait_for_contains_text("#sco-lost-card", "Mất điểm ở đâu: Điện Bàn Đông", timeout=45)
    click(dash_duo, "#sco-lost-late")
    WebDriverWait(dash_duo.driver, 30).until(lambda d: urlparse(d.current_url).path == "/late")
    assert {k: url_params(dash_duo).get(k) for k in ("boundaries", "unit", "view")} == {
        "boundaries": "current", "unit": "20579-2507", "view": "list"}
    dash_duo.wait_for_contains_text("#late-kpi", "213 hồ sơ giải quyết trễ hạn", timeout=45)
    dash_duo.driver.back()

    # Back to as it was: the selection (one of today's units) goes with the switch.
    dash_duo.wait_for_contains_text("#sco-lost-card", "Điện Bàn Đông", timeout=45)
    _switch(dash_duo, "sco", "historical")
    WebDriverWait(dash_duo.driver, 30).until(lambda d: "boundaries" not in url_params(dash_duo))
    assert url_params(dash_duo) == {"year": "2023", "level": "commune"}
    dash_duo.wait_for_element(ROW.format(i=0), timeout=40)
    WebDriverWait(dash_duo.driver, 20).until(lambda d: not qb.is_current_unit(demo_engine, _row_id(dash_duo, 0)))
    assert_no_console_errors(dash_duo)
