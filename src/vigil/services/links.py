"""Links to pages, built in one place so that references with odd characters stay safe."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def case(ref: str) -> str:
    return f"/cases/{quote(ref, safe='')}"


def conversation(ref: str, conv_id: int, anchor: str | None = None, **query: object) -> str:
    q = {k: v for k, v in query.items() if v is not None and v != ""}
    url = f"{case(ref)}/conversations/{int(conv_id)}"
    if q:
        url += "?" + urlencode(q)
    return url + (f"#{anchor}" if anchor else "")


def exhibit(ref: str, exhibit_ref: str) -> str:
    return f"{case(ref)}/exhibit?" + urlencode({"ref": exhibit_ref})


def purpose(ref: str, next_url: str) -> str:
    return f"{case(ref)}/purpose?" + urlencode({"next": next_url})
