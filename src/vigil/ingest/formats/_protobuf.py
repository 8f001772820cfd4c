"""A minimal reader of Protocol Buffers wire format, for blobs apps keep in their databases.

No schema and no generated code: :func:`fields` walks one message's fields as the wire format
defines them (https://protobuf.dev/programming-guides/encoding/): a key varint holding the
field number and wire type, then a varint (type 0), 8 bytes (type 1), a length-delimited
run of bytes (type 2: strings, bytes and nested messages alike) or 4 bytes (type 5). Groups
(types 3 and 4, long deprecated) are not read. :func:`at_path` follows a path of field numbers
through nested messages, which is how a parser reaches the one field it knows the meaning of.
Malformed input raises :class:`ProtoError` with the byte offset.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


class ProtoError(ValueError):
    """A blob that is not valid protobuf wire format where it was read."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at byte {offset}")
        self.offset = offset


def varint(buf: bytes, i: int) -> tuple[int, int]:
    """The varint starting at ``buf[i]`` and the offset after it."""
    value = shift = 0
    start = i
    while True:
        if i >= len(buf):
            raise ProtoError("varint runs past the end", start)
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7
        if shift > 63:
            raise ProtoError("varint longer than 10 bytes", start)


def fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of each field of the message ``buf``, in order."""
    i = 0
    while i < len(buf):
        at = i
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtoError("field number 0", at)
        if wire == VARINT:
            value, i = varint(buf, i)
            yield number, wire, value
        elif wire == LENGTH:
            size, i = varint(buf, i)
            if i + size > len(buf):
                raise ProtoError(f"field {number} of {size} bytes runs past the end", at)
            yield number, wire, buf[i : i + size]
            i += size
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            if i + size > len(buf):
                raise ProtoError(f"fixed-size field {number} runs past the end", at)
            yield number, wire, int.from_bytes(buf[i : i + size], "little")
            i += size
        else:
            raise ProtoError(f"wire type {wire} (field {number}) is not read", at)


def at_path(buf: bytes, path: Sequence[int]) -> bytes | None:
    """The bytes of the first length-delimited field along ``path`` (field numbers, outermost
    first), or None when some field on the way is absent. Malformed blobs raise
    :class:`ProtoError`."""
    current = buf
    for number in path:
        for n, wire, value in fields(current):
            if n == number and wire == LENGTH and isinstance(value, bytes):
                current = value
                break
        else:
            return None
    return current


def encode_field(number: int, value: int | bytes | str) -> bytes:
    """One field in wire format (varint for an int, length-delimited otherwise): for tests and
    fixtures that build blobs in the documented structure."""
    if isinstance(value, int):
        return _varint(number << 3 | VARINT) + _varint(value)
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return _varint(number << 3 | LENGTH) + _varint(len(raw)) + raw


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)
