"""The switch "theo địa giới khi đó / theo địa giới hiện nay" on /late and /postal in headless
Chromium on the demo: it changes the URL, the charts' titles say which boundaries they show, the
drill on today's boundaries goes from today's unit to its territory's dossiers, no console errors."""
import pytest

from data.filters import DossierFilter, Period
from data.queries import boundaries as qb
from data.queries import late as q
from data.queries import postal_current as pc
from tests.conftest import assert_no_console_errors
from tests.test_browser_late import _click, _crumbs, _params

pytestmark = pytest.mark.browser


def _switch(dash_duo, prefix: str, choice: str, timeout=40):
    _click(dash_duo, dash_duo.wait_for_element(f"#{prefix}-bounds-{choice}", timeout=timeout))


def _into_view(dash_duo, selector):
    el = dash_duo.wait_for_element(selector, timeout=40)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", el)


def test_bbnd001_late_switch_ranking_and_drill(dash_duo, demo_app, demo_engine):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/late?year=2023")
    dash_duo.wait_for_contains_text("#late-trend-card .card-title-text", "theo địa giới khi đó", timeout=40)
    assert "theo địa giới khi đó" in dash_duo.find_element("#late-heatmap-card .card-title-text").text

    _switch(dash_duo, "late", "current")
    dash_duo.wait_for_element("#late-current-table", timeout=40)
    assert _params(dash_duo) == {"year": "2023", "boundaries": "current"}
    assert "theo địa giới hiện nay" in dash_duo.find_element("#late-trend-card .card-title-text").text
    assert "theo địa giới hiện nay" in dash_duo.find_element("#late-current-card .card-title-text").text
    assert "không còn cấp huyện" in dash_duo.find_element("#late-current-no-district").text  # said, not invented
    assert not dash_duo.find_elements("#late-heatmap-card")
    assert "tổng toàn địa bàn không đổi" in dash_duo.find_element("#late-bounds-note").text
    # The city above the communes: the province's departments and the district level's desks (23.162 of 27.790).
    city = dash_duo.find_element("#late-current-city").text.replace("\u00a0", " ")
    assert city.startswith("Đà Nẵng (") and "23.162 hồ sơ trễ hạn (10,4 %)" in city
    assert dash_duo.find_element("#late-current-table-link-0").text == "Điện Bàn Đông"
    assert dash_duo.find_element("#late-current-table tbody tr td:nth-child(2)").text == "213"

    # Drill: Phường Điện Bàn Đông (its three old communes' 2023 dossiers), with its trend.
    _click(dash_duo, dash_duo.find_element("#late-current-table-link-0"))
    dash_duo.wait_for_element("#late-grid .ag-row", timeout=40)
    assert _params(dash_duo) == {"year": "2023", "boundaries": "current", "unit": "20579-2507", "view": "list"}
    whole, _ = qb.territory(demo_engine, "20579-2507")
    expected = q.dossier_count(demo_engine, DossierFilter(Period.year(2023), territory=whole), "late")
    assert expected == 213
    dash_duo.wait_for_contains_text("#late-list-card .card-title-text", "(213)", timeout=20)
    dash_duo.wait_for_contains_text("#late-grid .ag-paging-row-summary-panel", "trên 213", timeout=40)
    assert _crumbs(dash_duo) == ["Tất cả lĩnh vực", "Điện Bàn Đông"]
    assert "theo địa giới hiện nay" in dash_duo.find_element("#late-trend-card .card-title-text").text

    # Back to as it was: the unit is dropped, the district table is back.
    _switch(dash_duo, "late", "historical")
    dash_duo.wait_for_element("#late-heatmap-card", timeout=40)
    assert _params(dash_duo) == {"year": "2023"}
    assert_no_console_errors(dash_duo)


def test_bbnd002_postal_switch(dash_duo, demo_app, demo_engine):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/postal?year=2023")
    dash_duo.wait_for_element("#post-bounds-current", timeout=40)
    # What cannot follow today's boundaries says so beside the switch, in both modes.
    assert "luôn theo địa giới khi đó" in dash_duo.find_element("#post-bounds-note").text
    assert not dash_duo.find_elements("#post-current-card")
    _switch(dash_duo, "post", "current")
    _into_view(dash_duo, "#post-current-card")  # charts are drawn when they scroll into view
    dash_duo.wait_for_element("#post-current-chart .bars .point path", timeout=40)
    assert _params(dash_duo) == {"year": "2023", "boundaries": "current"}
    assert "theo địa giới hiện nay" in dash_duo.find_element("#post-current-card .card-title-text").text
    # 2023's 78 communes of today: 63 without a dossier by postal staff (named), the other 15 charted.
    assert dash_duo.find_element("#post-current-lead").text.startswith("63 xã, phường chưa có hồ sơ nào")
    assert "biểu đồ: 15 xã còn lại, thấp nhất trước" in dash_duo.find_element("#post-current-lead").text
    assert dash_duo.find_element("#post-current-none").text.count(",") == 62
    heads = dash_duo.find_element("#post-over-time").text
    assert "Nhân viên bưu điện theo cấp — theo địa giới khi đó" in heads
    assert "theo tháng — theo địa giới hiện nay" in heads
    assert len(dash_duo.find_elements("#post-current-chart .bars .point path")) == 15
    # The district drill keeps the switch.
    dash_duo.wait_for_page(url=dash_duo.server_url + "/postal?year=2024&boundaries=current&district=509")
    dash_duo.wait_for_element("#post-drill", timeout=40)
    ranked = pc.postal_share_by_current_unit(demo_engine, DossierFilter(Period.year(2024), district_code="509"))
    communes = ranked[ranked["level"] == "commune"]
    zero = int((communes["received_postal_staff"] == 0).sum())
    assert 0 < len(communes) < 78
    lead = dash_duo.wait_for_element("#post-current-lead", timeout=40).text
    assert lead.startswith(f"{zero} xã, phường chưa có") and f"{len(communes) - zero} xã còn lại" in lead
    _switch(dash_duo, "post", "historical")
    dash_duo.wait_for_element("#post-bounds-historical.btn-secondary", timeout=40)
    assert _params(dash_duo) == {"year": "2024", "district": "509"}
    assert_no_console_errors(dash_duo)
