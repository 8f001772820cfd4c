"""The server settles its start-up objects out of the cycle finder's way (vigil.web.heap)."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from tests.web.conftest import WebWorld


def test_serving_freezes_what_is_alive_at_start(world: WebWorld) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(world.app) as client:  # runs the app's lifespan
            assert gc.get_freeze_count() > 10_000  # modules, metadata, taxonomy, templates
            assert client.get("/login").status_code == 200
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
