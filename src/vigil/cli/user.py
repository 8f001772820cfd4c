"""``vigil user``: accounts for the web workbench, roles, TOTP, case membership, API tokens.

Every command but ``list`` changes accounts and needs the acting user (VIGIL_USER) to be an
administrator; ``vigil admin init`` makes the person who creates a workspace one.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Annotated

import typer

from vigil.cli.common import console, print_json, workspace
from vigil.services import access, users

app = typer.Typer(
    help="Web workbench accounts: users, roles, passwords, TOTP, case membership, API tokens.",
    no_args_is_help=True,
)

Name = Annotated[str, typer.Argument(help="Username.")]


def _password(given: str | None, generate: bool) -> tuple[str, bool]:
    if given is not None:
        return given, False
    if generate:
        return "-".join(secrets.token_hex(3) for _ in range(4)), True
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True), False


def _qr(uri: str) -> None:
    import segno

    segno.make(uri, error="m").terminal(compact=True)


@app.command("add")
def add(
    username: Name,
    role: Annotated[str, typer.Option("--role", help="One of: " + ", ".join(access.ROLES) + ".")],
    display_name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", help="First password (else asked; avoid on shared machines)."),
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate-password", help="Make and print a random password.")
    ] = False,
    member: Annotated[
        list[str] | None, typer.Option("--member", help="Case to add them to (repeatable).")
    ] = None,
    totp: Annotated[
        bool,
        typer.Option("--totp", help="Set up TOTP now and print the key (else at first sign-in)."),
    ] = False,
) -> None:
    """Add a user who can sign in to the web workbench."""
    ws = workspace()
    pw, show = _password(password, generate)
    info = users.create_user(ws, username, role, display_name, pw)
    for ref in member or []:
        users.set_membership(ws, username, ref, True)
    console.print(
        f"Added {info.username} ({access.ROLE_LABELS[info.role]}); cases: {', '.join(member or []) or 'none'}"
    )
    if show:
        console.print(f"password: {pw}")
    if totp:
        secret, uri = users.reset_totp(ws, username)
        console.print(f"TOTP key: {secret}\n{uri}")
        _qr(uri)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List users, their roles, second factor, state and cases."""
    rows = users.list_users(workspace())
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    for u in rows:
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        console.print(
            f"{u.username:20} {access.ROLE_LABELS.get(u.role, u.role):20} "
            f"{'totp' if u.totp_enrolled else 'no-totp':8} {state:8} {', '.join(u.cases)}"
        )


@app.command("passwd")
def passwd(
    username: Name,
    password: Annotated[
        str | None, typer.Option("--password", help="New password (else asked).")
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate-password", help="Make and print a random password.")
    ] = False,
) -> None:
    """Set a user's password (and clear a lock-out)."""
    pw, show = _password(password, generate)
    users.set_password(workspace(), username, pw)
    console.print(f"Password set for {username}." + (f" password: {pw}" if show else ""))


@app.command("role")
def role(username: Name, new_role: Annotated[str, typer.Argument(help="The new role.")]) -> None:
    """Change a user's role."""
    info = users.set_role(workspace(), username, new_role)
    console.print(f"{info.username} is now {access.ROLE_LABELS[info.role]}.")


@app.command("totp")
def totp(username: Name) -> None:
    """Give a user a new TOTP key and print it with a QR code (the old key stops working)."""
    secret, uri = users.reset_totp(workspace(), username)
    console.print(f"TOTP key for {username}: {secret}\n{uri}")
    _qr(uri)


@app.command("member")
def member(
    username: Name,
    case: Annotated[str, typer.Argument(help="Case reference.")],
    remove: Annotated[bool, typer.Option("--remove", help="Take them off the case.")] = False,
) -> None:
    """Add a user to a case (need to know), or take them off it."""
    users.set_membership(workspace(), username, case, not remove)
    console.print(f"{username} {'removed from' if remove else 'added to'} {case}.")


@app.command("unlock")
def unlock(username: Name) -> None:
    """Clear a sign-in lock-out."""
    users.unlock(workspace(), username)
    console.print(f"{username} unlocked.")


@app.command("disable")
def disable(
    username: Name,
    enable: Annotated[bool, typer.Option("--enable", help="Enable the account again.")] = False,
) -> None:
    """Disable an account (it can no longer sign in or use its tokens), or enable it again."""
    users.set_disabled(workspace(), username, not enable)
    console.print(f"{username} {'enabled' if enable else 'disabled'}.")


@app.command("token")
def token(
    username: Name,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
    days: Annotated[
        int, typer.Option("--days", help="Days until it expires (0: never).", min=0)
    ] = 90,
) -> None:
    """Make an API token for a user (printed once; only its hash is kept)."""
    value, info = users.issue_token(workspace(), username, name, days or None)
    console.print(f"API token {info.prefix}… for {username}: {value}")


@app.command("demo")
def demo(
    username: Name,
    member: Annotated[
        list[str], typer.Option("--member", help="Case to add them to (repeatable).")
    ],
    role_: Annotated[str, typer.Option("--role", help="Role.")] = "investigator",
) -> None:
    """Make (or refresh) a demonstration sign-in: random password, TOTP key, case membership."""
    d = users.demo_sign_in(workspace(), username, member, role_)
    console.print(f"demo sign-in  user: {d.username}  password: {d.password}")
    console.print(f"TOTP key: {d.totp_secret}  (add it to an authenticator app, or scan:)")
    _qr(d.totp_uri)
