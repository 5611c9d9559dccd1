"""Sign-in, roles and the district scope, against the real app in a subprocess.

The scope tests forge callback requests (POST /_dash-update-component) for every
callback the app has, asking for district 502 (Tam Kỳ) while signed in as the
district user of 509 (Quế Sơn): nothing of Tam Kỳ may come back. The same requests
made as the province user do return Tam Kỳ, so the check can fail.
"""
from __future__ import annotations

import pytest
import requests

from data.auth import get_user
from tests.auth_server import (
    OTHER_DISTRICT_WORDS,
    PASSWORDS,
    decoded,
    dependencies,
    login,
    post_callback,
    session_cookie,
    start_fixture_app,
)

PATHS = ["/", "/levels", "/late", "/postal", "/report", "/present", "/imports", "/nope"]
FORGED = {
    "search": "?year=2023&district=502",
    "value": "502",
    ("filter-year", "value"): "2023",
    ("filter-lang", "value"): "vi",
    "n_clicks": 1,
    "n_intervals": 1,
    "clickData": {"points": [{"x": "502", "y": 1, "label": "502", "customdata": ["502", "district"], "curveNumber": 0,
                              "pointNumber": 0, "location": "502"}]},
    "options": [{"label": "502", "value": "502"}, {"label": "509", "value": "509"}, {"label": "2023", "value": "2023"}],
}
SKIP_OUTPUTS = ("db-reload.",)  # reloads the page; no data


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def auth_app(request, tmp_path_factory, pg_schema_factory_lazy):
    server, engine, cleanup = start_fixture_app(request.param, tmp_path_factory.mktemp("auth"), pg_schema_factory_lazy, "auth")
    yield server, engine
    server.stop()
    cleanup()
    engine.dispose()


def _all_callback_responses(session, server):
    """Every callback called with forged values, for every page path: [(callback, path, response)]."""
    out = []
    for cb in dependencies(session, server):
        if cb["output"].startswith(SKIP_OUTPUTS) or cb.get("clientside_function"):
            continue
        paths = PATHS if any(d["property"] in ("pathname", "href") for d in cb["inputs"] + cb["state"]) else ["/levels"]
        for path in paths:
            values = dict(FORGED, pathname=path, href=f"{server.url}{path}?year=2023&district=502")
            out.append((cb["output"], path, post_callback(session, server, cb, values)))
    return out


def test_auth001_strangers_are_sent_to_sign_in(auth_app):
    server, _ = auth_app
    page = requests.get(server.url + "/levels?year=2023", allow_redirects=False, timeout=10)
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=/levels%3Fyear%3D2023"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert requests.get(server.url + path, timeout=10).status_code == 401
    resp = requests.post(server.url + "/_dash-update-component", json={"output": "x.y"}, timeout=10)
    assert resp.status_code == 401 and "Tam" not in resp.text
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200  # the proxy's check needs no sign-in


def test_auth002_district_user_gets_nothing_of_another_district(auth_app):
    server, _ = auth_app
    s = login(server, "queson")
    responses = _all_callback_responses(s, server)
    assert len(responses) >= 8
    for output, path, resp in responses:
        assert resp.status_code in (200, 204), (output, path, resp.status_code, resp.text[:300])
        body = decoded(resp)
        for word in OTHER_DISTRICT_WORDS:
            assert word not in body, (output, path, word)
    # The forged page request renders the user's own district instead, with a note.
    levels = [decoded(r) for o, p, r in responses if o.startswith(".._pages_content") and p == "/levels"][0]
    assert "Quế Sơn" in levels and "chỉ xem được" in levels


def test_auth003_province_user_does_see_it(auth_app):
    """The control: the same forged requests from the province user return Tam Kỳ."""
    server, _ = auth_app
    s = login(server, "tinh")
    responses = _all_callback_responses(s, server)
    bodies = [decoded(r) for _, _, r in responses]
    assert any("Tam Kỳ" in b for b in bodies)
    downloads = [decoded(r) for o, _, r in responses if o.endswith(".data") and r.status_code == 200]
    assert downloads and any("Tam Kỳ" in d for d in downloads), "a forged download for 502 should carry Tam Kỳ"
    levels_page = [b for b in bodies if "_pages_content" in b and "Tam Kỳ" in b]
    assert levels_page, "the province user's forged /levels?district=502 should show Tam Kỳ"


