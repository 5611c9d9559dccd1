"""/present and /report in headless Chromium on the demo database: the keyboard walks the slides."""
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from data.filters import DossierFilter, Period
from data.queries.review import review_facts
from pages.review._review_text import build_report
from pages.review._slides import build_slides
from tests.conftest import assert_no_console_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def headlines(demo_engine):
    """What each slide must say (vi), from the same facts the page reads."""
    facts = review_facts(demo_engine, DossierFilter(Period.year(2023)))
    return [s.headline.replace("\u00a0", " ") for s in build_slides(facts, build_report(facts, "vi"))]


def _text(dash_duo, selector):
    return dash_duo.find_element(selector).text.replace("\u00a0", " ").strip()


def _slide(driver):
    return parse_qs(urlparse(driver.current_url).query).get("slide", [None])[0]


def _press(dash_duo, key):
    ActionChains(dash_duo.driver).send_keys(key).perform()


def _wait_slide(dash_duo, n: int, headline: str):
    WebDriverWait(dash_duo.driver, 30).until(lambda d: _slide(d) == str(n))
    dash_duo.wait_for_text_to_equal("#prs-headline", headline, timeout=30)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: d.find_element("css selector", "#prs-slide").get_attribute("data-slide") == str(n))


def test_bprs001_keyboard_steps_through_the_slides(dash_duo, demo_app, headlines):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/present?year=2023")
    dash_duo.wait_for_text_to_equal("#prs-headline", headlines[0], timeout=30)
    n = len(headlines)
    assert 9 <= n <= 10  # the service index is the last
    assert _text(dash_duo, "#prs-counter") == f"Trang 1/{n}"
    assert _text(dash_duo, "#prs-filters").startswith("Năm 2023 · Toàn tỉnh Quảng Nam · Tất cả lĩnh vực")
    # The overlay covers the navbar and the filter bar: the top-left corner belongs to it.
    assert dash_duo.driver.execute_script(
        "return !!document.elementFromPoint(5, 5).closest('#prs-overlay')"
        " && !!document.elementFromPoint(window.innerWidth - 5, 60).closest('#prs-overlay')")
    # The slide box is 16:9.
    w, h = dash_duo.driver.execute_script(
        "var r = document.getElementById('prs-slide').getBoundingClientRect(); return [r.width, r.height];")
    assert abs(w / h - 16 / 9) < 0.02
    # Left on the first slide goes nowhere; right walks forward to the last slide.
    _press(dash_duo, Keys.ARROW_LEFT)
    assert _slide(dash_duo.driver) is None
    for i in range(2, n + 1):
        _press(dash_duo, Keys.ARROW_RIGHT)
        _wait_slide(dash_duo, i, headlines[i - 1])
        assert _text(dash_duo, "#prs-counter") == f"Trang {i}/{n}"
        assert "Năm 2023" in _text(dash_duo, "#prs-filters")
    _press(dash_duo, Keys.ARROW_RIGHT)  # past the last slide: stays
    assert _slide(dash_duo.driver) == str(n)
    _press(dash_duo, Keys.ARROW_LEFT)
    _wait_slide(dash_duo, n - 1, headlines[n - 2])
    # Clicks do the same.
    dash_duo.find_element("#prs-prev").click()
    _wait_slide(dash_duo, n - 2, headlines[n - 3])
    dash_duo.find_element("#prs-next").click()
    _wait_slide(dash_duo, n - 1, headlines[n - 2])
    # A chart on the slide, not empty axes.
    dash_duo.wait_for_element("#prs-graph .bars .point path", timeout=30)
    # Escape leaves for the report, filters kept.
    _press(dash_duo, Keys.ESCAPE)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: urlparse(d.current_url).path == "/report")
    assert parse_qs(urlparse(dash_duo.driver.current_url).query).get("year") == ["2023"]
    dash_duo.wait_for_element("#rep-body", timeout=30)
    assert_no_console_errors(dash_duo)


def test_bprs002_slide_in_url_and_report_links(dash_duo, demo_app, headlines):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/present?year=2023&slide=4")
    dash_duo.wait_for_text_to_equal("#prs-headline", headlines[3], timeout=30)
    # A slide number that does not exist: the nearest slide and a note.
    dash_duo.wait_for_page(url=dash_duo.server_url + "/present?year=2023&slide=99")
    dash_duo.wait_for_text_to_equal("#prs-headline", headlines[-1], timeout=30)
    assert "99" in _text(dash_duo, ".prs-note")
    # The report: the article's figures are links carrying the filters.
    dash_duo.wait_for_page(url=dash_duo.server_url + "/report?year=2023")
    dash_duo.wait_for_element("#rep-received-0 .rep-fig", timeout=30)
    links = {a.text.replace("\u00a0", " "): a.get_attribute("href") for a in dash_duo.find_elements("#rep-on_time-0 .rep-fig")}
    assert "/levels?year=2023&level=district#lvl-on-time" in links["82,92 %"]
    assert dash_duo.find_element("#rep-present-link").get_attribute("href").endswith("/present?year=2023")
    dash_duo.find_element("#rep-present-link").click()
    dash_duo.wait_for_text_to_equal("#prs-headline", headlines[0], timeout=30)
    assert_no_console_errors(dash_duo)


def test_bprs003_pptx_download(dash_duo, demo_app, headlines):
    """The button on the slide downloads the same deck: its titles are the slides' headlines."""
    import io
    import os

    from pptx import Presentation

    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/present?year=2023&slide=3")
    dash_duo.wait_for_text_to_equal("#prs-headline", headlines[2], timeout=30)
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_element("#prs-pptx-btn"))
    path = os.path.join(dash_duo.download_path, "bao-cao-hoi-nghi-2023.pptx")
    WebDriverWait(dash_duo.driver, 60).until(lambda d: os.path.exists(path) and os.path.getsize(path) > 0)
    with open(path, "rb") as fh:
        prs = Presentation(io.BytesIO(fh.read()))
    assert [s.shapes.title.text.replace("\u00a0", " ") for s in prs.slides] == headlines
    assert _slide(dash_duo.driver) == "3"  # downloading does not move the presentation
    assert_no_console_errors(dash_duo)
