"""The capture-session pages (issue 18 item 4): a case's sessions, one session's captures and
notes in time order with exhibit references and hashes, blurred screenshot thumbnails and
bubble crops at their box's size beside the transcript lines (low-confidence words marked),
every view in the custody log, refusals, and the API twins.

The session is recorded through the real capture services (tests/web/matrix/capture.py:
generated benign PNGs imported with ``import_files``, notes with ``add_note``); its OCR
transcript rows stand in for ``vigil capture transcribe``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFilter
from sqlalchemy import select

from tests.web.conftest import CASE, OTHER, WebWorld
from tests.web.matrix.capture import BOXES, LINES, OFFICER, Seeded, seeded
from tests.web.seed import csrf_of, sign_in
from vigil.db.tables.evidence import CustodyEntry
from vigil.services import access
from vigil.services.capture.transcripts import segments

PURPOSE = "review the capture session"


def signed_in(world: WebWorld, role: str, member: bool = True, purpose: bool = True) -> TestClient:
    acc = world.accounts[(role, member)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    if purpose:
        csrf = csrf_of(c.get("/account").text)
        r = c.post(f"/cases/{CASE}/purpose", data={"purpose": PURPOSE, "csrf_token": csrf})
        assert r.status_code == 200
    return c


@pytest.fixture(scope="module")
def cap(world: WebWorld) -> Seeded:
    return seeded(world)


@pytest.fixture(scope="module")
def analyst(world: WebWorld, cap: Seeded) -> Iterator[TestClient]:
    yield signed_in(world, "analyst")


def custody(world: WebWorld, **where: str) -> list[CustodyEntry]:
    with world.ws.sessions() as s:
        stmt = select(CustodyEntry).order_by(CustodyEntry.seq)
        for k, v in where.items():
            stmt = stmt.where(getattr(CustodyEntry, k) == v)
        return list(s.execute(stmt).scalars())


def image(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG"
    return im.convert("RGB")


def detail(im: Image.Image) -> float:
    """Edge energy: the mean of a Laplacian-like filter's response (high for sharp detail)."""
    edges = im.convert("L").filter(ImageFilter.FIND_EDGES)
    return float(np.asarray(edges, dtype=np.float64).mean())


def diff(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).mean())


