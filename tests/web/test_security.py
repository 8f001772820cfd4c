"""Sign-in, sessions, CSRF, rate limiting, lock-out, TOTP enrolment and security headers."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, make_user, sign_in, totp_code
from vigil.services import access, users
from vigil.web.security import CSP, SESSION_COOKIE, SignInLimiter, safe_next

from .test_access_matrix import ROUTES


def _login(c: TestClient, username: str, password: str) -> httpx.Response:
    r = c.get("/login")
    return c.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_of(r.text)}
    )


def _post_login(c: TestClient, username: str, password: str) -> int:
    return _login(c, username, password).status_code


def test_security_headers_everywhere(world: WebWorld) -> None:
    c = TestClient(world.app)
    for url in ("/login", "/api/v1/openapi.json", "/static/vigil.css", "/no-such-page"):
        r = c.get(url)
        assert r.headers["content-security-policy"] == CSP, url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert "unsafe-inline" not in CSP and "script-src 'self'" in CSP
    assert c.get("/login").headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in c.get("/login").headers
    tls = TestClient(world.app, base_url="https://testserver")
    assert "strict-transport-security" in tls.get("/login").headers


def test_templates_have_no_inline_script_or_style() -> None:
    from importlib import resources

    root = resources.files("vigil.web") / "templates"
    for t in root.iterdir():
        if t.name.endswith(".html"):
            text = t.read_text()
            assert not re.search(r"<script(?![^>]*\bsrc=)", text), t.name
            assert "style=" not in text and "<style" not in text, t.name
            assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {t.name}"


def test_session_cookie_flags_and_rotation(world: WebWorld) -> None:
    acc = world.accounts[("investigator", True)]
    c = TestClient(world.app, base_url="https://testserver")
    r = c.get("/login")
    r = c.post("/login", data={"username": acc.username, "password": acc.password, "csrf_token": csrf_of(r.text)},
               follow_redirects=False)  # fmt: skip
    pending = r.cookies[SESSION_COOKIE]
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    # a session that has only passed the password opens nothing
    assert (
        TestClient(world.app, cookies={SESSION_COOKIE: pending}, follow_redirects=False)
        .get("/")
        .status_code
        == 303
    )
    r = c.get("/login/totp")
    r = c.post("/login/totp", data={"code": totp_code(acc.secret, 1), "csrf_token": csrf_of(r.text)},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    full = r.cookies[SESSION_COOKIE]
    assert full != pending
    for cookie_value, status in ((full, 200), (pending, 303)):
        fresh = TestClient(
            world.app, cookies={SESSION_COOKIE: cookie_value}, follow_redirects=False
        )
        assert fresh.get("/").status_code == status


def test_every_page_post_needs_the_csrf_token(world: WebWorld) -> None:
    acc = world.accounts[("administrator", True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    c.follow_redirects = False
    posts = [p for (m, p), kind in ROUTES.items() if m == "POST" and not p.startswith("/api/")
             and kind not in ("public", "pending")]  # fmt: skip
    assert len(posts) >= 10
    for path in posts:
        url = (
            path.replace("{case_ref}", CASE)
            .replace("{username}", acc.username)
            .replace("{token_id}", "1")
        )
        r = c.post(
            url, data={"csrf_token": "forged", "purpose": "x" * 10, "ref": world.exhibit_ref}
        )
        assert r.status_code == 403, path
        r = c.post(url, data={"purpose": "x" * 10})
        assert r.status_code == 403, path
    # the session survived (logout was refused too)
    assert c.get("/").status_code == 200


def test_login_form_needs_its_token(world: WebWorld) -> None:
    acc = world.accounts[("analyst", True)]
    c = TestClient(world.app, follow_redirects=False)
    c.get("/login")
    r = c.post(
        "/login", data={"username": acc.username, "password": acc.password, "csrf_token": "forged"}
    )
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies


def test_wrong_password_and_unknown_user_look_the_same(world: WebWorld) -> None:
    c = TestClient(world.app)
    r1 = c.get("/login")
    a = c.post(
        "/login",
        data={"username": "nobody-at-all", "password": "x" * 12, "csrf_token": csrf_of(r1.text)},
    )
    r2 = c.get("/login")
    acc = world.accounts[("auditor", False)]
    b = c.post(
        "/login",
        data={"username": acc.username, "password": "x" * 12, "csrf_token": csrf_of(r2.text)},
    )
    assert a.status_code == b.status_code == 401
    err = re.compile(r'<p class="error"[^>]*>([^<]*)<')
    assert err.search(a.text).group(1) == err.search(b.text).group(1)  # type: ignore[union-attr]


def test_lock_out_after_repeated_failures_and_unlock(world: WebWorld) -> None:
    make_user(world.ws, "lockme", "analyst", [CASE])
    pw = "correct horse battery staple 42"
    c = TestClient(world.app)
    for _ in range(users.LOCK_AFTER):
        assert _post_login(c, "lockme", "wrong password 000") == 401
    # now even the right password is refused, with a message that says why
    r = _login(c, "lockme", pw)
    assert r.status_code == 401 and "locked" in r.text
    users.unlock(world.ws, "lockme")
    r = c.get("/login")
    r = c.post("/login", data={"username": "lockme", "password": pw, "csrf_token": csrf_of(r.text)})
    assert r.url.path == "/login/totp"


def test_lock_out_expires(world: WebWorld) -> None:
    make_user(world.ws, "waitme", "analyst", [])
    for _ in range(users.LOCK_AFTER):
        users.check_password(world.ws, "waitme", "wrong password 000", None)
    assert (
        users.check_password(world.ws, "waitme", "correct horse battery staple 42", None)[1]
        == "locked"
    )
    real = world.ws.clock
    world.ws.clock = lambda: real() + timedelta(minutes=users.LOCK_MINUTES + 1)
    try:
        assert (
            users.check_password(world.ws, "waitme", "correct horse battery staple 42", None)[1]
            == "ok"
        )
    finally:
        world.ws.clock = real


def test_sign_in_rate_limit(world: WebWorld) -> None:
    original = world.app.state.limiter
    world.app.state.limiter = SignInLimiter(limit=3, window=60)
    try:
        c = TestClient(world.app)
        codes = [_post_login(c, f"ghost{i}", "not the password") for i in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
    finally:
        world.app.state.limiter = original


def test_limiter_window_slides() -> None:
    now = [0.0]
    lim = SignInLimiter(limit=2, window=10, clock=lambda: now[0])
    assert lim.allow("a") and lim.allow("a") and not lim.allow("a")
    assert lim.allow("b")
    now[0] = 11
    assert lim.allow("a")


def test_totp_code_is_accepted_once(world: WebWorld) -> None:
    make_user(world.ws, "replay", "analyst", [])
    with world.ws.sessions() as s:
        uid = access.get_user(s, "replay").id
    secret, _ = users.reset_totp(world.ws, "replay")
    code = pyotp.TOTP(secret).now()
    assert users.check_totp(world.ws, uid, code, None) == "ok"
    assert users.check_totp(world.ws, uid, code, None) == "bad"
    assert users.check_totp(world.ws, uid, "12345", None) == "bad"


def test_first_sign_in_enrols_totp_with_a_qr_code(world: WebWorld) -> None:
    users.create_user(world.ws, "newbie", "investigator", None, "a new long passphrase")
    c = TestClient(world.app)
    r = c.get("/login")
    r = c.post(
        "/login",
        data={
            "username": "newbie",
            "password": "a new long passphrase",
            "csrf_token": csrf_of(r.text),
        },
    )
    assert r.url.path == "/enrol"
    assert '<svg role="img" aria-label="QR code' in r.text  # inline, not a data URI
    secret = (
        re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', r.text).group(1).replace(" ", "")
    )  # type: ignore[union-attr]
    # the page can be reloaded without changing the key
    again = c.get("/enrol")
    assert secret.replace(" ", "") in again.text.replace(" ", "")
    bad = c.post("/enrol", data={"code": "000000", "csrf_token": csrf_of(again.text)})
    assert bad.status_code == 401 and c.get("/", follow_redirects=False).status_code == 303
    ok = c.post("/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(bad.text)})
    assert ok.status_code == 200 and ok.url.path == "/"
    assert users.totp_enrolled(world.ws, _uid(world, "newbie"))


def _uid(world: WebWorld, name: str) -> int:
    with world.ws.sessions() as s:
        return access.get_user(s, name).id


def test_logout_ends_the_session(world: WebWorld) -> None:
    acc = world.accounts[("supervisor", True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret, step=1)
    cookie = c.cookies[SESSION_COOKIE]
    r = c.post("/logout", data={"csrf_token": csrf_of(c.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303
    again = TestClient(world.app, cookies={SESSION_COOKIE: cookie}, follow_redirects=False)
    assert again.get("/").status_code == 303


def test_disabled_user_loses_sessions_and_tokens(world: WebWorld) -> None:
    make_user(world.ws, "leaver", "investigator", [CASE])
    token, _ = access.create_token(world.ws, "leaver", "t")
    h = {"Authorization": f"Bearer {token}"}
    c = TestClient(world.app)
    assert c.get("/api/v1/me", headers=h).status_code == 200
    users.set_disabled(world.ws, "leaver", True)
    assert c.get("/api/v1/me", headers=h).status_code == 401
    assert _post_login(c, "leaver", "correct horse battery staple 42") == 401


def test_tokens_revoked_or_expired_or_forged_are_refused(world: WebWorld) -> None:
    acc = world.accounts[("analyst", True)]
    token, info = access.create_token(world.ws, acc.username, "t", days=1)
    c = TestClient(world.app)
    h = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/v1/me", headers=h).json()["username"] == acc.username
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    real = world.ws.clock
    world.ws.clock = lambda: real() + timedelta(days=2)
    try:
        assert c.get("/api/v1/me", headers=h).status_code == 401
    finally:
        world.ws.clock = real
    access.revoke_token(world.ws, acc.username, info.id)
    assert c.get("/api/v1/me", headers=h).status_code == 401
    with world.ws.sessions() as s:
        from vigil.db.tables.access import ApiToken

        stored = s.get(ApiToken, info.id)
        assert stored is not None and token not in (stored.token_hash, stored.prefix)


@pytest.mark.parametrize(
    ("target", "want"),
    [("/cases/X", "/cases/X"), ("//evil.example/", "/"), ("https://evil.example", "/"),
     ("/\\evil", "/"), (None, "/"), ("/a\r\nSet-Cookie: x", "/")],
)  # fmt: skip
def test_no_open_redirects(target: str | None, want: str) -> None:
    assert safe_next(target) == want


def test_passwords_are_argon2_and_rules_apply(world: WebWorld) -> None:
    from vigil.db.tables.access import Credential
    from vigil.errors import UserError

    with pytest.raises(UserError):
        users.create_user(world.ws, "shorty", "analyst", None, "short")
    with world.ws.sessions() as s:
        cred = s.get(Credential, _uid(world, world.accounts[("analyst", True)].username))
        assert cred is not None and cred.password_hash is not None
        assert cred.password_hash.startswith("$argon2id$")


def test_only_administrators_manage_accounts(world: WebWorld) -> None:
    from vigil.errors import AccessDenied

    sup = access.as_user(world.ws, world.accounts[("supervisor", True)].username)
    with pytest.raises(AccessDenied):
        users.create_user(sup, "sneaky", "administrator", None, "a long quiet passphrase")
    with pytest.raises(AccessDenied):
        users.set_membership(sup, sup.actor, "OP-OTHER", True)
    with pytest.raises(AccessDenied):
        users.issue_token(sup, world.accounts[("analyst", True)].username, "steal")
