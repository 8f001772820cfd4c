"""Access matrix: the media pages (grid, thumbnails, grading, resolution, exposure log), and
benign media for them: generated noise images, scanned into the case through the real service.

``{item_id}`` is filled per call (``FILLS``): a shared image for thumbnails, a fresh one for
each grade, and a fresh item two graders disagree on for each resolution, so that every
allowed call can succeed. Grading needs write; resolving needs *authorise* (supervisors).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from vigil.services.access import as_user
from vigil.services.media.review import grade
from vigil.services.media.scan import scan
from vigil.services.workspace import Workspace

C = "/cases/{case_ref}"
A = "/api/v1" + C
ITEM = C + "/media/{item_id}"
API_ITEM = A + "/media/{item_id}"
PURPOSE = "purpose=access+matrix+test"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", C + "/media"): "case:read",
    ("GET", C + "/media/exposures"): "case:read",
    ("GET", ITEM + "/thumb"): "case:read",
    ("POST", ITEM + "/grade"): "case:write",
    ("POST", ITEM + "/resolve"): "case:authorise",
    ("GET", A + "/media"): "case:read",
    ("GET", A + "/media/exposures"): "case:read",
    ("GET", API_ITEM + "/thumb"): "case:read",
    ("POST", API_ITEM + "/grade"): "case:write",
    ("POST", API_ITEM + "/resolve"): "case:authorise",
}
FORMS: dict[str, dict[str, str]] = {
    ITEM + "/grade": {"grade": "B"},
    ITEM + "/resolve": {"grade": "B", "reason": "access matrix resolution"},
}
BODIES: dict[str, Any] = {
    API_ITEM + "/grade": {"grade": "C"},
    API_ITEM + "/resolve": {"grade": "C", "reason": "access matrix resolution"},
}
QUERIES: dict[str, str] = {A + "/media": PURPOSE, API_ITEM + "/thumb": PURPOSE}

GRADERS = ("investigator-in", "analyst-in")
"""Two members of the test case who may write: they disagree on items to be resolved."""

_seeds = itertools.count(1000)


def noise_png(path: Path, seed: int, side: int = 160) -> Path:
    """A benign image of random coloured blocks."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    Image.fromarray(blocks, "RGB").resize((side, side), Image.Resampling.NEAREST).save(path)
    return path


def seed_image(ws: Workspace, case_ref: str, seed: int | None = None) -> int:
    """Scan one new generated image into ``case_ref``; its media item id."""
    n = next(_seeds) if seed is None else seed
    folder = Path(tempfile.mkdtemp(prefix="vigil-media-"))
    rep = scan(ws, case_ref, [noise_png(folder / f"image-{n}.png", n)], source="test images")
    assert len(rep.item_ids) == 1
    return rep.item_ids[0]


def seed_disputed(ws: Workspace, case_ref: str, graders: tuple[str, str] = GRADERS) -> int:
    """A new image two graders disagree on (A and B)."""
    item = seed_image(ws, case_ref)
    grade(as_user(ws, graders[0]), item, "A")
    grade(as_user(ws, graders[1]), item, "B")
    return item


_shared: dict[int, int] = {}


def _item_for(world: Any, method: str, path: str) -> str:
    from tests.web.conftest import CASE

    if path.endswith("/resolve"):
        return str(seed_disputed(world.ws, CASE))
    if path.endswith("/grade"):
        return str(seed_image(world.ws, CASE))
    key = id(world)
    if key not in _shared:
        _shared[key] = seed_image(world.ws, CASE)
    return str(_shared[key])


FILLS: dict[str, Callable[[Any, str, str], str]] = {"{item_id}": _item_for}
