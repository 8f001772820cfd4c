"""`vigil serve` for real: HTTPS with --tls-cert/--tls-key, and behind a reverse proxy with
--proxy-headers/--forwarded-allow-ips.

Each server is the real `vigil serve` in a subprocess; HTTPS is real TLS with a certificate made
here (a test CA and a server certificate signed by it); requests are real HTTP. A reverse proxy
is played by the test itself: it connects from 127.0.0.1 and sends the X-Forwarded-* headers
nginx or Caddy would, so "trusted" means 127.0.0.1 is in --forwarded-allow-ips and "untrusted"
means it is not.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select
from typer.testing import CliRunner

from tests.web.seed import csrf_of, make_user, totp_code
from tests.web.serve import free_port
from vigil.cli.main import app
from vigil.cli.serve import check_tls, exposure_warning, trusted_proxies
from vigil.config import Settings
from vigil.db.tables.access import SignInEvent
from vigil.errors import UserError
from vigil.services import users
from vigil.services.workspace import Workspace, init_workspace
from vigil.web.security import HSTS, PRE_COOKIE, SESSION_COOKIE, SignInLimiter

VIGIL = [sys.executable, "-m", "vigil.cli.main"]
HSTS_VALUE = HSTS[1].decode()
LIMIT = SignInLimiter().limit  # the limit `vigil serve` runs with
PASSWORD = "correct horse battery staple 42"  # what tests.web.seed.make_user sets
NEW_PASSWORD = "quiet lantern orchard seventy ribbon"


# --- certificates ----------------------------------------------------------------------------


@dataclass
class Tls:
    ca: Path  # the test CA's certificate: what the client trusts
    cert: Path  # the server's certificate, signed by the CA
    key: Path  # the server's private key (0600)
    other_key: Path  # a key that belongs to no certificate here

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))


def _pem_key(key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> bytes:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def make_tls(folder: Path) -> Tls:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vigil test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    tls = Tls(folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "other.key")
    tls.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    tls.key.write_bytes(_pem_key(key))
    tls.key.chmod(0o600)
    tls.other_key.write_bytes(_pem_key(ec.generate_private_key(ec.SECP256R1())))
    tls.other_key.chmod(0o600)
    return tls


# --- the workspace and servers ---------------------------------------------------------------


@dataclass
class Site:
    home: Path
    ws: Workspace
    tls: Tls
    secrets: dict[str, str] = field(default_factory=dict)

    def user(self, name: str) -> str:
        """A fresh investigator ``name`` (password :data:`PASSWORD`); returns the name."""
        _, secret = make_user(self.ws, name, "investigator", [])
        self.secrets[name] = secret
        return name

    def events(self, username: str) -> list[tuple[str | None, str]]:
        """(address, outcome) of every sign-in attempt as ``username``, oldest first."""
        with self.ws.sessions() as s:
            rows = s.execute(
                select(SignInEvent.ip, SignInEvent.outcome)
                .where(SignInEvent.username == username)
                .order_by(SignInEvent.id)
            ).all()
        return [(ip, outcome) for ip, outcome in rows]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("serving")
    ws, _, _ = init_workspace(Settings(home=root / "ws", user="web.admin", database_url=None))
    return Site(root / "ws", ws, make_tls(root / "tls"))


def vigil_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "web.admin", "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    env.pop("FORWARDED_ALLOW_IPS", None)  # uvicorn's own variable must not matter either
    return env


@dataclass
class Server:
    url: str
    verify: ssl.SSLContext | bool
    output: Path


def start(site: Site, name: str, *options: str) -> Iterator[Server]:
    """Run ``vigil serve --host 127.0.0.1 --port P *options`` until the generator is closed."""
    port = free_port()
    https = "--tls-cert" in options
    url = f"{'https' if https else 'http'}://127.0.0.1:{port}"
    verify: ssl.SSLContext | bool = site.tls.client_context() if https else True
    output = site.home.parent / f"{name}.log"
    with output.open("wb") as log:
        proc = subprocess.Popen(
            [*VIGIL, "serve", "--host", "127.0.0.1", "--port", str(port), *options],
            env=vigil_env(site.home), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/login", verify=verify, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"vigil serve {' '.join(options)} did not start: {output.read_text()}")
            time.sleep(0.2)
        yield Server(url, verify, output)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def tls_server(site: Site) -> Iterator[Server]:
    yield from start(site, "tls", "--tls-cert", str(site.tls.cert), "--tls-key", str(site.tls.key))


@pytest.fixture(scope="module")
def proxied(site: Site) -> Iterator[Server]:
    """Behind a proxy on this machine: --proxy-headers, trusting loopback (the default)."""
    yield from start(site, "proxied", "--proxy-headers")


@pytest.fixture(scope="module")
def proxied_elsewhere(site: Site) -> Iterator[Server]:
    """Trusting a proxy at 192.0.2.1 only: our requests (from 127.0.0.1) are not from it."""
    yield from start(site, "elsewhere", "--proxy-headers", "--forwarded-allow-ips", "192.0.2.1")


@pytest.fixture(scope="module")
def plain(site: Site) -> Iterator[Server]:
    """`vigil serve` with no proxy or TLS options (local use)."""
    yield from start(site, "plain")


# --- a browser, seen from the server -----------------------------------------------------------


def set_cookies(r: httpx.Response) -> list[tuple[str, str, dict[str, str]]]:
    """(name, value, attributes with lower-case names) of every Set-Cookie in ``r``."""
    out = []
    for header in r.headers.get_list("set-cookie"):
        first, *rest = (part.strip() for part in header.split(";"))
        name, _, value = first.partition("=")
        attrs = {k.lower(): v for k, _, v in (p.partition("=") for p in rest if p)}
        out.append((name, value, attrs))
    return out


class Browser:
    """Keeps cookies as a browser on the far side of a TLS proxy would: every cookie is sent
    back (the browser talks https to the proxy, whatever the hop to Vigil), removed cookies are
    dropped, and every response is kept for inspection."""

    def __init__(self, server: Server, headers: dict[str, str] | None = None) -> None:
        self.http = httpx.Client(
            base_url=server.url, verify=server.verify, headers=headers or {}, timeout=60
        )
        self.jar: dict[str, str] = {}
        self.seen: list[httpx.Response] = []

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if self.jar:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        r = self.http.request(method, url, headers=headers, follow_redirects=False, **kw)
        self.http.cookies.clear()  # only our jar, so Secure cookies come back as over https
        for name, value, attrs in set_cookies(r):
            if attrs.get("max-age") == "0":
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        self.seen.append(r)
        return r

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def attempt(self, username: str, password: str) -> httpx.Response:
        """One sign-in attempt through the real form (its token from a fresh form)."""
        form = self.get("/login")
        data = {"username": username, "password": password, "csrf_token": csrf_of(form.text)}
        return self.post("/login", data=data)


def whole_visit(b: Browser, site: Site, username: str) -> None:
    """Sign in (password, TOTP), open the queue, change the password (the session is rotated),
    open the queue on the new session, sign out: every way Vigil sets or clears a cookie."""
    r = b.attempt(username, PASSWORD)
    assert r.status_code == 303 and r.headers["location"].startswith("/login/totp"), r.text[:300]
    r = b.get(r.headers["location"])
    r = b.post("/login/totp", data={"code": totp_code(site.secrets[username]),
                                    "csrf_token": csrf_of(r.text)})  # fmt: skip
    assert r.status_code == 303, r.text[:300]
    assert b.get("/").status_code == 200
    first = b.jar[SESSION_COOKIE]
    r = b.get("/account")
    r = b.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                          "csrf_token": csrf_of(r.text)})  # fmt: skip
    assert r.status_code == 200 and "Password changed" in r.text
    assert b.jar[SESSION_COOKIE] != first
    r = b.get("/static/vigil.css")
    assert r.status_code == 200
    r = b.get("/")
    assert r.status_code == 200
    r = b.post("/logout", data={"csrf_token": csrf_of(r.text)})
    assert r.status_code == 303 and SESSION_COOKIE not in b.jar


def signed_in_from(site: Site, username: str) -> str | None:
    """The address the lock-out and sign-in log recorded for :func:`whole_visit`'s sign-in."""
    (ip, first), (ip2, second) = site.events(username)[:2]
    assert (first, second) == ("password-ok", "signed-in") and ip == ip2
    return ip


