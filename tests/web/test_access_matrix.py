"""Every route × every role × member / non-member (and anonymous): the expected status, and no
case content in any refused response. A new route fails the first test until it is classified."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web import matrix
from tests.web.conftest import CASE, WebWorld
from tests.web.seed import analysis_available, chat_messages, csrf_of, sign_in
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.services import access
from vigil.services.access import ROLES

# what each route needs: public | pending | signed-in | case:<need> | admin | audit | reports
# | audit-cases (the whole log for administrators and auditors; for a role that audits the
# cases it is on, those cases' entries: vigil.services.browse.audit_page)
# | search (a role that reads cases, member or not: hits only from the cases one is on)
CONTENT = {"read"}
C = "/cases/{case_ref}"
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("GET", "/login/totp"): "pending",
    ("POST", "/login/totp"): "pending",
    ("GET", "/enrol"): "pending",
    ("POST", "/enrol"): "pending",
    ("POST", "/logout"): "signed-out-by-it",
    ("GET", "/"): "signed-in",
    ("GET", "/cases"): "signed-in",
    ("GET", C): "case:read",
    ("GET", C + "/purpose"): "case:read",
    ("POST", C + "/purpose"): "case:read",
    ("POST", C + "/analyse"): "case:write",
    ("GET", C + "/conversations/{conv_id}"): "case:read",
    ("GET", C + "/conversations/{conv_id}/export.csv"): "case:read",
    ("GET", C + "/exhibit"): "case:read",
    ("GET", C + "/exhibits"): "case:read",
    ("POST", C + "/exhibit/verify"): "case:read",
    ("GET", "/audit"): "audit-cases",
    ("GET", "/admin/users"): "admin",
    ("POST", "/admin/users"): "admin",
    ("GET", "/admin/users/{username}"): "admin",
    ("POST", "/admin/users/{username}/role"): "admin",
    ("POST", "/admin/users/{username}/membership"): "admin",
    ("POST", "/admin/users/{username}/state"): "admin",
    ("GET", "/account"): "signed-in",
    ("POST", "/account/tokens"): "signed-in",
    ("POST", "/account/tokens/{token_id}/revoke"): "signed-in",
    ("POST", "/account/password"): "signed-in",
    ("GET", "/api/v1/triage"): "signed-in",
    ("GET", "/api/v1/cases"): "signed-in",
    ("GET", "/api/v1" + C): "case:read",
    ("POST", "/api/v1" + C + "/purpose"): "case:read",
    ("POST", "/api/v1" + C + "/analyse"): "case:write",
    ("GET", "/api/v1" + C + "/conversations/{conv_id}/messages"): "case:read",
    ("GET", "/api/v1" + C + "/conversations/{conv_id}/export.csv"): "case:read",
    ("GET", "/api/v1" + C + "/exhibits"): "case:read",
    ("GET", "/api/v1" + C + "/exhibit"): "case:read",
    ("POST", "/api/v1" + C + "/exhibit/verify"): "case:read",
    ("GET", "/api/v1/audit"): "audit-cases",
    ("GET", "/api/v1/users"): "admin",
    ("GET", "/api/v1/users/{username}/memberships"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users/{username}/role"): "admin",
    ("POST", "/api/v1/users/{username}/membership"): "admin",
    ("GET", "/api/v1/me"): "signed-in",
    ("GET", "/api/v1/openapi.json"): "public",
    ("GET", "/personas"): "signed-in",
    ("GET", "/api/v1/personas"): "signed-in",
    ("GET", "/reports"): "reports",
    ("GET", "/reports/download"): "reports",
    ("GET", "/api/v1/reports/statistics"): "reports",
    ("GET", "/api/v1/plugins"): "signed-in",
    ("GET", "/search"): "search",
    ("GET", "/api/v1/search"): "search",
    **matrix.ROUTES,
}


def flat_routes(app: Any) -> list[Any]:
    """Every route of the app, through included routers (FastAPI >= 0.160 nests them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI keeps a flat list
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def app_routes(world: WebWorld) -> set[tuple[str, str]]:
    out = set()
    for r in flat_routes(world.app):
        methods = getattr(r, "methods", None) or set()
        for m in set(methods) - {"HEAD"}:
            out.add((m, r.path))
    return out


def test_every_route_is_classified(world: WebWorld) -> None:
    assert app_routes(world) == set(ROUTES), "classify new routes in ROUTES (and test them)"
    assert any(p.startswith("/api/v1/cases") for _, p in ROUTES)


@dataclass
class Call:
    method: str
    url: str
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None


_counter = itertools.count()


def make_call(world: WebWorld, method: str, path: str) -> Call:
    conv = world.conv_id
    fill = {
        "{case_ref}": CASE,
        "{conv_id}": str(conv),
        "{username}": "scratch",
        "{token_id}": "999999",
        "{exhibit_ref}": world.exhibit_ref,
        **{k: f(world, method, path) for k, f in matrix.FILLS.items() if k in path},
    }
    url = path
    for k, v in fill.items():
        url = url.replace(k, v)
    api = url.startswith("/api/")
    ex = world.exhibit_ref
    n = next(_counter)
    if path.endswith(("/exhibit", "/exhibit/verify")) and (api or method == "GET"):
        url += f"?ref={ex}"
    if api and ("/messages" in path or "export.csv" in path):
        url += "?purpose=access+matrix+test"
    if path in ("/search", "/api/v1/search"):
        url += "?q=boring&purpose=access+matrix+test"
    if path == "/reports/download":
        url += "?format=csv&purpose=access+matrix+test"
    if path in matrix.QUERIES:
        url += ("&" if "?" in url else "?") + matrix.QUERIES[path]
    forms: dict[str, dict[str, str]] = {
        "/login": {"username": "nobody", "password": "wrong password"},
        "/login/totp": {"code": "000000"},
        "/enrol": {"code": "000000"},
        C + "/purpose": {"purpose": "access matrix test"},
        C + "/exhibit/verify": {"ref": ex},
        "/admin/users": {
            "username": f"new{n}",
            "role": "analyst",
            "password": "a long enough password",
        },
        "/admin/users/{username}/role": {"role": "analyst"},
        "/admin/users/{username}/membership": {"case_ref": CASE, "member": "add"},
        "/admin/users/{username}/state": {"change": "unlock"},
        "/account/tokens": {"name": "matrix"},
        "/account/password": {"current": "wrong password here", "new": "another long password"},
        **matrix.FORMS,
    }
    bodies: dict[str, Any] = {
        "/api/v1" + C + "/purpose": {"purpose": "access matrix test"},
        "/api/v1/users": {"username": f"apinew{n}", "role": "analyst"},
        "/api/v1/users/{username}/role": {"role": "analyst"},
        "/api/v1/users/{username}/membership": {"case_ref": CASE, "member": True},
        **matrix.BODIES,
    }
    form, body = forms.get(path, {}), bodies.get(path)  # a callable makes fresh ones per call
    form = form(world, n) if callable(form) else form
    return Call(method, url, form, body(world, n) if callable(body) else body)


def expected(kind: str, role: str | None, member: bool, api: bool, method: str) -> set[int]:
    """The statuses a request may get. Allowed page POSTs redirect (303) or render (200)."""
    ok = {200, 201} if api else ({200, 303} if method == "POST" else {200})
    if kind == "public":
        return {200, 401, 403} if method == "POST" else {200}
    if role is None:
        return {401} if api else {303}
    if kind == "pending":
        return {303}
    if kind == "signed-in":
        return ok
    if kind == "admin":
        return ok if role == "administrator" else {403}
    if kind == "audit":
        return ok if role in ("administrator", "auditor") else {403}
    if kind == "audit-cases":  # a supervisor sees the entries of the cases they are on
        audits = role in ("administrator", "auditor") or access.role_allows(role, "audit")
        return ok if audits else {403}
    if kind == "reports":  # aggregates, no case content: see vigil.services.reports
        return ok if role in ("analyst", "investigator", "supervisor", "administrator") else {403}
    if kind == "search":
        return ok if access.role_allows(role, "read") else {403}
    if kind == "case-open":  # opening a case: roles that write case records, member or not
        return ok if access.role_allows(role, "write") else {403}
    need = kind.split(":", 1)[1]
    if member and access.role_allows(role, need):
        if need == "write" and not analysis_available():
            return {503}  # the taxonomy is not installed in this tree yet
        return ok
    return {403}


def sensitive(world: WebWorld) -> list[str]:
    with world.ws.sessions() as s:
        ex = s.execute(select(Exhibit).where(Exhibit.ref == world.exhibit_ref)).scalars().first()
        assert ex is not None
        blob = s.get(Blob, ex.blob_sha256)
        assert blob is not None
        names = [ex.original_name, blob.sha256, blob.md5]
    texts = {t for _, _, t in chat_messages() if len(t) > 12}
    return ["Operation web test", "Alex", *names, *texts]


def clients(world: WebWorld) -> Iterator[tuple[str | None, bool, TestClient, dict[str, str]]]:
    yield None, False, TestClient(world.app, follow_redirects=False), {}
    for (role, member), acc in world.accounts.items():
        c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
        c.follow_redirects = False
        if member and access.role_allows(role, "read"):
            csrf = csrf_of(c.get("/account").text)
            r = c.post(
                f"/cases/{CASE}/purpose", data={"purpose": "access matrix test", "csrf_token": csrf}
            )
            assert r.status_code == 303
        token, _ = access.create_token(world.ws, acc.username, "matrix")
        yield role, member, c, {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def results(world: WebWorld) -> list[tuple[str, str, str | None, bool, int, str]]:
    from vigil.services import users

    users.create_user(world.ws, "scratch", "analyst", None, "a fine passphrase 123")
    out = []
    for role, member, client, headers in clients(world):
        csrf = csrf_of(client.get("/account").text) if role else ""
        for (method, path), kind in sorted(ROUTES.items()):
            if kind == "signed-out-by-it":
                continue
            call = make_call(world, method, path)
            api = path.startswith("/api/")
            h = headers if api else {}
            if call.json is not None:
                r = client.request(method, call.url, json=call.json, headers=h)
            elif method == "POST":
                data = {**call.form, "csrf_token": csrf} if not api else None
                r = client.request(method, call.url, data=data, headers=h)
            else:
                r = client.request(method, call.url, headers=h)
            out.append((method, path, role, member, r.status_code, r.text))
    return out


def test_matrix_statuses(
    world: WebWorld, results: list[tuple[str, str, str | None, bool, int, str]]
) -> None:
    wrong = []
    for method, path, role, member, status, _ in results:
        kind = ROUTES[(method, path)]
        want = expected(kind, role, member, path.startswith("/api/"), method)
        if path.endswith("/revoke"):
            want = {404} if role else {303}
        if status not in want:
            wrong.append(
                f"{method} {path} as {role or 'anonymous'} ({'member' if member else 'non-member'}): {status}, expected {sorted(want)}"
            )
    assert not wrong, "\n".join(wrong)
    assert len({r[2] for r in results}) == len(ROLES) + 1


def test_refusals_hold_no_case_content(
    world: WebWorld, results: list[tuple[str, str, str | None, bool, int, str]]
) -> None:
    secrets = sensitive(world)
    refused = [r for r in results if r[4] in (401, 403, 404, 428) or (r[4] == 303 and r[2] is None)]
    assert len(refused) > 100
    leaks = [
        f"{m} {p} as {role}: {s!r}"
        for m, p, role, _, _, body in refused
        for s in secrets
        if s in body
    ]
    assert not leaks, "\n".join(leaks[:20])


def test_member_with_read_sees_content(
    world: WebWorld, results: list[tuple[str, str, str | None, bool, int, str]]
) -> None:
    """The matrix is not vacuous: allowed content routes do return the case's messages."""
    page = [b for m, p, role, member, s, b in results
            if p == C + "/conversations/{conv_id}" and role == "investigator" and member]  # fmt: skip
    assert page and "school was so boring today" in page[0]
    api = [b for m, p, role, member, s, b in results
           if p.endswith("/messages") and role == "disclosure_officer" and member]  # fmt: skip
    assert api and "keep this between us" in api[0]
