"""AI-generation markers in images made here with such chunks and tags, and not in plain ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from vigil.media.markers import LABEL, find_markers


def _image() -> Image.Image:
    im = Image.new("RGB", (48, 32), (200, 180, 40))
    im.paste((10, 60, 200), (10, 5, 30, 25))
    return im


def _png(info: PngInfo | None = None) -> bytes:
    out = io.BytesIO()
    _image().save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _jpeg(**kw: object) -> bytes:
    out = io.BytesIO()
    _image().save(out, format="JPEG", **kw)
    return out.getvalue()


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _jumbf(label: bytes, children: bytes) -> bytes:
    jumd = _box(b"jumd", b"c2pa" + bytes(12) + b"\x03" + label + b"\x00")
    return _box(b"jumb", jumd + children)


def _fake_c2pa() -> bytes:
    cbor = b"\xa1\x6fclaim_generator\x6bTestGen/1.0"
    claim = _jumbf(b"c2pa.claim", _box(b"cbor", cbor))
    manifest = _jumbf(b"urn:uuid:0000", claim)
    return _jumbf(b"c2pa", manifest)


def test_plain_images_have_no_markers() -> None:
    assert find_markers(_png()) == ()
    assert find_markers(_jpeg()) == ()
    assert find_markers(b"not an image at all") == ()


def test_png_text_chunks_written_by_generators() -> None:
    info = PngInfo()
    info.add_text("parameters", "a lighthouse at dusk\nSteps: 20, Sampler: Euler a")
    info.add_text("workflow", '{"nodes": []}', zip=True)  # compressed (zTXt)
    info.add_itxt("invokeai_metadata", '{"model": "ünïcode"}', lang="en", zip=True)
    info.add_text("Title", "holiday")
    got = find_markers(_png(info))
    rules = {m.rule: m for m in got}
    assert set(rules) == {"png-text:parameters", "png-text:workflow", "png-text:invokeai_metadata"}
    assert rules["png-text:invokeai_metadata"].evidence == '{"model": "ünïcode"}'
    assert "lighthouse" in rules["png-text:parameters"].evidence
    assert rules["png-text:workflow"].evidence == '{"nodes": []}'
    assert "ComfyUI" in (rules["png-text:workflow"].generator or "")
    assert all(m.label == LABEL for m in got)


def test_ztxt_prompt_chunk_is_read() -> None:
    plain = _png()
    body = b"prompt\x00\x00" + zlib.compress(b'{"3": {"class_type": "KSampler"}}')
    chunk = (
        struct.pack(">I", len(body))
        + b"zTXt"
        + body
        + struct.pack(">I", zlib.crc32(b"zTXt" + body))
    )
    data = plain[:33] + chunk + plain[33:]
    got = find_markers(data)
    assert [m.rule for m in got] == ["png-text:prompt"] and "KSampler" in got[0].evidence


def test_exif_software_tag_names_a_generator() -> None:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Firefly"
    got = find_markers(_jpeg(exif=exif.tobytes()))
    assert [(m.rule, m.generator) for m in got] == [("exif-generator-name", "Adobe Firefly")]
    assert "Software=Adobe Firefly" in got[0].evidence
    camera = Image.Exif()
    camera[0x0131] = "Camera firmware 1.2"
    assert find_markers(_jpeg(exif=camera.tobytes())) == ()


def test_xmp_packet_naming_a_generator_and_digital_source_type() -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        b'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        b'xmp:CreatorTool="Midjourney" Iptc4xmpExt:DigitalSourceType='
        b'"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    got = find_markers(_jpeg(xmp=xmp))
    rules = {m.rule: m for m in got}
    assert set(rules) == {"iptc-digital-source-type", "xmp-generator-name"}
    assert rules["iptc-digital-source-type"].evidence.endswith("trainedAlgorithmicMedia")
    assert rules["xmp-generator-name"].generator == "Midjourney"
    assert "CreatorTool" in rules["xmp-generator-name"].evidence


def test_fake_c2pa_manifest_in_jpeg_app11_and_png_cabx() -> None:
    box = _fake_c2pa()
    jpeg = _jpeg()
    segment_body = b"JP" + struct.pack(">HI", 1, 1) + box
    segment = b"\xff\xeb" + struct.pack(">H", len(segment_body) + 2) + segment_body
    got = find_markers(jpeg[:2] + segment + jpeg[2:])
    assert [(m.rule, m.generator) for m in got] == [("c2pa-manifest", "TestGen/1.0")]
    assert "c2pa.claim" in got[0].evidence

    png = _png()
    chunk = (
        struct.pack(">I", len(box)) + b"caBX" + box + struct.pack(">I", zlib.crc32(b"caBX" + box))
    )
    got_png = find_markers(png[:33] + chunk + png[33:])
    assert [m.rule for m in got_png] == ["c2pa-manifest"]
    assert got_png[0].location.startswith("PNG caBX")


def test_jumbf_without_c2pa_label_is_not_reported() -> None:
    other = _jumbf(b"something", _box(b"json", b"{}")).replace(b"c2pa", b"xxxx")
    png = _png()
    chunk = struct.pack(">I", len(other)) + b"caBX" + other + b"\x00\x00\x00\x00"
    assert find_markers(png[:33] + chunk + png[33:]) == ()