def cookie_flags(b: Browser) -> dict[tuple[str, str], set[bool]]:
    """For each (cookie, "set" or "clear"): whether Secure was on, over every response seen."""
    out: dict[tuple[str, str], set[bool]] = {}
    for r in b.seen:
        for name, _, attrs in set_cookies(r):
            assert "httponly" in attrs and attrs.get("samesite", "").lower() == "strict", name
            kind = "clear" if attrs.get("max-age") == "0" else "set"
            out.setdefault((name, kind), set()).add("secure" in attrs)
    return out


EVERY_COOKIE = {
    (PRE_COOKIE, "set"),
    (PRE_COOKIE, "clear"),
    (SESSION_COOKIE, "set"),
    (SESSION_COOKIE, "clear"),
}


def assert_https_treatment(b: Browser, https: bool) -> None:
    flags = cookie_flags(b)
    assert set(flags) == EVERY_COOKIE
    assert all(seen == {https} for seen in flags.values()), flags
    hsts = [r.headers.get("strict-transport-security") for r in b.seen]
    assert hsts == [HSTS_VALUE if https else None] * len(b.seen), hsts


# --- HTTPS served directly ---------------------------------------------------------------------


def test_https_direct_sends_hsts_and_marks_every_cookie_secure(
    site: Site, tls_server: Server
) -> None:
    assert tls_server.url.startswith("https://")
    b = Browser(tls_server)
    whole_visit(b, site, site.user("tls-officer"))
    assert_https_treatment(b, https=True)
    assert HSTS_VALUE == "max-age=31536000; includeSubDomains"
    # the client checked the certificate against the test CA: a client trusting nothing fails
    with pytest.raises(httpx.ConnectError):
        httpx.get(tls_server.url + "/login", verify=ssl.create_default_context(), timeout=10)
    # and the TLS port does not answer plain http
    with pytest.raises(httpx.HTTPError):
        httpx.get(tls_server.url.replace("https://", "http://") + "/login", timeout=10)
    assert "Vigil workbench on https://127.0.0.1:" in tls_server.output.read_text()


