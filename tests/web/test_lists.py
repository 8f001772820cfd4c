"""Lists that scale: search, sort and paging on the triage queue, cases, a case's
conversations and exhibits, the audit log (with a date range), users and memberships; one
audit entry per dashboard view; need to know in every page; the supervisor's audit view; the
readable times and custody details; the first-sign-in QR code in a real browser.

The extra cases are filled by bulk inserts of benign synthetic rows (tests/web/bulk.py).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.bulk import many_conversations
from tests.web.conftest import CASE, OTHER, WebWorld
from tests.web.seed import csrf_of, sign_in
from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, vigil_serve
from vigil.config import Settings
from vigil.db.tables.access import CaseMember, User
from vigil.db.tables.analysis import AssessmentRow
from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import UserError
from vigil.services import access, audit, users
from vigil.services.cases import create_case
from vigil.services.evidence.exhibits import register_file
from vigil.services.listing import ListQuery, window
from vigil.services.triage.queue import TRIAGE_SORTS
from vigil.services.workspace import init_workspace
from vigil.web.render import details, when

REFS = [f"OP-L{i:02d}" for i in range(12)]
BULK = {"OP-L00": 15, "OP-L01": 16, "OP-L02": 17, "OP-L03": 18}
"""Cases filled with assessed conversations (the counts differ so the bulk exhibits do)."""
HIDDEN = "OP-HIDDEN"
EXHIBITS = "OP-L05"
DATED = [datetime(2025, 3, d, 12, 0, tzinfo=UTC) for d in (9, 10, 11)]


@dataclass
class Lists:
    world: WebWorld
    tokens: dict[str, str]

    def api(self, username: str) -> TestClient:
        c = TestClient(self.world.app)
        c.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return c

    def name(self, role: str, member: bool = True) -> str:
        return self.world.accounts[(role, member)].username


@pytest.fixture(scope="module")
def lists(world: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> Lists:
    ws = world.ws  # acting as web.admin, the workspace's administrator
    for i, ref in enumerate(REFS):
        create_case(ws, ref, f"List test {ref}", "Other unit" if i % 2 else "List unit", "UTC")
    create_case(ws, HIDDEN, "Nobody in these tests is on it", None, "UTC")
    for ref, n in BULK.items():
        many_conversations(ws, ref, n)
    many_conversations(ws, HIDDEN, 20)
    inv = world.accounts[("investigator", True)].username
    for ref in REFS:
        users.set_membership(ws, inv, ref, True)
    folder = tmp_path_factory.mktemp("exhibits")
    for k in range(1, 13):
        f = folder / f"note-{k}.txt"
        f.write_text(f"benign list test note {k}\n", encoding="utf-8")
        register_file(ws, EXHIBITS, f, source="list test", acquired_by="Jane Smith")
    with ws.transaction() as s:  # entries on three past days, for the date range
        for k, at in enumerate(DATED):
            audit.record(s, "lists.tester", "view", audit.Subject("case", REFS[7], REFS[7]),
                         purpose=f"dated entry {k}", details={"page": "dated"}, now=at)  # fmt: skip
    tokens = {
        acc.username: access.create_token(ws, acc.username, "lists")[0]
        for acc in world.accounts.values()
    }
    return Lists(world, tokens)


_signed: dict[str, TestClient] = {}


def browser(lists: Lists, role: str, member: bool = True) -> TestClient:
    """A signed-in browser client per account, made once (a TOTP code is accepted once)."""
    acc = lists.world.accounts[(role, member)]
    key = f"{id(lists.world)}:{acc.username}"
    if key not in _signed:
        _signed[key] = sign_in(TestClient(lists.world.app), acc.username, acc.password, acc.secret)
    return _signed[key]


def top(lists: Lists) -> int:
    with lists.world.ws.sessions() as s:
        return int(s.execute(select(func.max(CustodyEntry.seq))).scalar_one() or 0)


def entries_after(lists: Lists, seq: int) -> list[CustodyEntry]:
    with lists.world.ws.sessions() as s:
        return list(
            s.execute(
                select(CustodyEntry).where(CustodyEntry.seq > seq).order_by(CustodyEntry.seq)
            ).scalars()
        )


def readable_assessed(lists: Lists, username: str) -> set[int]:
    with lists.world.ws.sessions() as s:
        uid = s.execute(select(User.id).where(User.username == username)).scalar_one()
        return set(
            s.execute(
                select(AssessmentRow.conversation_id)
                .join(CaseMember, CaseMember.case_id == AssessmentRow.case_id)
                .where(CaseMember.user_id == uid)
            ).scalars()
        )


# --- the model ---------------------------------------------------------------------------------


def test_list_query_is_checked_before_any_sql() -> None:
    q = ListQuery.parse(TRIAGE_SORTS)
    assert (q.q, q.sort, q.order, q.offset, q.limit) == ("", "rank", "desc", 0, 50)
    with pytest.raises(UserError) as exc:
        ListQuery.parse(TRIAGE_SORTS, sort="risk; drop table cases")
    assert "rank" in (exc.value.hint or "")
    with pytest.raises(UserError):
        ListQuery.parse(TRIAGE_SORTS, order="sideways")
    q = ListQuery.parse(TRIAGE_SORTS, q="  50%_off \n now ", offset=-3, limit=10_000)
    assert (q.q, q.offset, q.limit, q.order) == ("50%_off now", 0, 500, "desc")
    assert q.like == "%50\\%\\_off now%", "LIKE wildcards in the search are taken literally"
    assert ListQuery.parse(TRIAGE_SORTS, sort="case").order == "asc", "each key's own order"


def test_page_window() -> None:
    assert window(120, 50, 50, 50) == {"first": 51, "last": 100, "prev": 0, "next": 100,
                                       "last_page": 100}  # fmt: skip
    assert window(120, 100, 50, 20) == {"first": 101, "last": 120, "prev": 50, "next": None,
                                        "last_page": None}  # fmt: skip
    assert window(0, 0, 50, 0) == {"first": 0, "last": 0, "prev": None, "next": None,
                                   "last_page": None}  # fmt: skip


# --- the triage queue ----------------------------------------------------------------------------


def test_triage_pages_cover_the_readable_queue_exactly_once(lists: Lists) -> None:
    inv = lists.name("investigator")
    c = lists.api(inv)
    want = readable_assessed(lists, inv)
    assert len(want) == sum(BULK.values()) + 1  # the bulk cases and OP-WEB's seeded chat
    seen: list[int] = []
    ranks: list[tuple[int, bool, float]] = []
    offset = 0
    while True:
        d = c.get("/api/v1/triage", params={"limit": 7, "offset": offset}).json()
        assert (d["total"], d["limit"], d["offset"]) == (len(want), 7, offset)
        assert d["case_count"] == len(REFS) + 1
        seen += [r["conversation_id"] for r in d["queue"]]
        ranks += [(r["urgency"], r["flagged"], r["risk"]) for r in d["queue"]]
        assert all(r["case_ref"] != HIDDEN for r in d["queue"])
        if offset + 7 >= d["total"]:
            break
        offset += 7
    assert len(seen) == len(set(seen)) and set(seen) == want, "no row twice, none missed"
    assert ranks == sorted(ranks, reverse=True), "urgency, then flagged, then risk"


def test_triage_search_and_sort_keep_need_to_know(lists: Lists) -> None:
    c = lists.api(lists.name("investigator"))
    d = c.get("/api/v1/triage", params={"q": "op-l02", "limit": 500}).json()
    assert d["total"] == BULK["OP-L02"] and {r["case_ref"] for r in d["queue"]} == {"OP-L02"}
    assert c.get("/api/v1/triage", params={"q": HIDDEN}).json()["total"] == 0
    assert c.get("/api/v1/triage", params={"q": "%"}).json()["total"] == 0
    d = c.get("/api/v1/triage", params={"sort": "case", "limit": 500}).json()
    refs = [r["case_ref"] for r in d["queue"]]
    assert refs == sorted(refs) and HIDDEN not in refs
    d = c.get("/api/v1/triage", params={"sort": "risk", "order": "asc", "limit": 30}).json()
    risks = [r["risk"] for r in d["queue"]]
    assert risks == sorted(risks) and len(risks) == 30
    r = c.get("/api/v1/triage", params={"sort": "bogus"})
    assert r.status_code == 400 and "rank" in r.json()["hint"]
    assert c.get("/api/v1/triage", params={"order": "up"}).status_code == 422
    assert c.get("/api/v1/triage", params={"limit": 501}).status_code == 422
    # a member whose role does not read sees no queue at all
    d = lists.api(lists.name("auditor")).get("/api/v1/triage").json()
    assert (d["total"], d["queue"], d["case_count"]) == (0, [], 0)


def test_each_dashboard_view_is_one_audit_entry(lists: Lists) -> None:
    inv = lists.name("investigator")
    c = lists.api(inv)
    before = top(lists)
    d = c.get("/api/v1/triage", params={"limit": 40}).json()
    [entry] = entries_after(lists, before)
    shown: dict[str, list[int]] = {}
    for r in d["queue"]:
        shown.setdefault(r["case_ref"], []).append(r["conversation_id"])
    got = json.loads(entry.details)
    assert len(shown) > 1, "the first 40 rows span several cases"
    assert (entry.actor, entry.action, entry.object_type, entry.case_ref) == (
        inv, "view", "triage", None,
    )  # fmt: skip
    assert {k: v for k, v in got["cases"].items() if v} == shown
    assert got["rows"] == 40 and got["total"] == d["total"]
    # the page in the browser too: one entry, whatever the number of cases
    page = browser(lists, "investigator")  # signed in first: signing in lands on "/" too
    before = top(lists)
    html = page.get("/", params={"limit": 10}).text
    assert [e.object_type for e in entries_after(lists, before)] == ["triage"]
    assert html.count('class="conv-link"') == 10 and 'rel="next"' in html
    # the auditor finds the multi-case view under each case it listed
    case = next(iter(shown))
    seqs = [
        e["seq"]
        for e in lists.api(lists.name("auditor", False))
        .get("/api/v1/audit", params={"case": case, "actor": inv, "limit": 500})
        .json()["entries"]
    ]
    assert entry.seq in seqs


# --- cases, a case's conversations and exhibits --------------------------------------------------


def test_cases_list_pages_sorts_and_searches(lists: Lists) -> None:
    c = lists.api(lists.name("investigator"))
    refs: list[str] = []
    for offset in (0, 5, 10):
        p = c.get("/api/v1/cases", params={"limit": 5, "offset": offset}).json()
        assert p["total"] == len(REFS) + 1 and p["sort"] == "ref"
        refs += [i["ref"] for i in p["items"]]
    assert refs == sorted([CASE, *REFS]), "by reference, every case once, none hidden"
    p = c.get("/api/v1/cases", params={"sort": "conversations", "order": "desc"}).json()
    counts = [i["conversations"] for i in p["items"]]
    assert counts == sorted(counts, reverse=True) and p["items"][0]["ref"] == "OP-L03"
    assert counts[0] == BULK["OP-L03"] and p["items"][0]["exhibits"] == 1
    p = c.get("/api/v1/cases", params={"q": "list test op-l1"}).json()
    assert [i["ref"] for i in p["items"]] == ["OP-L10", "OP-L11"]
    html = browser(lists, "investigator").get("/cases", params={"limit": 5}).text
    nxt = re.search(r'rel="next" href="([^"]+)"', html)
    assert nxt and "1–5 of 13 cases" in html
    more = browser(lists, "investigator").get(nxt.group(1).replace("&amp;", "&")).text
    assert "6–10 of 13 cases" in more and REFS[5] in more and REFS[2] not in more


def test_case_page_pages_sorts_and_searches_conversations(lists: Lists) -> None:
    c = lists.api(lists.name("investigator"))
    url = "/api/v1/cases/OP-L03"
    o = c.get(url, params={"limit": 5, "sort": "risk", "order": "asc"}).json()
    risks = [r["risk"] for r in o["conversations"]]
    assert len(risks) == 5 and risks == sorted(risks)
    assert (o["conversations_total"], o["limit"], o["sort"], o["order"]) == (18, 5, "risk", "asc")
    assert len(c.get(url, params={"limit": 5, "offset": 15}).json()["conversations"]) == 3
    o = c.get(url, params={"q": "many 1", "limit": 500}).json()
    assert o["conversations_total"] == 9  # "many 1" and "many 10" to "many 17"
    assert all("many 1" in r["title"] for r in o["conversations"])
    html = browser(lists, "investigator").get("/cases/OP-L03", params={"limit": 5}).text
    assert "1–5 of 18 conversations" in html and 'aria-sort="descending"' in html


def test_exhibits_page_in_reference_order_and_logged(lists: Lists) -> None:
    c = lists.api(lists.name("investigator"))
    url = f"/api/v1/cases/{EXHIBITS}/exhibits"
    before = top(lists)
    p = c.get(url, params={"limit": 5}).json()
    assert p["total"] == 12 and [e["ref"] for e in p["items"]] == [f"JS/{k}" for k in range(1, 6)]
    [seen] = entries_after(lists, before)
    assert (seen.object_type, seen.case_ref, json.loads(seen.details)["page"]) == (
        "case", EXHIBITS, "exhibits",
    )  # fmt: skip
    p = c.get(url, params={"limit": 5, "offset": 10}).json()
    assert [e["ref"] for e in p["items"]] == ["JS/11", "JS/12"], "JS/10 is not before JS/2"
    p = c.get(url, params={"sort": "ref", "order": "desc", "limit": 1}).json()
    assert p["items"][0]["ref"] == "JS/12" and len(p["items"][0]["sha256"]) == 64
    assert [e["original_name"] for e in c.get(url, params={"q": "note-7"}).json()["items"]] == [
        "note-7.txt"
    ]
    b = browser(lists, "investigator")
    case_page = b.get(f"/cases/{EXHIBITS}").text
    assert 'id="all-exhibits"' in case_page
    html = b.get(f"/cases/{EXHIBITS}/exhibits", params={"limit": 5, "offset": 5}).text
    assert "6–10 of 12 exhibits" in html and 'rel="prev"' in html and "JS/7" in html


# --- the audit log -------------------------------------------------------------------------------


def test_audit_date_range_paging_and_sort(lists: Lists) -> None:
    c = lists.api(lists.name("auditor", False))
    q = {"q": "dated entry", "limit": 500}
    assert c.get("/api/v1/audit", params=q).json()["total"] == 3
    one = c.get("/api/v1/audit", params={**q, "from": "2025-03-10", "to": "2025-03-10"}).json()
    assert [e["purpose"] for e in one["entries"]] == ["dated entry 1"]
    assert one["date_from"] == one["date_to"] == "2025-03-10"
    later = c.get("/api/v1/audit", params={**q, "from": "2025-03-10"}).json()
    assert [e["purpose"] for e in later["entries"]] == ["dated entry 2", "dated entry 1"]
    assert c.get("/api/v1/audit", params={**q, "to": "2025-03-09"}).json()["total"] == 1
    bad = c.get("/api/v1/audit", params={"from": "2025-03-11", "to": "2025-03-10"})
    assert bad.status_code == 400
    assert c.get("/api/v1/audit", params={"from": "last tuesday"}).status_code == 422
    first = c.get("/api/v1/audit", params={"q": "dated entry", "limit": 2}).json()
    assert first["total"] == 3 and len(first["entries"]) == 2
    assert first["next_before"] == first["entries"][-1]["seq"]
    rest = c.get("/api/v1/audit", params={"q": "dated entry", "limit": 2, "offset": 2}).json()
    assert [e["purpose"] for e in rest["entries"]] == ["dated entry 0"]
    asc = c.get("/api/v1/audit", params={**q, "sort": "when", "order": "asc"}).json()
    assert [e["purpose"] for e in asc["entries"]] == [f"dated entry {k}" for k in range(3)]
    html = (
        browser(lists, "auditor", False)
        .get("/audit", params={"q": "dated entry", "from": "2025-03-10", "to": "2025-03-10"})
        .text
    )
    assert '<time datetime="2025-03-10T12:00:00Z" title="2025-03-10T12:00:00.000000Z">' in html
    assert "2025-03-10 12:00:00 UTC</time>" in html and "1–1 of 1 entries" in html
    assert 'value="2025-03-10"' in html, "the date range stays in the form"


def test_supervisor_audit_link_leads_to_their_cases_audit(lists: Lists) -> None:
    sup = lists.name("supervisor")
    b = browser(lists, "supervisor")
    nav = b.get("/").text.split("<nav>", 1)[1].split("</nav>", 1)[0]
    assert 'href="/audit"' in nav
    page = b.get("/audit")
    assert page.status_code == 200 and "of the cases you supervise" in page.text
    c = lists.api(sup)
    r = c.get("/api/v1/audit", params={"limit": 500}).json()
    assert r["scope"] == "my cases" and r["total"] == len(r["entries"]) > 0
    assert {e["case_ref"] for e in r["entries"]} == {CASE}, "only the case they are on"
    assert c.get("/api/v1/audit", params={"case": OTHER}).status_code == 403
    assert c.get("/api/v1/audit", params={"case": HIDDEN}).status_code == 403
    assert c.get("/api/v1/audit", params={"case": CASE}).status_code == 200
    every = lists.api(lists.name("auditor", False)).get("/api/v1/audit").json()
    assert every["scope"] == "all" and every["total"] > r["total"]
    # an investigator is shown no audit link, and is refused the page
    inv = browser(lists, "investigator")
    assert 'href="/audit"' not in inv.get("/").text.split("</nav>", 1)[0]
    assert inv.get("/audit", follow_redirects=False).status_code == 403


@pytest.mark.parametrize("role", ["administrator", "supervisor", "investigator", "analyst",
                                  "disclosure_officer", "auditor"])  # fmt: skip
def test_every_menu_link_works_for_its_role(lists: Lists, role: str) -> None:
    b = browser(lists, role)
    nav = b.get("/").text.split("<nav>", 1)[1].split("</nav>", 1)[0]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert hrefs
    for href in hrefs:
        assert b.get(href, follow_redirects=False).status_code == 200, (role, href)


# --- users and memberships -----------------------------------------------------------------------


def test_users_and_memberships_page_sort_and_search(lists: Lists) -> None:
    c = lists.api(lists.name("administrator"))
    with lists.world.ws.sessions() as s:
        everyone = set(s.execute(select(User.username)).scalars())
        n_cases = int(s.execute(select(func.count()).select_from(Case)).scalar_one())
    names: list[str] = []
    counts: dict[str, int] = {}
    offset = 0
    while offset < len(everyone):
        p = c.get("/api/v1/users", params={"limit": 4, "offset": offset}).json()
        assert p["total"] == len(everyone)
        names += [u["username"] for u in p["items"]]
        counts.update({u["username"]: u["cases"] for u in p["items"]})
        offset += 4
    assert names == sorted(everyone) and counts["investigator-in"] == 13
    p = c.get("/api/v1/users", params={"q": "disclosure"}).json()
    assert sorted(u["username"] for u in p["items"]) == [
        "disclosure-officer-in", "disclosure-officer-out",
    ]  # fmt: skip
    p = c.get("/api/v1/users", params={"sort": "cases", "order": "desc", "limit": 3}).json()
    assert [u["cases"] for u in p["items"]] == sorted(counts.values(), reverse=True)[:3]
    url = "/api/v1/users/investigator-in/memberships"
    mine = c.get(url, params={"member": "yes", "limit": 500}).json()
    assert mine["total"] == 13 and all(m["member"] for m in mine["items"])
    assert c.get(url, params={"member": "no"}).json()["total"] == n_cases - 13
    assert [m["ref"] for m in c.get(url, params={"q": "OP-L1", "member": "yes"}).json()["items"]] == [
        "OP-L10", "OP-L11",
    ]  # fmt: skip
    p = c.get(url, params={"sort": "member", "limit": 13}).json()
    assert all(m["member"] for m in p["items"]), "members first"
    assert c.get(url, params={"member": "maybe"}).status_code == 422
    html = (
        browser(lists, "administrator")
        .get("/admin/users/investigator-in", params={"member": "yes", "limit": 5})
        .text
    )
    assert html.count(">Remove</button>") == 5 and "1–5 of 13 cases" in html
    assert "member=yes" in re.search(r'rel="next" href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    users_html = browser(lists, "administrator").get("/admin/users", params={"limit": 3}).text
    assert f"1–3 of {len(everyone)} users" in users_html
    assert users_html.split('id="users"', 1)[1].split("</table>", 1)[0].count("<tr>") == 4


# --- readable times and details ------------------------------------------------------------------


def test_times_read_in_minutes_or_seconds_with_the_zone() -> None:
    t = datetime(2026, 12, 7, 14, 3, 5, 123456, tzinfo=UTC)
    assert str(when(t)) == (
        '<time datetime="2026-12-07T14:03:05.123456Z" title="2026-12-07T14:03:05.123456+00:00">'
        "2026-12-07 14:03 UTC</time>"
    )
    assert ">2026-12-07 14:03:05 UTC<" in str(when("2026-12-07T14:03:05.123456Z", seconds=True))
    assert ">2026-12-07 14:03 UTC<" in str(when(t.replace(tzinfo=None))), "stored naive is UTC"
    assert ">2026-12-07 13:03 UTC<" in str(when("2026-12-07T14:03:05+01:00"))
    assert str(when(None)) == "—" and str(when("not a time")) == "not a time"


def test_custody_details_read_as_words() -> None:
    html = str(details({"ok": True, "problems": [], "via": "s", "conversations_listed": 3,
                        "files": list(range(20)), "name": "<b>x</b>"}))  # fmt: skip
    for words in ("verified:</span> yes", "problems:</span> none",
                  "signed in by:</span> browser session", "conversations listed:</span> 3",
                  "and 8 more", "&lt;b&gt;x&lt;/b&gt;"):  # fmt: skip
        assert words in html, words
    assert "True" not in html and "[]" not in html and "<b>" not in html


def test_exhibit_page_shows_custody_in_words(lists: Lists) -> None:
    b = browser(lists, "investigator")
    page = b.get(f"/cases/{EXHIBITS}/exhibit", params={"ref": "JS/3"})
    r = b.post(
        f"/cases/{EXHIBITS}/exhibit/verify", data={"ref": "JS/3", "csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 200 and "Verified" in r.text
    assert "verified:</span> yes" in r.text and "problems:</span> none" in r.text
    assert "ok=True" not in r.text and "problems=[]" not in r.text
    assert re.search(r">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time>", r.text)
    assert not re.search(r">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z?<", r.text), "no raw ISO"


# --- the QR code at first sign-in ----------------------------------------------------------------


def _password_only(world: WebWorld, name: str) -> TestClient:
    users.create_user(world.ws, name, "analyst", None, "a long enough passphrase 77")
    c = TestClient(world.app)
    r = c.get("/login")
    r = c.post("/login", data={"username": name, "password": "a long enough passphrase 77",
                               "csrf_token": csrf_of(r.text)})  # fmt: skip
    assert r.url.path == "/enrol"
    return c


def test_enrol_page_puts_the_qr_code_in_the_page(lists: Lists) -> None:
    html = _password_only(lists.world, "qr-inline").get("/enrol").text
    assert re.search(
        r'<svg role="img" aria-label="QR code[^"]*" width="\d+" height="\d+" class="qr">', html
    )
    assert "data:image" not in html and "<img" not in html


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``vigil serve`` on a fresh workspace with one account that has no second factor yet."""
    home = tmp_path_factory.mktemp("qr") / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="qr.admin", database_url=None))
    users.create_user(ws, "newcomer", "investigator", None, "a long enough passphrase 77")
    ws.engine.dispose()
    with vigil_serve(home, "qr.admin") as url:
        yield url


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_qr_code_renders_in_chromium(served: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from PIL import Image

    csp: list[str] = []
    with sync_api.sync_playwright() as p:
        browser_ = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser_.new_page()
            page.on(
                "console", lambda m: csp.append(m.text) if "Content Security" in m.text else None
            )
            page.goto(served + "/login")
            page.fill("input[name=username]", "newcomer")
            page.fill("input[name=password]", "a long enough passphrase 77")
            page.click("main button[type=submit]")
            page.wait_for_url("**/enrol**")
            qr = page.locator("#totp-qr svg.qr")
            box = qr.bounding_box()
            assert box is not None and box["width"] >= 150 and box["height"] >= 150
            shot = Image.open(io.BytesIO(qr.screenshot())).convert("L")
            pixels: Any = shot.getdata()
            dark = sum(1 for v in pixels if v < 100) / len(pixels)
            assert 0.2 < dark < 0.7, f"a QR code is about half dark modules, got {dark:.2f}"
            assert page.locator("code.secret").inner_text().replace(" ", "").isalnum()
        finally:
            browser_.close()
    assert not csp, csp
