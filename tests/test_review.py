"""The generated review report: the article's figures on the demo, a hand-written text on the fixture."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from components.kpi import fmt_rate
from data.filters import DossierFilter, Period
from data.queries import levels as ql
from data.queries.review import review_facts
from pages.review._review_text import Fig, build_report, report_text, to_text

Y2023 = Period.year(2023)
NB = "\u00a0"  # Vietnamese writes a (non-breaking) space before %
PAGES = {"/levels", "/late", "/postal", "/scorecard"}


def paragraph(report, key: str, index: int = 0) -> str:
    return to_text(report.section(key).paragraphs[index])


def figs(report) -> list[Fig]:
    return [s for sec in report.sections for p in sec.paragraphs for s in p if isinstance(s, Fig)]


def assert_clean(text: str):
    """No empty number ('—' is what the formatters print for one), no 'nan', no placeholder left."""
    body = text.split("\n", 1)[1]  # the title has a dash of its own
    for bad in ("—", "{", "}", " ,", " .", "  ", "()"):
        assert bad not in body, (bad, body)
    assert not re.search(r"\b(nan|NaN|None(?! of)|null|inf)\b", body), body


# ---------------------------------------------------------------- rate rule

@pytest.mark.parametrize("fraction, vi, en", [
    (0.997995, "99,8", "99.8"), (0.829196, "82,92", "82.92"), (0.974998, "97,5", "97.5"),
    (0.805999, "80,6", "80.6"), (0.322999, "32,3", "32.3"), (0.661002, "66,1", "66.1"),
    (0.86563, "86,56", "86.56"), (0.9999, "99,99", "99.99"), (1.0, "100", "100"), (2 / 3, "66,67", "66.67"),
])
def test_rev001_rate_rule(fraction, vi, en):
    """Two decimals, trailing zeros dropped; one decimal exactly when the second rounds to 0."""
    assert fmt_rate(fraction, "vi") == f"{vi}{NB}%"
    assert fmt_rate(fraction, "en") == f"{en}%"


# ---------------------------------------------------------------- demo: the article's figures

@pytest.fixture(scope="module")
def demo_facts(demo_engine):
    return review_facts(demo_engine, DossierFilter(Y2023))


@pytest.fixture(scope="module")
def demo_report(demo_facts):
    return build_report(demo_facts, "vi")


@pytest.mark.demo
def test_rev002_demo_received(demo_report):
    text = paragraph(demo_report, "received")
    for level, n in (("cấp tỉnh", "90.010"), ("cấp huyện", "136.350"), ("cấp xã", "187.299")):
        assert f"{level} {n}" in text


@pytest.mark.demo
def test_rev003_demo_on_time_and_online(demo_report):
    on_time = paragraph(demo_report, "on_time")
    assert f"cấp tỉnh đạt 99,8{NB}%, cấp huyện 82,92{NB}% và cấp xã 97,5{NB}%" in on_time
    online = paragraph(demo_report, "online")
    assert f"cấp tỉnh là 80,6{NB}%, cấp huyện 32,3{NB}% và cấp xã 66,1{NB}%" in online


@pytest.mark.demo
def test_rev004_demo_postal(demo_report):
    prov, dist, comm = (paragraph(demo_report, "postal", i) for i in range(3))
    assert "Ở cấp tỉnh, 17 nhân viên bưu điện thay thế 24 công chức" in prov
    assert "Trung tâm Phục vụ hành chính công tỉnh" in prov
    assert "tiếp nhận 1.381 thủ tục hành chính" in prov and f"bằng 100{NB}% tổng số thủ tục" in prov
    assert "Ở cấp huyện, 44 nhân viên bưu điện hỗ trợ 150 công chức tại bộ phận một cửa của 18 đơn vị cấp huyện" in dist
    assert "Ở cấp xã, 20 nhân viên bưu điện" in comm and "tại 19 UBND cấp xã" in comm
    full = paragraph(demo_report, "postal_full")
    assert full.startswith(f"11 đơn vị cấp huyện đã chuyển 100{NB}% thủ tục hành chính qua dịch vụ bưu chính công ích: ")
    names = ["Nông Sơn", "Phước Sơn", "Nam Trà My", "Bắc Trà My", "Đông Giang", "Tây Giang", "Thăng Bình", "Tam Kỳ",
             "Nam Giang", "Duy Xuyên", "Quế Sơn"]
    listed = re.split(r", | và ", full.split(": ", 1)[1].rstrip("."))
    assert sorted(listed) == sorted(names)


@pytest.mark.demo
def test_rev005_demo_weak_points(demo_engine, demo_report, demo_facts):
    f = DossierFilter(Y2023)
    late = paragraph(demo_report, "late")
    # Land is the sector behind most late dossiers, through its registration procedures.
    sectors = ql.sectors_by_late(demo_engine, f)
    top = sectors.iloc[0]
    assert top["sector_code"] == "DD"
    assert f"Lĩnh vực Đất đai chiếm {top['finished_late']:,} hồ sơ".replace(",", ".") in late
    for proc in ("Đăng ký biến động", "Cấp Giấy chứng nhận", "Đăng ký thế chấp", "Xóa đăng ký thế chấp"):
        assert proc in late
    # Units below the province's rate: named with their rate, lowest first.
    units = paragraph(demo_report, "units")
    bench = demo_facts.benchmark_rate
    below = [u for u in demo_facts.units if u.rate < bench]
    assert below and f"{len(below)}/18 đơn vị cấp huyện" in units and f"({fmt_rate(bench)})" in units
    assert [u.name for u in below] == [n for n in re.findall(r"(?:: |, | và )([^,(]+?) \(", units)]
    # Communes with nothing moved (from the levels module's own query).
    communes = ql.commune_postal_coverage(demo_engine, f)
    nothing = int((~communes["moved"]).sum())
    assert nothing > 0
    assert paragraph(demo_report, "communes").startswith(f"{nothing}/{len(communes)} xã chưa chuyển thủ tục hành chính nào")
    # Busy procedures not offered fully online.
    busy = ql.procedures_not_full_online(demo_engine, f, 3)
    text = paragraph(demo_report, "not_online")
    for _, r in busy.iterrows():
        assert f"{r['procedure_name']} (" in text and f"{r['received']:,} hồ sơ".replace(",", ".") in text


@pytest.mark.demo
def test_rev006_demo_figures_are_links(demo_report):
    """Every figure of the article is a link to a page, carrying the year."""
    found = {}
    for fig in figs(demo_report):
        url = urlparse(fig.href)
        assert url.path in PAGES, fig
        assert parse_qs(url.query)["year"] == ["2023"], fig
        found.setdefault(fig.text, []).append(fig.href)
    for n in ("90.010", "136.350", "187.299", f"99,8{NB}%", f"82,92{NB}%", f"97,5{NB}%", f"80,6{NB}%", f"32,3{NB}%",
              f"66,1{NB}%", "17", "24", "1.381", f"100{NB}%", "44", "150", "18", "20", "19", "11"):
        assert n in found, n
    assert any("level=district" in h and "lvl-on-time" in h for h in found[f"82,92{NB}%"])
    assert all(h.startswith("/postal") for h in found["1.381"])
    assert_clean(report_text(demo_report))


@pytest.mark.demo
def test_rev007_demo_english(demo_facts):
    text = report_text(build_report(demo_facts, "en"))
    for s in ("90,010 at province level", "136,350 at district level", "187,299 at commune level",
              "99.8% at province level, 82.92% at district level and 97.5% at commune level",
              "80.6% at province level, 32.3% at district level and 66.1% at commune level",
              "17 postal staff replace 24 civil servants", "1,381 procedures", "44 postal staff support 150 civil servants",
              "18 district-level units", "20 postal staff", "19 commune People's Committees", "11 district-level units have moved 100%"):
        assert s in text, s
    assert_clean(text)


@pytest.mark.demo
def test_rev008_demo_district_filter(demo_engine):
    facts = review_facts(demo_engine, DossierFilter(Y2023, district_code="509"))
    report = build_report(facts, "vi")
    text = report_text(report)
    assert "Quế Sơn" in report.title and "cấp tỉnh" not in paragraph(report, "received")
    assert all(parse_qs(urlparse(f.href).query).get("district") in (["509"], None) for f in figs(report))
    assert_clean(text)


# ---------------------------------------------------------------- fixture: a hand-written text

FIXTURE_VI = f"""Báo cáo tổng kết công tác tiếp nhận, giải quyết thủ tục hành chính năm 2023 — toàn tỉnh Quảng Nam
Năm 2023 · Toàn tỉnh Quảng Nam · Tất cả lĩnh vực

