"""Print a Markdown reference of every `vigil` command (used to refresh docs/cli.md)."""

from __future__ import annotations

from typing import Any

import typer

from vigil.cli import scan as scan_cli
from vigil.cli.main import app


def argparse_rows() -> list[tuple[str, str]]:
    """(option names, help) of ``vigil scan``, whose options argparse parses."""
    rows = []
    for action in scan_cli.parser()._actions:
        if "-h" in action.option_strings:
            continue
        rows.append((", ".join(action.option_strings), action.help or ""))
    return rows


def walk(cmd: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    """Every command under ``cmd`` with its path (groups have a ``commands`` mapping)."""
    out = [(path, cmd)]
    subs = getattr(cmd, "commands", None)
    if subs:
        for name in sorted(subs):
            out.extend(walk(subs[name], [*path, name]))
    return out


def main() -> None:
    root = typer.main.get_command(app)
    for path, cmd in walk(root, ["vigil"]):
        group = bool(getattr(cmd, "commands", None))
        if group and len(path) == 1:
            continue
        print(f"### `{' '.join(path)}`\n")
        if path == ["vigil", "scan"]:
            print(scan_cli.SUMMARY + "\n")
            print("| argument / option | meaning |\n|---|---|")
            for names, helptext in argparse_rows():
                print(f"| `{names}` | {helptext.replace('%%', '%')} |")
            print()
            continue
        print((cmd.help or "").strip().split("\n\n")[0] + "\n")
        opts = [p for p in cmd.params if p.name not in ("help",)]
        if opts and not group:
            print("| argument / option | meaning |\n|---|---|")
            for p in opts:
                names = ", ".join(getattr(p, "opts", [p.name or ""]))
                if getattr(p, "param_type_name", "") == "argument":
                    names = (p.name or "").upper() + ("..." if p.nargs == -1 else "")
                helptext = getattr(p, "help", "") or ""
                print(f"| `{names}` | {helptext} |")
            print()


if __name__ == "__main__":
    main()
