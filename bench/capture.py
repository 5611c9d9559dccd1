"""Record the real browser requests of each page: what a page load, a filter change
and a drill click send to ``/_dash-update-component``.

Headless Chromium (Debian's, as the browser tests use) with performance logging
(``goog:loggingPrefs``): every ``Network.requestWillBeSent`` POST to the Dash endpoint
is kept with its body, grouped by the user action that caused it. The replay
(:mod:`bench.replay`) sends exactly these bodies again, so the benchmark drives the
callbacks the pages really have, whatever they are when it runs.

    python -m bench.capture --base http://127.0.0.1:8066 --out var/bench/requests.json
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ENDPOINT = "/_dash-update-component"

# (page path, label of the page) — the pages the product has; a missing page still
# loads (Dash pages answers 404 content), and is reported as such.
PAGES = [("/", "overview"), ("/levels", "levels"), ("/late", "late"), ("/postal", "postal"), ("/scorecard", "scorecard"),
         ("/imports", "imports")]
YEAR = 2023
DISTRICT_TEXT = "Quế Sơn"  # typed into the district filter (code 509)


@dataclass
class Step:
    page: str
    action: str  # load / filter-district / filter-year / drill
    url: str
    requests: list[dict] = field(default_factory=list)  # {"body": str, "output": str, "bytes": int}
    browser_ms: float | None = None  # first request sent -> last response finished, in the browser
    note: str = ""


def make_driver() -> webdriver.Chrome:
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1366,900"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def _collect(driver, settle: float = 1.2, limit: float = 40.0) -> tuple[list[dict], float | None]:
    """Drain the performance log until the Dash requests have all finished and none came for ``settle`` s."""
    sent: dict[str, dict] = {}
    done: set[str] = set()
    t_first = t_last = None
    deadline = time.monotonic() + limit
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        entries = driver.get_log("performance")
        for e in entries:
            msg = json.loads(e["message"])["message"]
            method, params = msg.get("method"), msg.get("params", {})
            if method == "Network.requestWillBeSent":
                req = params["request"]
                if req["method"] == "POST" and ENDPOINT in req["url"]:
                    rid = params["requestId"]
                    body = req.get("postData")
                    if body is None and req.get("hasPostData"):
                        body = driver.execute_cdp_cmd("Network.getRequestPostData", {"requestId": rid})["postData"]
                    sent[rid] = {"body": body, "bytes": None}
                    t_first = params["timestamp"] if t_first is None else min(t_first, params["timestamp"])
            elif method == "Network.loadingFinished" and params.get("requestId") in sent:
                rid = params["requestId"]
                done.add(rid)
                sent[rid]["bytes"] = params.get("encodedDataLength")
                t_last = params["timestamp"] if t_last is None else max(t_last, params["timestamp"])
            elif method == "Network.loadingFailed" and params.get("requestId") in sent:
                done.add(params["requestId"])
        if entries:
            quiet_since = time.monotonic()
        if set(sent) <= done and time.monotonic() - quiet_since > settle:
            break
        time.sleep(0.1)
    out = []
    for r in sent.values():
        try:
            r["output"] = json.loads(r["body"]).get("output", "?")
        except (TypeError, ValueError):
            r["output"] = "?"
        out.append(r)
    browser_ms = (t_last - t_first) * 1000 if t_first is not None and t_last is not None else None
    return out, browser_ms


def _choose(driver, control_id: str, text: str) -> bool:
    """Pick an option of a dcc.Dropdown like a user: open it, type, Enter."""
    try:
        box = driver.find_element(By.ID, control_id)
        box.click()
        time.sleep(0.3)
        opts = driver.find_elements(By.XPATH, f"//*[contains(@class,'dash-options-list-option-text')][normalize-space(.)='{text}']")
        if opts:
            opts[0].click()
            return True
        active = driver.switch_to.active_element
        active.send_keys(text)
        time.sleep(0.3)
        active.send_keys(Keys.ENTER)
        return True
    except Exception:  # noqa: BLE001 - the page may not have this control
        return False


def _drill(driver) -> str:
    """Click what a user clicks to drill down: the first bar/point of the first chart, else a drill link."""
    pts = driver.find_elements(By.CSS_SELECTOR, "#_pages_content .js-plotly-plot .plot .points path, "
                                                "#_pages_content .js-plotly-plot .plot .point path")
    from selenium.webdriver.common.action_chains import ActionChains

    for p in pts[:5]:
        try:
            # as a mouse does (the browser tests too): a plain element click on an SVG path is
            # refused when plotly's drag layer lies on top of it
            ActionChains(driver).move_to_element(p).click().perform()
            return "clicked a chart point"
        except Exception:  # noqa: BLE001 - hidden or covered: try the next one
            continue
    links = driver.find_elements(By.CSS_SELECTOR, "#_pages_content a[href*='?']")
    for a in links[:5]:
        try:
            a.click()
            return f"clicked link {a.get_attribute('href')}"
        except Exception:  # noqa: BLE001
            continue
    return "nothing to click"


def nav_pages(driver, base: str) -> list[tuple[str, str]]:
    """The pages the navbar links to (what exists when the benchmark runs), else PAGES."""
    from urllib.parse import urlsplit

    driver.get(f"{base}/?year={YEAR}")
    _collect(driver)
    found = []
    for a in driver.find_elements(By.CSS_SELECTOR, "#navbar a.nav-link"):
        path = urlsplit(a.get_attribute("href") or "").path or "/"
        name = (a.get_attribute("id") or "").removeprefix("nav-") or path.strip("/") or "overview"
        if (path, name) not in found:
            found.append((path, name))
    return found or PAGES


def capture(base: str, pages=None) -> list[Step]:
    driver = make_driver()
    steps: list[Step] = []
    try:
        pages = pages or nav_pages(driver, base)
        for path, label in pages:
            url = f"{base}{path}?year={YEAR}"
            driver.get(url)
            reqs, ms = _collect(driver)
            steps.append(Step(label, "load", url, reqs, ms))
            ok = _choose(driver, "filter-district", DISTRICT_TEXT)
            reqs, ms = _collect(driver)
            steps.append(Step(label, "filter-district", driver.current_url, reqs, ms, "" if ok else "no district control"))
            ok = _choose(driver, "filter-year", str(YEAR - 1))
            reqs, ms = _collect(driver)
            steps.append(Step(label, "filter-year", driver.current_url, reqs, ms, "" if ok else "no year control"))
            driver.get(url)  # back to the plain view, then drill
            _collect(driver)
            note = _drill(driver)
            reqs, ms = _collect(driver)
            steps.append(Step(label, "drill", driver.current_url, reqs, ms, note))
    finally:
        driver.quit()
    return steps


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="http://127.0.0.1:8066")
    ap.add_argument("--out", default="var/bench/requests.json")
    args = ap.parse_args(argv)
    steps = capture(args.base)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump([asdict(s) for s in steps], fh, ensure_ascii=False, indent=1)
    for s in steps:
        print(f"{s.page:9} {s.action:16} {len(s.requests):2} requests  browser {s.browser_ms or 0:7.0f} ms  {s.note}")


if __name__ == "__main__":
    main()
