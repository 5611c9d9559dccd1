"""The print-ready PDF of the report: Chromium prints the standalone A4 page."""
import shutil
import subprocess

import pytest

from data.filters import DossierFilter, Period
from data.queries.review import review_facts
from pages.review._pdf import available, report_html, report_pdf
from pages.review._review_text import build_report


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


@pytest.mark.skipif(not available(), reason="headless Chromium not installed (apt-get install chromium)")
def test_pdf003_renders_are_limited_machine_wide(fixture_report, tmp_path, monkeypatch):
    """Issue 13, finding 6: six PDFs at once ran six Chromiums in six workers. A slot is a lock
    file shared by every worker; with every slot taken the answer is "busy, try again"."""
    import fcntl
    import threading
    import time

    from pages.review._pdf import PdfBusy, render_slot

    monkeypatch.setenv("PDF_LOCK_DIR", str(tmp_path))
    monkeypatch.setenv("PDF_CONCURRENCY", "1")
    with open(tmp_path / "pdf-0.lock", "a+") as held:  # another worker (any process) is rendering
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        t0 = time.monotonic()
        with pytest.raises(PdfBusy):
            report_pdf(fixture_report)
        assert time.monotonic() - t0 < 10  # told at once, not after a render
        fcntl.flock(held, fcntl.LOCK_UN)
    # Six at once with two slots: never more than two inside, every caller gets a PDF or "busy".
    monkeypatch.setenv("PDF_CONCURRENCY", "2")
    inside, peak, outcomes, lock = [0], [0], [], threading.Lock()

    def one():
        try:
            with render_slot(wait=0.2):
                with lock:
                    inside[0] += 1
                    peak[0] = max(peak[0], inside[0])
                time.sleep(0.5)
                with lock:
                    inside[0] -= 1
            outcomes.append("pdf")
        except PdfBusy:
            outcomes.append("busy")

    threads = [threading.Thread(target=one) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert peak[0] == 2 and outcomes.count("pdf") == 2 and outcomes.count("busy") == 4
    assert report_pdf(fixture_report).startswith(b"%PDF")  # slots are given back
