"""/postal in headless Chromium on the demo database: a click on a district tile lands on
its drill with the URL updated; a click on a bar does the same; a second click goes back."""
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import assert_no_console_errors

pytestmark = pytest.mark.browser


def url_params(dash_duo) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def wait_for_param(dash_duo, key, value, timeout=30):
    WebDriverWait(dash_duo.driver, timeout).until(lambda d: url_params(dash_duo).get(key) == value,
                                                  message=f"URL never had {key}={value}: {dash_duo.driver.current_url}")


def click(dash_duo, selector, timeout=10):
    """Scroll the element to the middle of the window, then click it (charts above it load late)."""
    el = dash_duo.wait_for_element(selector, timeout=timeout)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    WebDriverWait(dash_duo.driver, timeout).until(lambda d: _clickable(d, el))
    el.click()


def _clickable(driver, el) -> bool:
    """The element is what the browser would hit at its own centre (nothing loading over it)."""
    return driver.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        "return hit !== null && arguments[0].contains(hit);", el)


def test_bpost001_tile_click_opens_the_drill(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/postal?year=2023")
    dash_duo.wait_for_element("#post-headline", timeout=45)
    dash_duo.wait_for_element("#post-rank-chart .bars .point", timeout=45)
    assert not dash_duo.find_elements("#post-drill")
    tile = dash_duo.wait_for_element('.map-tile[data-code="509"]', timeout=10)
    assert "Quế Sơn" in tile.text and tile.get_attribute("data-bin") == "full"
    click(dash_duo, '.map-tile[data-code="509"]')
    wait_for_param(dash_duo, "district", "509")
    assert url_params(dash_duo)["year"] == "2023"
    dash_duo.wait_for_contains_text("#post-drill", "Quế Sơn: các xã", timeout=30)
    dash_duo.wait_for_contains_text("#post-nothing-moved", "Quế Xuân 1", timeout=10)
    # the filter bar follows the URL, and the selected tile says so
    dash_duo.wait_for_contains_text("#filter-district", "Quế Sơn", timeout=10)
    sel = dash_duo.wait_for_element('.map-tile[data-code="509"]', timeout=10)
    assert sel.get_attribute("aria-pressed") == "true"
    # another tile moves the drill; clicking the selected one again goes back to the province
    click(dash_duo, '.map-tile[data-code="515"]')
    wait_for_param(dash_duo, "district", "515")
    dash_duo.wait_for_contains_text("#post-drill", "Bắc Trà My", timeout=30)
    dash_duo.wait_for_element('.map-tile[data-code="515"][aria-pressed="true"]', timeout=10)
    click(dash_duo, '.map-tile[data-code="515"]')
    WebDriverWait(dash_duo.driver, 30).until(lambda d: "district" not in url_params(dash_duo))
    dash_duo.wait_for_no_elements("#post-drill", timeout=30)
    assert_no_console_errors(dash_duo)


def test_bpost002_bar_click_opens_the_drill(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/postal?year=2023&lang=en")
    dash_duo.wait_for_element("#post-rank-chart .bars .point", timeout=45)
    # the lowest bar is the unit that moved the smallest share (Hội An in the demo)
    assert len(dash_duo.find_elements("#post-rank-chart .bars .point")) == 18

    def hovering_lowest_bar(driver):
        """Plotly's drag layer lies over the bars and turns a click into clickData for the point
        it is hovering: move onto the bar (again, if the page moved) until its hover label shows."""
        bar = driver.find_elements("css selector", "#post-rank-chart .bars .point")[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", bar)
        ActionChains(driver).move_to_element(bar).perform()
        labels = driver.find_elements("css selector", "#post-rank-chart .hoverlayer .hovertext")
        return bool(labels) and "Hội An" in labels[0].text

    WebDriverWait(dash_duo.driver, 30).until(hovering_lowest_bar, message="no hover label on the lowest bar")
    ActionChains(dash_duo.driver).click().perform()
    wait_for_param(dash_duo, "district", "503")
    assert url_params(dash_duo)["lang"] == "en"
    dash_duo.wait_for_contains_text("#post-drill", "Hội An: communes", timeout=30)
    assert_no_console_errors(dash_duo)
