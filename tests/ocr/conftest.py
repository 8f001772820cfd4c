"""OCR fixtures: screenshots rendered once per test session by Debian's Chromium from
synthetic benign chats (tests/ocr/render.py), and one Tesseract engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ocr.render import CHROMIUM, LAYOUTS, THEMES, TODAY, Shot, renderer
from tests.ocr.synth import chat
from vigil.ocr.tesseract import TESSDATA, Tesseract

PER_THEME = 2
"""Screenshots per layout and theme in ``make test`` (the slow sweep renders more)."""

needs_tools = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        not any((Path(d) / "eng.traineddata").exists() for d in TESSDATA),
        reason="tesseract-ocr-eng is not installed",
    ),
]


def seed(layout: str, theme: str, k: int) -> int:
    return 1000 + LAYOUTS.index(layout) * 100 + k * 2 + (theme == "dark")


@pytest.fixture(scope="session")
def engine() -> Iterator[Tesseract]:
    pytest.importorskip("tesserocr", reason="tesserocr (PyPI) is not installed")
    e = Tesseract()
    yield e
    e.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[Shot]]:
    """PER_THEME screenshots per layout and theme: a chat of 14 messages from its top (its
    first day separator showing), 1080 x 2400."""
    pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    out = tmp_path_factory.mktemp("ocr-shots")
    found: dict[tuple[str, str], list[Shot]] = {}
    with renderer(out) as r:
        for lay in LAYOUTS:
            for th in THEMES:
                found[(lay, th)] = [
                    r.shot(
                        f"{lay}-{th}-{k}",
                        lay,
                        th,
                        chat(seed(lay, th, k), 14, TODAY),
                        TODAY,
                        scroll=0.0,
                    )
                    for k in range(PER_THEME)
                ]
    return found


@pytest.fixture(scope="session")
def scrolled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Shot]]:
    """A 30-message chat per layout (light theme for WhatsApp and Discord, dark for Telegram),
    screenshotted four times while scrolling from its top to its end, each screenshot
    overlapping the one before."""
    pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    out = tmp_path_factory.mktemp("ocr-scrolled")
    found: dict[str, list[Shot]] = {}
    with renderer(out) as r:
        for lay, th in (("whatsapp", "light"), ("telegram", "dark"), ("discord", "light")):
            items = chat(77 + LAYOUTS.index(lay), 30, TODAY)
            found[lay] = [
                r.shot(f"{lay}-scroll-{i}", lay, th, items, TODAY, scroll=f)
                for i, f in enumerate((0.0, 0.33, 0.66, 1.0))
            ]
    return found
