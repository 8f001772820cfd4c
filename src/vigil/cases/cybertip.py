"""Reading NCMEC CyberTipline-shaped reports (JSON) into plain data.

The shape (see docs/casework.md and tests/cases/fixtures/cybertip_sample.json)::

    {"reportId": "...", "reportedAt": ISO time,
     "reportingEsp": {"name": "...", "platform": "..."},
     "incidentSummary": {"incidentType": "...", "incidentDateTime": ISO time},
     "reportedPeople": [{"espIdentifier": "...", "screenName": "...", "emails": [...],
                         "phones": [...],
                         "ipCaptureEvents": [{"ipAddress": "...", "eventName": "...",
                                              "dateTime": ISO time}]}],
     "uploadedFiles": [{"fileName": "...", "md5": hex, "sha1": hex, ...}]}

Pure: takes bytes, returns :class:`CyberTip` or raises ParseError naming the field.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vigil.cases.taxonomy import normalise_platform
from vigil.errors import ParseError

HEX = {"md5": re.compile(r"^[0-9a-f]{32}$"), "sha1": re.compile(r"^[0-9a-f]{40}$")}


@dataclass(frozen=True, slots=True)
class TipIdentifier:
    kind: str
    """``user_id``, ``screen_name``, ``email``, ``phone`` or ``ip``."""
    value: str
    first_seen: datetime | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TipPerson:
    label: str
    identifiers: list[TipIdentifier]


@dataclass(frozen=True, slots=True)
class TipFile:
    file_name: str | None
    md5: str | None
    sha1: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CyberTip:
    report_id: str
    esp_name: str
    platform: str
    incident_type: str
    incident_at: datetime | None
    reported_at: datetime | None
    people: list[TipPerson]
    files: list[TipFile]


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, message: str, expected: str | None = None) -> ParseError:
        return ParseError(message, file=self.name, location=where, expected=expected)

    def obj(self, v: Any, where: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(where, "not an object", "a JSON object")
        return v

    def text(self, d: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
        v = d.get(key)
        if v is None:
            if required:
                raise self.fail(f"{where}.{key}", "missing", "a string")
            return None
        if isinstance(v, int | float) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            raise self.fail(f"{where}.{key}", "not a string", "a string")
        return v.strip()

    def time(self, d: dict[str, Any], key: str, where: str) -> datetime | None:
        raw = self.text(d, key, where, required=False)
        if not raw:
            return None
        try:
            t = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError as exc:
            raise self.fail(f"{where}.{key}", f"bad time {raw!r}", "ISO 8601 with offset") from exc
        if t.tzinfo is None:
            raise self.fail(f"{where}.{key}", f"time {raw!r} has no offset", "ISO 8601 with offset")
        return t.astimezone(UTC)

    def strings(self, d: dict[str, Any], key: str, where: str) -> list[str]:
        v = d.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(f"{where}.{key}", "not a list of strings", "a list of strings")
        return [x.strip() for x in v if x.strip()]


def _person(r: _Reader, raw: Any, where: str) -> TipPerson:
    p = r.obj(raw, where)
    ids: list[TipIdentifier] = []
    esp_id = r.text(p, "espIdentifier", where, required=False)
    screen = r.text(p, "screenName", where, required=False)
    if esp_id:
        ids.append(TipIdentifier("user_id", esp_id))
    if screen:
        ids.append(TipIdentifier("screen_name", screen))
    ids += [TipIdentifier("email", e.lower()) for e in r.strings(p, "emails", where)]
    ids += [TipIdentifier("phone", x) for x in r.strings(p, "phones", where)]
    events = p.get("ipCaptureEvents") or []
    if not isinstance(events, list):
        raise r.fail(f"{where}.ipCaptureEvents", "not a list", "a list")
    for i, ev_raw in enumerate(events):
        w = f"{where}.ipCaptureEvents[{i}]"
        ev = r.obj(ev_raw, w)
        ip = r.text(ev, "ipAddress", w)
        assert ip is not None
        try:
            ipaddress.ip_address(ip)
        except ValueError as exc:
            raise r.fail(f"{w}.ipAddress", f"bad IP address {ip!r}", "IPv4 or IPv6") from exc
        ids.append(
            TipIdentifier("ip", ip, r.time(ev, "dateTime", w), r.text(ev, "eventName", w, False))
        )
    if not ids:
        raise r.fail(where, "reported person has no identifiers", "espIdentifier or screenName")
    return TipPerson(screen or esp_id or ids[0].value, ids)


def _file(r: _Reader, raw: Any, where: str) -> TipFile:
    f = r.obj(raw, where)
    hashes: dict[str, str | None] = {}
    for algo, pattern in HEX.items():
        v = r.text(f, algo, where, required=False)
        v = v.lower() if v else None
        if v is not None and not pattern.match(v):
            raise r.fail(f"{where}.{algo}", f"bad {algo.upper()} {v!r}", "hex digest")
        hashes[algo] = v
    if not hashes["md5"] and not hashes["sha1"]:
        raise r.fail(where, "file has no hash", "md5 or sha1")
    detail = {k: v for k, v in f.items() if k not in {"fileName", "md5", "sha1"}}
    return TipFile(r.text(f, "fileName", where, False), hashes["md5"], hashes["sha1"], detail)


def parse_cybertip(data: bytes, name: str) -> CyberTip:
    """Parse one CyberTipline-shaped JSON report."""
    r = _Reader(name)
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"not JSON: {exc}", file=name, expected="a JSON object") from exc
    top = r.obj(raw, "$")
    report_id = r.text(top, "reportId", "$")
    assert report_id is not None
    esp = r.obj(top.get("reportingEsp") or {}, "$.reportingEsp")
    esp_name = r.text(esp, "name", "$.reportingEsp") or ""
    platform = normalise_platform(r.text(esp, "platform", "$.reportingEsp", False) or esp_name)
    summary = r.obj(top.get("incidentSummary"), "$.incidentSummary")
    incident_type = r.text(summary, "incidentType", "$.incidentSummary") or ""
    people_raw = top.get("reportedPeople") or []
    files_raw = top.get("uploadedFiles") or []
    if not isinstance(people_raw, list) or not isinstance(files_raw, list):
        raise r.fail("$", "reportedPeople and uploadedFiles should be lists", "lists")
    return CyberTip(
        report_id=report_id,
        esp_name=esp_name,
        platform=platform,
        incident_type=incident_type,
        incident_at=r.time(summary, "incidentDateTime", "$.incidentSummary"),
        reported_at=r.time(top, "reportedAt", "$"),
        people=[_person(r, p, f"$.reportedPeople[{i}]") for i, p in enumerate(people_raw)],
        files=[_file(r, f, f"$.uploadedFiles[{i}]") for i, f in enumerate(files_raw)],
    )
