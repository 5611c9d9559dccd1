"""Sign-in, roles and the district scope, against the real app in a subprocess.

The scope tests forge callback requests (POST /_dash-update-component) for every
callback the app has, on every page, with every code of another district in the URL and
in the values (district 502 Tam Kỳ, its commune 20335 Tân Thạnh, its procedures, its
late-list state), while signed in as the district user of 509 (Quế Sơn): nothing of Tam
Kỳ may come back. The same requests made as the province user do return Tam Kỳ and Tân
Thạnh, so the check can fail.
"""
from __future__ import annotations

import pytest
import requests

from data.auth import get_user
from tests.auth_server import (
    OTHER_DISTRICT_WORDS,
    PASSWORDS,
    csrf_of,
    decoded,
    dependencies,
    login,
    post_callback,
    session_cookie,
    start_fixture_app,
)
from tests.conftest import page_paths

# Another district's codes in every URL parameter that takes one (global and pages' own).
FORGED_SEARCHES = [
    "?year=2023&district=502",
    "?year=2023&commune=20335",
    "?year=2023&district=502&commune=20335&view=list",
    "?year=2023&commune=20335&procedure=TP-X-01",
    "?year=2023&district=502&level=commune",
    "?year=2023&district=502&level=district&procedure=DD-H-01",
    "?year=2023&mode=overdue&district=502&view=list",
    "?year=2023&district=502&sector=TP&from=2023-01&to=2023-12",
    *[f"?year=2023&district=502&slide={i}" for i in range(1, 9)],
]
OTHER_STATE = {"mode": "late", "lang": "vi", "first_ym": 202301, "last_ym": 202312, "level": None, "district": "502",
               "sector": None, "procedure": None, "commune": None}
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
    "data": OTHER_STATE,  # the late list's state store (client data)
    "getRowsRequest": {"startRow": 0, "endRow": 100},
}
SKIP_OUTPUTS = ("db-reload.",)  # reloads the page; no data


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def auth_app(request, tmp_path_factory, pg_schema_factory_lazy):
    server, engine, cleanup = start_fixture_app(request.param, tmp_path_factory.mktemp("auth"), pg_schema_factory_lazy, "auth")
    yield server, engine
    server.stop()
    cleanup()
    engine.dispose()


def all_paths() -> list[str]:
    """Every page's path (the page registry) and one that is no page."""
    return [*page_paths(), "/nope"]


def _all_callback_responses(session, server):
    """Every callback called with forged values, for every page path and every forged URL:
    [(callback, path + search, response)]."""
    out = []
    for cb in dependencies(session, server):
        if cb["output"].startswith(SKIP_OUTPUTS) or cb.get("clientside_function"):
            continue
        deps = cb["inputs"] + cb["state"]
        paths = all_paths() if any(d["property"] in ("pathname", "href") for d in deps) else ["/levels"]
        searches = FORGED_SEARCHES if any(d["property"] in ("search", "href") for d in deps) else FORGED_SEARCHES[:1]
        for path in paths:
            for search in searches:
                values = dict(FORGED, pathname=path, search=search, href=f"{server.url}{path}{search}")
                out.append((cb["output"], path + search, post_callback(session, server, cb, values)))
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
    assert {p.split("?")[0] for _, p, _ in responses} == set(all_paths())
    # Tam Kỳ's dossiers by code, in the forged late-list state's grid and downloads.
    for output, _path, resp in responses:
        if output.startswith(("late-grid", "late-download")):
            assert not any(f'"{code}"' in decoded(resp) or f"\n{code}," in decoded(resp) for code in ("D4", "D5", "D7")), output
    levels = [decoded(r) for o, p, r in responses if o.startswith(".._pages_content") and p == "/levels" + FORGED_SEARCHES[0]][0]
    assert "Quế Sơn" in levels and "chỉ xem được" in levels


def test_auth015_commune_user_gets_nothing_of_another_commune(auth_app):
    """A commune account (Đông Phú, 20641): the same forged requests show neither another district
    nor the other commune of its own district, nor the district's own desk."""
    server, _ = auth_app
    s = login(server, "dongphu")
    responses = _all_callback_responses(s, server)
    for output, path, resp in responses:
        assert resp.status_code in (200, 204), (output, path, resp.status_code, resp.text[:300])
        body = decoded(resp)
        for word in (*OTHER_DISTRICT_WORDS, "Quế Xuân 1", "UBND Huyện Quế Sơn"):
            assert word not in body, (output, path, word)
    # Quế Sơn's dossiers received by the district desk (D1, D2: agency H509) are not listed.
    for output, _path, resp in responses:
        if output.startswith(("late-grid", "late-download")):
            assert not any(f'"{code}"' in decoded(resp) for code in ("D1", "D2", "D4")), output
    levels = [decoded(r) for o, p, r in responses if o.startswith(".._pages_content") and p == "/levels" + FORGED_SEARCHES[0]][0]
    assert "Đông Phú" in levels  # the page names the user's commune