# --- behind a trusted proxy --------------------------------------------------------------------


def test_trusted_proxy_forwarding_https_gets_hsts_and_secure_cookies(
    site: Site, proxied: Server
) -> None:
    name = site.user("proxied-officer")
    b = Browser(proxied, {"x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.10"})
    whole_visit(b, site, name)
    assert_https_treatment(b, https=True)
    assert signed_in_from(site, name) == "198.51.100.10"


def test_plain_http_on_loopback_has_neither_hsts_nor_secure(
    site: Site, proxied: Server, plain: Server
) -> None:
    """Local use keeps working: sign-in over plain http, cookies without Secure (a browser
    would not send Secure cookies back over http), no HSTS."""
    for server, name in ((proxied, "local-officer-1"), (plain, "local-officer-2")):
        b = Browser(server)
        whole_visit(b, site, site.user(name))
        assert_https_treatment(b, https=False)
        assert signed_in_from(site, name) == "127.0.0.1"
    out = plain.output.read_text()
    assert "Vigil workbench on http://127.0.0.1:" in out and "warning" not in out


def test_the_address_is_the_one_the_trusted_proxy_saw(site: Site, proxied: Server) -> None:
    """A client cannot pick its address by sending its own X-Forwarded-For: the proxy appends
    the address it saw, and that (the nearest untrusted one) is what counts."""
    name = site.user("spoofer")
    for forwarded, seen in (
        ("10.9.9.9, 203.0.113.5", "203.0.113.5"),
        ("203.0.113.6, 127.0.0.1", "203.0.113.6"),  # through two proxies on this machine
        ("2001:db8::7", "2001:db8::7"),
    ):
        b = Browser(proxied, {"x-forwarded-for": forwarded})
        assert b.attempt(name, "not the password at all").status_code == 401
        assert site.events(name)[-1] == (seen, "bad-password")


