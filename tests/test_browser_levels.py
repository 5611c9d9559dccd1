"""Overview and level comparison in headless Chromium on the demo database."""
import glob
import os
import time
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from data.filters import DossierFilter, Period
from data.queries.summary import summary_by_level
from tests.conftest import assert_no_console_errors

pytestmark = pytest.mark.browser

FIGURES_2023 = {  # the source article, as the overview must show them (Vietnamese)
    "province": ("90.010", "99,8 %", "80,6 %"),
    "district": ("136.350", "82,92 %", "32,3 %"),
    "commune": ("187.299", "97,5 %", "66,1 %"),
}


def _text(dash_duo, selector):
    # Selenium reports the no-break space before % as a plain space.
    return dash_duo.find_element(selector).text.replace("\u00a0", " ").strip()


def _query(dash_duo):
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def test_blvl001_overview_shows_article_figures(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/?year=2023")
    dash_duo.wait_for_element("#ovw-kpi-commune-online_share-value", timeout=60)
    for level, (received, rate, online) in FIGURES_2023.items():
        assert _text(dash_duo, f"#ovw-kpi-{level}-received-value") == received
        assert _text(dash_duo, f"#ovw-kpi-{level}-on_time_rate-value") == rate
        assert _text(dash_duo, f"#ovw-kpi-{level}-online_share-value") == online
    # The finding about late dossiers links to the late page with the filters
    link = dash_duo.find_element("#ovw-att-sector-link")
    assert link.get_attribute("href").endswith("/late?year=2023&sector=DD")
    assert_no_console_errors(dash_duo)


def test_blvl002_click_level_bar_drills_and_url_round_trips(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023&lang=en")
    dash_duo.wait_for_element("#lvl-on-time .bars .point path", timeout=60)
    dash_duo.wait_for_text_to_equal("#lvl-title", "Level comparison — whole province, 2023", timeout=60)
    # Click the district level's bar (second of three)
    bars = dash_duo.find_elements("#lvl-on-time .bars .point path")
    assert len(bars) == 3
    ActionChains(dash_duo.driver).move_to_element(bars[1]).click().perform()
    WebDriverWait(dash_duo.driver, 60).until(lambda d: "level=district" in d.current_url)
    dash_duo.wait_for_element("#lvl-breakdown-on-time .bars .point path", timeout=60)
    assert len(dash_duo.find_elements("#lvl-breakdown-on-time .bars .point path")) == 18
    assert "District level by district-level unit" in dash_duo.find_element("#lvl-breakdown").text
    # Change the year: the URL keeps the language and the selected level
    dash_duo.select_dcc_dropdown("#filter-year", value="2022")
    WebDriverWait(dash_duo.driver, 60).until(lambda d: "year=2022" in d.current_url)
    q = _query(dash_duo)
    assert q["year"] == ["2022"] and q["lang"] == ["en"] and q["level"] == ["district"]
    # A cold year on a busy CI machine can take a while to render: a generous wait, not a timing check.
    dash_duo.wait_for_text_to_equal("#lvl-title", "Level comparison — whole province, 2022", timeout=90)
    assert_no_console_errors(dash_duo)


def test_blvl003_filters_from_url_and_title(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023&district=509&sector=DD&level=commune")
    dash_duo.wait_for_text_to_equal("#lvl-title", "So sánh các cấp — Quế Sơn, 2023 · Đất đai", timeout=60)
    assert dash_duo.find_element("#filter-district").text.strip().startswith("Quế Sơn")
    dash_duo.wait_for_element("#lvl-breakdown-on-time", timeout=60)
    assert "Cấp xã theo xã, phường, thị trấn" in dash_duo.find_element("#lvl-breakdown").text
    q = _query(dash_duo)  # the page did not rewrite the shared link
    assert q == {"year": ["2023"], "district": ["509"], "sector": ["DD"], "level": ["commune"]}
    assert_no_console_errors(dash_duo)


def test_blvl004_excel_download(dash_duo, demo_app, demo_engine):
    from openpyxl import load_workbook

    from components.download import table_start_row

    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/levels?year=2023")
    button = dash_duo.wait_for_element("#lvl-download-xlsx", timeout=60)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    dash_duo.driver.execute_script("arguments[0].click();", button)
    path = os.path.join(dash_duo.download_path, "bieu06-cac-cap-2023.xlsx")
    deadline = time.monotonic() + 20
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert os.path.exists(path), glob.glob(os.path.join(dash_duo.download_path, "*"))
    ws = load_workbook(path).active
    assert ws["B2"].value == "2023" and ws["B3"].value == "Toàn tỉnh"
    head = table_start_row([("", "")] * 3)
    header = [c.value for c in ws[head]]
    total = next(r for r in ws.iter_rows(min_row=head + 1, values_only=True) if r[1] == "Tổng cộng")
    expect = summary_by_level(demo_engine, DossierFilter(Period.year(2023)))
    assert total[header.index("Số hồ sơ nhận giải quyết – Mới tiếp nhận")] == int(expect["received"].sum()) == 413_659
    assert total[header.index("Số hồ sơ đã giải quyết – Quá hạn")] == int(expect["finished_late"].sum())
    assert_no_console_errors(dash_duo)
