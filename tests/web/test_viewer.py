"""The conversation viewer: keyset windows, filters, findings in place, jumps, the chart."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.bulk import CATEGORIES, long_conversation
from tests.web.seed import csrf_of, make_user, sign_in
from vigil.config import Settings
from vigil.services import access, users
from vigil.services.access import Principal
from vigil.services.cases import create_case
from vigil.services.conversations import Bucket, conversation_page
from vigil.services.workspace import Workspace, init_workspace
from vigil.web import chart
from vigil.web.app import create_app
from vigil.web.highlight import segments

N = 2_000
EVERY = 37


@dataclass(frozen=True)
class F:
    id: int
    span_start: int
    span_end: int
    category: str


def test_segments_cover_text_and_mark_overlaps() -> None:
    text = "are your parents home tonight?"
    fs = [F(1, 0, 21, "supervision"), F(2, 9, 16, "family"), F(3, 22, 29, "time")]
    segs = segments(text, fs)
    assert "".join(s.text for s in segs) == text
    marked = {s.text: s.covering for s in segs if s.covering}
    assert marked == {"are your ": [1], "parents": [1, 2], " home": [1], "tonight": [3]}
    assert [fid for s in segs for fid in s.starts] == [1, 2, 3]


def test_segments_clamp_bad_offsets_and_keep_every_anchor() -> None:
    segs = segments(
        "short", [F(1, 3, 99, "a"), F(2, -5, 2, "b"), F(3, 4, 4, "c"), F(4, 50, 60, "d")]
    )
    assert "".join(s.text for s in segs) == "short"
    assert sorted(fid for s in segs for fid in s.starts) == [1, 2, 3, 4]
    assert segments("", [F(9, 0, 3, "x")])[0].starts == [9]


def test_chart_scales_bars_and_running_total() -> None:
    buckets = [Bucket(0, 1, 10, 0.0, 0), Bucket(1, 11, 20, 2.0, 4), Bucket(2, 21, 30, 1.0, 2)]
    c = chart.build(buckets, [{"stage": "secrecy", "seq": 16}], 30)
    assert next(b.h for b in c.bars) == 0 and c.bars[1].h > c.bars[2].h > 0
    assert c.bars[1].h == pytest.approx(2 * c.bars[2].h)
    assert c.markers[0].x == pytest.approx(chart.WIDTH * 15 / 30)
    last_y = float(c.line.split()[-1].split(",")[1])
    assert last_y == pytest.approx(chart.PAD)  # the running total ends at the top
    assert chart.build([], [], 0).bars == []


@pytest.fixture(scope="module")
def long_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Principal, int]:
    ws, _, _ = init_workspace(Settings(home=tmp_path_factory.mktemp("long") / "ws", user="boss"))
    create_case(ws, "OP-LONG", "Long conversation", None, "UTC")
    cid = long_conversation(ws, "OP-LONG", N, EVERY)
    make_user(ws, "reader", "analyst", ["OP-LONG"])
    with ws.sessions() as s:
        user = access.principal_of(access.get_user(s, "reader"), "s:test")
    access.state_purpose(ws, user, "OP-LONG", "windowing test")
    return ws, user, cid


def test_keyset_windows_cover_every_message_once(long_ws: tuple[Workspace, Principal, int]) -> None:
    ws, user, cid = long_ws
    seen: list[int] = []
    start = 1
    prev_starts = []
    while True:
        p = conversation_page(ws, user, "OP-LONG", cid, start=start, limit=293)
        seen.extend(m.seq for m in p.messages)
        prev_starts.append((start, p.prev_start))
        if p.next_start is None:
            break
        start = p.next_start
    assert seen == list(range(1, N + 1))
    for (s0, _), (_, back) in itertools.pairwise(prev_starts):
        assert back == s0  # "earlier" from a window leads to the window before it


def test_findings_are_in_their_messages_and_jumps_cross_windows(
    long_ws: tuple[Workspace, Principal, int],
) -> None:
    ws, user, cid = long_ws
    p = conversation_page(ws, user, "OP-LONG", cid, start=100, limit=50)
    with_f = [m for m in p.messages if m.findings]
    assert [m.seq for m in with_f] == [s for s in range(100, 150) if s % EVERY == 0]
    for m in with_f:
        f = m.findings[0]
        assert m.text[f.span_start : f.span_end] == f.quote
    assert p.finding_after is not None and p.finding_after.seq == next(
        s for s in range(150, N) if s % EVERY == 0
    )
    assert p.finding_before is not None and p.finding_before.seq == max(
        s for s in range(1, 100) if s % EVERY == 0
    )


def test_filters_by_category_and_participant(long_ws: tuple[Workspace, Principal, int]) -> None:
    ws, user, cid = long_ws
    cat = CATEGORIES[1]
    p = conversation_page(ws, user, "OP-LONG", cid, category=cat, limit=500)
    want = [s for s in range(1, N + 1) if s % EVERY == 0 and CATEGORIES[(s // EVERY) % 4] == cat]
    assert [m.seq for m in p.messages] == want
    assert {c.category: c.count for c in p.categories}[cat] == len(want)
    adult = next(x for x in p.participants if x.platform_id == "adult-1")
    q = conversation_page(ws, user, "OP-LONG", cid, participant=adult.id, limit=40)
    assert [m.seq for m in q.messages] == list(range(1, 80, 2))
    assert {m.sender for m in q.messages} == {"Adult One"}


def test_chart_weights_add_up(long_ws: tuple[Workspace, Principal, int]) -> None:
    ws, user, cid = long_ws
    p = conversation_page(ws, user, "OP-LONG", cid, limit=1)
    assert len(p.chart) == 60
    assert sum(b.findings for b in p.chart) == N // EVERY
    assert p.chart[0].first_seq == 1 and p.chart[-1].last_seq == N
    assert all(
        b.first_seq <= s <= b.last_seq for b in p.chart for s in range(b.first_seq, b.last_seq + 1)
    )


def test_viewer_page_renders_marks_anchors_and_jump_links(
    tmp_path: Path, long_ws: tuple[Workspace, Principal, int]
) -> None:
    ws, _, cid = long_ws
    c = sign_in(TestClient(create_app(workspace=ws)), "reader", "correct horse battery staple 42",
                _secret(ws), step=0)  # fmt: skip
    c.post(
        "/cases/OP-LONG/purpose",
        data={"purpose": "render test", "csrf_token": csrf_of(c.get("/").text)},
    )
    r = c.get(f"/cases/OP-LONG/conversations/{cid}?start=30&limit=20")
    assert r.status_code == 200
    assert 'id="m-30"' in r.text and 'id="m-49"' in r.text and 'id="m-50"' not in r.text
    assert r.text.count('<mark class="finding') == 1  # message 37 only
    assert (
        'class="next-finding" href="/cases/OP-LONG/conversations/' in r.text
    )  # to the next window
    assert "#f-" in r.text and 'class="anchor" id="f-' in r.text
    assert r.text.count('<rect class="bar') == 60


def _secret(ws: Workspace) -> str:
    secret, _ = users.reset_totp(ws, "reader")
    return secret


def test_the_filter_form_with_everyone_chosen_is_not_an_error(
    long_ws: tuple[Workspace, Principal, int],
) -> None:
    """The form sends empty values for "all"; the page must take them as no filter."""
    ws, _, cid = long_ws
    c = sign_in(TestClient(create_app(workspace=ws)), "reader", "correct horse battery staple 42",
                _secret(ws), step=0)  # fmt: skip
    c.post(
        "/cases/OP-LONG/purpose",
        data={"purpose": "filter test", "csrf_token": csrf_of(c.get("/").text)},
    )
    base = f"/cases/OP-LONG/conversations/{cid}"
    everyone = c.get(f"{base}?category=&participant=&limit=20")
    assert everyone.status_code == 200 and 'id="m-1"' in everyone.text
    assert c.get(f"{base}?category=&participant=abc").status_code == 422
    api = c.get(f"/api/v1/cases/OP-LONG/conversations/{cid}/messages?participant=&limit=5")
    assert api.status_code == 200 and len(api.json()["messages"]) == 5