def test_forwarded_addresses_do_not_share_a_sign_in_limit(site: Site, proxied: Server) -> None:
    a = Browser(proxied, {"x-forwarded-for": "203.0.113.20"})
    b = Browser(proxied, {"x-forwarded-for": "203.0.113.21"})
    codes = [a.attempt(f"nobody-a{i}", "not the password at all").status_code for i in range(LIMIT)]
    assert codes == [401] * LIMIT
    assert a.attempt("nobody-a-more", "not the password at all").status_code == 429
    assert b.attempt("nobody-b", "not the password at all").status_code == 401
    assert a.attempt("nobody-a-again", "not the password at all").status_code == 429
    # the connection itself (the proxy, 127.0.0.1) was never limited
    assert Browser(proxied).attempt("nobody-c", "not the password at all").status_code == 401


def test_lock_out_counts_per_forwarded_address(site: Site, proxied: Server) -> None:
    name = site.user("locked-from-one-place")
    there = Browser(proxied, {"x-forwarded-for": "203.0.113.30"})
    for _ in range(users.LOCK_AFTER):
        assert there.attempt(name, "not the password at all").status_code == 401
    r = there.attempt(name, PASSWORD)
    assert r.status_code == 401 and "locked" in r.text
    here = Browser(proxied, {"x-forwarded-for": "203.0.113.31"})
    r = here.attempt(name, PASSWORD)
    assert r.status_code == 303 and r.headers["location"].startswith("/login/totp")
    assert site.events(name)[-2:] == [("203.0.113.30", "locked"), ("203.0.113.31", "password-ok")]


# --- forwarded headers from anyone else are ignored --------------------------------------------


def test_untrusted_address_cannot_claim_https_or_an_address(
    site: Site, proxied_elsewhere: Server, plain: Server
) -> None:
    forged = {"x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.99"}
    for server, name in ((proxied_elsewhere, "forger-1"), (plain, "forger-2")):
        b = Browser(server, forged)
        whole_visit(b, site, site.user(name))
        assert_https_treatment(b, https=False)
        assert signed_in_from(site, name) == "127.0.0.1"
    assert "trusted from: 192.0.2.1" in proxied_elsewhere.output.read_text()


def test_untrusted_forwarded_addresses_share_the_connections_limit(
    proxied_elsewhere: Server,
) -> None:
    codes = []
    for i in range(LIMIT + 1):
        b = Browser(proxied_elsewhere, {"x-forwarded-for": f"203.0.113.{100 + i}"})
        codes.append(b.attempt(f"ghost{i}", "not the password at all").status_code)
    # every forged address counted against 127.0.0.1 (earlier tests here used some of it)
    first = codes.index(429) if 429 in codes else len(codes)
    assert 0 < first <= LIMIT, codes
    assert codes == [401] * first + [429] * (len(codes) - first)


# --- the options themselves ----------------------------------------------------------------------


def run_serve(home: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*VIGIL, "serve", "--port", str(free_port()), *options],
        capture_output=True, text=True, env=vigil_env(home), timeout=120,
    )  # fmt: skip


