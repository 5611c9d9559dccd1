"""The print-ready PDF of the report: Chromium prints the standalone A4 page."""
import shutil
import subprocess

import pytest

from components.report_pdf import available, report_html, report_pdf
from components.review_text import build_report
from data.filters import DossierFilter, Period
from data.queries.review import review_facts


@pytest.fixture
def fixture_report(fixture_engine):
    return build_report(review_facts(fixture_engine, DossierFilter(Period.year(2023)), min_finished=1), "vi")


def test_pdf001_html_is_the_report(fixture_report):
    page = report_html(fixture_report)
    assert page.startswith("<!doctype html>") and 'lang="vi"' in page
    assert "<b>66,67\u00a0%</b>" in page  # figures in bold
    assert "NHỮNG HẠN CHẾ" not in page and "Những hạn chế" in page  # the heading's case is CSS's job
    assert "<script" not in page and "http" not in page  # nothing to fetch


@pytest.mark.skipif(not available(), reason="headless Chromium not installed (apt-get install chromium)")
def test_pdf002_chromium_prints_it(fixture_report):
    data = report_pdf(fixture_report)
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext"):  # poppler-utils: check the words made it into the file
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert "14 hồ sơ" in " ".join(text.split()) and "66,67" in text
