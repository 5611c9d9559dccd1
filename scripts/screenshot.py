"""Screenshots of pages in headless Debian Chromium, for looking at what users see.

    python scripts/screenshot.py http://127.0.0.1:8050/levels?year=2023 out.png --size 1920x1080 [--wait 3] [--full] [--scroll]
"""
from __future__ import annotations

import argparse
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars"]


def driver(width: int, height: int) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for f in CHROME_FLAGS:
        opts.add_argument(f)
    opts.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--size", default="1366x768")
    ap.add_argument("--wait", type=float, default=3.0)
    ap.add_argument("--full", action="store_true", help="capture the whole page height")
    ap.add_argument("--scroll", action="store_true", help="scroll through the page first (charts below the fold draw when seen)")
    a = ap.parse_args()
    w, h = (int(x) for x in a.size.split("x"))
    d = driver(w, h)
    if w < 500:
        # Headless Chromium keeps a window at least ~500 px wide: a phone's width must be emulated.
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": True})
    try:
        d.get(a.url)
        time.sleep(a.wait)
        if a.scroll:
            height = d.execute_script("return document.body.scrollHeight")
            for y in range(0, height + h, h // 2):
                d.execute_script(f"window.scrollTo(0, {y})")
                time.sleep(0.3)
            d.execute_script("window.scrollTo(0, 0)")
            time.sleep(1)
        if a.full:
            height = d.execute_script("return document.body.scrollHeight")
            if w < 500:
                d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                  {"width": w, "height": min(max(height, h), 6000), "deviceScaleFactor": 1, "mobile": True})
            else:
                d.set_window_size(w, min(max(height, h), 6000))
            time.sleep(0.5)
        d.save_screenshot(a.out)
        for entry in d.get_log("browser"):
            if entry.get("level") == "SEVERE":
                print("console:", entry["message"])
    finally:
        d.quit()


if __name__ == "__main__":
    main()