def test_missing_certificate_is_named_before_anything_starts(site: Site, tmp_path: Path) -> None:
    nowhere = tmp_path / "no-workspace-here"
    missing = tmp_path / "missing.pem"
    r = run_serve(nowhere, "--tls-cert", str(missing), "--tls-key", str(site.tls.key))
    assert r.returncode == 3, r.stderr
    assert f"--tls-cert {missing}: no such file" in r.stderr and "what to do" in r.stderr
    assert not nowhere.exists()  # refused before opening (and so creating) a workspace


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--tls-cert", "server.pem"], "--tls-cert and --tls-key go together"),
        (["--tls-key", "server.key"], "--tls-cert and --tls-key go together"),
        (["--forwarded-allow-ips", "10.0.0.5"], "no effect without --proxy-headers"),
        (["--proxy-headers", "--forwarded-allow-ips", "*"], "any client"),
        (["--proxy-headers", "--forwarded-allow-ips", "proxy.internal"], "not an IP address"),
    ],
)
def test_option_mistakes_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], said: str
) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "ws"))
    result = CliRunner().invoke(app, ["serve", *options])
    assert isinstance(result.exception, UserError), result.output
    assert said in result.exception.message
    assert not (tmp_path / "ws").exists()


def _refused(cert: Path, key: Path) -> str:
    with pytest.raises(UserError) as caught:
        check_tls(cert, key)
    return caught.value.message


def test_tls_files_are_checked_and_named(site: Site, tmp_path: Path) -> None:
    tls = site.tls
    assert check_tls(tls.cert, tls.key) > datetime.now(UTC)
    msg = _refused(tls.cert, tls.other_key)
    assert str(tls.other_key) in msg and str(tls.cert) in msg and "does not belong" in msg
    assert "not a PEM certificate" in _refused(tls.key, tls.key)
    assert "not a PEM private key" in _refused(tls.cert, tls.cert)
    assert "no such file" in _refused(tls.cert, tmp_path / "gone.key")
    assert "not a file" in _refused(tmp_path, tls.key)
    locked = tmp_path / "locked.key"
    locked.write_bytes(_pem_key(ec.generate_private_key(ec.SECP256R1()), password=b"a passphrase"))
    assert "passphrase" in _refused(tls.cert, locked)
    combined = tmp_path / "combined.pem"  # key and certificate in one file: accepted
    combined.write_bytes(tls.key.read_bytes() + tls.cert.read_bytes())
    assert check_tls(combined, combined) > datetime.now(UTC)
    if os.geteuid() != 0:  # root reads anything
        unreadable = tmp_path / "unreadable.key"
        unreadable.write_bytes(tls.key.read_bytes())
        unreadable.chmod(0)
        assert "permission denied" in _refused(tls.cert, unreadable)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("127.0.0.1,::1", ["127.0.0.1", "::1"]),
        (" 10.0.0.0/24 , 192.0.2.7", ["10.0.0.0/24", "192.0.2.7"]),
        ("fd00::/8", ["fd00::/8"]),
    ],
)
def test_trusted_proxies_accepts_addresses_and_networks(raw: str, want: list[str]) -> None:
    assert trusted_proxies(raw) == want


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("*", "any client"),
        ("proxy.internal", "not an IP address or network"),
        ("10.0.0.1/24", "10.0.0.0/24"),
        (" , ", "empty"),
    ],
)
def test_trusted_proxies_refuses_what_would_trust_the_wrong_people(raw: str, said: str) -> None:
    with pytest.raises(UserError) as caught:
        trusted_proxies(raw)
    assert said in caught.value.message + (caught.value.hint or "")


def test_the_warning_beyond_loopback_says_what_to_do() -> None:
    for host in ("127.0.0.1", "::1", "localhost"):
        assert exposure_warning(host, tls=False, proxy_headers=False) is None
    assert exposure_warning("0.0.0.0", tls=True, proxy_headers=False) is None
    bare = exposure_warning("0.0.0.0", tls=False, proxy_headers=False)
    assert bare is not None
    assert "--tls-cert" in bare and "--tls-key" in bare and "--proxy-headers" in bare
    assert "docs/deploy.md" in bare
    proxied = exposure_warning("10.0.0.4", tls=False, proxy_headers=True)
    assert proxied is not None and "firewall" in proxied and "X-Forwarded-Proto" in proxied