def test_case_page_links_capture_and_sessions_list(
    world: WebWorld, cap: Seeded, analyst: TestClient
) -> None:
    case_page = analyst.get(f"/cases/{CASE}").text
    assert f'href="/cases/{CASE}/capture"' in case_page
    r = analyst.get(f"/cases/{CASE}/capture")
    assert r.status_code == 200
    row = r.text.split(f'id="session-{cap.short}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/cases/{CASE}/capture/{cap.short}"' in row
    assert "DC Test Officer" in row and OFFICER in row and "P-CAP" in row and "A-CAP" in row
    assert "chatsite" in row and ">2</td>" in row  # two captures, two notes
    assert "lead for a trained person" in r.text
    entry = custody(world, object_type="capture_sessions", action="view")[-1]
    assert entry.purpose == PURPOSE and entry.case_ref == CASE
    assert json.loads(entry.details)["sessions"] == [cap.session_ref]


def test_session_page_in_time_order_with_files_and_transcript(
    world: WebWorld, cap: Seeded, analyst: TestClient
) -> None:
    r = analyst.get(f"/cases/{CASE}/capture/{cap.short}")
    assert r.status_code == 200
    page = r.text
    order = [page.index(f'id="{x}"') for x in ("capture-1", "note-1", "capture-2", "note-2")]
    assert order == sorted(order), "captures and notes interleave by time"
    assert "Persona opened the chat" in page and "Suspect account went offline" in page
    first = page.split('id="capture-1"', 1)[1].split('id="note-1"', 1)[0]
    second = page.split('id="capture-2"', 1)[1].split('id="note-2"', 1)[0]
    base = f"/cases/{CASE}/capture/{cap.short}"
    assert f'src="{base}/1/thumb"' in first and "Blurred thumbnail of capture 1" in first
    sha = __import__("hashlib").sha256(cap.screenshots[0].read_bytes()).hexdigest()
    assert sha in first and sha not in second  # each capture lists its own exhibit and hashes
    assert "handset 2" in first and "claims" not in first
    assert "DateTimeOriginal" in second and "claims" in second  # the handset's own time, beside
    # the transcript beside the crops, in message order, low-confidence words marked
    assert "OCR" in first and "check each against its crop" in first and "never a verdict" in first
    rows = first.split('class="transcript-line"')[1:]
    assert len(rows) == len(LINES) and "transcript-line" not in second
    for row, line_id, (sender, text, spans), (_, _, w, h) in zip(
        rows, cap.line_ids, LINES, BOXES, strict=True
    ):
        assert f'src="{base}/1/crop/{line_id}"' in row and f'width="{w}" height="{h}"' in row
        assert sender in row
        for sp in spans:
            assert f">{text[sp['start'] : sp['end']]}</mark>" in row
    assert 'mark class="low-conf" title="read with confidence 41"' in rows[1]
    assert "<mark" not in rows[0]
    entry = custody(world, object_type="capture_session", action="view")[-1]
    assert entry.object_id == cap.session_ref and entry.purpose == PURPOSE
    details = json.loads(entry.details)
    assert (details["captures"], details["notes"], details["transcript_lines"]) == (
        [1, 2],
        [1, 2],
        3,
    )


def test_pages_of_captures_carry_the_notes_between_them(
    world: WebWorld, cap: Seeded, analyst: TestClient
) -> None:
    base = f"/cases/{CASE}/capture/{cap.short}"
    one = analyst.get(base, params={"limit": 1}).text
    two = analyst.get(base, params={"limit": 1, "offset": 1}).text
    assert 'id="capture-1"' in one and 'id="note-1"' in one and 'id="capture-2"' not in one
    assert 'id="note-2"' not in one and 'rel="next"' in one
    assert 'id="capture-2"' in two and 'id="note-2"' in two and 'id="note-1"' not in two


def test_thumbnail_is_blurred_unless_a_reason_is_logged(
    world: WebWorld, cap: Seeded, analyst: TestClient
) -> None:
    url = f"/cases/{CASE}/capture/{cap.short}/1/thumb"
    blurred = analyst.get(url)
    assert blurred.status_code == 200 and blurred.headers["content-type"] == "image/jpeg"
    assert "no-store" in blurred.headers["cache-control"]
    b = image(blurred.content)
    original = (
        Image.open(cap.screenshots[0]).convert("RGB").resize(b.size, Image.Resampling.LANCZOS)
    )
    assert detail(b) < 0.25 * detail(original), "the thumbnail keeps no sharp detail"
    view = custody(world, object_type="exhibit", action="view")[-1]
    details = json.loads(view.details)
    assert view.purpose == PURPOSE and details["capture"] == f"{cap.session_ref}#1"
    assert details["shown"] == "blurred capture thumbnail" and "exposure" not in details
    assert analyst.get(url, params={"reason": ""}).status_code == 400
    clear = analyst.get(url, params={"reason": "check the OCR text"})
    assert clear.status_code == 200
    c = image(clear.content)
    again = Image.open(cap.screenshots[0]).convert("RGB").resize(c.size, Image.Resampling.LANCZOS)
    assert diff(c, again) < 0.5 * diff(b, original), "unblurred is close to the original"
    entry = custody(world, object_type="exhibit", action="view")[-1]
    assert entry.purpose == "check the OCR text" and json.loads(entry.details)["exposure"] is True


def test_crops_have_the_box_size_and_its_pixels(
    world: WebWorld, cap: Seeded, analyst: TestClient
) -> None:
    base = f"/cases/{CASE}/capture/{cap.short}/1/crop"
    shot = Image.open(cap.screenshots[0]).convert("RGB")
    for line_id, (left, top, w, h) in zip(cap.line_ids, BOXES, strict=True):
        blurred = image(analyst.get(f"{base}/{line_id}").content)
        assert blurred.size == (w, h)
        clear = image(
            analyst.get(f"{base}/{line_id}", params={"reason": "read the bubble"}).content
        )
        assert clear.size == (w, h)
        region = shot.crop((left, top, left + w, top + h))
        assert diff(clear, region) < 6, "the crop is cut where the box says"
    entry = custody(world, object_type="exhibit", action="view")[-1]
    assert json.loads(entry.details)["box"] == list(BOXES[-1])
    # a line read from capture 1 is not reachable as capture 2's
    assert (
        analyst.get(f"/cases/{CASE}/capture/{cap.short}/2/crop/{cap.line_ids[0]}").status_code
        == 404
    )


def test_refusals(world: WebWorld, cap: Seeded) -> None:
    before = len(custody(world, action="view"))
    outsider = signed_in(world, "investigator", member=False, purpose=False)
    for path in ("/capture", f"/capture/{cap.short}", f"/capture/{cap.short}/1/thumb",
                 f"/capture/{cap.short}/1/crop/{cap.line_ids[0]}"):  # fmt: skip
        r = outsider.get(f"/cases/{CASE}{path}", follow_redirects=False)
        assert r.status_code == 403, path
        assert "Persona opened the chat" not in r.text and "DC Test Officer" not in r.text
    # a member without a stated purpose is asked for one first
    member = signed_in(world, "investigator", purpose=False)
    r = member.get(f"/cases/{CASE}/capture/{cap.short}", follow_redirects=False)
    assert r.status_code == 303 and "/purpose" in r.headers["location"]
    # the session is looked up within the case of the address
    csrf = csrf_of(outsider.get("/account").text)
    outsider.post(f"/cases/{OTHER}/purpose", data={"purpose": PURPOSE, "csrf_token": csrf})
    assert outsider.get(f"/cases/{OTHER}/capture/{cap.short}").status_code == 404
    new = [(e.object_type, e.object_id, e.actor) for e in custody(world, action="view")[before:]]
    assert not [e for e in new if e[0].startswith("capture") or e[0] == "exhibit"], new


def test_api_twins(world: WebWorld, cap: Seeded) -> None:
    token, _ = access.create_token(world.ws, "disclosure-officer-in", "capture test")
    api, h = TestClient(world.app), {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/cases/{CASE}/capture"
    assert api.get(base, headers=h).status_code == 428
    body = api.get(base, headers=h, params={"purpose": "disclosure schedule"}).json()
    (row,) = body["sessions"]["items"]
    assert row["ref"] == cap.session_ref and row["captures"] == 2 and row["notes"] == 2
    one = api.get(f"{base}/{cap.short}", headers=h).json()
    kinds = ["capture" if i["capture"] else "note" for i in one["items"]]
    assert kinds == ["capture", "note", "capture", "note"]
    first = one["items"][0]["capture"]
    assert [f["part"] for f in first["files"]] == ["file"]
    (tr,) = first["transcripts"]
    assert tr["conversation_id"] == cap.conversation_id
    lines = tr["lines"]
    assert [(x["left"], x["top"], x["width"], x["height"]) for x in lines] == BOXES
    assert [s["text"] for s in lines[2]["segments"] if s["low"]] == ["your"]
    assert "never a verdict" in one["ocr_note"]
    thumb = api.get(f"{base}/{cap.short}/1/thumb", headers=h)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert api.get(f"{base}/CS99", headers=h).status_code == 404
    assert api.get(f"{base}/not-a-session", headers=h).status_code == 422


def test_segments_clip_sort_and_report_bad_spans() -> None:
    segs, problem = segments("hello there world", json.dumps(
        [{"start": 12, "end": 99, "conf": 20}, {"start": 0, "end": 5, "conf": 30},
         {"start": 3, "end": 8, "conf": 10}]))  # fmt: skip
    assert problem is None
    assert [(s.text, s.low) for s in segs] == [
        ("hello", True),
        (" th", True),
        ("ere ", False),
        ("world", True),
    ]
    assert "".join(s.text for s in segs) == "hello there world"
    segs, problem = segments("abc", "{not json")
    assert [(s.text, s.low) for s in segs] == [("abc", False)] and problem


def test_unblurred_view_of_a_scanned_screenshot_reaches_the_exposure_log(
    world: WebWorld, cap: Seeded, analyst: TestClient
) -> None:
    """When the screenshot is also a media item of the case, its unblurred view is an exposure
    row for the welfare log (docs/media.md), as on the media pages."""
    from vigil.db.tables.media import MediaExposure
    from vigil.services.media.scan import scan

    (item,) = scan(world.ws, CASE, [cap.screenshots[1]], source="capture check").item_ids
    url = f"/cases/{CASE}/capture/{cap.short}/2/thumb"
    assert analyst.get(url).status_code == 200  # blurred: no exposure
    with world.ws.sessions() as s:
        assert (
            s.execute(select(MediaExposure).where(MediaExposure.media_item_id == item)).first()
            is None
        )
    assert analyst.get(url, params={"reason": "compare with the handset"}).status_code == 200
    with world.ws.sessions() as s:
        (row,) = s.execute(
            select(MediaExposure).where(MediaExposure.media_item_id == item)
        ).scalars()
        assert (row.user, row.reason) == ("analyst-in", "compare with the handset")
    page = analyst.get(f"/cases/{CASE}/media/exposures").text
    assert "compare with the handset" in page
