"""Column mappings for the generic CSV / JSON-lines parser (not a format module).

A mapping says which column holds what. Keys (all values are column names, except
``time_format`` and ``platform``):

``sender``, ``text``, ``time`` (required); ``time_format`` (a ``strptime`` format, or
``iso`` — the default —, ``epoch`` for seconds, ``epoch_ms`` for milliseconds);
``conversation`` (thread id column; one conversation per value); ``message_id``;
``reply_to``; ``recipient``; ``title`` (conversation title column); ``platform`` (a literal
platform name for every conversation, default ``generic``).

For JSON lines a column may be a dotted path into nested objects (``user.name``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from vigil.errors import UserError

KEYS = (
    "sender",
    "text",
    "time",
    "time_format",
    "conversation",
    "message_id",
    "reply_to",
    "recipient",
    "platform",
    "title",
)
REQUIRED = ("sender", "text", "time")
COLUMN_KEYS = tuple(k for k in KEYS if k not in ("time_format", "platform"))

GUESSES: dict[str, tuple[str, ...]] = {
    "sender": ("sender", "author", "from", "user", "username", "sender_name", "nick"),
    "text": ("text", "message", "body", "content", "msg"),
    "time": ("time", "timestamp", "datetime", "date", "when", "sent_at", "created_at"),
    "conversation": ("conversation", "conversation_id", "thread", "thread_id", "chat_id"),
    "message_id": ("message_id", "msg_id"),
    "reply_to": ("reply_to", "in_reply_to"),
    "recipient": ("recipient", "to"),
}


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """Validate a mapping: known keys only, the required ones present and non-empty."""
    unknown = sorted(set(mapping) - set(KEYS))
    if unknown:
        raise UserError(
            f"unknown column-mapping key(s): {', '.join(unknown)}",
            hint=f"allowed keys: {', '.join(KEYS)}",
        )
    missing = [k for k in REQUIRED if not mapping.get(k)]
    if missing:
        raise UserError(
            f"the column mapping lacks {', '.join(missing)}",
            hint="map at least sender, text and time, e.g. sender: From, text: Body, time: Date",
        )
    return {k: v for k, v in mapping.items() if v}


def guess_mapping(columns: Iterable[str]) -> dict[str, str]:
    """Map obvious column names (case-insensitive); may lack required keys."""
    by_lower: dict[str, str] = {}
    for c in columns:
        by_lower.setdefault(c.strip().lower(), c)
    out: dict[str, str] = {}
    for key, names in GUESSES.items():
        for n in names:
            if n in by_lower:
                out[key] = by_lower[n]
                break
    return out


def lookup(fields: Mapping[str, Any], column: str) -> Any:
    """A row's value for ``column``; a dotted name also reaches into nested objects."""
    if column in fields:
        return fields[column]
    value: Any = fields
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def as_text(value: Any) -> str | None:
    """A cell as text (JSON values other than strings are written back as JSON)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _unquote(value: str, number: int) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        body = value[1:-1]
        out: list[str] = []
        i = 0
        escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/"}
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                if body[i + 1] not in escapes:
                    raise UserError(
                        f"mapping YAML line {number}: unsupported escape \\{body[i + 1]}"
                    )
                out.append(escapes[body[i + 1]])
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)
    if value[:1] in ("'", '"', "[", "{", "&", "*", "|", ">"):
        raise UserError(
            f"mapping YAML line {number}: value {value!r} is not a plain or quoted string"
        )
    return value


def _strip_comment(line: str) -> str:
    quote: str | None = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def load_mapping_yaml(text: str) -> dict[str, str]:
    """Read a flat ``key: value`` YAML mapping file (comments and quotes allowed).

    Nested structures, lists and anchors are refused with the line number: a column
    mapping needs none of them.
    """
    out: dict[str, str] = {}
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = _strip_comment(raw).rstrip()
        if not line.strip() or line.strip() in ("---", "..."):
            continue
        if line[0].isspace():
            raise UserError(
                f"mapping YAML line {number}: indented (nested) values are not supported"
            )
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key or (value and not value[0].isspace()):
            raise UserError(f"mapping YAML line {number}: expected 'key: value', got {raw!r}")
        key = _unquote(key, number)
        if key in out:
            raise UserError(f"mapping YAML line {number}: key {key!r} given twice")
        value = value.strip()
        if not value:
            raise UserError(f"mapping YAML line {number}: key {key!r} has no value")
        out[key] = _unquote(value, number)
    return check_mapping(out)
