"""Possible AI-generation markers in image metadata, reported with the raw evidence.

Looks for: C2PA manifests (a JUMBF box labelled ``c2pa`` in JPEG APP11 segments or a PNG
``caBX`` chunk; the claim generator when it can be read); PNG text chunks (tEXt, zTXt, iTXt) with
keywords that image generators write (``parameters``, ``prompt``, ``workflow``, ...); generator
names in EXIF tags, PNG text fields and XMP packets; and IPTC digital-source-type values for
generated media. The keyword and name lists are data (``markers.yaml``). Reads metadata only:
pixels are never decoded (a PNG's EXIF comes from its own ``eXIf`` chunk, found by the chunk walk
here, since Pillow decodes the whole image to look for one). Malformed containers yield no marker
rather than an error.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from PIL import ExifTags, Image

LABEL = "possible AI-generation marker"
MAX_EVIDENCE = 4000
MAX_INFLATE = 1_000_000
PNG_SIG = b"\x89PNG\r\n\x1a\n"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_PNG_KEPT = frozenset({"tEXt", "zTXt", "iTXt", "caBX", "eXIf"})
"""The PNG chunks whose bodies are read (the others, image data above all, are skipped)."""


@dataclass(frozen=True, slots=True)
class Marker:
    """One marker: the rule that fired, where, the raw evidence and a plain-language reason."""

    rule: str
    location: str
    evidence: str
    generator: str | None
    reason: str
    label: str = LABEL


@dataclass(slots=True)
class _Parts:
    texts: list[tuple[str, str, str]]  # (chunk type, keyword, text)
    jumbf: list[tuple[str, bytes]]
    xmp: list[tuple[str, str]]
    exif: bytes | None = None  # a PNG's eXIf chunk (or ImageMagick's raw EXIF text chunk)


@cache
def _rules() -> dict[str, Any]:
    text = (resources.files("vigil.media") / "markers.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _clip(text: str) -> str:
    return text if len(text) <= MAX_EVIDENCE else text[:MAX_EVIDENCE] + f"... [{len(text)} chars]"


def _inflate(data: bytes) -> str:
    out = zlib.decompressobj().decompress(data, MAX_INFLATE)
    return out.decode("utf-8", "replace")


def _png_text(ctype: str, body: bytes) -> tuple[str, str] | None:
    key, sep, rest = body.partition(b"\x00")
    if not sep:
        return None
    keyword = key.decode("latin-1")
    if ctype == "tEXt":
        return keyword, rest.decode("latin-1")
    if ctype == "zTXt":
        return keyword, _inflate(rest[1:])
    compressed = rest[:1] == b"\x01"
    _lang, _, rest2 = rest[2:].partition(b"\x00")
    _trans, _, text = rest2.partition(b"\x00")
    return keyword, _inflate(text) if compressed else text.decode("utf-8", "replace")


def _png(data: bytes, parts: _Parts) -> None:
    pos = len(PNG_SIG)
    while pos + 8 <= len(data):
        length, ctype_raw = struct.unpack(">I4s", data[pos : pos + 8])
        if pos + 12 + length > len(data):  # a chunk running past the end: file is cut or lying
            break
        ctype = ctype_raw.decode("latin-1")
        if ctype == "IEND":
            break
        if ctype not in _PNG_KEPT:  # image data: not copied
            pos += 12 + length
            continue
        body = data[pos + 8 : pos + 8 + length]
        where = f"PNG {ctype} chunk at byte {pos}"
        if ctype in ("tEXt", "zTXt", "iTXt"):
            try:
                found = _png_text(ctype, body)
            except (zlib.error, ValueError):
                found = None
            if found and found[0] == "XML:com.adobe.xmp":
                parts.xmp.append((where, found[1]))
            elif found:
                parts.texts.append((where, found[0], found[1]))
        elif ctype == "caBX":
            parts.jumbf.append((where, body))
        elif ctype == "eXIf" and parts.exif is None:
            parts.exif = body
        pos += 12 + length


def _jpeg(data: bytes, parts: _Parts) -> None:
    pos, app11 = 2, b""
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD9, 0xDA):  # end of image / start of scan: metadata is over
            break
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        body = data[pos + 4 : pos + 2 + length]
        if marker == 0xE1 and body.startswith(XMP_HEADER):
            xmp = body[len(XMP_HEADER) :].decode("utf-8", "replace")
            parts.xmp.append((f"JPEG APP1 XMP at byte {pos}", xmp))
        elif marker == 0xEB and body[:2] == b"JP" and len(body) > 16:
            # CI "JP", En, Z (sequence); the first fragment carries the box header, later ones
            # repeat it, so strip it from those.
            app11 += body[8:] if not app11 else body[16:]
        pos += 2 + length
    if app11:
        parts.jumbf.append(("JPEG APP11 (JUMBF)", app11))


def _cbor_text(blob: bytes, at: int) -> str | None:
    if at >= len(blob):
        return None
    head = blob[at]
    if 0x60 <= head <= 0x77:
        n, start = head - 0x60, at + 1
    elif head == 0x78 and at + 1 < len(blob):
        n, start = blob[at + 1], at + 2
    elif head == 0x79 and at + 2 < len(blob):
        n, start = struct.unpack(">H", blob[at + 1 : at + 3])[0], at + 3
    else:
        return None
    return blob[start : start + n].decode("utf-8", "replace")


def _claim_generator(blob: bytes) -> str | None:
    key = b"\x6fclaim_generator"
    at = blob.find(key)
    if at >= 0:
        found = _cbor_text(blob, at + len(key))
        if found:
            return found
    info = blob.find(b"\x74claim_generator_info")
    if info >= 0:
        name = blob.find(b"\x64name", info, info + 400)
        if name >= 0:
            return _cbor_text(blob, name + 5)
    return None


def _jumd_labels(blob: bytes) -> list[str]:
    labels = []
    for m in re.finditer(rb"jumd", blob):
        start = m.end() + 17  # 16-byte type UUID, 1 toggle byte, then the label
        end = blob.find(b"\x00", start, start + 256)
        if end > start:
            labels.append(blob[start:end].decode("utf-8", "replace"))
    return labels


def _names_in(text: str) -> list[str]:
    low = text.lower()
    return [n for n in _rules()["generator_names"] if n.lower() in low]


def _png_exif(parts: _Parts) -> Image.Exif:
    """A PNG's EXIF, from the chunks walked (as Pillow reads it, without decoding pixels)."""
    raw = parts.exif
    if raw is None:
        for _, key, text in parts.texts:
            if key == "Raw profile type exif":
                raw = bytes.fromhex("".join(text.split("\n")[3:]))
                break
    exif = Image.Exif()
    if raw:
        exif.load(raw)
    return exif


