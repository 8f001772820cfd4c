"""Crypto-currency addresses, each checked against its own checksum.

- Bitcoin legacy (``1...`` P2PKH, ``3...`` P2SH): base58check with a double SHA-256 checksum.
- Bitcoin segwit (``bc1q...`` v0, bech32; ``bc1p...`` v1+, bech32m): BIP-173/BIP-350 checksum.
- Ethereum (``0x`` + 40 hex): mixed case must satisfy the EIP-55 checksum; all lower- or
  all upper-case addresses carry no checksum and are accepted as unchecksummed.
- Monero standard/subaddress (95 characters, ``4...``/``8...``) and integrated (106):
  block-wise base58 with a Keccak-256 checksum.

A candidate that fails its checksum is dropped (or returned with ``valid=False`` when
``include_invalid`` is set: a one-character typo in a wallet is still a lead). Values keep
their case where the encoding is case-sensitive (base58) and are lower-cased otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vigil.intel.extract import codecs
from vigil.intel.extract.base import Identifier, IdentifierKind, Options

_B58 = "1-9A-HJ-NP-Za-km-z"
BTC_LEGACY = re.compile(rf"(?<![\w/])[13][{_B58}]{{25,34}}(?![\w])")
BTC_SEGWIT = re.compile(r"(?<![\w/])(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![\w])")
ETH = re.compile(r"(?<![\w/])0x[0-9a-fA-F]{40}(?![\w])")
XMR = re.compile(rf"(?<![\w/])[48][{_B58}]{{94}}(?:[{_B58}]{{11}})?(?![\w])")


def _btc_legacy(addr: str) -> tuple[bool, str]:
    try:
        version, payload = codecs.b58check_decode(addr)
    except codecs.CodecError as exc:
        return False, f"Bitcoin-like address that fails its checksum ({exc})"
    if len(payload) != 20 or version not in (0, 5):
        return False, "base58check string that is not a Bitcoin address (version/length)"
    kind = "P2PKH" if version == 0 else "P2SH"
    return True, f"Bitcoin {kind} address (base58check checksum verified)"


def _btc_segwit(addr: str) -> tuple[bool, str]:
    try:
        witver, _ = codecs.segwit_decode(addr)
    except codecs.CodecError as exc:
        return False, f"Bitcoin segwit-like address that fails validation ({exc})"
    enc = "bech32" if witver == 0 else "bech32m"
    return True, f"Bitcoin segwit v{witver} address ({enc} checksum verified)"


def _eth(addr: str) -> tuple[bool, str]:
    body = addr[2:]
    if body == body.lower() or body == body.upper():
        return True, "Ethereum address (single case: carries no EIP-55 checksum)"
    if codecs.eip55(body) == "0x" + body:
        return True, "Ethereum address (EIP-55 checksum verified)"
    return False, "Ethereum address whose mixed case fails the EIP-55 checksum"


def _xmr(addr: str) -> tuple[bool, str]:
    try:
        kind, _ = codecs.monero_decode(addr)
    except codecs.CodecError as exc:
        return False, f"Monero-like address that fails validation ({exc})"
    return True, f"Monero {kind} address (Keccak-256 checksum verified)"


def _has_mix(s: str) -> bool:
    return any(c.isdigit() for c in s) and any(c.isalpha() for c in s)


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    checks = (
        (BTC_SEGWIT, "bitcoin", _btc_segwit, str.lower),
        (BTC_LEGACY, "bitcoin", _btc_legacy, str),
        (ETH, "ethereum", _eth, str.lower),
        (XMR, "monero", _xmr, str),
    )
    for pattern, chain, check, norm in checks:
        for m in pattern.finditer(text):
            raw = m.group()
            if not _has_mix(raw[1:]):
                continue
            valid, reason = check(raw)
            if valid or opts.include_invalid:
                yield Identifier(
                    IdentifierKind.CRYPTO, norm(raw), raw, m.start(), m.end(), chain, valid, reason
                )
