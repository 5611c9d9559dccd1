"""Sign-in (Flask-Login) and the per-request access scope.

When is sign-in on? Off for the local demo database (nothing in it is real); on for
any other database, unless ``AUTH_DISABLED=1``, and then every start logs a warning.

With sign-in on, every request but the sign-in page, static files and ``/healthz``
(exact paths) needs a signed-in, active user whose session record is still there
(:mod:`server.session_store`: sign-out deletes it) and whose row in the users table,
read at every request, still matches the session (a password reset or a disable ends it
at once; a re-enable works at once). Each request runs with the user's scope
(:func:`data.auth.scope_for`) so every :class:`DossierFilter` it builds carries a
district user's district.

The sign-in and sign-out forms carry Flask-WTF's CSRF token (bound to the session: a POST
without the session's token is refused). Dash's own callback requests need none: they are
JSON POSTs that a cross-site form cannot send and the session cookie is ``SameSite=Lax``
(docs/security.md). Failed sign-ins are rate-limited per client address and per username
*and* address (Flask-Limiter; Redis when ``RATELIMIT_STORAGE_URI`` or ``CACHE_REDIS_URL`` is
set, else per process), never per username alone, which would let anyone lock a user out.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import flask
from dash import Input, Output, dcc, html
from flask import g, jsonify, redirect, render_template_string, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from components.i18n import make_translator, normalise_lang
from components.i18n import t as common
from components.params import parse_search, reference_lists
from data import auth as users
from data.config import ROOT, database_url, is_demo_url
from data.db import DB_ERRORS, get_engine, safe_url, short_lock_wait

from .session_store import SessionStoreError, get_store

log = logging.getLogger("tthc.auth")

STRINGS = {
    "login.title": ("Đăng nhập", "Sign in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.failed": ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    "login.limited": ("Quá nhiều lần đăng nhập không thành công. Vui lòng thử lại sau ít phút.",
                      "Too many sign-in attempts. Please try again in a few minutes."),
    "login.db": ("Không kết nối được cơ sở dữ liệu; chưa thể đăng nhập. Vui lòng thử lại sau.",
                 "The database cannot be reached; signing in is not possible right now. Please try again later."),
    "login.expired": ("Phiên làm việc đã hết hạn; vui lòng đăng nhập lại.", "Your session expired; please sign in again."),
    "login.store": ("Không ghi được phiên đăng nhập; chưa thể đăng nhập. Vui lòng thử lại sau.",
                    "Sessions cannot be recorded right now; signing in is not possible. Please try again later."),
    "logout.title": ("Đăng xuất", "Sign out"),
    "logout.question": ("Bạn muốn đăng xuất khỏi hệ thống?", "Do you want to sign out?"),
    "user.signed_in": ("Đăng nhập:", "Signed in:"),
    "user.logout": ("Đăng xuất", "Sign out"),
    "role.province": ("toàn tỉnh", "whole province"),
    "role.admin": ("quản trị", "administrator"),
}
tr = make_translator(STRINGS)

# Matched exactly (pages) or as a folder (static files): "/loginx" or "/healthzz" is no public page.
PUBLIC_PATHS = frozenset({"/login", "/logout", "/healthz", "/_favicon.ico", "/favicon.ico"})
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
# Failed attempts per username and client address, and per client address (an office behind
# one NAT address shares the second allowance, hence larger).
LOGIN_LIMITS = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;30 per hour")
LOGIN_ADDRESS_LIMITS = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "20 per minute;100 per hour")

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
# What the signed cookie says about its user (role, district, names), for the requests made
# while the database cannot be read: the pages then show the "database down/busy" banner
# rather than the sign-in page. Never used when the users table answers.
SNAPSHOT_FIELDS = ("username", "display_name", "role", "unit_code")
_DB_UNREADABLE = object()


# ---------------------------------------------------------------- settings

def auth_mode(url: str | None = None) -> str:
    """'on', 'off-demo' (the local demo database) or 'off-setting' (AUTH_DISABLED=1)."""
    url = url or database_url()
    if is_demo_url(url):
        return "off-demo"
    if os.environ.get("AUTH_DISABLED", "").strip().lower() in ("1", "true", "yes", "on"):
        return "off-setting"
    return "on"


def auth_enabled() -> bool:
    return flask.current_app.config.get("TTHC_AUTH") == "on"


def secret_key() -> bytes | str:
    """``SECRET_KEY``, else a random key kept in var/secret-key (0600) so that every
    worker and every restart signs sessions with the same key."""
    env = os.environ.get("SECRET_KEY")
    if env:
        return env
    path = Path(os.environ.get("SECRET_KEY_FILE") or ROOT / "var" / "secret-key")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    for _ in range(50):  # another worker may be writing it this very moment
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"empty secret key file {path}")


# ---------------------------------------------------------------- users in the session

class SessionUser(UserMixin):
    def __init__(self, row: dict, token: str | None = None):
        self.row = row
        self.id = f"{row['id']}.{token or users.session_token(row)}"

    @property
    def role(self) -> str:
        return self.row["role"]

    @property
    def unit_code(self) -> str | None:
        return self.row.get("unit_code")

    @property
    def is_active(self) -> bool:
        return bool(self.row.get("active"))


def _engine():
    return get_engine()


def _load_row(user_id: int):
    """The user's row, read at every request (a disable, reset or re-enable takes effect at
    the next click); ``_DB_UNREADABLE`` when the database cannot be read."""
    try:
        # While an import holds the database this gives up at once: the page's own query
        # then waits for the lock and shows the "busy" banner.
        with _engine().connect() as conn, short_lock_wait(conn):
            return users.get_user(conn, user_id=user_id)
    except DB_ERRORS as err:
        text = str(getattr(err, "orig", err)).lower()
        if any(w in text for w in ("no such", "does not exist", "permission denied", "undefined")):
            # Not an outage but a schema or grant problem (tthc db upgrade not run?): nobody is signed in.
            log.error("the users table cannot be read: %s", text.splitlines()[0][:200] if text else err.__class__.__name__)
            return None
        return _DB_UNREADABLE


def _session_alive(user_id: int) -> bool:
    try:
        return get_store().alive(session.get("sid"), user_id)
    except SessionStoreError as exc:
        log.warning("session store unavailable, request treated as signed out: %s", str(exc)[:200])
        return False


@login_manager.user_loader
def _user_loader(session_id: str):
    try:
        raw_id, token = str(session_id).split(".", 1)
        user_id = int(raw_id)
    except (ValueError, TypeError):
        return None
    if not _session_alive(user_id):
        return None  # signed out (the record is gone), or expired
    row = _load_row(user_id)
    if row is _DB_UNREADABLE:
        who = session.get("who")
        # Nothing can be read now anyway; the signed cookie's own record of its user keeps the
        # scope until the database answers again (and the users table decides again).
        return SessionUser({**who, "id": user_id, "active": True}, token) if isinstance(who, dict) else None
    if row is None or not row["active"] or not users.token_matches(row, token):
        return None  # password reset, disabled or changed: the session ends
    return SessionUser(row)


def current_user_row() -> dict | None:
    """The signed-in user's row (without the hash), or None (also when sign-in is off)."""
    try:
        if current_user and current_user.is_authenticated:
            return {k: v for k, v in current_user.row.items() if k != "password_hash"}
    except Exception:  # noqa: BLE001 - outside a request
        return None
    return None


