"""RFC 3161 time-stamps for signed custody checkpoints.

Where a unit runs (or subscribes to) a time-stamping authority (TSA), an exported checkpoint can
carry a time-stamp token: the TSA's signed statement that the SHA-256 of the checkpoint's bytes
existed at ``gen_time``. This makes the checkpoint's time provable to a third party who does not
trust the workspace's own clock or key.

* :func:`build_request` makes the DER ``TimeStampReq`` (version 1, SHA-256 message imprint,
  ``certReq`` TRUE so that the TSA puts its certificate in the token, a random 64-bit nonce).
* :func:`request_timestamp` POSTs it to the TSA (``Content-Type: application/timestamp-query``)
  and checks the ``TimeStampResp``: HTTP 200, ``application/timestamp-reply``, PKI status granted
  (or granted with modifications), the token's imprint is SHA-256 of the data, the nonce is ours.
  Anything else is a :class:`~vigil.errors.UserError` that names the TSA's URL. This is the only
  network call Vigil makes, and only when an officer names a TSA (``--tsa-url``).
* :func:`check_token` re-reads a stored token and checks that it covers the given bytes.

Neither function checks the TSA's CMS signature or certificate chain; until that is done, a
token read here proves nothing. Check it with OpenSSL, where ``checkpoint.bin`` holds exactly
the bytes that were stamped, ``token.der`` is the token (the base64 ``token`` of
:meth:`Timestamp.as_json`, decoded, e.g. ``jq -r .token stamp.json | base64 -d > token.der``),
``tsa-ca.pem`` is the TSA's root (and any intermediate) certificate, obtained from the TSA
itself and not from the token, and ``tsa.pem`` the TSA's own certificate::

    openssl ts -verify -data checkpoint.bin -in token.der -token_in \\
        -CAfile tsa-ca.pem -untrusted tsa.pem

OpenSSL prints ``Verification: OK`` and exits 0 only if the signature, the TSA certificate
(which must carry the critical ``timeStamping`` extended key usage) and the imprint all check.
``-untrusted tsa.pem`` may be left out when the token carries the TSA certificate, as it does
when the TSA honours ``certReq``. ``-digest <sha256 hex>`` can stand in for ``-data FILE``.

A time-stamp, like everything Vigil produces, supports a trained person's judgement; it is not
a verdict on the evidence.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from typing import IO, Any, ClassVar

from asn1crypto import cms, core, tsp

from vigil.errors import IntegrityError, ParseError, UserError

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPES = frozenset({"application/timestamp-reply", "application/timestamp-response"})
"""RFC 3161 names the first; some older TSAs still send the second."""
MAX_REPLY = 1 << 20
"""Largest answer read from a TSA (a token with a certificate chain is a few kilobytes)."""

_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
_GRANTED = frozenset({"granted", "granted_with_mods"})


class _TimeStampResp(core.Sequence):  # type: ignore[misc]  # asn1crypto ships no type hints
    """``TimeStampResp`` with the token OPTIONAL, as RFC 3161 has it (asn1crypto 1.5's
    ``tsp.TimeStampResp`` requires it, so it cannot read a rejection)."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class _Invalid(Exception):
    """A token that cannot be read; callers turn it into the right Vigil error."""