Tiếp nhận hồ sơ
Năm 2023, các cơ quan, đơn vị trên địa bàn tỉnh tiếp nhận 14 hồ sơ thủ tục hành chính: cấp tỉnh 3, cấp huyện 7 và cấp xã 4.

Giải quyết đúng hạn
Tỷ lệ hồ sơ giải quyết đúng hạn ở cấp tỉnh đạt 75{NB}%, cấp huyện 50{NB}% và cấp xã 75{NB}%. Tính chung, 4 trong số 12 hồ sơ đã giải quyết bị trễ hạn; tỷ lệ đúng hạn chung của tỉnh là 66,67{NB}%.

Hồ sơ trực tuyến
Tỷ lệ hồ sơ tiếp nhận trực tuyến ở cấp tỉnh là 33,33{NB}%, cấp huyện 14,29{NB}% và cấp xã 50{NB}%. Thấp nhất là cấp huyện: 1 trong số 7 hồ sơ được nộp trực tuyến.

Bưu chính công ích tiếp nhận hồ sơ thay công chức
Ở cấp tỉnh, 2 nhân viên bưu điện thay thế 3 công chức tại bộ phận một cửa cấp tỉnh, tiếp nhận 10 thủ tục hành chính, bằng 100{NB}% tổng số thủ tục.
Ở cấp huyện, 3 nhân viên bưu điện hỗ trợ 9 công chức tại bộ phận một cửa của 2 đơn vị cấp huyện, tiếp nhận 15 thủ tục hành chính, bằng 75{NB}% tổng số 20 thủ tục.
Ở cấp xã, 1 nhân viên bưu điện hỗ trợ 1 công chức tại 1 UBND cấp xã, tiếp nhận 3 thủ tục hành chính, bằng 50{NB}% tổng số 6 thủ tục.
1 đơn vị cấp huyện đã chuyển 100{NB}% thủ tục hành chính qua dịch vụ bưu chính công ích: Tam Kỳ.

Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)
Tính từ hồ sơ của chính tỉnh, toàn tỉnh đạt 53,4 trên 100 điểm đo được của Bộ chỉ số phục vụ người dân, doanh nghiệp; mất nhiều điểm nhất ở nhóm công khai, minh bạch (9,0/18 điểm). Cao nhất là Quế Sơn (51,92{NB}% số điểm đo được), thấp nhất là Tam Kỳ (16,15{NB}%).

