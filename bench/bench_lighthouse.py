"""Lighthouse performance of every page, as a person's browser meets it: desktop and mobile presets.

    python bench/bench_lighthouse.py                      # starts gunicorn on the demo database (port 8106)
    python bench/bench_lighthouse.py --url http://127.0.0.1:8050 --pages /,/levels --presets mobile
    python bench/bench_lighthouse.py --runs 3 --reports var/bench/reports   # median of 3, whole reports kept

Lighthouse (pinned, from npm into ~/.cache/tthc-lighthouse, ``LH_DIR`` to move it) drives Debian's
Chromium (``/usr/bin/chromium``) with the project's browser flags, against gunicorn alone (no proxy:
whatever compression and caching the pages get, the app gives them). Per page and preset:

* **first visit**: an empty cache (Lighthouse resets storage): score, LCP, TBT and the bytes
  transferred (``total-byte-weight``, compressed sizes as they crossed the wire);
* **repeat visit**: the same page again in the same browser with its cache kept
  (``--disable-storage-reset``): the bytes a second visit transfers.

The mobile preset is Lighthouse's default: a mid-range phone on a slow 4G line, simulated
(4× CPU slowdown, 150 ms RTT, 1.6 Mbps); scores on a shared 2-core machine move by a few points
between runs. Prints a Markdown table and writes the raw figures to var/bench/lighthouse-<time>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIGHTHOUSE_VERSION = "12.8.2"  # runs on the Node 20 here; 13 needs Node 22
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
PAGES = ["/", "/levels", "/late", "/postal", "/scorecard", "/report", "/present", "/imports"]
QUERY = "?year=2023"  # the year the seed's figures describe


def lighthouse_bin() -> Path:
    """The pinned Lighthouse, installed once from npm."""
    home = Path(os.environ.get("LH_DIR", Path.home() / ".cache" / "tthc-lighthouse"))
    exe = home / "node_modules" / ".bin" / "lighthouse"
    version_file = home / "node_modules" / "lighthouse" / "package.json"
    installed = json.loads(version_file.read_text())["version"] if version_file.exists() else None
    if installed != LIGHTHOUSE_VERSION:
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"], cwd=home, check=True)
    return exe


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chromium:
    """One headless Chromium that Lighthouse attaches to, so a second run sees the first one's cache."""

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="tthc-lh-")
        self.port = free_port()
        self.proc = subprocess.Popen([CHROMIUM, *CHROME_FLAGS, f"--remote-debugging-port={self.port}", f"--user-data-dir={self.profile}",
                                      "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def run_lighthouse(exe: Path, url: str, preset: str, chrome_port: int, keep_cache: bool, keep: Path | None = None) -> dict | None:
    """One Lighthouse run; its whole report is kept as ``keep`` if given (bootup-time, long tasks...)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [str(exe), url, "--only-categories=performance", "--output=json", f"--output-path={out}", "--quiet",
           f"--port={chrome_port}", "--max-wait-for-load=60000"]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    if keep_cache:
        cmd.append("--disable-storage-reset")
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, CHROME_PATH=CHROMIUM))
    try:
        report = json.loads(Path(out).read_text())
        if keep:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out, keep)
    except (OSError, ValueError):
        return None
    finally:
        Path(out).unlink(missing_ok=True)
    audits = report["audits"]
    score = report["categories"]["performance"]["score"]
    return {
        "score": None if score is None else round(score * 100),
        "lcp_ms": audits["largest-contentful-paint"].get("numericValue"),
        "tbt_ms": audits["total-blocking-time"].get("numericValue"),
        "bytes": audits["total-byte-weight"].get("numericValue"),
        "error": report.get("runtimeError", {}).get("message"),
    }


def warm(base: str, pages: list[str]) -> None:
    """Unmeasured requests for each page (four: every worker's page cache, server.page_cache) and
    each file it names, so the measured runs include neither the one-time compression of the
    static files (server/delivery.py) nor a cold cache."""
    import html
    import re

    import requests

    seen = set()
    for page in pages:
        for _ in range(4):
            text = requests.get(base + page + QUERY, headers={"Accept-Encoding": "br, gzip"}, timeout=120).text
        urls = re.findall(r'(?:src|href)="(/[^"]+)"', text)
        meta = re.search(r'<meta name="tthc-libraries" content="([^"]+)"', text)
        if meta:
            urls += json.loads(html.unescape(meta.group(1))).values()
        for url in set(urls) - seen:
            requests.get(base + url, headers={"Accept-Encoding": "br, gzip"}, timeout=120)
            seen.add(url)


def median_run(runs: list[dict]) -> dict | None:
    """The run of median TBT (the figure the shared machine's load moves most), so a row's
    score, LCP and TBT come from one real run; ``runs`` keeps them all."""
    done = sorted((r for r in runs if r and r["tbt_ms"] is not None), key=lambda r: r["tbt_ms"])
    return dict(done[len(done) // 2], runs=runs) if done else None


def measure(base: str, pages: list[str], presets: list[str], repeat: bool, runs: int = 1, reports: Path | None = None) -> list[dict]:
    exe = lighthouse_bin()
    warm(base, pages)
    rows = []
    for preset in presets:
        for page in pages:
            url = base + page + QUERY
            name = page.strip("/") or "overview"
            firsts, again = [], None
            for n in range(runs):
                with Chromium() as chrome:
                    keep = reports / f"{name}-{preset}-{n}.json" if reports else None
                    firsts.append(run_lighthouse(exe, url, preset, chrome.port, keep_cache=False, keep=keep))
                    if repeat and firsts[-1] and again is None:
                        again = run_lighthouse(exe, url, preset, chrome.port, keep_cache=True)
            first = median_run(firsts) if runs > 1 else firsts[0]
            row = {"page": page, "preset": preset, "first": first, "repeat": again}
            rows.append(row)
            print(line(row), flush=True)
    return rows


def _fmt(v, unit: str) -> str:
    if v is None:
        return "–"
    if unit == "s":
        return f"{v / 1000:.1f} s"
    if unit == "ms":
        return f"{v:.0f} ms"
    if unit == "KB":
        return f"{v / 1024:,.0f} KB" if v < 1024 * 1024 else f"{v / 1024 / 1024:.2f} MB"
    return str(v)


def line(row: dict) -> str:
    f, r = row["first"] or {}, row["repeat"] or {}
    return (f"| `{row['page']}` | {row['preset']} | {_fmt(f.get('score'), '')} | {_fmt(f.get('lcp_ms'), 's')} | {_fmt(f.get('tbt_ms'), 'ms')} "
            f"| {_fmt(f.get('bytes'), 'KB')} | {_fmt(r.get('bytes'), 'KB')} |")


HEADER = "| page | preset | score | LCP | TBT | bytes, first visit | bytes, repeat visit |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="a running server to measure (default: start gunicorn on the demo database)")
    ap.add_argument("--port", type=int, default=8106, help="port of the gunicorn this starts")
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--presets", default="desktop,mobile")
    ap.add_argument("--no-repeat", action="store_true", help="skip the repeat visits")
    ap.add_argument("--runs", type=int, default=1, help="first visits per page and preset; the row is the median run")
    ap.add_argument("--reports", type=Path, help="keep every Lighthouse report (JSON) in this folder")
    a = ap.parse_args()
    pages, presets = a.pages.split(","), a.presets.split(",")
    # A stopped run still stops its gunicorn and Chromium (the `finally`s below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = None
    if a.url:
        base = a.url.rstrip("/")
    else:
        from bench.replay import Server
        from data.config import DEMO_DB_URL
        server = Server(DEMO_DB_URL, port=a.port, workers=2).start()
        base = server.base
    print(HEADER, flush=True)
    try:
        rows = measure(base, pages, presets, repeat=not a.no_repeat, runs=a.runs, reports=a.reports)
    finally:
        if server:
            server.stop()
    out_dir = Path(os.environ.get("BENCH_DATA", ROOT / "var" / "bench"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"lighthouse-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"base": base, "lighthouse": LIGHTHOUSE_VERSION, "rows": rows}, indent=1))
    print(f"raw figures: {path}")


if __name__ == "__main__":
    main()