@dataclass(frozen=True, slots=True)
class Timestamp:
    """One RFC 3161 time-stamp token and what it says (read, not yet signature-checked)."""

    token: bytes
    """The ``TimeStampToken``: DER of the CMS ``ContentInfo`` (SignedData over a TSTInfo)."""
    gen_time: datetime
    """When the TSA says it stamped the data (timezone-aware, UTC)."""
    serial_number: int
    policy: str
    """The TSA policy OID, dotted."""
    hash_algorithm: str
    """Of the message imprint, e.g. ``sha256``."""
    imprint: str
    """The stamped hash, lower-case hex."""
    tsa_name: str | None = None
    nonce: int | None = None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready fields; the serial number and nonce as decimal strings, since they run to
        64 bits and more and JSON readers in browsers keep only 53."""
        return {
            "token": base64.b64encode(self.token).decode("ascii"),
            "gen_time": _iso(self.gen_time),
            "serial_number": str(self.serial_number),
            "tsa_name": self.tsa_name,
            "policy": self.policy,
            "hash_algorithm": self.hash_algorithm,
            "imprint": self.imprint,
            "nonce": None if self.nonce is None else str(self.nonce),
        }


def _iso(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def build_request(data: bytes, *, nonce: int | None = None) -> tuple[bytes, int]:
    """The DER ``TimeStampReq`` for SHA-256 of ``data``, and its nonce (random 64 bits unless
    given)."""
    if nonce is None:
        nonce = secrets.randbits(64)
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(data).digest(),
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(req.dump()), nonce


def _parse_token(der: bytes) -> Timestamp:
    """Read a ``TimeStampToken``; raises :class:`_Invalid` saying what is wrong."""
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise _Invalid(f"a CMS {info['content_type'].native}, not SignedData")
        encap = info["content"]["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise _Invalid(f"SignedData over {encap['content_type'].native}, not a TSTInfo")
        content = encap["content"]
        if isinstance(content, core.Void):
            raise _Invalid("the SignedData carries no TSTInfo")
        tst = content.parsed
        if not isinstance(tst, tsp.TSTInfo):
            raise _Invalid("the SignedData content is not a TSTInfo")
        if tst["version"].native != "v1":
            raise _Invalid(f"TSTInfo version {tst['version'].native}, expected v1")
        gen_time = tst["gen_time"].native
        if not isinstance(gen_time, datetime) or gen_time.tzinfo is None:
            raise _Invalid(f"unreadable genTime {gen_time!r}")
        tsa = tst["tsa"]
        if isinstance(tsa, core.Void):
            tsa_name = None
        elif tsa.name == "directory_name":
            tsa_name = str(tsa.chosen.human_friendly)
        else:
            tsa_name = str(tsa.native)
        imprint = tst["message_imprint"]
        nonce = tst["nonce"].native
        return Timestamp(
            token=bytes(info.dump()),
            gen_time=gen_time.astimezone(UTC),
            serial_number=int(tst["serial_number"].native),
            policy=str(tst["policy"].dotted),
            hash_algorithm=str(imprint["hash_algorithm"]["algorithm"].native),
            imprint=bytes(imprint["hashed_message"].native).hex(),
            tsa_name=tsa_name,
            nonce=None if nonce is None else int(nonce),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _Invalid(f"not an RFC 3161 time-stamp token ({exc})") from exc


def _imprint_problem(stamp: Timestamp, data: bytes) -> str | None:
    """Why the token does not cover ``data``, or None when it does."""
    hasher = _HASHES.get(stamp.hash_algorithm)
    if hasher is None:
        return f"the token's imprint uses {stamp.hash_algorithm}, which Vigil does not accept"
    want = hasher(data).hexdigest()
    if stamp.imprint != want:
        return (
            f"the token stamps {stamp.hash_algorithm} {stamp.imprint}, but the data's "
            f"{stamp.hash_algorithm} is {want}: it is a time-stamp of other data"
        )
    return None


def check_token(token_der: bytes, data: bytes) -> Timestamp:
    """Re-read a stored token and check that its imprint is the hash of ``data``.

    Raises :class:`~vigil.errors.ParseError` when the bytes are not a time-stamp token and
    :class:`~vigil.errors.IntegrityError` when the token stamps other data. The TSA's signature
    is not checked here: see the module docstring for the ``openssl ts -verify`` command."""
    try:
        stamp = _parse_token(token_der)
    except _Invalid as exc:
        raise ParseError(str(exc), expected="a DER TimeStampToken") from exc
    problem = _imprint_problem(stamp, data)
    if problem is not None:
        raise IntegrityError(f"time-stamp of {_iso(stamp.gen_time)} does not verify: {problem}")
    return stamp


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the query as a GET without its body: report it instead."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def _post(url: str, query: bytes, timeout: float) -> tuple[str, bytes]:
    """POST the query; the answer's content type and body. Raises UserError naming ``url``."""
    where = f"time-stamp authority {url}"
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise UserError(
            f"{where}: not an http(s) URL", hint="give the TSA's http:// or https:// URL"
        )
    request = urllib.request.Request(
        url,
        data=query,
        method="POST",
        headers={"Content-Type": QUERY_TYPE, "Accept": "application/timestamp-reply"},
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as resp:
            status = int(resp.status)
            ctype = resp.headers.get_content_type()
            body = resp.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise UserError(f"{where}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise UserError(f"{where}: cannot reach it ({exc.reason})") from exc
    except TimeoutError as exc:
        raise UserError(f"{where}: no answer within {timeout:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise UserError(f"{where}: the connection failed ({exc})") from exc
    if status != 200:
        raise UserError(f"{where}: HTTP {status}, expected 200")
    if len(body) > MAX_REPLY:
        raise UserError(f"{where}: the answer is larger than {MAX_REPLY} bytes")
    return ctype, body


def _refusal(status: Any) -> str:
    """The PKI status of a refused request in words, with its text and failure info."""
    extras = [repr(str(text)) for text in status["status_string"].native or ()]
    fail = status["fail_info"].native
    if fail:
        extras.append("failure: " + ", ".join(sorted(str(f) for f in fail)))
    words = f"status {status['status'].native}"
    return f"{words} ({'; '.join(extras)})" if extras else words


def request_timestamp(url: str, data: bytes, *, timeout: float = 30.0) -> Timestamp:
    """Ask the TSA at ``url`` to time-stamp SHA-256 of ``data``; the checked token.

    Raises :class:`~vigil.errors.UserError` naming ``url`` when the TSA cannot be reached, does
    not answer HTTP 200 with a ``TimeStampResp``, refuses (its status text and failure info are
    in the message), or answers with a token for other data or another nonce."""
    where = f"time-stamp authority {url}"
    query, nonce = build_request(data)
    ctype, body = _post(url, query, timeout)
    if ctype not in REPLY_TYPES:
        raise UserError(
            f"{where}: answered with content type {ctype}, not application/timestamp-reply "
            "(is this the TSA's URL?)"
        )
    try:
        reply = _TimeStampResp.load(body, strict=True)
        status = reply["status"]
        granted = status["status"].native in _GRANTED
        refusal = None if granted else _refusal(status)
        token = reply["time_stamp_token"]
    except (ValueError, TypeError, KeyError) as exc:
        raise UserError(f"{where}: the answer is not a TimeStampResp ({exc})") from exc
    if refusal is not None:
        raise UserError(f"{where}: the request was refused, {refusal}")
    if isinstance(token, core.Void):
        raise UserError(f"{where}: the answer grants the request but carries no token")
    try:
        stamp = _parse_token(bytes(token.dump()))
    except _Invalid as exc:
        raise UserError(f"{where}: {exc}") from exc
    if stamp.hash_algorithm != "sha256":
        raise UserError(f"{where}: the token stamps {stamp.hash_algorithm}; we asked for sha256")
    problem = _imprint_problem(stamp, data)
    if problem is not None:
        raise UserError(f"{where}: {problem}")
    if stamp.nonce is None:
        raise UserError(f"{where}: the token carries no nonce; the request's was {nonce}")
    if stamp.nonce != nonce:
        raise UserError(
            f"{where}: the token's nonce {stamp.nonce} is not the request's {nonce} "
            "(a replayed or misdirected answer)"
        )
    return stamp
