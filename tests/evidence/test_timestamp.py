"""RFC 3161 time-stamps against a local TSA that is real OpenSSL (``openssl ts -reply``).

The stub serves one mode per path: ``/`` answers honestly; the others change the query before
OpenSSL signs it (so the token is real but wrong for us) or answer something that is not a
token at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from asn1crypto import tsp
from sqlalchemy import select

from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import IntegrityError, ParseError, UserError
from vigil.evidence.timestamp import (
    Timestamp,
    build_request,
    check_token,
    request_timestamp,
)
from vigil.services.evidence.exhibits import register_file
from vigil.services.workspace import Workspace

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="the openssl CLI is not installed")

DATA = b'{"at":"2026-01-01T00:00:00.000000Z","entry_hash":"ab12","seq":7}'
POLICY = "1.3.6.1.4.1.99999.1"

CONFIG = f"""\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Vigil Test CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa.pem
signer_key = ./tsa.key
signer_digest = sha256
default_policy = {POLICY}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def openssl(cwd: Path, *args: str) -> bytes:
    assert OPENSSL is not None
    done = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def _rewrite(query: bytes, mode: str) -> bytes:
    """The query as a TSA that misbehaves in ``mode`` would read it."""
    req = tsp.TimeStampReq.load(query)
    digest = req["message_imprint"]["hashed_message"].native
    if mode == "other-data":
        digest = hashlib.sha256(b"other").digest()
    fields = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "nonce": req["nonce"].native + (1 if mode == "nonce" else 0),
        "cert_req": req["cert_req"].native,
    }
    if mode == "no-nonce":
        del fields["nonce"]
    if mode == "policy":
        fields["req_policy"] = "1.2.3.4.5"  # a policy this TSA does not have: rejection
    return bytes(tsp.TimeStampReq(fields).dump())


@dataclass
class Stub:
    url: str
    dir: Path
    queries: list[bytes]


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stub]:
    d = tmp_path_factory.mktemp("tsa")
    (d / "openssl.cnf").write_text(CONFIG)
    (d / "serial").write_text("01\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl(d, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-config", "openssl.cnf", "-extensions", "v3_ca")  # fmt: skip
    openssl(d, "req", "-new", *ec, "-keyout", "tsa.key", "-out", "tsa.csr", "-subj",
            "/CN=Vigil Test TSA", "-config", "openssl.cnf")  # fmt: skip
    openssl(d, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-set_serial", "2", "-out", "tsa.pem", "-days", "2", "-extfile", "openssl.cnf",
            "-extensions", "v3_tsa")  # fmt: skip
    queries: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers["Content-Length"]))
            queries.append(query)
            assert self.headers["Content-Type"] == "application/timestamp-query"
            mode = self.path.strip("/")
            ctype = "application/timestamp-reply"
            if mode == "500":
                self.send_error(500, "TSA broken")
                return
            if mode == "html":
                body, ctype = b"<html><body>Welcome</body></html>", "text/html"
            elif mode == "garbage":
                body = b"\x30\x03\x02\x01\x00 not a reply"
            elif mode == "granted-empty":  # hand-built: SEQUENCE { status granted }, no token
                status = bytes(tsp.PKIStatusInfo({"status": "granted"}).dump())
                body = b"\x30" + bytes([len(status)]) + status
            else:
                (d / "query.tsq").write_bytes(_rewrite(query, mode))
                body = openssl(d, "ts", "-reply", "-queryfile", "query.tsq", "-config",
                               "openssl.cnf")  # fmt: skip
            if mode == "wrong-type":
                ctype = "text/plain"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Stub(f"http://127.0.0.1:{server.server_port}", d, queries)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def stamp(stub: Stub) -> Timestamp:
    return request_timestamp(stub.url + "/", DATA, timeout=30)


