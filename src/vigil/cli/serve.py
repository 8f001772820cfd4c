"""``vigil serve``: the web workbench, on this machine or in production.

Three ways to run it (see docs/deploy.md):

- on loopback over plain http, for one person at this machine (the default);
- behind a TLS reverse proxy (nginx, Caddy) with ``--proxy-headers``: the client address and
  scheme come from ``X-Forwarded-For`` / ``X-Forwarded-Proto``, but only on connections from
  ``--forwarded-allow-ips`` (uvicorn's ProxyHeadersMiddleware; from anywhere else they are
  ignored, so nobody can choose the address the sign-in limit and lock-out count against);
- serving HTTPS itself with ``--tls-cert`` and ``--tls-key``.

Under https (direct, or forwarded by a trusted proxy) every response carries HSTS and every
cookie is ``Secure`` (:mod:`vigil.web.security`, :func:`vigil.web.routes.auth.set_cookie`).
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from vigil.cli.common import LEAD_NOT_VERDICT, console, err, workspace
from vigil.errors import UserError

LOOPBACK_PROXIES = "127.0.0.1,::1"
"""Whom ``--proxy-headers`` trusts unless ``--forwarded-allow-ips`` says otherwise."""


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def trusted_proxies(raw: str) -> list[str]:
    """The ``--forwarded-allow-ips`` value as addresses and networks, each checked.

    uvicorn would quietly treat a misspelt entry as a name that never matches (so the proxy is
    not trusted and every user shares its address); ``*`` would trust every client to name its
    own address. Both are refused here with what to write instead.
    """
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise UserError(
            "--forwarded-allow-ips is empty",
            hint=f"give the reverse proxy's address, e.g. {LOOPBACK_PROXIES} (the default)",
        )
    for item in items:
        if item == "*":
            raise UserError(
                "--forwarded-allow-ips '*' would let any client set its own address and scheme "
                "with X-Forwarded-For / X-Forwarded-Proto (and so dodge the sign-in limit)",
                hint="name the reverse proxy's address or network, e.g. 127.0.0.1 or 10.0.0.0/24",
            )
        try:
            if "/" in item:
                ipaddress.ip_network(item)
            else:
                ipaddress.ip_address(item)
        except ValueError as exc:
            hint = "IP addresses (192.0.2.10, ::1) or networks (10.0.0.0/24), comma-separated"
            if "/" in item and "host bits set" in str(exc):
                hint = f"write the network as {ipaddress.ip_network(item, strict=False)}"
            raise UserError(
                f"--forwarded-allow-ips: {item!r} is not an IP address or network", hint=hint
            ) from None
    return items


def _read(path: Path, option: str) -> bytes:
    if not path.exists():
        raise UserError(f"{option} {path}: no such file", hint="check the path")
    if not path.is_file():
        raise UserError(f"{option} {path}: not a file", hint="give the PEM file itself")
    try:
        return path.read_bytes()
    except PermissionError:
        raise UserError(
            f"{option} {path}: cannot be read by this account (permission denied)",
            hint="let the account that runs vigil read it (for the key: owner-only, chmod 600)",
        ) from None
    except OSError as exc:
        raise UserError(f"{option} {path}: cannot be read ({exc.strerror})") from None


def check_tls(cert: Path, key: Path) -> datetime:
    """Check that ``cert`` and ``key`` are a readable PEM certificate (chain) and its unencrypted
    private key, as the TLS server will load them; return the certificate's expiry.

    Every failure names the file and what is wrong with it.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert_pem, key_pem = _read(cert, "--tls-cert"), _read(key, "--tls-key")
    try:
        chain = x509.load_pem_x509_certificates(cert_pem)
    except ValueError:
        raise UserError(
            f"--tls-cert {cert}: not a PEM certificate",
            hint="give the certificate (then any intermediates), each starting with "
            "-----BEGIN CERTIFICATE-----",
        ) from None
    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise UserError(
            f"--tls-key {key}: the key is protected by a passphrase",
            hint="give an unencrypted key readable only by the account that runs vigil "
            "(openssl pkey -in KEY -out PLAIN; chmod 600 PLAIN)",
        ) from None
    except ValueError:
        raise UserError(
            f"--tls-key {key}: not a PEM private key",
            hint="give the private key, starting with -----BEGIN PRIVATE KEY----- "
            "(or BEGIN EC/RSA PRIVATE KEY)",
        ) from None

    def spki(k: Any) -> bytes:
        der: bytes = k.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return der

    if spki(chain[0].public_key()) != spki(private.public_key()):
        raise UserError(
            f"--tls-key {key} does not belong to the certificate in --tls-cert {cert}",
            hint="give the key the certificate was issued for; the server's own certificate "
            "comes first in the file, before any intermediates",
        )
    try:  # exactly what the server will do with them
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(str(cert), str(key))
    except ssl.SSLError as exc:
        raise UserError(
            f"--tls-cert {cert} / --tls-key {key}: TLS cannot use them ({exc.reason or exc})"
        ) from None
    return chain[0].not_valid_after_utc


