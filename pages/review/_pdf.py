"""A print-ready PDF of the review report, by Debian's headless Chromium (--print-to-pdf).

The report is written as a standalone A4 HTML page (no server round trip, no sign-in, no
network: fonts are the system's) and Chromium prints it. Nothing is downloaded at run
time. Without Chromium the app simply offers no PDF button (:func:`available`).

Chromium costs about a second of CPU and a few hundred MB per PDF, so renders are limited
machine-wide (every gunicorn worker shares the same lock files): at most ``PDF_CONCURRENCY``
at once (default 1); a request that finds no free slot within half a second gets
:class:`PdfBusy` ("busy, try again"), so a burst of downloads cannot starve the workers.
"""
from __future__ import annotations

import contextlib
import fcntl
import html
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from data.config import ROOT

from ._review_text import Fig, Report, w

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--disable-extensions",
         "--no-pdf-header-footer", "--print-to-pdf-no-header"]
TIMEOUT = 60  # seconds

CSS = """
@page { size: A4; margin: 20mm 18mm 18mm 22mm; }
body { font-family: "DejaVu Serif", "Times New Roman", serif; font-size: 12.5pt; line-height: 1.5; color: #000; }
h1 { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 16pt; text-align: center; margin: 0 0 4pt; }
.filters { text-align: center; font-style: italic; font-size: 10.5pt; margin-bottom: 14pt; }
h2 { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 12.5pt; text-transform: uppercase; margin: 14pt 0 4pt; }
h3 { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11.5pt; margin: 10pt 0 2pt; }
p { text-align: justify; margin: 0 0 6pt; text-indent: 1.2em; }
b { font-weight: 700; }
"""


def chromium_path() -> str | None:
    env = os.environ.get("CHROMIUM_PATH")
    for path in ([env] if env else []) + list(CHROMIUM_CANDIDATES):
        if path and os.path.exists(path):
            return path
    return shutil.which("chromium")


def available() -> bool:
    return chromium_path() is not None


def report_html(report: Report) -> str:
    """The report as one A4 page of HTML: figures in bold (a printed page has no links)."""
    def para(segs) -> str:
        return "".join(f"<b>{html.escape(s.text)}</b>" if isinstance(s, Fig) and s.kind == "figure"
                       else html.escape(s.text if isinstance(s, Fig) else s) for s in segs)

    parts = [f"<h1>{html.escape(report.title)}</h1>", f'<div class="filters">{html.escape(report.filters)}</div>']
    group = None
    for sec in report.sections:
        if sec.group and sec.group != group:
            parts.append(f"<h2>{html.escape(w('h.' + sec.group, report.lang))}</h2>")
        group = sec.group
        if sec.heading:
            parts.append(f"<h3>{html.escape(sec.heading)}</h3>")
        parts += [f"<p>{para(p)}</p>" for p in sec.paragraphs]
    lang = "en" if report.lang == "en" else "vi"
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


class PdfUnavailable(RuntimeError):
    pass


class PdfBusy(PdfUnavailable):
    """Every rendering slot is taken: try again in a few seconds."""


# Short: a request waiting for a slot holds a (sync) worker that /healthz and pages need.
SLOT_WAIT_SECONDS = 0.5


def pdf_concurrency() -> int:
    try:
        return max(1, int(os.environ.get("PDF_CONCURRENCY", "1")))
    except ValueError:
        return 1


def lock_dir() -> Path:
    return Path(os.environ.get("PDF_LOCK_DIR") or ROOT / "var" / "locks")


@contextlib.contextmanager
def render_slot(wait: float = SLOT_WAIT_SECONDS):
    """One of ``PDF_CONCURRENCY`` machine-wide slots (flock on var/locks/pdf-N.lock, released
    by the kernel if the worker dies), or :class:`PdfBusy` after ``wait`` seconds."""
    folder = lock_dir()
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for i in range(pdf_concurrency()):
            fh = open(folder / f"pdf-{i}.lock", "a+")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            try:
                yield i
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()
            return
        if time.monotonic() >= deadline:
            raise PdfBusy("every PDF rendering slot is taken")
        time.sleep(0.1)


def report_pdf(report: Report) -> bytes:
    """The PDF's bytes; raises :class:`PdfUnavailable` when Chromium is missing or fails,
    :class:`PdfBusy` when other PDFs are being rendered."""
    chromium = chromium_path()
    if chromium is None:
        raise PdfUnavailable("Chromium is not installed")
    with render_slot(), tempfile.TemporaryDirectory(prefix="tthc-pdf-") as tmp:
        src, out = os.path.join(tmp, "report.html"), os.path.join(tmp, "report.pdf")
        with open(src, "w", encoding="utf-8") as fh:
            fh.write(report_html(report))
        cmd = [chromium, *FLAGS, f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--print-to-pdf={out}", f"file://{src}"]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(str(exc)) from exc
        if not os.path.exists(out) or os.path.getsize(out) == 0:
            raise PdfUnavailable("Chromium printed nothing")
        with open(out, "rb") as fh:
            return fh.read()
