"""Print a Markdown reference of every `vigil` command (used to refresh docs/cli.md)."""

from __future__ import annotations

from typing import Any

import typer

from vigil.cli.main import app


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
