"""The media pages: a grid of blurred thumbnails with hash-list matches and grading state, the
unblurred view only with a reason (logged as exposure), two-person grading and a supervisor's
resolution through the forms, the exposure log's scope, and the API twins.

Benign media only: generated noise images; a hash list (CSV) naming one of them is imported
the way tests/services/test_media_service.py does.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from tests.web.conftest import CASE, OTHER, WebWorld
from tests.web.matrix.media import noise_png, seed_image
from tests.web.seed import csrf_of, sign_in
from vigil.db.tables.evidence import CustodyEntry
from vigil.db.tables.media import MediaExposure, MediaItem
from vigil.media.hashers.crypto import crypto_hashes
from vigil.services import access
from vigil.services.media.lists import import_list
from vigil.services.media.review import export_graded
from vigil.services.media.scan import scan

PURPOSE = "grade the seized images"


class Media:
    known: int
    plain: int
    disputed: int
    other_case: int


@pytest.fixture(scope="module")
def media(world: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> Media:
    ws, tmp = world.ws, tmp_path_factory.mktemp("media")
    known = noise_png(tmp / "known.png", 501)
    lst = tmp / "list.csv"
    lst.write_text(
        "hash,category,source,algorithm,id\n"
        f"{crypto_hashes(known.read_bytes()).md5},uk-sentencing:C,partner,md5,K-1\n"
    )
    import_list(ws, lst, name="Partner list", fmt="csv", version="3")
    rep = scan(ws, CASE, [known], source="seized phone")
    m = Media()
    m.known = rep.item_ids[0]
    m.plain = seed_image(ws, CASE, seed=502)
    m.disputed = seed_image(ws, CASE, seed=503)
    m.other_case = seed_image(ws, OTHER, seed=504)
    return m


def signed_in(world: WebWorld, role: str, purpose: bool = True) -> TestClient:
    acc = world.accounts[(role, True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    if purpose:
        r = c.post(f"/cases/{CASE}/purpose", data={"purpose": PURPOSE, "csrf_token": csrf(c)})
        assert r.status_code == 200
    return c


def csrf(c: TestClient) -> str:
    return csrf_of(c.get("/account").text)


@pytest.fixture(scope="module")
def clients(world: WebWorld, media: Media) -> Iterator[dict[str, TestClient]]:
    yield {role: signed_in(world, role) for role in ("investigator", "analyst", "supervisor")}


def card(page: str, item: int) -> str:
    return page.split(f'id="item-{item}"', 1)[1].split("</article>", 1)[0]


def exposures(world: WebWorld) -> list[MediaExposure]:
    with world.ws.sessions() as s:
        return list(s.execute(select(MediaExposure).order_by(MediaExposure.id)).scalars())


def test_grid_blurred_thumbnails_matches_and_state(
    world: WebWorld, media: Media, clients: dict[str, TestClient]
) -> None:
    r = clients["investigator"].get(f"/cases/{CASE}/media")
    assert r.status_code == 200
    page = r.text
    assert "lead for a trained person" in page and "never a verdict" in page
    assert "Thumbnails are blurred" in page
    known = card(page, media.known)
    assert f'src="/cases/{CASE}/media/{media.known}/thumb"' in known
    assert "Blurred thumbnail of exhibit" in known
    assert "Partner list" in known and "Category C" in known and "exact (MD5)" in known
    assert "Known material" in known and 'action="' not in known.split("unblur")[0]
    plain = card(page, media.plain)
    assert "No hash-list match." in plain and "Awaiting first grade" in plain
    assert f'action="/cases/{CASE}/media/{media.plain}/grade"' in plain
    assert 'name="csrf_token"' in plain
    assert f"item-{media.other_case}" not in page  # another case's media is not listed
    view = [
        e for e in world_custody(world, "view") if e.object_type == "media" and e.purpose == PURPOSE
    ]
    assert view, "the listing is recorded with the stated purpose"


def world_custody(world: WebWorld, action: str) -> list[CustodyEntry]:
    with world.ws.sessions() as s:
        stmt = select(CustodyEntry).where(CustodyEntry.action == action).order_by(CustodyEntry.seq)
        return list(s.execute(stmt).scalars())


def test_thumbnails_blurred_unless_a_reason_is_logged(
    world: WebWorld, media: Media, clients: dict[str, TestClient]
) -> None:
    c = clients["investigator"]
    before = len(exposures(world))
    blurred = c.get(f"/cases/{CASE}/media/{media.plain}/thumb")
    assert blurred.status_code == 200 and blurred.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(blurred.content)).format == "JPEG"
    assert len(exposures(world)) == before  # a blurred view is no exposure
    assert c.get(f"/cases/{CASE}/media/{media.plain}/thumb?reason=").status_code == 400
    assert len(exposures(world)) == before
    clear = c.get(f"/cases/{CASE}/media/{media.plain}/thumb", params={"reason": "check grade"})
    assert clear.status_code == 200 and clear.content != blurred.content
    after = exposures(world)
    assert len(after) == before + 1
    assert (after[-1].user, after[-1].media_item_id, after[-1].reason) == (
        "investigator-in",
        media.plain,
        "check grade",
    )
    entry = world_custody(world, "view")[-1]
    assert entry.purpose == "check grade" and json.loads(entry.details)["exposure"] is True
    # an item of another case is not reachable through this case's address
    r = c.get(f"/cases/{CASE}/media/{media.other_case}/thumb", params={"reason": "curious"})
    assert r.status_code == 404 and len(exposures(world)) == before + 1


def test_two_graders_disagree_and_a_supervisor_resolves(
    world: WebWorld, media: Media, clients: dict[str, TestClient]
) -> None:
    item, base = media.disputed, f"/cases/{CASE}/media/{media.disputed}"
    inv, ana, sup = clients["investigator"], clients["analyst"], clients["supervisor"]
    r = inv.post(base + "/grade", data={"grade": "A", "csrf_token": csrf(inv)})
    assert r.status_code == 200 and r.url.fragment == f"item-{item}"
    assert "Awaiting second grader" in card(r.text, item)
    again = inv.post(base + "/grade", data={"grade": "B", "csrf_token": csrf(inv)})
    assert again.status_code == 400 and "already graded" in again.text
    assert ana.post(base + "/resolve", data={"grade": "B", "reason": "mine",
                                             "csrf_token": csrf(ana)}).status_code == 403  # fmt: skip
    r = ana.post(base + "/grade", data={"grade": "B", "csrf_token": csrf(ana)})
    assert "Disagreement" in card(r.text, item)
    _, n, left_out = export_graded(world.ws, CASE)
    assert n == 0 and left_out >= 1  # a disputed item is never exported
    # the supervisor (who graded nothing of it) sees the resolve form, not a grade form
    page = card(sup.get(f"/cases/{CASE}/media").text, item)
    assert f'action="{base}/resolve"' in page and f'action="{base}/grade"' not in page
    assert 'action="' + base + '/resolve"' not in card(inv.get(f"/cases/{CASE}/media").text, item)
    r = sup.post(base + "/resolve", data={"grade": "B", "reason": "looked at both grades",
                                          "csrf_token": csrf(sup)})  # fmt: skip
    assert r.status_code == 200
    done = card(r.text, item)
    assert "Resolved by a supervisor" in done and "grade B decided by supervisor-in" in done
    assert 'action="' not in done.split("<details")[0]  # no more grading or resolving
    doc, n, _ = export_graded(world.ws, CASE)
    with world.ws.sessions() as s:
        md5 = s.get(MediaItem, item).md5  # type: ignore[union-attr]
    assert n == 1 and md5.upper() in doc.decode().upper()


def test_exposure_log_own_or_everyone_for_a_supervisor(
    world: WebWorld, media: Media, clients: dict[str, TestClient]
) -> None:
    ana, sup = clients["analyst"], clients["supervisor"]
    assert ana.get(f"/cases/{CASE}/media/{media.known}/thumb",
                   params={"reason": "confirm the match"}).status_code == 200  # fmt: skip
    inv_page = clients["investigator"].get(f"/cases/{CASE}/media/exposures").text
    ana_page = ana.get(f"/cases/{CASE}/media/exposures").text
    sup_page = sup.get(f"/cases/{CASE}/media/exposures").text
    assert "confirm the match" in ana_page and "You see your own views" in ana_page
    assert "confirm the match" not in inv_page  # the analyst's view, not the investigator's
    assert "confirm the match" in sup_page and "everyone" in sup_page
    assert "investigator-in" in sup_page and "analyst-in" in sup_page


def test_api_twins(world: WebWorld, media: Media) -> None:
    acc = world.accounts[("investigator", True)]
    token, _ = access.create_token(world.ws, acc.username, "media test")
    api, h = TestClient(world.app), {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/cases/{CASE}/media"
    assert api.get(base, headers=h).status_code == 428
    body = api.get(base, headers=h, params={"purpose": "grading by API"}).json()
    cards = {c["item_id"]: c for c in body["items"]["items"]}
    assert set(cards) >= {media.known, media.plain} and media.other_case not in cards
    match = cards[media.known]["matches"][0]
    assert (match["result"], match["list_name"], match["distance"]) == ("match", "Partner list", 0)
    assert "Category C" in match["category"] and cards[media.known]["known"]
    r = api.get(f"{base}/{media.plain}/thumb", headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    r = api.post(f"{base}/{media.plain}/grade", headers=h, json={"grade": "not indecent"})
    assert r.status_code == 200 and r.json()["grades"] == {"investigator-in": "not_indecent"}
    r = api.post(
        f"{base}/{media.plain}/resolve", headers=h, json={"grade": "A", "reason": "not my call"}
    )
    assert r.status_code == 403
    log = api.get(f"{base}/exposures", headers=h).json()
    assert log["everyone"] is False and all(x["person"] == "investigator-in" for x in log["rows"])
