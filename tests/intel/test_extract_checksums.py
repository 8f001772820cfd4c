"""Wallet and onion checksums: published specification vectors pass, one changed character fails."""

from __future__ import annotations

import random

import pytest

from tests.intel.corpus import WALLET_KINDS, flip_one, wallet
from vigil.intel.extract import codecs, extract_identifiers

B58 = codecs.B58_ALPHABET
HEX = "0123456789abcdef"

# Vectors published in the specifications themselves (Bitcoin genesis coinbase address,
# BIP-173, BIP-86/350, EIP-55, the Monero general fund, and Keccak-256 of the empty string).
SPEC_VECTORS = [
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "bitcoin"),
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bitcoin"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bitcoin"),
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ethereum"),
    ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "ethereum"),
    ("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "ethereum"),
    ("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "ethereum"),
    (
        "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
        "monero",
    ),
]


@pytest.mark.parametrize(("addr", "chain"), SPEC_VECTORS)
def test_specification_vectors_validate(addr: str, chain: str) -> None:
    found = extract_identifiers(f"send it to {addr} thanks")
    assert [(i.kind.value, i.platform, i.valid, i.raw) for i in found] == [
        ("crypto", chain, True, addr)
    ]


def test_keccak_is_not_sha3() -> None:
    assert codecs.keccak256(b"").hex().startswith("c5d2460186f7233c")


def test_segwit_program_decodes_to_the_bip173_hash() -> None:
    ver, prog = codecs.segwit_decode("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
    assert (ver, prog.hex()) == (0, "751e76e8199196d454941c45d1b3a323f1433bd6")


def _alphabet(kind: str, addr: str) -> str:
    if kind.startswith("bech32"):
        return codecs.BECH32_CHARSET.upper() if addr.isupper() else codecs.BECH32_CHARSET
    if kind == "eth":
        return HEX + "ABCDEF"
    if kind == "eth_lower":
        return HEX
    if kind == "eth_upper":
        return HEX.upper()
    return B58


@pytest.mark.parametrize("kind", [k for k in WALLET_KINDS if k not in ("eth_lower", "eth_upper")])
def test_one_changed_character_is_rejected(kind: str) -> None:
    rng = random.Random(kind)
    for _ in range(25):
        addr, _, _ = wallet(rng, kind)
        bad = flip_one(rng, addr, _alphabet(kind, addr))
        text = f"pay {bad} now"
        assert extract_identifiers(text) == [], bad
        loose = extract_identifiers(text, include_invalid=True)
        assert [(i.valid, i.raw) for i in loose] == [(False, bad)]
        assert "checksum" in loose[0].reason or "fail" in loose[0].reason


def test_eip55_case_flip_is_rejected_but_single_case_is_accepted() -> None:
    good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    flipped = good[:3] + good[3].upper() + good[4:]  # 'a' -> 'A'
    assert extract_identifiers(flipped) == []
    for plain in (good.lower(), "0x" + good[2:].upper()):
        (ident,) = extract_identifiers(plain)
        assert ident.valid is True and "no EIP-55 checksum" in ident.reason
        assert ident.value == good.lower()


def test_bech32_mixed_case_and_wrong_variant_fail() -> None:
    good = codecs.segwit_encode("bc", 0, bytes(range(20)))
    mixed = good[:5] + good[5:].upper()
    assert extract_identifiers(mixed) == []
    # a v1 program with the v0 (bech32) constant: BIP-350 says invalid
    data = [1, *codecs._convertbits(bytes(range(32)), 8, 5, True)]
    poly = codecs._polymod([*codecs._hrp_expand("bc"), *data, 0, 0, 0, 0, 0, 0]) ^ 1
    wrong = "bc1" + "".join(codecs.BECH32_CHARSET[d] for d in data)
    wrong += "".join(codecs.BECH32_CHARSET[(poly >> 5 * (5 - i)) & 31] for i in range(6))
    with pytest.raises(codecs.CodecError, match="variant"):
        codecs.segwit_decode(wrong)


def test_onion_v3_checksum() -> None:
    rng = random.Random(5)
    label = codecs.onion_v3_encode(rng.randbytes(32))
    (ok,) = extract_identifiers(f"visit {label}.onion")
    assert (ok.kind.value, ok.platform, ok.valid) == ("url", "tor", True)
    bad = flip_one(rng, label, "abcdefghijklmnopqrstuvwxyz234567")
    assert extract_identifiers(f"visit {bad}.onion") == []
    (loose,) = extract_identifiers(f"visit {bad}.onion", include_invalid=True)
    assert loose.valid is False
    # a published service address (DuckDuckGo's) checks out too
    assert extract_identifiers("duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion")[
        0
    ].valid


def test_monero_integrated_and_subaddress_types_are_named() -> None:
    rng = random.Random(9)
    for kind, word in (("xmr_int", "integrated"), ("xmr_sub", "subaddress"), ("xmr", "standard")):
        addr, _, _ = wallet(rng, kind)
        (ident,) = extract_identifiers(addr)
        assert word in ident.reason
        assert len(addr) == (106 if kind == "xmr_int" else 95)