def test_auth003_province_user_does_see_it(auth_app):
    """The control: the same forged requests from the province user return Tam Kỳ."""
    server, _ = auth_app
    s = login(server, "tinh")
    responses = _all_callback_responses(s, server)
    bodies = [decoded(r) for _, _, r in responses]
    assert any("Tam Kỳ" in b for b in bodies)
    assert any("Tân Thạnh" in decoded(r) for o, p, r in responses if "commune=20335" in p and o.startswith(".._pages_content"))
    grid = [decoded(r) for o, _, r in responses if o.startswith("late-grid")]
    assert grid and any('"D4"' in g for g in grid), "the forged late-list state should list Tam Kỳ's late dossier D4"
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
    csrf = csrf_of(page)
    cookie = {"Cookie": f"tthc_session={session_cookie(page)}"}
    wrong = "Sai-mat-khau-khong-dung-9"
    for user in ("queson", "khong-co-ai"):
        resp = s.post(server.url + "/login", data={"csrf_token": csrf, "username": user, "password": wrong}, headers=cookie,
                      allow_redirects=False, timeout=30)
        assert resp.status_code == 401 and "không đúng" in resp.text
    bad_csrf = s.post(server.url + "/login", data={"csrf_token": "forged", "username": "queson", "password": PASSWORDS["queson"]},
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
    csrf = csrf_of(page)
    resp = s.post(server.url + "/login", data={"csrf_token": csrf, "username": "tinh", "password": PASSWORDS["tinh"],
                                                "next": "https://evil.example/"},
                  headers={"Cookie": f"tthc_session={session_cookie(page)}"}, allow_redirects=False, timeout=30)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def _signed_in(cookie_header: str, server) -> bool:
    """Does this Cookie header still read data? (layout and a callback)"""
    layout = requests.get(server.url + "/_dash-layout", headers={"Cookie": cookie_header}, timeout=10)
    deps = requests.get(server.url + "/_dash-dependencies", headers={"Cookie": cookie_header}, timeout=10)
    return layout.status_code == 200 and deps.status_code == 200


def _logout_form_token(session, server) -> str:
    page = session.get(server.url + "/logout", allow_redirects=False, timeout=10)
    assert page.status_code == 200 and 'id="logout-form"' in page.text  # GET asks, it does not sign out
    return csrf_of(page)


def test_auth007_a_copied_cookie_is_dead_after_sign_out(auth_app):
    """Finding 4: sign-out ends the session on the server, not only in the browser that clicked."""
    server, _ = auth_app
    s = login(server, "admin")
    copied = s.headers["Cookie"]  # what an attacker copied from the browser
    assert _signed_in(copied, server)
    token = _logout_form_token(s, server)
    assert _signed_in(copied, server), "GET /logout must not sign out (a link or an image could)"
    no_token = s.post(server.url + "/logout", allow_redirects=False, timeout=10)
    assert no_token.status_code == 400 and _signed_in(copied, server)  # logout CSRF refused
    out = s.post(server.url + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=10)
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert not _signed_in(copied, server)
    deps = dependencies(login(server, "admin"), server)
    cb = [c for c in deps if c["output"].startswith(".._pages_content")][0]
    forged = post_callback(requests.Session(), server, cb, {"pathname": "/levels", "search": "?year=2023"})
    assert forged.status_code == 401
    with_copy = requests.post(server.url + "/_dash-update-component", headers={"Cookie": copied},
                              json={"output": cb["output"]}, timeout=10)
    assert with_copy.status_code == 401 and "Quế Sơn" not in with_copy.text


def test_auth010_login_post_without_the_sessions_token_is_refused(auth_app):
    """Finding 1 (login CSRF): no session means no token; a missing or foreign token is refused."""
    server, _ = auth_app
    form = {"username": "tinh", "password": PASSWORDS["tinh"], "next": "/"}
    bare = requests.post(server.url + "/login", data=form, allow_redirects=False, timeout=30)
    assert bare.status_code == 400
    cookie = session_cookie(bare)
    assert cookie is None or not _signed_in(f"tthc_session={cookie}", server)
    # The attacker's own token (from their own session) in a victim's browser that has none.
    attacker = requests.get(server.url + "/login", timeout=10)
    foreign = requests.post(server.url + "/login", data=dict(form, csrf_token=csrf_of(attacker)), allow_redirects=False,
                            timeout=30)
    assert foreign.status_code == 400
    # With an empty session of the victim's own (a visit to /login) and no token in the form.
    victim = requests.get(server.url + "/login", timeout=10)
    empty = requests.post(server.url + "/login", data=dict(form, csrf_token=""), allow_redirects=False, timeout=30,
                          headers={"Cookie": f"tthc_session={session_cookie(victim)}"})
    assert empty.status_code == 400


def test_auth011_disable_reset_and_enable_bite_at_once(auth_app):
    """Finding 4: no cache of user rows delays a disable, a reset or a re-enable."""
    from data.auth import reset_password, set_active

    server, engine = auth_app
    s = login(server, "queson")
    cookie = s.headers["Cookie"]
    assert _signed_in(cookie, server)
    set_active(engine, "queson", False)
    assert not _signed_in(cookie, server)
    set_active(engine, "queson", True)
    fresh = login(server, "queson")  # at once, not after a cache expires
    assert _signed_in(fresh.headers["Cookie"], server)
    assert not _signed_in(cookie, server), "a cookie from before the disable stays dead after the re-enable"
    new_password = "QueSon-mat-khau-moi-2"
    reset_password(engine, "queson", new_password)
    try:
        assert not _signed_in(fresh.headers["Cookie"], server)
        assert _signed_in(login(server, "queson", new_password).headers["Cookie"], server)
    finally:
        reset_password(engine, "queson", PASSWORDS["queson"])


def test_auth012_public_paths_are_exact(auth_app):
    """Finding 10: near-misses of public paths are not public (no page shell, no versions)."""
    server, _ = auth_app
    for path in ("/loginx", "/logout/x", "/healthzz", "/login/", "/healthz/x", "/assets/", "/_dash-component-suites/x",
                 "/_dash-component-suites/dash/", "/favicon.icox"):
        resp = requests.get(server.url + path, allow_redirects=False, timeout=10)
        assert resp.status_code in (302, 401, 404), (path, resp.status_code)
        assert "dash-renderer" not in resp.text and "_dash-config" not in resp.text, path
        if resp.status_code == 302:
            assert resp.headers["Location"].startswith("/login?next="), path
    assert requests.get(server.url + "/login", timeout=10).status_code == 200
    assert requests.get(server.url + "/assets/app.css", timeout=10).status_code == 200


def test_auth013_error_paths_answer_4xx_without_traceback(auth_app):
    """Finding 7: CR/LF in ``next``, unknown component files, and other bad requests."""
    server, _ = auth_app
    for nxt in ("/levels\r\nSet-Cookie: x=1", "/late\nX-Injected: 1", "/\x00"):
        page = requests.get(server.url + "/login", timeout=10)
        resp = requests.post(server.url + "/login", data={"csrf_token": csrf_of(page), "username": "tinh",
                                                          "password": PASSWORDS["tinh"], "next": nxt},
                             headers={"Cookie": f"tthc_session={session_cookie(page)}"}, allow_redirects=False, timeout=30)
        assert resp.status_code == 302 and resp.headers["Location"] == "/", (nxt, resp.status_code)
        assert "X-Injected" not in resp.headers and "x=1" not in resp.headers.get("Set-Cookie", "")
    s = login(server, "tinh")
    for path in ("/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/deps/nope.js",
                 "/_dash-component-suites/dash/..%2f..%2fapp.py", "/_dash-component-suites/x", "/_dash-component-suites/dash/"):
        for session, codes in ((s, (404,)), (requests.Session(), (401, 404))):  # a stranger may be stopped first
            resp = session.get(server.url + path, allow_redirects=False, timeout=10)
            assert resp.status_code in codes, (path, resp.status_code)
            assert "Traceback" not in resp.text
    assert requests.post(server.url + "/login", data="x" * (3 * 1024 * 1024), timeout=30).status_code == 413
    assert s.get(server.url + "/_dash-update-component", timeout=10).status_code == 405
    assert s.put(server.url + "/logout", timeout=10).status_code == 405
    assert "Traceback" not in server.log and "unhandled error" not in server.log


def test_auth014_signed_in_responses_are_not_stored(auth_app):
    """Finding 12: pages, layouts, callbacks and the sign-in page carry Cache-Control: no-store."""
    server, _ = auth_app
    s = login(server, "queson")
    cb = [c for c in dependencies(s, server) if c["output"].startswith(".._pages_content")][0]
    responses = [s.get(server.url + p, timeout=10) for p in ("/levels?year=2023", "/_dash-layout", "/_dash-dependencies")]
    responses += [post_callback(s, server, cb, {"pathname": "/late", "search": "?year=2023"}),
                  requests.get(server.url + "/login", timeout=10)]
    for resp in responses:
        assert resp.status_code == 200 and resp.headers.get("Cache-Control") == "no-store", (resp.url, resp.headers)
    static = s.get(server.url + "/assets/app.css", timeout=10)
    assert "no-store" not in static.headers.get("Cache-Control", "")


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
    csrf = csrf_of(page)
    cookie = {"Cookie": f"tthc_session={session_cookie(page)}"}
    codes = [s.post(server.url + "/login", data={"csrf_token": csrf, "username": "tinh", "password": f"wrong-password-{i}"},
                    headers=cookie, allow_redirects=False, timeout=30).status_code for i in range(8)]
    assert codes[0] == 401 and codes[-1] == 429, codes
    limited = s.post(server.url + "/login", data={"csrf_token": csrf, "username": "tinh", "password": PASSWORDS["tinh"]},
                     headers=cookie, allow_redirects=False, timeout=30)
    assert limited.status_code == 429 and "Quá nhiều" in limited.text  # even the right password waits
