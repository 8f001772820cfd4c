"""``vigil statement``: continuity statements drafted from the custody log, and the versions
officers save."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from vigil.cli.common import console, err, workspace

app = typer.Typer(
    help="Continuity statements (MG11 style) drafted from the custody log.", no_args_is_help=True
)

CaseOpt = Annotated[str, typer.Option("--case", help="Case reference.")]


@app.command("draft")
def draft_cmd(
    exhibit: Annotated[str, typer.Argument(help="Exhibit reference, e.g. JS/1.")],
    case: CaseOpt,
    officer: Annotated[
        str | None,
        typer.Option("--officer", help="Whose statement (default: who acquired the exhibit)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the draft to this file.")] = None,
) -> None:
    """Draft a continuity statement about an exhibit: acquisition, hashing and storage, and
    every handling the custody log records since. Check and edit it before signing."""
    from vigil.services.continuity import draft

    text = draft(workspace(), case, exhibit, officer)
    if out is None:
        sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    err.print(f"Wrote the draft to {out}; edit it, then `vigil statement save {exhibit} {out}`")


@app.command("save")
def save_cmd(
    exhibit: Annotated[str, typer.Argument(help="The exhibit the statement is about.")],
    file: Annotated[Path, typer.Argument(help="The statement as the officer edited it.")],
    case: CaseOpt,
) -> None:
    """Keep the officer's statement as the next version: an exhibit derived from the one it is
    about, hashed and in custody."""
    from vigil.services.continuity import save

    s = save(workspace(), case, exhibit, file)
    console.print(f"Saved version {s.version} as exhibit {s.exhibit_ref} (sha256 {s.sha256})")
