"""A minimal reader of Telegram's TL binary serialisation, for the blobs Telegram for Android
keeps in its ``cache4.db``.

TL (https://core.telegram.org/mtproto/serialize) writes every value in whole 4-byte words,
little-endian: an object starts with its 32-bit constructor id; ``int`` is 4 bytes, ``long``
8; a ``string`` (or ``bytes``) is one length byte and the data when shorter than 254 bytes,
else the byte 254, a 3-byte length and the data, in both cases followed by zero bytes up to a
multiple of 4. Optional fields (``name:flags.N?type``) are present only when bit N of the
object's ``flags`` word is set.

The app stores objects of its *own* API layer, and constructor ids and field lists change from
layer to layer. Nothing here depends on a layer's full schema. :func:`read_message` reads a
``message`` blob from the parts every layer shares: the constructor and ``flags`` words; the
message ``id`` (equal to the row's ``mid``) in the next or the one after (layers with a second
``flags2`` word); then ``from_id`` (``flags.8``, a ``Peer`` object since layer 119, a bare
``int`` before) and ``peer_id``/``to_id`` (a ``Peer``), accepted only when the ``Peer``
constructor ids are right; and, wherever the header sits, ``... date:int message:string ...``:
the row's ``date`` value at a 4-aligned offset followed by a well-formed TL string (zero
padding, UTF-8, inside the blob) is the text. The ``MessageMedia`` object, when ``flags.9`` is
set, follows the text directly. :func:`read_user` and :func:`read_title` read names the same
way, anchored on the row's id. Malformed input raises :class:`TLError` with the byte offset.
"""

from __future__ import annotations

from dataclasses import dataclass

LONG_STRING = 254
U32 = 0xFFFFFFFF

PEERS: dict[int, tuple[str, int]] = {
    0x59511722: ("user", 8),  # peerUser user_id:long (layer 133 and later)
    0x36C6019A: ("chat", 8),  # peerChat chat_id:long
    0xA2A5371E: ("channel", 8),  # peerChannel channel_id:long
    0x9DB1BC6D: ("user", 4),  # peerUser user_id:int (before layer 133)
    0xBAD0E5BB: ("chat", 4),  # peerChat chat_id:int
    0xBDDDE532: ("channel", 4),  # peerChannel channel_id:int
}
"""``Peer`` constructor ids: what the peer is and how wide its id is."""

SERVICE: dict[int, str] = {
    0x1D86F70E: "messageService (early layers)",
    0xC06B9607: "messageService (flags, from_id:int)",
    0x9E19A1F6: "messageService (reply_to_msg_id, before layer 119)",
    0x286FA604: "messageService (layer 119)",
    0x2B085862: "messageService (layer 123 and later)",
}
"""Service messages (joins, renames, pins...): they hold an action, not text."""

EMPTY: dict[int, str] = {
    0x83E5DE54: "messageEmpty",
    0x90A6CA84: "messageEmpty (with peer_id)",
}

MEDIA: dict[int, str | None] = {
    0x3DED6320: None,  # messageMediaEmpty
    0x695150D7: "photo",
    0x9CB070D7: "document",  # files, videos, voice notes, stickers, GIFs
    0x4CF4D72D: "document",
    0x56E0D474: "location",
    0xB940C666: "live location",
    0x2EC0533F: "venue",
    0x70322949: "contact",
    0xCBF24940: "contact",
    0xA32DD600: "link preview",
    0xDDF10C3B: "link preview",
    0x4BD6E798: "poll",
    0x3F7EE58B: "dice",
    0xFDB19008: "game",
    0x9F84F49E: "unsupported media",
}
"""``MessageMedia`` constructor ids and the kind of media each holds (None: no media)."""

FILE_KINDS = frozenset({"photo", "document"})
"""Media kinds that are files (kept in the app's cache folders, not in ``cache4.db``)."""

_FROM_ID, _MEDIA_FLAG, _FORWARD, _POST = 1 << 8, 1 << 9, 1 << 2, 1 << 14


