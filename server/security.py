"""HTTP security headers (flask-talisman) and session-cookie settings.

Content-Security-Policy that Dash works with (checked in headless Chromium, see
tests/test_browser_security.py):

- ``script-src 'self'`` plus the SHA-256 hashes of Dash's inline scripts
  (``app.csp_hashes()``: the renderer's start-up line and any clientside callbacks),
  computed at the first request, after every callback is registered. No
  ``'unsafe-inline'``; ``'unsafe-eval'`` only when ``CSP_UNSAFE_EVAL=1`` (plotly's
  WebGL traces compile code at run time; the charts here use SVG traces).
- ``style-src 'self' 'unsafe-inline'``: React and plotly set inline styles.
- ``img-src 'self' data: blob:`` (plotly's PNG export), ``connect-src 'self'``,
  ``frame-ancestors 'none'`` (no framing: clickjacking), ``object-src 'none'``,
  ``base-uri 'self'``, ``form-action 'self'``.

Other headers: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
``Referrer-Policy: same-origin``, a restrictive ``Permissions-Policy``; HSTS only
on HTTPS requests; with sign-in on, ``Cache-Control: no-store`` on everything but
static files (a shared or proxy cache must not keep a signed-in user's data). Session
cookie: HttpOnly, SameSite=Lax, Secure when sign-in is on (``COOKIE_SECURE=0`` for a
plain-HTTP intranet, with a warning), and never set by a response that failed (5xx).
"""
from __future__ import annotations

import datetime as dt
import logging
import os

from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("tthc.security")


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def content_security_policy(unsafe_eval: bool = False) -> dict:
    script = ["'self'"] + (["'unsafe-eval'"] if unsafe_eval else [])
    return {
        "default-src": "'self'",
        "script-src": script,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "frame-ancestors": "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }


STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")


class NoCookieOnErrorSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a response that failed (5xx) never sets
    or changes the cookie: half a sign-in must not leave a session behind."""

    def save_session(self, app, session, response):
        if response.status_code >= 500:
            return
        super().save_session(app, session, response)


def init_security(app) -> Talisman:
    """Headers on every response; call after the app's layout and callbacks exist."""
    server = app.server
    auth_on = server.config.get("TTHC_AUTH", "on") == "on"
    secure_cookie = _flag("COOKIE_SECURE", auth_on)
    if auth_on and not secure_cookie:
        log.warning("COOKIE_SECURE=0: session cookies travel over plain HTTP; use HTTPS in front of the app")
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookie,
        SESSION_COOKIE_NAME="tthc_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,  # callback payloads are small; a huge body is an attack
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
    )
    server.session_interface = NoCookieOnErrorSessionInterface()
    proxies = int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0)
    if proxies > 0:
        # Behind nginx: client address and scheme from X-Forwarded-* (rate limits need the real address).

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    csp = content_security_policy(_flag("CSP_UNSAFE_EVAL", False))
    talisman = Talisman(
        server,
        force_https=_flag("FORCE_HTTPS", False),  # TLS usually ends at the province's proxy
        strict_transport_security=True,  # sent only on HTTPS requests
        session_cookie_secure=secure_cookie,
        session_cookie_http_only=True,
        frame_options="DENY",
        content_security_policy=csp,
        referrer_policy="same-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()", "payment": "()"},
        x_content_type_options=True,
    )
    state = {"hashed": False}

    if auth_on:
        @server.after_request
        def _no_store(response):
            # Pages, layouts, callbacks and downloads of a signed-in user: no cache may keep them.

            if not request.path.startswith(STATIC_PREFIXES):
                response.headers["Cache-Control"] = "no-store"
            return response

    @server.before_request
    def _hash_inline_scripts():
        # Dash knows its inline scripts only once it has set itself up (first request).
        if not state["hashed"]:
            try:
                hashes = app.csp_hashes()
            except Exception:  # noqa: BLE001 - a policy without hashes only blocks more
                log.exception("cannot compute the CSP hashes of Dash's inline scripts")
                hashes = []
            talisman.content_security_policy["script-src"] = csp["script-src"] + hashes
            state["hashed"] = True

    return talisman
