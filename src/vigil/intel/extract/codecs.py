"""Address encodings with their checksums: base58check, bech32/bech32m, EIP-55, Monero, onion.

Each format has an encoder and a checker written from its specification (Bitcoin base58check;
BIP-173 and BIP-350 for segwit addresses; EIP-55; Monero's block-wise base58 with a Keccak-256
checksum; Tor rend-spec-v3 for onion addresses). The encoders build valid test addresses; the
checkers say precisely why an address fails.
"""

from __future__ import annotations

import base64
import hashlib

from Crypto.Hash import keccak

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}


class CodecError(ValueError):
    """The text is not a well-formed address of the format asked for; says why."""


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as used by Ethereum and Monero (not NIST SHA3-256)."""
    return keccak.new(digest_bits=256, data=data).digest()


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


# --- base58 / base58check (Bitcoin) ----------------------------------------------------------


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(B58_ALPHABET[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        if c not in _B58_INDEX:
            raise CodecError(f"character {c!r} is not in the base58 alphabet")
        n = n * 58 + _B58_INDEX[c]
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def b58check_encode(version: int, payload: bytes) -> str:
    raw = bytes([version]) + payload
    return b58encode(raw + _sha256d(raw)[:4])


def b58check_decode(text: str) -> tuple[int, bytes]:
    """Return (version byte, payload); raise CodecError when the checksum does not match."""
    raw = b58decode(text)
    if len(raw) < 5:
        raise CodecError("too short for base58check")
    body, check = raw[:-4], raw[-4:]
    if _sha256d(body)[:4] != check:
        raise CodecError("base58check checksum mismatch")
    return body[0], body[1:]


# --- bech32 / bech32m (BIP-173, BIP-350) -----------------------------------------------------

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convertbits(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise CodecError("invalid padding in the data part")
    return out


def segwit_encode(hrp: str, witver: int, program: bytes) -> str:
    """Encode a segwit address: bech32 for version 0, bech32m for versions 1-16."""
    data = [witver, *_convertbits(program, 8, 5, True)]
    const = _BECH32_CONST if witver == 0 else _BECH32M_CONST
    polymod = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def segwit_decode(addr: str, hrp: str = "bc") -> tuple[int, bytes]:
    """Return (witness version, program); raise CodecError naming what is wrong."""
    if addr.lower() != addr and addr.upper() != addr:
        raise CodecError("bech32 address mixes upper and lower case")
    addr = addr.lower()
    pos = addr.rfind("1")
    if pos < 1 or pos + 7 > len(addr) or len(addr) > 90:
        raise CodecError("bech32 separator or length out of range")
    if addr[:pos] != hrp:
        raise CodecError(f"human-readable part is {addr[:pos]!r}, expected {hrp!r}")
    try:
        data = [BECH32_CHARSET.index(c) for c in addr[pos + 1 :]]
    except ValueError:
        raise CodecError("character outside the bech32 alphabet") from None
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (_BECH32_CONST, _BECH32M_CONST):
        raise CodecError("bech32 checksum mismatch")
    witver = data[0]
    program = bytes(_convertbits(data[1:-6], 5, 8, False))
    if witver > 16 or not 2 <= len(program) <= 40:
        raise CodecError("witness version or program length out of range")
    if witver == 0 and len(program) not in (20, 32):
        raise CodecError("version 0 program must be 20 or 32 bytes")
    if (witver == 0) != (const == _BECH32_CONST):
        raise CodecError(
            "wrong checksum variant (bech32 for v0, bech32m for v1+, BIP-350)",
        )
    return witver, program


# --- Ethereum EIP-55 -------------------------------------------------------------------------


def eip55(hex40: str) -> str:
    """Return ``0x`` plus the mixed-case EIP-55 form of a 40-hex-digit address."""
    lower = hex40.lower().removeprefix("0x")
    digest = keccak256(lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(lower)
    )


# --- Monero (block-wise base58, Keccak-256 checksum) -----------------------------------------

_XMR_BLOCK = [0, 2, 3, 5, 6, 7, 9, 10, 11]  # encoded length of a 0..8 byte block


def xmr_b58encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data), 8):
        block = data[i : i + 8]
        n = int.from_bytes(block, "big")
        chars = []
        while n:
            n, r = divmod(n, 58)
            chars.append(B58_ALPHABET[r])
        out.append("".join(reversed(chars)).rjust(_XMR_BLOCK[len(block)], "1"))
    return "".join(out)


def xmr_b58decode(text: str) -> bytes:
    out = bytearray()
    for i in range(0, len(text), 11):
        chunk = text[i : i + 11]
        if len(chunk) not in _XMR_BLOCK:
            raise CodecError("Monero base58 block has an impossible length")
        size = _XMR_BLOCK.index(len(chunk))
        n = 0
        for c in chunk:
            if c not in _B58_INDEX:
                raise CodecError(f"character {c!r} is not in the base58 alphabet")
            n = n * 58 + _B58_INDEX[c]
        if n >> (8 * size):
            raise CodecError("Monero base58 block overflows")
        out += n.to_bytes(size, "big")
    return bytes(out)


MONERO_PREFIXES = {18: "standard", 19: "integrated", 42: "subaddress"}


def monero_encode(prefix: int, spend: bytes, view: bytes, payment_id: bytes = b"") -> str:
    body = bytes([prefix]) + spend + view + payment_id
    return xmr_b58encode(body + keccak256(body)[:4])


def monero_decode(addr: str) -> tuple[str, bytes]:
    """Return (address type, public keys); raise CodecError naming what is wrong."""
    raw = xmr_b58decode(addr)
    body, check = raw[:-4], raw[-4:]
    if keccak256(body)[:4] != check:
        raise CodecError("Monero Keccak-256 checksum mismatch")
    kind = MONERO_PREFIXES.get(body[0]) if body else None
    expected = {"standard": 65, "subaddress": 65, "integrated": 73}
    if kind is None or len(body) != expected[kind]:
        raise CodecError("unknown Monero network prefix or wrong length")
    return kind, body[1:]


# --- Tor v3 onion addresses (rend-spec-v3) ----------------------------------------------------


def onion_v3_encode(pubkey: bytes) -> str:
    check = hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2]
    return base64.b32encode(pubkey + check + b"\x03").decode("ascii").lower()


def onion_v3_check(label: str) -> None:
    """Raise CodecError unless ``label`` (56 chars, no ``.onion``) is a valid v3 address."""
    try:
        raw = base64.b32decode(label.upper())
    except ValueError:
        raise CodecError("not base32") from None
    pubkey, check, version = raw[:32], raw[32:34], raw[34:]
    if version != b"\x03":
        raise CodecError("onion version byte is not 3")
    if hashlib.sha3_256(b".onion checksum" + pubkey + version).digest()[:2] != check:
        raise CodecError("onion v3 checksum mismatch")