def _exif(data: bytes, parts: _Parts) -> list[tuple[str, str]]:
    xmp: object = None
    try:
        if data.startswith(PNG_SIG):
            exif = _png_exif(parts)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as im:
                    exif = im.getexif()
                    xmp = im.info.get("xmp")
    except Exception:  # metadata is best-effort: an unreadable image simply has none
        return []
    wanted = set(_rules()["named_fields"]["exif"])
    found = [
        (ExifTags.TAGS.get(tag, str(tag)), str(value))
        for tag, value in exif.items()
        if ExifTags.TAGS.get(tag) in wanted and isinstance(value, str | bytes)
    ]
    if isinstance(xmp, bytes | str) and not data.startswith((PNG_SIG, b"\xff\xd8")):
        raw = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else xmp
        found.append(("XMP", raw))
    return found


def find_markers(data: bytes) -> tuple[Marker, ...]:
    """Every possible AI-generation marker in an image file's metadata."""
    rules = _rules()
    parts = _Parts([], [], [])
    if data.startswith(PNG_SIG):
        _png(data, parts)
    elif data.startswith(b"\xff\xd8"):
        _jpeg(data, parts)
    out: list[Marker] = []
    for where, blob in parts.jumbf:
        labels = _jumd_labels(blob)
        if "c2pa" not in labels and b"c2pa" not in blob:
            continue
        gen = _claim_generator(blob)
        evidence = f"JUMBF labels: {', '.join(labels) or '(none readable)'}; claim generator: {gen}"
        out.append(
            Marker(
                "c2pa-manifest",
                where,
                evidence,
                gen,
                "a C2PA manifest (content credentials) is embedded; its claim generator "
                "names the tool that made or edited the file",
            )
        )
    keywords = {k["keyword"]: k for k in rules["png_text_keywords"]}
    named = set(rules["named_fields"]["png_text"])
    for where, key, text in parts.texts:
        if key in keywords:
            tools = ", ".join(keywords[key]["tools"])
            out.append(
                Marker(
                    f"png-text:{key}",
                    f"{where}, keyword {key!r}",
                    _clip(text),
                    tools,
                    f"PNG text chunk {key!r} is written by image generators ({tools})",
                )
            )
        elif key in named and (names := _names_in(text)):
            out.append(
                Marker(
                    "png-text-generator-name",
                    f"{where}, keyword {key!r}",
                    _clip(text),
                    names[0],
                    f"PNG text field {key!r} names a generator ({names[0]})",
                )
            )
    for tag, value in _exif(data, parts):
        if tag == "XMP":
            parts.xmp.append(("XMP metadata", value))
        elif names := _names_in(value):
            out.append(
                Marker(
                    "exif-generator-name",
                    f"EXIF {tag}",
                    _clip(f"{tag}={value}"),
                    names[0],
                    f"EXIF {tag} names a generator ({names[0]})",
                )
            )
    dst = rules["digital_source_types"]["values"]
    for where, xmp in parts.xmp:
        for value in dst:
            hit = re.search(rf"[^\s\"'<>]*digitalsourcetype/{value}\b", xmp)
            if hit:
                out.append(
                    Marker(
                        "iptc-digital-source-type",
                        where,
                        hit.group(0),
                        None,
                        f"XMP declares IPTC digital source type {value!r} (generated media)",
                    )
                )
                break
        if names := _names_in(xmp):
            i = xmp.lower().find(names[0].lower())
            snippet = xmp[max(0, i - 120) : i + 120]
            out.append(
                Marker(
                    "xmp-generator-name",
                    where,
                    _clip(snippet),
                    names[0],
                    f"the XMP packet names a generator ({names[0]})",
                )
            )
    return tuple(out)