def current_role() -> str | None:
    """'province', 'district', 'admin'; None when sign-in is off (everyone is province)."""
    row = current_user_row()
    return row["role"] if row else None


def may_see_imports() -> bool:
    """Import history: admins when sign-in is on; everyone when it is off."""
    return not _auth_on_safe() or current_role() == "admin"


def _auth_on_safe() -> bool:
    try:
        return auth_enabled()
    except RuntimeError:
        return False


# ---------------------------------------------------------------- request hooks

def _is_public(path: str) -> bool:
    """The sign-in, sign-out and health paths exactly, and files that Dash's static routes
    serve: a path under /assets/ or /_dash-component-suites/ that only the pages' catch-all
    route matches (it would serve the page shell) is not public."""
    if path in PUBLIC_PATHS:
        return True
    rule = request.url_rule.rule if request.url_rule is not None else ""
    return path.startswith(STATIC_PREFIXES) and rule.startswith(STATIC_PREFIXES)


def _gate():
    """Before every request: decide the scope; send strangers to the sign-in page."""
    if not auth_enabled():
        return None
    user = current_user if current_user.is_authenticated else None
    row = user.row if user else None
    if row and row.get("active") and row["role"] == "commune":
        try:  # a commune user: their commune and the units it was formed from (deny if the database cannot say)
            district, units = users.commune_scope(_engine(), row.get("unit_code"))
        except DB_ERRORS:
            district, units = users.DENY_ALL, (users.DENY_ALL,)
        g.tthc_scope_token = users.set_scope(district, user.role, units)
    else:
        g.tthc_scope_token = users.set_scope(users.scope_for(row), user.role if user else None)
    if user is not None or _is_public(request.path):
        return None
    if request.path.startswith("/_dash-") or request.method != "GET":
        return jsonify(error="sign-in required"), 401
    lang = "&lang=en" if normalise_lang(request.args.get("lang")) == "en" else ""
    return redirect(f"/login?next={quote(_safe_next(request.full_path), safe='/')}{lang}")


