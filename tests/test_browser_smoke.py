"""Every page loads in headless Chromium on the demo database, with no console error."""
import pytest

from tests.conftest import assert_no_console_errors, page_paths, pages_wider_than_a_phone

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
    """390×844 as a phone lays it out. The navbar's brand once widened every page to 481 px."""
    dash_duo.start_server(demo_app)
    wide = pages_wider_than_a_phone(dash_duo, [dash_duo.server_url + path + "?year=2023" for path in page_paths()])
    assert wide == {}, f"pages wider than the phone (scrollWidth, clientWidth): {wide}"
    assert_no_console_errors(dash_duo)


# A unit name from data that no line break fits: 300 characters without a space, and markup.
LONG_NAME = "QuếSơn" * 50
LONG_MARKUP = '<span style="font-size:80px">' + "TânThạnh" * 30 + "</span>"


@pytest.fixture(scope="module")
def long_names_server(tmp_path_factory):
    """The hand-built fixture with Quế Sơn (509) and Đông Phú (20641) renamed as above, served
    by the real app in a subprocess (the app reads its database when imported)."""
    from sqlalchemy import update

    from data.schema import Agency, Unit
    from tests.auth_server import AppServer
    from tests.conftest import load_fixture

    tmp = tmp_path_factory.mktemp("long-names")
    url = f"sqlite:///{tmp / 'long.sqlite'}"
    engine = load_fixture(url)
    with engine.begin() as conn:
        conn.execute(update(Unit).where(Unit.code == "509").values(name=LONG_NAME, short_name=LONG_NAME))
        conn.execute(update(Agency).where(Agency.code == "H509").values(name=LONG_NAME, name_en=LONG_NAME))
        conn.execute(update(Unit).where(Unit.code == "20641").values(name=LONG_MARKUP, short_name=LONG_MARKUP))
        conn.execute(update(Agency).where(Agency.code == "X20641").values(name=LONG_MARKUP, name_en=LONG_MARKUP))
    engine.dispose()
    server = AppServer(url, tmp, AUTH_DISABLED="1").start()
    yield server
    server.stop()


def test_bsmk004_a_very_long_unit_name_wraps_on_a_phone(dash_duo, long_names_server):
    """Titles name the district or commune picked: a name from data longer than the screen
    breaks anywhere instead of widening the page (every page with the district, and the
    drills that name the commune)."""
    base = long_names_server.url
    urls = [base + path + "?year=2023&district=509" for path in page_paths()]
    urls += [base + "/late?year=2023&district=509&commune=20641", base + "/levels?year=2023&district=509&level=commune",
             base + "/scorecard?year=2023&district=509&level=commune&unit=20641"]
    wide = pages_wider_than_a_phone(dash_duo, urls)
    assert wide == {}, f"pages wider than the phone (scrollWidth, clientWidth): {wide}"
    # The name is on the page (the check above had something to wrap), as text, not markup.
    dash_duo.wait_for_page(url=base + "/late?year=2023&district=509&commune=20641")
    dash_duo.wait_for_element("#_pages_content h1", timeout=30)
    assert LONG_NAME in dash_duo.find_element("#_pages_content h1").text
    dash_duo.wait_for_text_to_equal("#late-breadcrumb-2", LONG_MARKUP, timeout=10)  # shown as text
    assert_no_console_errors(dash_duo)
