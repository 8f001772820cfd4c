"""The issue 19 formats through the ingest service: detection, counts, derived exhibits.

The exports are the synthetic ones the format tests build (see their docstrings for where the
structures come from), written to ``tmp_path`` and ingested into a fresh workspace.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.ingest import html_meta_fixture as meta
from tests.ingest import html_telegram_fixture as tg
from tests.ingest import test_html_snapchat as snap
from tests.ingest.test_email import mbox, thread_a, thread_b
from tests.ingest.test_takeout_google_chat import takeout
from tests.ingest.test_tiktok import export

from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace


@pytest.mark.parametrize("pipeline", [False, True])
def test_telegram_html_zip_stores_messages_and_the_photo(
    ws: Workspace, tmp_path: Path, pipeline: bool
) -> None:
    path = tmp_path / "ChatExport_2023-03-27.zip"
    path.write_bytes(tg.zipped(tg.two_page_export()))
    s = ingest_file(ws, "OP-TEST", path, pipeline=pipeline)
    assert (s.messages, s.participants, len(s.conversations)) == (8, 2, 1)
    assert len(s.derived_exhibits) == 1
    ((where, why),) = s.skipped
    assert where.startswith("ChatExport_2023-03-27/messages2.html: #message109")
    assert "no div.body" in why


@pytest.mark.parametrize(
    ("name", "data", "counts", "derived"),
    [
        ("instagram-sam-2023-03-27.zip", meta.zipped_download(), (6, 3, 2), 1),
        ("user_data.json", json.dumps(export()).encode(), (4, 3, 2), 0),
        ("takeout-20230327T000000Z-001.zip", takeout(), (4, 2, 2), 1),
        ("Inbox.mbox", mbox(thread_a() + thread_b()), (5, 5, 2), 1),  # the MIME attachment
        ("chat_history.html", snap.PAGE, (4, 3, 2), 0),
    ],
)
def test_other_formats_through_the_service(
    ws: Workspace,
    tmp_path: Path,
    name: str,
    data: bytes,
    counts: tuple[int, int, int],
    derived: int,
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    s = ingest_file(ws, "OP-TEST", path, pipeline=False)
    assert (s.messages, s.participants, len(s.conversations)) == counts
    assert len(s.derived_exhibits) == derived