def test_build_request_is_a_query_openssl_reads(tmp_path: Path) -> None:
    der, nonce = build_request(DATA, nonce=0xFEDCBA9876543210)
    assert nonce == 0xFEDCBA9876543210
    req = tsp.TimeStampReq.load(der, strict=True)
    assert req["version"].native == "v1"
    assert req["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert req["message_imprint"]["hashed_message"].native == hashlib.sha256(DATA).digest()
    assert req["cert_req"].native is True
    assert req["nonce"].native == nonce
    (tmp_path / "q.tsq").write_bytes(der)
    text = openssl(tmp_path, "ts", "-query", "-in", "q.tsq", "-text").decode()
    assert "Certificate required: yes" in text
    assert "Nonce: 0xFEDCBA9876543210" in text
    assert hashlib.sha256(DATA).hexdigest()[:4] in text.replace(" ", "").lower()


def test_build_request_nonce_is_random_64_bits() -> None:
    nonces = {build_request(DATA)[1] for _ in range(8)}
    assert len(nonces) == 8
    assert all(0 <= n < 2**64 for n in nonces)


def test_request_timestamp_against_openssl(stub: Stub, stamp: Timestamp) -> None:
    assert abs(stamp.gen_time - datetime.now(UTC)) < timedelta(minutes=2)
    assert stamp.gen_time.tzinfo is not None
    assert stamp.hash_algorithm == "sha256"
    assert stamp.imprint == hashlib.sha256(DATA).hexdigest()
    assert stamp.policy == POLICY
    assert stamp.tsa_name is not None and "Vigil Test TSA" in stamp.tsa_name
    assert stamp.serial_number >= 1
    sent = tsp.TimeStampReq.load(stub.queries[0])
    assert stamp.nonce == sent["nonce"].native


@pytest.mark.parametrize("untrusted", [True, False], ids=["untrusted-tsa", "cert-in-token"])
def test_openssl_verifies_the_token(stub: Stub, stamp: Timestamp, untrusted: bool) -> None:
    d = stub.dir
    (d / "checkpoint.bin").write_bytes(DATA)
    (d / "token.der").write_bytes(stamp.token)
    extra = ["-untrusted", "tsa.pem"] if untrusted else []  # without: certReq was honoured
    out = openssl(d, "ts", "-verify", "-data", "checkpoint.bin", "-in", "token.der",
                  "-token_in", "-CAfile", "ca.pem", *extra)  # fmt: skip
    assert b"Verification: OK" in out


def test_openssl_rejects_the_token_for_other_data(stub: Stub, stamp: Timestamp) -> None:
    d = stub.dir
    (d / "other.bin").write_bytes(DATA + b" ")
    (d / "token.der").write_bytes(stamp.token)
    done = subprocess.run(
        [str(OPENSSL), "ts", "-verify", "-data", "other.bin", "-in", "token.der", "-token_in",
         "-CAfile", "ca.pem", "-untrusted", "tsa.pem"],
        cwd=d, capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0


def test_as_json_round_trips(stamp: Timestamp) -> None:
    blob = json.loads(json.dumps(stamp.as_json()))
    assert base64.b64decode(blob["token"]) == stamp.token
    assert blob["gen_time"].endswith("Z")
    assert datetime.fromisoformat(blob["gen_time"]) == stamp.gen_time
    assert blob["serial_number"] == str(stamp.serial_number)
    assert blob["nonce"] == str(stamp.nonce)
    assert blob["policy"] == POLICY
    assert blob["hash_algorithm"] == "sha256"
    assert blob["imprint"] == hashlib.sha256(DATA).hexdigest()
    assert blob["tsa_name"] == stamp.tsa_name


def test_check_token_rereads_a_stored_token(stamp: Timestamp) -> None:
    again = check_token(stamp.token, DATA)
    assert again == stamp


def test_check_token_on_other_data_fails(stamp: Timestamp) -> None:
    with pytest.raises(IntegrityError, match="time-stamp of other data") as info:
        check_token(stamp.token, DATA + b" ")
    assert stamp.imprint in info.value.message


def test_check_token_on_garbage_fails() -> None:
    with pytest.raises(ParseError, match="not an RFC 3161 time-stamp token"):
        check_token(b"\x30\x03\x02\x01\x00", DATA)
    with pytest.raises(ParseError, match="not an RFC 3161 time-stamp token"):
        check_token(b"", DATA)


def test_check_token_on_a_whole_response_fails(stub: Stub) -> None:
    """A TimeStampResp is not a token: the caller must store the token alone."""
    (stub.dir / "query.tsq").write_bytes(build_request(DATA)[0])
    resp = openssl(stub.dir, "ts", "-reply", "-queryfile", "query.tsq", "-config", "openssl.cnf")
    with pytest.raises(ParseError):
        check_token(resp, DATA)


@pytest.mark.parametrize(
    ("mode", "match"),
    [
        ("500", r"HTTP 500"),
        ("html", r"content type text/html, not application/timestamp-reply"),
        ("wrong-type", r"content type text/plain"),
        ("garbage", r"not a TimeStampResp"),
        ("granted-empty", r"carries no token"),
        ("policy", r"refused, status rejection \('Requested policy is not supported\.'; "
                   r"failure: unaccepted_policy\)"),
        ("other-data", r"time-stamp of other data"),
        ("nonce", r"nonce \d+ is not the request's \d+"),
        ("no-nonce", r"carries no nonce; the request's was \d+"),
    ],
)  # fmt: skip
def test_bad_answers_are_clear_errors(stub: Stub, mode: str, match: str) -> None:
    url = f"{stub.url}/{mode}"
    with pytest.raises(UserError, match=match) as info:
        request_timestamp(url, DATA, timeout=30)
    assert url in info.value.message


def test_unreachable_tsa_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/tsa"
    with pytest.raises(UserError, match="cannot reach it") as info:
        request_timestamp(url, DATA, timeout=5)
    assert url in info.value.message


@pytest.mark.parametrize("url", ["file:///etc/hostname", "ftp://127.0.0.1/x", "127.0.0.1:80"])
def test_only_http_urls(url: str) -> None:
    with pytest.raises(UserError, match="not an http"):
        request_timestamp(url, DATA)


def test_an_exported_checkpoint_carries_a_token_openssl_accepts(
    stub: Stub, ws: Workspace, tmp_path: Path
) -> None:
    """`vigil evidence checkpoint --tsa-url`: the TSA stamps the checkpoint's signed bytes."""
    from vigil.evidence.chain import canonical
    from vigil.services.evidence.verify import export_checkpoint

    f = tmp_path / "note.txt"
    f.write_bytes(b"an exhibit")
    register_file(ws, "OP-TEST", f, source="s", acquired_by="Jane Smith")
    r = export_checkpoint(ws, tmp_path / "lodged.json", tsa_url=stub.url + "/")
    doc = json.loads(r.path.read_text())
    cp = doc["checkpoint"]
    signed = canonical({"at": cp["at"], "entry_hash": cp["entry_hash"], "seq": cp["seq"]})
    token = base64.b64decode(doc["timestamp"]["token"])
    if shutil.which("jq"):  # the command docs/evidence.md gives prints exactly the signed bytes
        by_hand = subprocess.run(
            ["jq", "-jc", ".checkpoint | {at, entry_hash, seq}", str(r.path)],
            capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        assert by_hand == signed
    assert check_token(token, signed).gen_time == r.stamp.gen_time  # type: ignore[union-attr]
    d = stub.dir
    (d / "lodged.bin").write_bytes(signed)
    (d / "lodged.der").write_bytes(token)
    out = openssl(d, "ts", "-verify", "-data", "lodged.bin", "-in", "lodged.der", "-token_in",
                  "-CAfile", "ca.pem")  # fmt: skip
    assert b"Verification: OK" in out
    with ws.sessions() as s:
        last = s.execute(select(CustodyEntry).order_by(CustodyEntry.seq.desc())).scalars().first()
    assert last is not None and last.action == "export"
    assert json.loads(last.details)["tsa_url"] == stub.url + "/"