class TLError(ValueError):
    """A blob that is not well-formed TL where it was read."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at byte {offset}")
        self.reason = reason
        self.offset = offset


def u32(buf: bytes, i: int) -> int:
    """The unsigned 32-bit word at ``buf[i]``."""
    if i < 0 or i + 4 > len(buf):
        raise TLError(f"the blob ({len(buf)} bytes) ends inside a 4-byte field", i)
    return int.from_bytes(buf[i : i + 4], "little")


def i32(buf: bytes, i: int) -> int:
    """The signed 32-bit ``int`` at ``buf[i]``."""
    v = u32(buf, i)
    return v - (1 << 32) if v >= 1 << 31 else v


def i64(buf: bytes, i: int) -> int:
    """The signed 64-bit ``long`` at ``buf[i]``."""
    if i < 0 or i + 8 > len(buf):
        raise TLError(f"the blob ({len(buf)} bytes) ends inside an 8-byte field", i)
    return int.from_bytes(buf[i : i + 8], "little", signed=True)


def string(buf: bytes, i: int) -> tuple[bytes, int]:
    """The TL ``string``/``bytes`` at ``buf[i]`` and the offset after its padding."""
    if i >= len(buf):
        raise TLError("the blob ends where a string starts", i)
    size, start = buf[i], i + 1
    if size == LONG_STRING:
        if i + 4 > len(buf):
            raise TLError("the blob ends inside a long string's length", i)
        size, start = int.from_bytes(buf[i + 1 : i + 4], "little"), i + 4
    elif size > LONG_STRING:
        raise TLError(f"0x{size:02x} is not a string length byte", i)
    end = start + size
    padded = end + (-(end - i) % 4)
    if padded > len(buf):
        raise TLError(f"a string of {size} bytes runs past the end of the blob", i)
    if any(buf[end:padded]):
        raise TLError("a string's padding bytes are not zero", end)
    return buf[start:end], padded


def text(buf: bytes, i: int) -> tuple[str, int]:
    """The TL ``string`` at ``buf[i]`` decoded as UTF-8, and the offset after it."""
    raw, after = string(buf, i)
    try:
        return raw.decode("utf-8"), after
    except UnicodeDecodeError as exc:
        raise TLError(f"a string is not UTF-8 ({exc.reason})", i + exc.start) from exc


def peer(buf: bytes, i: int) -> tuple[str, int, int] | None:
    """(kind, id, offset after) of the ``Peer`` object at ``buf[i]``, or None when the word
    there is not a ``Peer`` constructor."""
    if i + 4 > len(buf):
        return None
    found = PEERS.get(u32(buf, i))
    if found is None:
        return None
    kind, width = found
    ident = i64(buf, i + 4) if width == 8 else i32(buf, i + 4)
    return kind, ident, i + 4 + width


@dataclass(slots=True)
class MessageBlob:
    """What :func:`read_message` found in one ``message`` blob."""

    constructor: int
    flags: int = 0
    text: str | None = None
    reason: str | None = None
    """Why the text could not be read (None when it was)."""
    kind: str | None = None
    """``messageService``/``messageEmpty`` names for constructors that hold no text."""
    sender: tuple[str, int] | None = None
    """``from_id`` (kind, id) when the header was read with its ``Peer`` anchors."""
    peer: tuple[str, int] | None = None
    """``peer_id``/``to_id`` (kind, id) when the header was read."""
    media: int | None = None
    """The ``MessageMedia`` constructor id after the text, when ``flags.9`` is set."""
    ambiguous: bool = False
    """A forwarded message in which more than one date/string pair could be the text."""

    @property
    def is_post(self) -> bool:
        return bool(self.flags & _POST)

    @property
    def has_media_flag(self) -> bool:
        return bool(self.flags & _MEDIA_FLAG)


def _head(buf: bytes, mid: int, flags: int) -> tuple[tuple[str, int] | None, tuple[str, int], int]:
    """(from_id, peer_id, offset after peer_id) of a message header anchored on its ``id``."""
    for pos in (8, 12):
        if pos + 4 > len(buf) or u32(buf, pos) != mid & U32:
            continue
        q, sender = pos + 4, None
        if flags & _FROM_ID:
            got = peer(buf, q)
            if got is not None:
                sender, q = (got[0], got[1]), got[2]
            elif q + 4 <= len(buf):  # before layer 119: from_id:flags.8?int
                sender, q = ("user", i32(buf, q)), q + 4
        to = peer(buf, q)
        if to is not None:
            return sender, (to[0], to[1]), to[2]
    raise TLError("no message header (id equal to mid, then a Peer) found", 8)


def read_message(buf: bytes, mid: int, date: int | None) -> MessageBlob:
    """Read a ``message`` blob of the row with ``mid`` and ``date`` (see the module text)."""
    if len(buf) < 8:
        return MessageBlob(
            u32(buf, 0) if len(buf) >= 4 else -1,
            reason=f"the blob ({len(buf)} bytes) is too short for a TL object",
        )
    out = MessageBlob(u32(buf, 0), u32(buf, 4))
    start = 8
    try:
        sender, to, start = _head(buf, mid, out.flags)
        out.sender, out.peer = sender, to
    except TLError:
        pass
    named = SERVICE.get(out.constructor) or EMPTY.get(out.constructor)
    if named is not None:
        out.kind, out.reason = named, f"{named}: holds no text"
        return out
    if date is None:
        out.reason = "no date value in the row to find the text by"
        return out
    needle = (date & U32).to_bytes(4, "little")
    found: list[tuple[str, int]] = []
    first_error: str | None = None
    at = buf.find(needle, start)
    while at >= 0:
        if at % 4 == 0:
            try:
                found.append(text(buf, at + 4))
            except TLError as exc:
                first_error = first_error or str(exc)
            if found and not out.flags & _FORWARD:
                break
        at = buf.find(needle, at + 1)
    if not found:
        out.reason = (
            f"the date value is not in the blob ({len(buf)} bytes): cut short before it, or "
            "a layout not known"
            if first_error is None
            else f"no readable string after the date value ({first_error}): the blob may be "
            "cut short"
        )
        return out
    out.text, after = found[0]
    out.ambiguous = len(found) > 1
    if out.has_media_flag and after + 4 <= len(buf):
        out.media = u32(buf, after)
    return out


def _id_ends(buf: bytes, ident: int) -> list[int]:
    """Offsets just after the object id equal to ``ident`` (a ``long``, else an ``int``),
    in the third word or, after a ``flags2`` word, the fourth."""
    ends = []
    for pos in (8, 12):
        if pos + 8 <= len(buf) and i64(buf, pos) == ident:
            ends.append(pos + 8)
        if pos + 4 <= len(buf) and i32(buf, pos) == ident:
            ends.append(pos + 4)
    return ends


def read_user(buf: bytes, uid: int) -> list[tuple[str, str, str, bool]]:
    """Readings (first name, last name, username, is the app's own user) of a ``user`` blob,
    one per place its ``id`` could sit; the caller checks them against the ``name`` column.

    ``user`` keeps, in every layer, ``access_hash:flags.0?long first_name:flags.1?string
    last_name:flags.2?string username:flags.3?string`` right after its ``id``, and
    ``self:flags.10?true``."""
    if len(buf) < 12:
        raise TLError(f"the blob ({len(buf)} bytes) is too short for a user", 0)
    flags = u32(buf, 4)
    out = []
    for q in _id_ends(buf, uid):
        try:
            if flags & 1:
                q += 8
            parts = []
            for bit in (1, 2, 3):
                value = ""
                if flags & (1 << bit):
                    value, q = text(buf, q)
                parts.append(value)
        except TLError:
            continue
        out.append((parts[0], parts[1], parts[2], bool(flags & (1 << 10))))
    return out


def read_title(buf: bytes, cid: int) -> list[str]:
    """Possible titles of a ``chat``/``channel`` blob with id ``cid``: the string right after
    the id (``chat``), or after an ``access_hash`` (``channel``, ``flags.13``)."""
    if len(buf) < 12:
        raise TLError(f"the blob ({len(buf)} bytes) is too short for a chat", 0)
    flags = u32(buf, 4)
    out = []
    for q in _id_ends(buf, cid):
        for skip in (0, 8) if flags & (1 << 13) else (0,):
            try:
                out.append(text(buf, q + skip)[0])
            except TLError:
                continue
    return out
