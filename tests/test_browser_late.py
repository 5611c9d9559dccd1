"""/late in headless Chromium on the demo database: from the land sector down to the dossiers."""
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from data.filters import DossierFilter, Period
from data.queries import late as q
from tests.conftest import assert_no_console_errors

pytestmark = pytest.mark.browser


def _params(dash_duo):
    return {k: v[0] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def _crumbs(dash_duo):
    return [li.text for li in dash_duo.find_elements("#late-breadcrumb li")]


def _click(dash_duo, element):
    # A JS click: charts still drawing below can shift the page under a pointer click.
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def _click_link(dash_duo, table_id, text):
    links = dash_duo.find_elements(f"#{table_id} a")
    match = [a for a in links if a.text.strip() == text]
    assert match, [a.text for a in links]
    _click(dash_duo, match[0])


def test_blate001_land_to_dossier_list(dash_duo, demo_app, demo_engine):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023")
    dash_duo.wait_for_element("#late-sector-table", timeout=30)
    # Land leads, at district and commune level.
    assert "Đất đai" in dash_duo.find_element("#late-finding").text
    assert dash_duo.find_element("#late-sector-table-link-0").text == "Đất đai"

    # 1: the land bar of the chart (a click on the figure navigates like the link).
    bar = dash_duo.wait_for_element(".late-graph .trace.bars .point path", timeout=30)
    bars = dash_duo.find_elements(".late-graph .trace.bars .point path")
    top = min(bars, key=lambda el: el.location["y"])  # the largest sector is drawn on top
    ActionChains(dash_duo.driver).move_to_element(top).click().perform()
    dash_duo.wait_for_element("#late-procedure-table", timeout=30)
    assert _params(dash_duo)["sector"] == "DD" and bar is not None
    assert _crumbs(dash_duo) == ["Tất cả lĩnh vực", "Đất đai"]

    # 2: a commune-level land procedure; 3: Quế Sơn; 4: a commune.
    _click_link(dash_duo, "late-procedure-table", "Tiếp nhận hồ sơ đăng ký biến động đất đai")
    dash_duo.wait_for_element("#late-unit-table", timeout=30)
    _click_link(dash_duo, "late-unit-table", "Quế Sơn")
    dash_duo.wait_for_text_to_equal("#late-breadcrumb li:nth-child(4)", "Quế Sơn", timeout=30)
    dash_duo.wait_for_element("#late-unit-table", timeout=30)
    commune = dash_duo.find_element("#late-unit-table-link-0").text
    _click(dash_duo, dash_duo.find_element("#late-unit-table-link-0"))
    dash_duo.wait_for_element("#late-grid .ag-row", timeout=30)

    params = _params(dash_duo)
    assert params["year"] == "2023" and params["sector"] == "DD" and params["procedure"] == "DD-X-01"
    assert params["district"] == "509" and params["commune"]
    assert _crumbs(dash_duo) == ["Tất cả lĩnh vực", "Đất đai", "Tiếp nhận hồ sơ đăng ký biến động đất đai", "Quế Sơn", commune]

    f = DossierFilter(Period.year(2023), sector_code="DD", procedure_code="DD-X-01", district_code="509",
                      commune_code=params["commune"])
    expected = q.dossier_count(demo_engine, f, "late")
    assert expected > 0
    dash_duo.wait_for_contains_text("#late-list-card .card-title-text", f"({expected})", timeout=10)
    # The grid's pager counts the rows the server said the list holds.
    dash_duo.wait_for_contains_text("#late-grid .ag-paging-row-summary-panel", f"trên {expected}", timeout=40)
    summary = dash_duo.find_element("#late-grid .ag-paging-row-summary-panel").text
    assert summary == f"1 đến {expected} trên {expected}", summary
    # Rows in the browser (the grid draws the visible ones) are the query's, in its order.
    page, _ = q.dossier_page(demo_engine, f, "late", 0, 100)
    shown = {int(r.get_attribute("row-index")): r.text.split("\n")[0]
             for r in dash_duo.find_elements("#late-grid .ag-pinned-left-cols-container .ag-row")}
    assert shown and all(page["code"].iloc[i] == code for i, code in shown.items())

    # "The most late first": the header sorts by working days late in SQL (one click ascending, two descending).
    from pages.late._grid import list_query

    def sorted_page(direction):
        df, _ = q.dossier_page(demo_engine, f, "late", 0, 100,
                               list_query({"sortModel": [{"colId": "workdays_late", "sort": direction}]}, "vi"))
        return df

    least, most = sorted_page("asc"), sorted_page("desc")
    assert most["workdays_late"].is_monotonic_decreasing and least["workdays_late"].iloc[0] < most["workdays_late"].iloc[0]
    first_row = '#late-grid .ag-pinned-left-cols-container .ag-row[row-index="0"]'
    header = dash_duo.find_element('#late-grid .ag-header-cell[col-id="workdays_late"] .ag-header-cell-label')
    for expected_first in (least["code"].iloc[0], most["code"].iloc[0]):
        _click(dash_duo, header)
        dash_duo.wait_for_text_to_equal(first_row, expected_first, timeout=30)

    # The breadcrumb goes back up: to the sector.
    _click(dash_duo, dash_duo.find_element("#late-breadcrumb-1"))
    dash_duo.wait_for_element("#late-procedure-table", timeout=30)
    assert set(_params(dash_duo)) == {"year", "sector"}
    assert_no_console_errors(dash_duo)


def test_blate002_bad_codes_and_overdue(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023&sector=TP&procedure=DD-H-01&lang=en")
    dash_duo.wait_for_element(".url-note", timeout=30)
    assert "DD-H-01" in dash_duo.find_element(".url-note").text
    dash_duo.wait_for_element("#late-procedure-table", timeout=30)
    # Overdue now, same drilldown: the sector table links keep the mode.
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023&mode=overdue")
    dash_duo.wait_for_element("#late-sector-table", timeout=30)
    assert "31/12/2023" in dash_duo.find_element("#late-kpi").text
    assert "mode=overdue" in dash_duo.find_element("#late-sector-table-link-0").get_attribute("href")
    # An empty selection says so in words (no education procedures at commune level).
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023&sector=GD&level=commune")
    dash_duo.wait_for_text_to_equal("#late-empty p", "Không có hồ sơ trễ hạn cho lựa chọn này.", timeout=30)
    assert not dash_duo.find_elements(".late-graph")
    assert_no_console_errors(dash_duo)


def test_blate003_phone_hint_names_what_a_phone_shows(dash_duo, demo_app):
    """On a 390 px phone the sector chart gives way to its table: the hint says to tap a name, not a bar."""
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023")
    dash_duo.wait_for_element("#late-sector-table", timeout=30)
    hint = dash_duo.find_element("#late-sectors-card .late-hint")
    assert hint.text == "Chạm vào một tên trong bảng để xem chi tiết."
    # The hidden chart is not even drawn (components.lazy: drawn when it comes into view).
    assert not [g for g in dash_duo.find_elements("#late-sectors-card .late-graph") if g.is_displayed()]
    dash_duo.driver.set_window_size(1366, 900)
    dash_duo.wait_for_text_to_equal("#late-sectors-card .late-hint",
                                    "Bấm vào một cột (hoặc một tên trong bảng) để xem chi tiết.", timeout=10)
    dash_duo.wait_for_element("#late-sectors-card .late-graph .main-svg", timeout=30)  # shown: drawn
    assert_no_console_errors(dash_duo)
