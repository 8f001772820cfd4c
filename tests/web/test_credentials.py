"""Passwords and lock-out (issue 16): guessable passwords refused, a changed password or
second factor ends every other session and token, a pause per name and address that a
stranger cannot use to lock the real user out and that does not tell names apart."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, make_user, sign_in
from vigil.errors import UserError
from vigil.services import access, sessions, users

GOOD = "correct horse battery staple 42"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 12, "only spaces"),
        ("password1234", "very common password"),
        ("123456789012", "too easy to guess"),
        ("qwertyuiopas", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("short pass", "too short"),
        ("officer.x-is-here-2024", "username"),
    ],
)
def test_guessable_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(UserError, match=why):
        users.check_password_rules(password, "officer.x")


def test_a_strong_passphrase_is_accepted() -> None:
    users.check_password_rules(GOOD, "officer.x")


def _session_and_token(world: WebWorld, name: str) -> tuple[str, str, int]:
    uid = users.user_id(world.ws, name)
    sess = sessions.start(world.ws, uid, "ok", "10.0.0.9", "other browser")
    token, _ = access.create_token(world.ws, name, "script")
    assert sessions.load(world.ws, sess) is not None
    assert access.token_principal(world.ws, token) is not None
    return sess, token, uid


def test_a_new_password_ends_every_session_and_token(world: WebWorld) -> None:
    make_user(world.ws, "rotate.me", "analyst", [CASE])
    sess, token, _ = _session_and_token(world, "rotate.me")
    users.set_password(world.ws, "rotate.me", GOOD + " again")
    assert sessions.load(world.ws, sess) is None
    assert access.token_principal(world.ws, token) is None


def test_a_reset_second_factor_ends_every_session_and_token(world: WebWorld) -> None:
    make_user(world.ws, "reset.me", "analyst", [CASE])
    sess, token, _ = _session_and_token(world, "reset.me")
    users.reset_totp(world.ws, "reset.me")
    assert sessions.load(world.ws, sess) is None
    assert access.token_principal(world.ws, token) is None


def test_changing_ones_password_in_the_browser_keeps_only_this_browser(world: WebWorld) -> None:
    password, secret = make_user(world.ws, "change.me", "investigator", [CASE])
    here = sign_in(TestClient(world.app), "change.me", password, secret)
    there = sign_in(TestClient(world.app), "change.me", password, secret, step=1)
    page = here.get("/account")
    r = here.post(
        "/account/password",
        data={"current": password, "new": GOOD + " renewed", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 200 and "signed out everywhere else" in r.text
    assert here.get("/account").status_code == 200  # on a new session, with a new cookie
    assert there.get("/account", follow_redirects=False).status_code in (302, 303, 401)
    # the page's forms carry the new session's token: a further change goes through
    again = here.post(
        "/account/password",
        data={"current": GOOD + " renewed", "new": GOOD + " thrice", "csrf_token": csrf_of(r.text)},
    )
    assert again.status_code == 200 and "signed out everywhere else" in again.text


def test_a_stranger_elsewhere_cannot_lock_the_real_user_out(world: WebWorld) -> None:
    make_user(world.ws, "target", "analyst", [])
    for _ in range(users.LOCK_AFTER):
        assert (
            users.check_password(world.ws, "target", "wrong password 000", "203.0.113.7")[0] is None
        )
    assert users.check_password(world.ws, "target", GOOD, "203.0.113.7")[1] == "locked"
    assert users.check_password(world.ws, "target", GOOD, "198.51.100.2")[1] == "ok"
    with world.ws.sessions() as s:
        assert users.lock_end(s, "target", world.ws.now()) is not None  # shown to administrators


def test_an_unknown_name_pauses_like_a_known_one_and_reads_the_same(world: WebWorld) -> None:
    make_user(world.ws, "known.one", "analyst", [])
    here = "testclient"  # the address the test client's requests come from
    for name in ("known.one", "nobody.here"):
        for _ in range(users.LOCK_AFTER):
            users.check_password(world.ws, name, "wrong password 000", here)
        assert users.check_password(world.ws, name, GOOD, here)[1] == "locked"
    c = TestClient(world.app)
    answers = []
    for name in ("known.one", "nobody.here", "never.tried"):  # paused, paused, just unknown
        r = c.get("/login")
        r = c.post(
            "/login", data={"username": name, "password": GOOD, "csrf_token": csrf_of(r.text)}
        )
        err = re.search(r'<p class="error"[^>]*>([^<]*)<', r.text)
        assert err is not None
        answers.append((r.status_code, err.group(1)))
    assert answers[0] == answers[1] == answers[2]


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(world: WebWorld) -> None:
    make_user(world.ws, "two.factor", "analyst", [])
    here = "192.0.2.77"
    uid = users.user_id(world.ws, "two.factor")
    for _ in range(users.LOCK_AFTER):
        assert users.check_password(world.ws, "two.factor", GOOD, here)[1] == "ok"
        users.check_totp(world.ws, uid, "000000", here)
    assert users.check_password(world.ws, "two.factor", GOOD, here)[1] == "locked"