def _reset_scope(_exc=None):
    token = g.pop("tthc_scope_token", None)
    if token is not None:
        try:
            users.reset_scope(token)
        except ValueError:  # a token from another context: nothing to undo here
            pass


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never '//evil.example' or 'https://…', nor a control
    character (CR/LF would split the Location header)."""
    target = (target or "/").strip()
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or len(target) > 2000:
        return "/"
    if target.endswith("?"):
        target = target[:-1]
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target or "/"


def _clean(text: str) -> str:
    """A username fit for a log line (no control characters, bounded)."""
    return re.sub(r"[^\w.@-]", "?", (text or ""))[:40]


# ---------------------------------------------------------------- pages

LOGIN_HTML = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('login.title') }} · TTHC</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap.min.css"><link rel="stylesheet" href="/assets/app.css"></head>
<body class="bg-light"><main class="container" style="max-width: 28rem; margin-top: 10vh">
<h1 class="h3 mb-1">{{ title }}</h1><p class="text-muted">{{ t('login.title') }}</p>
{% if message %}<div class="alert alert-{{ level }}" role="alert" id="login-message">{{ message }}</div>{% endif %}
<form method="post" action="/login?lang={{ lang }}" id="login-form">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="next" value="{{ next }}">
<div class="mb-3"><label class="form-label" for="username">{{ t('login.username') }}</label>
<input class="form-control form-control-lg" id="username" name="username" autocomplete="username" required maxlength="40" autofocus></div>
<div class="mb-3"><label class="form-label" for="password">{{ t('login.password') }}</label>
<input class="form-control form-control-lg" id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"></div>
<button class="btn btn-primary btn-lg w-100" type="submit" id="login-submit">{{ t('login.submit') }}</button>
</form>
<p class="mt-3 small"><a href="/login?lang={{ 'en' if lang == 'vi' else 'vi' }}" lang="{{ 'en' if lang == 'vi' else 'vi' }}">{{ 'English' if lang == 'vi' else 'Tiếng Việt' }}</a></p>
</main></body></html>"""


