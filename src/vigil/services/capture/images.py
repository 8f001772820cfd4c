"""Pixels of a capture session for the web: a screenshot's thumbnail and the crop of one
transcript line's bubble, both blurred by :mod:`vigil.media.blur` unless a reason is given.

The crop is cut server-side with Pillow from the exhibit's stored bytes at the bounding box
OCR recorded (:class:`~vigil.db.tables.ocr.OcrMessage`: pixels of the stored image as decoded,
with no EXIF rotation applied, as the transcription reads it), clipped to the image, and served
at the box's size (scaled down only past :data:`CROP_MAX_SIDE`). Each request needs read on the
case and a stated purpose and writes one custody entry (action ``view`` on the exhibit) before
any byte is shown; an unblurred view needs a reason, is made before it is logged (an image that
cannot be decoded was never seen) and is logged as exposure: the custody entry's purpose is
the reason and, when the exhibit is also a media item of the case (``vigil media scan``), an
exposure row is written for the welfare log (docs/media.md), as the media pages do.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.capture import Capture, CaptureSession
from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.media import MediaExposure, MediaItem
from vigil.db.tables.ocr import OcrMessage, OcrTranscript
from vigil.errors import NotFound, ParseError, UserError
from vigil.evidence import custody
from vigil.media.blur import Thumbnail, blurred_thumbnail, unblurred_thumbnail
from vigil.media.decoding import DECODE_ERRORS, check_pixels, open_lazily, strict_decoding
from vigil.services import access
from vigil.services.capture.pages import case_session, is_image
from vigil.services.evidence.exhibits import check_registered_bytes
from vigil.services.workspace import Workspace

THUMB_SIDE = 480
"""Longest side of a screenshot's thumbnail (a phone screenshot is tall)."""
CROP_MAX_SIDE = 1600
"""A crop is served at its bounding box's size up to this longest side, scaled down past it."""


@dataclass(frozen=True, slots=True)
class _Target:
    case_ref: str
    capture: str  # e.g. OP-1/CS2#3
    exhibit: Exhibit
    media_item_id: int | None
    line: OcrMessage | None = None


def _capture(
    session: Session, case_: Case, session_ref: str, seq: int
) -> tuple[CaptureSession, Capture]:
    cs = case_session(session, case_, session_ref)
    cap = session.execute(
        select(Capture).where(Capture.session_id == cs.id, Capture.seq == seq)
    ).scalar_one_or_none()
    if cap is None:
        raise NotFound(f"no capture {seq} in capture session {cs.ref}")
    return cs, cap


def _target(
    ws: Workspace,
    user: access.Principal,
    case_ref: str,
    session_ref: str,
    seq: int,
    line_id: int | None,
) -> tuple[_Target, str]:
    """What is asked for, checked: read on the case, a stated purpose, the capture in this
    case's session, an image, and (a crop) a transcript line read from this very screenshot."""
    with ws.sessions() as session:
        case_ = access.require_case(session, user, case_ref, "read")
        purpose = access.require_purpose(session, user, case_, ws.now())
        cs, cap = _capture(session, case_, session_ref, seq)
        ex = session.get(Exhibit, cap.exhibit_id)
        assert ex is not None
        if not is_image(ex.mime_type):
            raise UserError(f"capture {cs.ref}#{seq} is a {ex.mime_type} file, not an image")
        line = None
        if line_id is not None:
            line = session.execute(
                select(OcrMessage)
                .join(OcrTranscript, OcrTranscript.id == OcrMessage.transcript_id)
                .where(
                    OcrMessage.id == line_id,
                    OcrTranscript.case_id == case_.id,
                    OcrMessage.screenshot_exhibit_id == ex.id,
                )
            ).scalar_one_or_none()
            if line is None:
                raise NotFound(f"no transcript line {line_id} read from capture {cs.ref}#{seq}")
        item = session.execute(
            select(MediaItem.id).where(MediaItem.case_id == case_.id, MediaItem.exhibit_id == ex.id)
        ).scalar_one_or_none()
        session.expunge_all()
        return _Target(case_.ref, f"{cs.ref}#{seq}", ex, item, line), purpose


def _crop_png(data: bytes, line: OcrMessage, name: str, max_pixels: int) -> bytes:
    """The bubble's box cut from the screenshot (clipped to it), as PNG bytes."""
    where = f"transcript line {line.id} box ({line.left},{line.top} {line.width}x{line.height})"
    try:
        with strict_decoding():
            im = open_lazily(data)
            check_pixels(im, name, max_pixels)
            box = (
                max(0, line.left),
                max(0, line.top),
                min(im.width, line.left + line.width),
                min(im.height, line.top + line.height),
            )
            if box[2] <= box[0] or box[3] <= box[1]:
                raise UserError(
                    f"{name}: {where} lies outside the {im.width}x{im.height} screenshot",
                    hint="the OCR record is wrong; run the transcription again",
                )
            part = im.crop(box)
            part.load()
    except (ParseError, UserError):
        raise
    except DECODE_ERRORS as exc:
        raise ParseError(f"cannot decode image: {exc}", file=name) from exc
    if max(part.size) > CROP_MAX_SIDE:
        part.thumbnail((CROP_MAX_SIDE, CROP_MAX_SIDE), Image.Resampling.LANCZOS)
    if part.mode not in ("RGB", "L"):
        part = part.convert("RGB")
    out = io.BytesIO()
    part.save(out, format="PNG")
    return out.getvalue()