NHỮNG HẠN CHẾ

Hồ sơ trễ hạn
Tình trạng hồ sơ trễ hạn vẫn còn: 4 hồ sơ giải quyết trễ hạn, trong đó cấp tỉnh 1, cấp huyện 2 và cấp xã 1. Lĩnh vực Đất đai chiếm 4 hồ sơ (100{NB}% số hồ sơ trễ hạn). Các thủ tục có nhiều hồ sơ trễ hạn nhất: Đăng ký biến động quyền sử dụng đất (cấp huyện, 2), Đăng ký biến động đất đai (tổ chức) (cấp tỉnh, 1) và Tiếp nhận hồ sơ đăng ký biến động đất đai (cấp xã, 1).

Đơn vị dưới mức đúng hạn chung
1/2 đơn vị cấp huyện (tính cả các xã trực thuộc) có tỷ lệ giải quyết đúng hạn thấp hơn mức chung của tỉnh (66,67{NB}%): Tam Kỳ (50{NB}%).

Xã chưa chuyển thủ tục sang bưu chính công ích
2/3 xã chưa chuyển thủ tục hành chính nào sang bưu chính công ích; ở 1 đơn vị cấp huyện chưa có xã nào chuyển: Tam Kỳ.

Thủ tục đông hồ sơ chưa trực tuyến toàn trình
Một số thủ tục có nhiều hồ sơ chưa được cung cấp dịch vụ công trực tuyến toàn trình: Đăng ký biến động quyền sử dụng đất (cấp huyện, 5 hồ sơ, trực tuyến một phần), Đăng ký biến động đất đai (tổ chức) (cấp tỉnh, 2 hồ sơ, trực tuyến một phần) và Tiếp nhận hồ sơ đăng ký biến động đất đai (cấp xã, 1 hồ sơ, trực tuyến một phần).
"""
# By hand from tests/fixture_data.py (2023): received P1-P3 | D1-D7 | C1-C4; finished P1 P2 P3 P4 (P3 late),
# D1 D2 D3 D4 (D1, D4 late), C1-C4 (C3 late): 8 of 12 in time. Online P1 | D3 | C1 C4. Postal records:
# 49 (2 staff, 3 civil servants, 10/10), 509 (1, 4, 5/10) + 502 (2, 5, 10/10), 20641 (1, 1, 3/6). Late: all
# land (P3 DD-T-01, D1 D4 DD-H-01, C3 DD-X-01). Territories: Tam Kỳ D4 late + C4 on time = 1/2; Quế Sơn
# D1 late, D2 D3, C1 C2 in time, C3 late = 4/6, not below 8/12. Communes: only Đông Phú (20641) moved.
# Not full online: DD-H-01 (D1 D2 D4 D6 D7), DD-T-01 (P1 P3), DD-X-01 (C3).

FIXTURE_EN_POSTAL = [
    "At province level, 2 postal staff replace 3 civil servants at the provincial one-stop desk, receiving 10 procedures, 100% of all procedures.",
    "At district level, 3 postal staff support 9 civil servants at the one-stop desks of 2 district-level units, receiving 15 procedures, 75% of the 20 procedures.",
    "At commune level, 1 postal staff member supports 1 civil servant at 1 commune People's Committee, receiving 3 procedures, 50% of the 6 procedures.",
]


# The service index (tests/test_scorecard.py): publicity 2/4 -> 9, progress 9/14 -> 12.857, online 4/14 of 6 and
# 3/6 procedures fully online -> 4.714, paid 2/10 -> 2, satisfied 3/5 -> 10.8, digitised 12/14 and e-result 5/12
# of 11 each -> 14.012: 53.38 of 100; publicity loses the most (9). Quế Sơn 51.92 of 100, Tam Kỳ 10.33 of 64.
def test_rev010_fixture_text(fixture_engine):
    # min_finished=1: the fixture's units have a handful of dossiers each
    facts = review_facts(fixture_engine, DossierFilter(Y2023), min_finished=1)
    assert report_text(build_report(facts, "vi")) == FIXTURE_VI


def test_rev011_fixture_english_postal(fixture_engine):
    report = build_report(review_facts(fixture_engine, DossierFilter(Y2023), min_finished=1), "en")
    assert [to_text(p) for p in report.section("postal").paragraphs] == FIXTURE_EN_POSTAL
    assert paragraph(report, "postal_full") == "1 district-level unit has moved 100% of its procedures to the public postal service: Tam Kỳ."
    assert paragraph(report, "units") == ("1 of 2 district-level units (their communes included) has an on-time rate below "
                                          "the overall rate of the province (66.67%): Tam Kỳ (50%).")


def test_rev012_fixture_too_few_to_rank(fixture_engine):
    report = build_report(review_facts(fixture_engine, DossierFilter(Y2023)), "vi")
    assert paragraph(report, "units") == "Chưa đủ hồ sơ đã giải quyết để so sánh tỷ lệ đúng hạn giữa các đơn vị."


def test_rev013_fixture_district(fixture_engine):
    report = build_report(review_facts(fixture_engine, DossierFilter(Y2023, district_code="509"), min_finished=1), "vi")
    assert report.title.endswith("— Quế Sơn")
    assert paragraph(report, "received") == ("Năm 2023, Quế Sơn (cấp huyện và cấp xã) tiếp nhận 7 hồ sơ thủ tục hành chính: "
                                             "cấp huyện 4 và cấp xã 3.")
    assert paragraph(report, "on_time") == (
        f"Tỷ lệ hồ sơ giải quyết đúng hạn ở cấp huyện đạt 66,67{NB}% và cấp xã 66,67{NB}%. Tính chung, 2 trong số 6 hồ sơ "
        f"đã giải quyết bị trễ hạn; tỷ lệ đúng hạn chung của Quế Sơn là 66,67{NB}%. Mức chung của toàn tỉnh là 66,67{NB}%.")
    assert [to_text(p) for p in report.section("postal").paragraphs] == [
        f"Ở cấp huyện, 1 nhân viên bưu điện hỗ trợ 4 công chức tại bộ phận một cửa của Quế Sơn, tiếp nhận 5 thủ tục hành chính, bằng 50{NB}% tổng số 10 thủ tục.",
        f"Ở cấp xã, 1 nhân viên bưu điện hỗ trợ 1 công chức tại 1 UBND cấp xã, tiếp nhận 3 thủ tục hành chính, bằng 50{NB}% tổng số 6 thủ tục.",
    ]
    # Quế Xuân 1: C3 late, its only finished dossier; Đông Phú C1 C2 in time.
    assert paragraph(report, "units") == (f"1/2 xã của Quế Sơn có tỷ lệ giải quyết đúng hạn thấp hơn mức chung của tỉnh "
                                          f"(66,67{NB}%): Quế Xuân 1 (0{NB}%).")
    assert paragraph(report, "communes") == "1/2 xã của Quế Sơn chưa chuyển thủ tục hành chính nào sang bưu chính công ích: Quế Xuân 1."


def test_rev014_year_without_data(fixture_engine):
    """A shorter honest report: no empty number, no 'nan'."""
    for lang, none, postal in (("vi", "không có hồ sơ thủ tục hành chính nào", "Chưa ghi nhận việc thay thế"),
                               ("en", "No administrative-procedure dossiers are recorded", "No postal substitution recorded")):
        report = build_report(review_facts(fixture_engine, DossierFilter(Period.year(2021))), lang)
        assert [s.key for s in report.sections] == ["received", "postal"]
        text = report_text(report)
        assert none in text and postal in text and "2021" in text
        assert_clean(text)


def test_rev015_district_without_postal_records(fixture_engine):
    """Tam Kỳ in 2022: dossiers (C5, C6) but no postal record for it or its communes."""
    report = build_report(review_facts(fixture_engine, DossierFilter(Period.year(2022), district_code="502")), "vi")
    assert paragraph(report, "postal") == ("Chưa ghi nhận việc thay thế công chức tiếp nhận hồ sơ bằng nhân viên "
                                           "bưu chính công ích tại Tam Kỳ năm 2022.")
    assert report.section("postal_full") is None
    assert paragraph(report, "communes") == "Cả 1 xã của Tam Kỳ đều chưa chuyển thủ tục hành chính nào sang bưu chính công ích."
    assert_clean(report_text(report))
    assert_clean(report_text(build_report(review_facts(fixture_engine, DossierFilter(Period.year(2022), district_code="502")), "en")))


def test_rev016_sector_filter_says_postal_is_not_per_sector(fixture_engine):
    report = build_report(review_facts(fixture_engine, DossierFilter(Y2023, sector_code="TP")), "vi")
    assert "Lĩnh vực Tư pháp – Hộ tịch" in report.filters
    assert "thuộc lĩnh vực Tư pháp – Hộ tịch" in paragraph(report, "received")
    assert "không tách theo lĩnh vực" in report_text(report)
    # Justice has no late dossier in 2023 (P2, P4, C1, C2, C4 all in time)
    assert paragraph(report, "late") == "Không có hồ sơ nào giải quyết trễ hạn trong năm 2023."