LOGOUT_HTML = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('logout.title') }} · TTHC</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap.min.css"><link rel="stylesheet" href="/assets/app.css"></head>
<body class="bg-light"><main class="container" style="max-width: 28rem; margin-top: 10vh">
<h1 class="h3 mb-3">{{ t('logout.title') }}</h1><p>{{ t('logout.question') }}</p>
<form method="post" action="/logout" id="logout-form"><input type="hidden" name="csrf_token" value="{{ csrf }}">
<button class="btn btn-primary btn-lg w-100" type="submit" id="logout-submit">{{ t('logout.title') }}</button></form>
</main></body></html>"""


def _csrf_token() -> str:
    """Flask-WTF's token for this session (made and kept in the session on first use)."""
    return generate_csrf()


def _csrf_ok() -> bool:
    """The form's token matches the session's (Flask-WTF: signed, compared in constant time);
    a request without a session has no token to match, so it is refused."""
    try:
        csrf.protect()
    except CSRFError as err:
        log.info("form refused (%s) from %s", err.description, get_remote_address())
        return False
    return True


def _login_page(lang: str, message: str | None = None, level: str = "danger", status: int = 200, next_: str = "/"):
    html = render_template_string(LOGIN_HTML, lang=lang, t=lambda k: tr(k, lang), title=common("app.title", lang),
                                  message=message, level=level, csrf=_csrf_token(), next=_safe_next(next_))
    return html, status


def _username_key() -> str:
    """A username *at one client address*: failures from elsewhere never lock its owner out."""
    return f"user:{(request.form.get('username') or '').strip().lower()[:40]}@{get_remote_address()}"


def login_view():
    lang = normalise_lang(request.args.get("lang"))
    if not auth_enabled():
        return redirect("/")
    if request.method == "GET":
        return _login_page(lang, next_=request.args.get("next", "/"))
    next_ = _safe_next(request.form.get("next", "/"))  # checked before anything is signed in
    if not _csrf_ok():
        return _login_page(lang, tr("login.expired", lang), "warning", 400, next_)
    username = (request.form.get("username") or "").strip().lower()
    password = request.form.get("password") or ""
    try:
        row = users.verify(_engine(), username, password)
    except DB_ERRORS:
        log.warning("sign-in impossible, database unavailable (user %s)", _clean(username))
        return _login_page(lang, tr("login.db", lang), "danger", 503, next_)
    if row is None:
        log.warning("sign-in failed for user %s from %s", _clean(username), get_remote_address())
        return _login_page(lang, tr("login.failed", lang), "danger", 401, next_)

    try:
        sid = get_store().create(row["id"])
    except SessionStoreError as exc:
        log.warning("sign-in impossible, session store unavailable: %s", str(exc)[:200])
        return _login_page(lang, tr("login.store", lang), "danger", 503, next_)
    session.clear()  # a fresh session: no fixation
    session["sid"] = sid
    session["who"] = {k: row.get(k) for k in SNAPSHOT_FIELDS}
    login_user(SessionUser(row))
    g.pop("csrf_token", None)
    generate_csrf()  # a new CSRF token with the new session (the sign-out form's)
    log.info("sign-in: user %s (%s%s)", _clean(username), row["role"], f" {row['unit_code']}" if row["unit_code"] else "")
    return redirect(next_)


def logout_view():
    """POST with the session's token signs out (the session record is deleted, so a copy of
    the cookie is dead too); GET asks first: a link or an image on another site cannot sign
    anyone out."""
    lang = normalise_lang(request.args.get("lang"))
    if not auth_enabled():
        return redirect("/")
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect("/login")
        return render_template_string(LOGOUT_HTML, lang=lang, t=lambda k: tr(k, lang), csrf=_csrf_token()), 200
    if not _csrf_ok():
        return jsonify(error="bad token"), 400
    if current_user.is_authenticated:
        log.info("sign-out: user %s", _clean(current_user.row["username"]))

    try:
        get_store().end(session.get("sid"))
    except SessionStoreError as exc:  # the cookie is cleared below all the same
        log.warning("session record not deleted, store unavailable: %s", str(exc)[:200])
    logout_user()
    session.clear()
    return redirect("/login")