def test_auth004_layout_and_filter_lists_are_scoped(auth_app):
    server, _ = auth_app
    s = login(server, "queson")
    layout = decoded(s.get(server.url + "/_dash-layout", timeout=10))
    assert "Quế Sơn" in layout and "Tam Kỳ" not in layout
    assert "user-bar" in layout and "Phòng một cửa Quế Sơn" in layout
    p = login(server, "tinh")
    assert "Tam Kỳ" in decoded(p.get(server.url + "/_dash-layout", timeout=10))


def test_auth005_wrong_password_unknown_user_and_no_clear_text(auth_app):
    server, engine = auth_app
    s = requests.Session()
    page = s.get(server.url + "/login", timeout=10)
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    cookie = {"Cookie": f"tthc_session={session_cookie(page)}"}
    wrong = "Sai-mat-khau-khong-dung-9"
    for user in ("queson", "khong-co-ai"):
        resp = s.post(server.url + "/login", data={"csrf": csrf, "username": user, "password": wrong}, headers=cookie,
                      allow_redirects=False, timeout=30)
        assert resp.status_code == 401 and "không đúng" in resp.text
    bad_csrf = s.post(server.url + "/login", data={"csrf": "forged", "username": "queson", "password": PASSWORDS["queson"]},
                      headers=cookie, allow_redirects=False, timeout=30)
    assert bad_csrf.status_code == 400
    login(server, "queson")
    log = server.log
    assert "sign-in failed for user queson" in log and "sign-in: user queson" in log
    for secret in [wrong, *PASSWORDS.values()]:
        assert secret not in log
    row = get_user(engine, username="queson")
    assert PASSWORDS["queson"] not in row["password_hash"] and row["password_hash"].startswith("scrypt:")


def test_auth006_open_redirect_refused(auth_app):
    server, _ = auth_app
    s = requests.Session()
    page = s.get(server.url + "/login?next=//evil.example/x", timeout=10)
    assert "//evil.example" not in page.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    resp = s.post(server.url + "/login", data={"csrf": csrf, "username": "tinh", "password": PASSWORDS["tinh"],
                                                "next": "https://evil.example/"},
                  headers={"Cookie": f"tthc_session={session_cookie(page)}"}, allow_redirects=False, timeout=30)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_auth007_logout_ends_the_session(auth_app):
    server, _ = auth_app
    s = login(server, "admin")
    assert s.get(server.url + "/_dash-layout", timeout=10).status_code == 200
    s.get(server.url + "/logout", allow_redirects=False, timeout=10)
    # The cookie the browser held before signing out no longer works once it is replaced;
    # here the old cookie value is still sent, so check the server-side effect via a new login page.
    assert requests.get(server.url + "/_dash-layout", timeout=10).status_code == 401


def test_auth008_admin_pages_not_shared_through_caches(auth_app):
    """Import history is for admins: the province user, who has the same data scope,
    gets the page without it, even right after an admin opened it (any cache of
    rendered pages must key on data.auth.access_key(), not the scope alone)."""
    server, _ = auth_app
    admin, province = login(server, "admin"), login(server, "tinh")

    def imports_page(session):
        deps = dependencies(session, server)
        cb = [c for c in deps if c["output"].startswith(".._pages_content")][0]
        return decoded(post_callback(session, server, cb, {"pathname": "/imports", "search": "?year=2023"}))

    as_admin = imports_page(admin)
    as_province = imports_page(province)
    assert as_admin != as_province
    assert imports_page(admin) == as_admin


def test_auth009_failed_sign_ins_are_rate_limited(auth_app):
    """Runs last in the module: it uses up the failure allowance of 127.0.0.1."""
    server, _ = auth_app
    s = requests.Session()
    page = s.get(server.url + "/login", timeout=10)
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    cookie = {"Cookie": f"tthc_session={session_cookie(page)}"}
    codes = [s.post(server.url + "/login", data={"csrf": csrf, "username": "tinh", "password": f"wrong-password-{i}"},
                    headers=cookie, allow_redirects=False, timeout=30).status_code for i in range(8)]
    assert codes[0] == 401 and codes[-1] == 429, codes
    limited = s.post(server.url + "/login", data={"csrf": csrf, "username": "tinh", "password": PASSWORDS["tinh"]},
                     headers=cookie, allow_redirects=False, timeout=30)
    assert limited.status_code == 429 and "Quá nhiều" in limited.text  # even the right password waits