def _render(ws: Workspace, t: _Target, data: bytes, reason: str | None) -> Thumbnail:
    name, limit = t.exhibit.ref, ws.settings.max_image_pixels
    try:
        if t.line is not None:
            data = _crop_png(data, t.line, name, limit)
            with Image.open(io.BytesIO(data)) as im:
                size = im.size
            if reason is not None:
                return unblurred_thumbnail(data, reason=reason, side=max(size), name=name)
            th = blurred_thumbnail(data, side=max(size), name=name)
            return _exact(th, size)
        if reason is not None:
            return unblurred_thumbnail(data, reason=reason, side=THUMB_SIDE, name=name,
                                       max_pixels=limit)  # fmt: skip
        return blurred_thumbnail(data, side=THUMB_SIDE, name=name, max_pixels=limit)
    except ParseError as exc:
        raise UserError(f"cannot show {t.capture}: {exc.message}", hint=exc.hint) from exc


def _exact(th: Thumbnail, size: tuple[int, int]) -> Thumbnail:
    """A blurred crop at exactly the box's size (blurring through a few dozen pixels may round
    its shorter side by a pixel or two)."""
    if (th.width, th.height) == size:
        return th
    with Image.open(io.BytesIO(th.data)) as im:
        fitted = im.resize(size, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=80)
    return Thumbnail(
        out.getvalue(), size[0], size[1], True, th.method + f", fitted to {size[0]}x{size[1]}"
    )


def capture_image(
    ws: Workspace,
    user: access.Principal,
    case_ref: str,
    session_ref: str,
    seq: int,
    *,
    line_id: int | None = None,
    unblur_reason: str | None = None,
) -> Thumbnail:
    """A screenshot capture's thumbnail, or (``line_id``) the crop of one transcript line's
    bubble: blurred, or unblurred with a reason (logged as exposure). One custody entry."""
    reason = None
    if unblur_reason is not None:
        reason = " ".join(unblur_reason.split())
        if len(reason) < 4:
            raise UserError("an unblurred view needs a reason (it is logged as exposure)")
    t, purpose = _target(ws, user, case_ref, session_ref, seq, line_id)
    ex = t.exhibit
    with ws.sessions() as session:
        check_registered_bytes(session, t.case_ref, ex.ref, ex.blob_sha256)
    if not ws.store.exists(ex.blob_sha256):
        raise NotFound(f"the bytes of exhibit {ex.ref} are missing from the store",
                       hint="run `vigil evidence verify`")  # fmt: skip
    details: dict[str, object] = {"sha256": ex.blob_sha256, "capture": t.capture}
    if t.line is not None:
        details["transcript_line"] = t.line.id
        details["box"] = [t.line.left, t.line.top, t.line.width, t.line.height]
    if reason is None:
        with ws.transaction() as session:  # logged before any byte is read
            access.require_case(session, user, t.case_ref, "read")
            access.record_view(
                session, user, t.case_ref, object_type="exhibit", object_id=ex.ref,
                purpose=purpose, details={**details, "shown": _what(t, blurred=True)},
                now=ws.now(),
            )  # fmt: skip
        with ws.store.open(ex.blob_sha256) as fh:
            return _render(ws, t, fh.read(), None)
    with ws.store.open(ex.blob_sha256) as fh:  # made first: undecodable means never seen
        clear = _render(ws, t, fh.read(), reason)
    with ws.transaction() as session:
        custody.lock(session)
        access.require_case(session, user, t.case_ref, "read")
        if t.media_item_id is not None:
            session.add(MediaExposure(user=user.username, media_item_id=t.media_item_id,
                                      reason=reason, at=ws.now()))  # fmt: skip
        access.record_view(
            session, user, t.case_ref, object_type="exhibit", object_id=ex.ref, purpose=reason,
            details={**details, "shown": _what(t, blurred=False), "unblurred": True,
                     "exposure": True, "stated_purpose": purpose,
                     "media_item": t.media_item_id},
            now=ws.now(),
        )  # fmt: skip
    return clear


def _what(t: _Target, *, blurred: bool) -> str:
    kind = "transcript line crop" if t.line is not None else "capture thumbnail"
    return f"{'blurred' if blurred else 'unblurred'} {kind}"
