"""How the pages travel to the browser: compressed, cached for a year when they cannot change, and
only the JavaScript a page needs (issue 16). Commune offices sit on slow lines; leaders read on phones.

* **Compression in the app** (flask-compress): brotli where the browser accepts it, else gzip, for
  the HTML, the callbacks' JSON and everything else text, so gunicorn alone serves compressed
  (nginx in front keeps it: docs/deploy.md). Dash's own ``compress=True`` forces gzip only.
* **Static files compressed once**: the JavaScript and CSS under ``/assets/`` and
  ``/_dash-component-suites/`` are compressed at the highest practical level on their first request
  and kept in ``var/compressed/`` (keyed by their content), not recompressed per request.
* **Long-lived caching**: a file whose URL carries a fingerprint (Dash's ``?m=<mtime>`` on assets,
  ``.v<version>m<mtime>.`` on component suites) changes URL when it changes, so it is
  ``immutable`` for a year: a second visit transfers only the page and its data.
* **A partial plotly.js**: the app draws bar, scatter and heatmap traces only; a bundle of
  exactly those (``assets/vendor/plotly-bar-heatmap-scatter-4.1.1.min.js``, built by
  ``scripts/build_plotly_bundle.sh``: 1.18 MB, 365 KB brotli, against the full bundle's 4.8 MB)
  is what dcc.Graph loads, on the first chart a page draws, and Dash's full bundle is not
  served at all.
* **No polyfill for today's browsers**: Dash's @babel/polyfill is linked ``nomodule`` (only
  browsers older than ES modules load it); the regenerator runtime it also carried is an asset.
* **No dash_table**: Dash links its DataTable's bundle into every page; the app shows its tables
  with dash-ag-grid and html, so the bundle stays servable but is not linked.
* **dash-ag-grid on demand**: its 1.3 MB script is loaded by ``assets/lazy_libraries.js`` when
  a grid is first rendered (/late's dossier list, /postal's table), not on every page.

* **The layout fetched with the scripts**: Dash's renderer asks for ``_dash-layout`` and
  ``_dash-dependencies`` only once its scripts have run; ``<link rel="preload">`` in the page's
  head starts both at once, so on a slow line the page's content does not wait two more round
  trips (the renderer's ``fetch`` takes the preloaded answers: same URL, mode and credentials).

The two URLs the browser loads on demand are handed to ``assets/lazy_libraries.js`` in a
``<meta name="tthc-libraries">`` tag of the page (JSON; no inline script, so the CSP stays strict).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from pathlib import Path

import brotli
import dash
import dash_ag_grid
from dash import dash_table, dcc
from dash.fingerprint import build_fingerprint
from flask import request
from flask_compress import Compress

from data.config import ROOT

log = logging.getLogger("tthc.delivery")

ASSETS = ROOT / "assets"
PLOTLY_BUNDLE = "vendor/plotly-bar-heatmap-scatter-4.1.1.min.js"  # under assets/; origin and licence in assets/vendor/README.md
# The trace types the bundle registers (scripts/plotly_bundle/entry.js): all the app draws.
PLOTLY_BUNDLE_TRACES = frozenset({"bar", "heatmap", "scatter"})
GRID_SCRIPT = "dash_ag_grid.min.js"
COMPRESSED_DIR = Path(os.environ.get("TTHC_COMPRESSED_DIR") or ROOT / "var" / "compressed")
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
STATIC_TYPES = frozenset({"text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml",
                          "text/plain"})
POLYFILL_SCRIPT = re.compile(r'<script src="([^"]*/deps/polyfill@[^"]*)"></script>')
YEAR = 31536000
MIN_SIZE = 500  # below this, headers outweigh the saving


def init_delivery(app: dash.Dash) -> None:
    """Call once, after the Dash app exists and before the first request."""
    server = app.server
    server.config.update(COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_BR_LEVEL=5, COMPRESS_LEVEL=6, COMPRESS_MIN_SIZE=MIN_SIZE)
    Compress(server)
    # Flask runs after-request functions last-registered first: these see a response before flask-compress.
    server.after_request(_static_compressed)
    server.after_request(_long_cache)
    _partial_plotly(app)
    _grid_on_demand()
    _no_data_table()
    _preload_layout(app)
    _polyfill_for_old_browsers_only(app)
    app.config.meta_tags.append({"name": "tthc-libraries", "content": json.dumps(library_urls(app), separators=(",", ":"))})


def _partial_plotly(app: dash.Dash) -> None:
    """dcc.Graph loads plotly.js from ``window._dashPlotlyJSURL`` when the first chart mounts;
    lazy_libraries.js points that at the partial bundle. Dash's entry for its full bundle goes,
    so the full bundle is neither linked nor served."""
    dcc._js_dist[:] = [r for r in dcc._js_dist if r.get("namespace") != "plotly"]
    ignore = r"(^|/)plotly-[^/]*\.min\.js$"  # served from /assets on request, not a <script> of every page
    app.config.assets_ignore = f"{app.config.assets_ignore}|{ignore}" if app.config.assets_ignore else ignore


def _grid_on_demand() -> None:
    """dash-ag-grid's script stays servable but is no <script> of the page: Dash's "dynamic"
    resources are registered for serving and left out of the index."""
    for resource in dash_ag_grid._js_dist:
        if resource.get("relative_package_path") == GRID_SCRIPT:
            resource["dynamic"] = True


def _preload_layout(app: dash.Dash) -> None:
    prefix = app.config.requests_pathname_prefix
    links = "".join(f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin="anonymous">'
                    for path in ("_dash-layout", "_dash-dependencies"))
    app.index_string = app.index_string.replace("{%css%}", links + "\n        {%css%}", 1)


def _polyfill_for_old_browsers_only(app: dash.Dash) -> None:
    """Dash links @babel/polyfill (core-js 2 + regenerator, 25 KB brotli) into every page for
    browsers older than ES2015. ``nomodule`` keeps it for exactly those (a browser that knows ES
    modules skips the script); the rest get only the regenerator runtime the Dash bundles call
    (``assets/vendor/regenerator-runtime-0.14.1.min.js``, 2.4 KB brotli, linked by Dash with the other assets)."""
    interpolate = app.interpolate_index

    def with_polyfill_nomodule(**parts):
        parts["scripts"] = POLYFILL_SCRIPT.sub(r'<script nomodule src="\1"></script>', parts["scripts"], count=1)
        return interpolate(**parts)

    app.interpolate_index = with_polyfill_nomodule


def _no_data_table() -> None:
    """No page draws a dash_table.DataTable (tests/test_delivery.py): its bundle is not linked."""
    for resource in dash_table._js_dist:
        if resource.get("relative_package_path") == "dash_table/bundle.js":
            resource["dynamic"] = True


def library_urls(app: dash.Dash) -> dict:
    """Fingerprinted URLs of the libraries lazy_libraries.js loads on demand (the fingerprints
    Dash itself would give them, so they are cached for a year and change when the file does)."""
    prefix = app.config.requests_pathname_prefix
    plotly_mtime = int((ASSETS / PLOTLY_BUNDLE).stat().st_mtime)
    grid_mtime = int((Path(dash_ag_grid.__file__).parent / GRID_SCRIPT).stat().st_mtime)
    return {
        "plotly": f"{prefix}assets/{PLOTLY_BUNDLE}?m={plotly_mtime}",
        "dash_ag_grid": f"{prefix}_dash-component-suites/dash_ag_grid/{build_fingerprint(GRID_SCRIPT, dash_ag_grid.__version__, grid_mtime)}",
    }


def _fingerprinted() -> bool:
    if request.path.startswith("/assets/"):
        return "m" in request.args
    last = request.path.rsplit("/", 1)[-1].split(".")
    return len(last) > 2 and last[1].startswith("v") and "m" in last[1]


def _long_cache(response):
    if request.method in ("GET", "HEAD") and response.status_code in (200, 304) and request.path.startswith(STATIC_PREFIXES) \
            and _fingerprinted():
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def accepted_encoding(header: str) -> str | None:
    """``br`` or ``gzip`` (in that order of preference) if the Accept-Encoding header allows it."""
    offered = {}
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip()] = q
    for name in ("br", "gzip"):
        if offered.get(name, offered.get("*", 0.0)) > 0:
            return name
    return None


def compressed_copy(data: bytes, encoding: str) -> bytes:
    """``data`` compressed with ``encoding``, computed once per content and kept on disk
    (brotli quality 9: within a few per cent of 11 at a twentieth of the time)."""
    key = hashlib.sha256(data).hexdigest()[:40]
    path = COMPRESSED_DIR / f"{key}.{encoding}"
    try:
        return path.read_bytes()
    except OSError:
        pass
    packed = brotli.compress(data, quality=9) if encoding == "br" else gzip.compress(data, 9, mtime=0)
    try:
        COMPRESSED_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(packed)
        tmp.replace(path)  # atomic: several workers may write the same file
    except OSError as exc:  # a read-only disk: serve it compressed anyway
        log.warning("cannot keep a compressed copy in %s: %s", COMPRESSED_DIR, exc)
    return packed


def _static_compressed(response):
    if request.method != "GET" or response.status_code != 200 or not request.path.startswith(STATIC_PREFIXES) \
            or response.mimetype not in STATIC_TYPES or "Content-Encoding" in response.headers:
        return response
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""))
    if encoding is None:
        return response
    response.direct_passthrough = False  # a file response: read it
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(compressed_copy(data, encoding))
    response.headers["Content-Encoding"] = encoding
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary and "accept-encoding" not in vary.lower() else vary or "Accept-Encoding"
    # The ETag stays the file's (as nginx's gzip_static does): the revalidation of an
    # unfingerprinted file (If-None-Match) still answers 304, and caches key on Vary.
    return response

