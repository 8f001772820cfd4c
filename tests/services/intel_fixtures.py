"""Synthetic Telegram chats for the intel service tests (benign, non-graphic content).

The wording follows the grooming cues public safeguarding guidance quotes (age questions,
secrecy, gifts, moving to another platform); nothing more.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from vigil.intel.extract.codecs import b58check_encode

# A Bitcoin P2PKH address with a valid checksum over a synthetic (hash-derived) payload.
WALLET = b58check_encode(0, hashlib.sha256(b"vigil synthetic wallet").digest()[:20])
PHONE_TEXT = "07400 123456"
PHONE = "+447400123456"
EMAIL = "sam.skates@example.com"
SNAP = "sam_skates99"

Msg = tuple[str, str, str, dict[str, Any]]


def telegram_chat(path: Path, chat_id: int, name: str, messages: list[Msg]) -> Path:
    """Write a Telegram Desktop single-chat export with ``(from, from_id, text, extra)`` rows."""
    out = []
    for i, (frm, fid, text, extra) in enumerate(messages, 1):
        m: dict[str, Any] = {
            "id": i,
            "type": "message",
            "date": f"2024-05-01T18:{i:02d}:00",
            "date_unixtime": str(1714586400 + i * 60),
            "from": frm,
            "from_id": fid,
            "text": text,
        }
        m.update(extra)
        out.append(m)
    path.write_text(
        json.dumps({"name": name, "type": "personal_chat", "id": chat_id, "messages": out}),
        encoding="utf-8",
    )
    return path


def chat_a(path: Path) -> Path:
    """Case A's chat: a phone number, an e-mail, a wallet, a £ amount, a Snapchat handle."""
    return telegram_chat(
        path,
        9001,
        "Sam",
        [
            ("Sam", "user501", f"how old are you? add me on snap: {SNAP}", {}),
            ("Jo", "user502", "why do you want to know", {}),
            ("Sam", "user501", f"text me on {PHONE_TEXT} instead, it's our secret", {}),
            ("Sam", "user501", f"i can send you £200 for new trainers, or pay {WALLET}", {}),
            ("Sam", "user501", f"email me at {EMAIL} alpha-only-line", {}),
            (
                "Sam",
                "user501",
                "",
                {"file": "(File not included.)", "file_name": "from 07400 654321.jpg"},
            ),
            ("Jo", "user502", "@everyone see www.example.org and @jo_private", {}),
        ],
    )


def chat_b(path: Path) -> Path:
    """Case B's chat: the same phone number and Snapchat handle, written differently."""
    return telegram_chat(
        path,
        9002,
        "Alex",
        [
            ("Alex", "user777", "do your parents check your phone? ring +44 7400 123456", {}),
            ("Alex", "user777", f"add me on snap: {SNAP.upper()} bravo-only-line", {}),
            ("Alex", "user777", "see www.example.org and @jo_private", {}),
        ],
    )