def _user_label(lang: str) -> str:
    row = current_user_row()
    if not row:
        return ""
    where = row["unit_code"] if row["role"] == "district" else tr(f"role.{row['role']}", lang)
    if row["role"] == "district" and not g.get("tthc_db_unavailable"):
        try:
            where = next((d["short_name"] for d in reference_lists()["districts"] if d["code"] == row["unit_code"]), where)
        except Exception:  # noqa: BLE001 - a name is a nicety; the code will do
            pass
    return f"{tr('user.signed_in', lang)} {row['display_name'] or row['username']} ({where})"


def user_bar():
    """'Signed in: bob (Quế Sơn) · Sign out' above the navbar; nothing when sign-in is off."""
    if not _auth_on_safe():
        return None
    row = current_user_row()
    if not row:
        return None
    lang = "vi"
    return html.Form([
        html.Span(_user_label(lang), id="user-name"),
        dcc.Input(type="hidden", name="csrf_token", value=_csrf_token(), id="user-csrf"),
        html.Button(tr("user.logout", lang), type="submit", id="user-logout", className="btn btn-link btn-sm py-0"),
    ], action="/logout", method="POST", id="user-bar", className="user-bar small text-end px-3")


# ---------------------------------------------------------------- wiring

def init_auth(app) -> str:
    """Set up sign-in on the Dash app; returns the mode ('on', 'off-demo', 'off-setting')."""
    server = app.server
    mode = auth_mode()
    server.config["TTHC_AUTH"] = mode
    server.secret_key = secret_key()
    if mode == "off-demo":
        log.info("sign-in is off: this is the local demo database")
    elif mode == "off-setting":
        log.warning("SIGN-IN IS OFF (AUTH_DISABLED=1) on %s: everyone who reaches this server sees every district",
                    safe_url(database_url()))
    login_manager.init_app(server)
    login_manager.session_protection = "basic"
    # CSRF tokens for the two forms only (login_view and logout_view call csrf.protect());
    # valid as long as the session (a dashboard stays open all day on a projector).
    server.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None)
    csrf.init_app(server)
    storage = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("CACHE_REDIS_URL") or "memory://"
    server.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    server.config.setdefault("RATELIMIT_KEY_PREFIX", "tthc-login")
    limiter.init_app(server)
    # Failed sign-ins only (a redirect is a success), per client address and per username at that address.
    failed = dict(methods=["POST"], deduct_when=lambda response: response.status_code != 302)
    view = limiter.limit(LOGIN_ADDRESS_LIMITS, **failed)(limiter.limit(LOGIN_LIMITS, key_func=_username_key, **failed)(login_view))
    server.add_url_rule("/login", "login", view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout_view, methods=["GET", "POST"])

    @server.errorhandler(429)
    def _too_many(_e):
        if request.path == "/login":
            return _login_page(normalise_lang(request.args.get("lang")), tr("login.limited", request.args.get("lang") or "vi"),
                               "warning", 429, request.form.get("next", "/"))
        return jsonify(error="too many requests"), 429

    if mode == "on":
        @app.callback(Output("user-name", "children"), Output("user-logout", "children"), Input("url", "search"))
        def translate_user_bar(search):
            """The user bar speaks the page's language (the layout is built before the URL is known)."""
            lang = normalise_lang(parse_search(search).get("lang"))
            return _user_label(lang), tr("user.logout", lang)

    server.before_request(_gate)
    server.teardown_request(_reset_scope)

    inner = app.layout

    def layout_with_user_bar():
        body = inner() if callable(inner) else inner
        bar = user_bar()
        if bar is None:
            return body

        return html.Div([bar, body])

    app.layout = layout_with_user_bar
    return mode