def exposure_warning(host: str, tls: bool, proxy_headers: bool) -> str | None:
    """What to say when the workbench listens beyond this machine without TLS (else None)."""
    if _loopback(host) or tls:
        return None
    if proxy_headers:
        return (
            f"warning: listening on {host} over plain http. Make sure only the reverse proxy "
            "can reach this port (firewall), and that it terminates TLS and sends "
            "X-Forwarded-Proto: https; or serve HTTPS here with --tls-cert and --tls-key. "
            "See docs/deploy.md."
        )
    return (
        f"warning: listening on {host}, beyond this machine, over plain http: passwords and "
        "session cookies would cross the network readable, with no HSTS and no Secure "
        "cookies. Serve HTTPS with --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1 "
        "behind a TLS reverse proxy (nginx, Caddy) with --proxy-headers. See docs/deploy.md."
    )


def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (loopback unless you mean otherwise)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            "--tls-cert",
            help="Serve HTTPS with this PEM certificate (chain, server's first); needs --tls-key.",
        ),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option(
            "--tls-key",
            help="PEM private key of --tls-cert (unencrypted; readable by this account only).",
        ),
    ] = None,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers",
            help="Behind a reverse proxy: take the client address and scheme from "
            "X-Forwarded-For / X-Forwarded-Proto, only on connections from --forwarded-allow-ips.",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Trusted proxy addresses or networks, comma-separated "
            f"(default {LOOPBACK_PROXIES}); needs --proxy-headers.",
        ),
    ] = None,
) -> None:
    """Serve the web workbench (sign-in with password and TOTP; need-to-know by case)."""
    if (tls_cert is None) != (tls_key is None):
        raise UserError(
            "--tls-cert and --tls-key go together",
            hint="give both (the same file twice if it holds the key and the certificate)",
        )
    if forwarded_allow_ips is not None and not proxy_headers:
        raise UserError(
            "--forwarded-allow-ips has no effect without --proxy-headers",
            hint="add --proxy-headers when the workbench is behind a reverse proxy",
        )
    trusted = trusted_proxies(forwarded_allow_ips or LOOPBACK_PROXIES)
    tls = tls_cert is not None and tls_key is not None
    if tls_cert is not None and tls_key is not None:
        expires = check_tls(tls_cert, tls_key)
        if expires <= datetime.now(UTC):
            err.print(
                f"warning: the certificate in {tls_cert} expired on {expires:%Y-%m-%d}",
                markup=False,
            )
        if os.stat(tls_key).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            err.print(
                f"warning: {tls_key} can be read by other accounts; chmod 600 it", markup=False
            )

    import uvicorn

    from vigil.web.app import create_app

    ws = workspace()
    warning = exposure_warning(host, tls, proxy_headers)
    if warning:
        err.print(warning, soft_wrap=True, markup=False)
    app = create_app(workspace=ws)
    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if tls else "http"
    console.print(f"Vigil workbench on {scheme}://{shown}:{port}/  (Ctrl-C to stop)", markup=False)
    if proxy_headers:
        console.print(f"Forwarded client address and scheme trusted from: {', '.join(trusted)}")
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=trusted,  # given even when off, so uvicorn reads no environment
        ssl_certfile=str(tls_cert) if tls else None,
        ssl_keyfile=str(tls_key) if tls else None,
    )
