"""``vigil ingest``: chat evidence into conversations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from vigil.cli.common import advance, byte_progress, console, err, print_json, workspace
from vigil.errors import UserError, VigilError
from vigil.ingest.formats._generic_mapping import load_mapping_yaml
from vigil.plugins import parsers
from vigil.services.ingest.run import ingest_file
from vigil.services.ingest.store import IngestSummary

MAX_SKIPPED_SHOWN = 20


def _formats_help() -> str:
    return "auto, or one of: " + ", ".join(sorted(p.name for p in parsers()))


def _as_json(s: IngestSummary) -> dict[str, Any]:
    def t(d: Any) -> str | None:
        return d.isoformat() if d is not None else None

    return {
        "file": s.file,
        "exhibit": s.exhibit_ref,
        "already_ingested": s.already_ingested,
        "parser": s.parser,
        "detection": s.detection,
        "tz_assumed": s.tz_assumed,
        "tz_source": s.tz_source,
        "messages": s.messages,
        "participants": s.participants,
        "first_at": t(s.first_at),
        "last_at": t(s.last_at),
        "conversations": [
            {
                "platform": c.platform,
                "title": c.title,
                "messages": c.messages,
                "participants": c.participants,
                "first_at": t(c.first_at),
                "last_at": t(c.last_at),
            }
            for c in s.conversations
        ],
        "skipped": [{"location": loc, "reason": r} for loc, r in s.skipped],
        "notes": s.notes,
        "derived_exhibits": s.derived_exhibits,
    }


def _print(s: IngestSummary) -> None:
    if s.already_ingested:
        console.print(f"{s.file}: already ingested as exhibit {s.exhibit_ref}; nothing changed.")
        return
    span = (
        f"{s.first_at:%Y-%m-%d %H:%M} to {s.last_at:%Y-%m-%d %H:%M} UTC"
        if s.first_at and s.last_at
        else "no usable times"
    )
    console.print(f"[bold]{s.file}[/bold] → exhibit {s.exhibit_ref}")
    console.print(f"  format: {s.detection}")
    console.print(
        f"  {len(s.conversations)} conversation(s), {s.messages} message(s), "
        f"{s.participants} participant(s); {span}"
    )
    console.print(f"  local times without an offset were taken as {s.tz_assumed} ({s.tz_source})")
    if s.derived_exhibits:
        console.print(
            f"  attachments registered as derived exhibits: {', '.join(s.derived_exhibits)}"
        )
    for note in s.notes:
        console.print(f"  note: {note}")
    if s.skipped:
        console.print(f"  [yellow]{len(s.skipped)} record(s) skipped[/yellow] (kept with reasons):")
        for loc, reason in s.skipped[:MAX_SKIPPED_SHOWN]:
            console.print(f"    {loc}: {reason}")
        if len(s.skipped) > MAX_SKIPPED_SHOWN:
            console.print(f"    … {len(s.skipped) - MAX_SKIPPED_SHOWN} more (see --json)")


def ingest(
    files: Annotated[list[Path], typer.Argument(help="Chat export files to ingest.")],
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    fmt: Annotated[
        str, typer.Option("--format", help="Source format: auto (detect), or a parser name.")
    ] = "auto",
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="Time zone for local timestamps without an offset (default: the case's)."
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Where the export came from (recorded on the exhibit)."),
    ] = None,
    acquired_by: Annotated[
        str | None, typer.Option("--acquired-by", help="Acquiring officer (default: you).")
    ] = None,
    mapping_file: Annotated[
        Path | None,
        typer.Option(
            "--mapping", help="YAML column mapping for the generic CSV/JSON-lines format."
        ),
    ] = None,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="One mapping entry KEY=COLUMN for the generic format (repeatable)."
        ),
    ] = None,
    persona: Annotated[
        str | None,
        typer.Option(
            "--persona",
            help="Undercover persona that captured the chats: each message is checked against the persona's authorisations at its own time; messages outside cover are stored and listed for the supervisor (vigil authorisation gaps).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Register chat exports as exhibits and store their conversations; a bad file does not stop the batch."""
    mapping: dict[str, str] = {}
    if mapping_file is not None:
        if not mapping_file.is_file():
            raise UserError(f"{mapping_file}: no such file", hint="check the --mapping path")
        mapping.update(load_mapping_yaml(mapping_file.read_text(encoding="utf-8")))
    for m in maps or []:
        key, sep, col = m.partition("=")
        if not sep:
            raise UserError(f"bad --map {m!r}", hint="use KEY=COLUMN, e.g. --map sender=from")
        mapping[key.strip()] = col.strip()
    ws = workspace()
    results: list[dict[str, Any]] = []
    worst = 0
    for f in files:
        try:
            size = f.stat().st_size if f.is_file() else 0
            with byte_progress(f"parsing {f.name}", size) as bar:
                s = ingest_file(
                    ws,
                    case,
                    f,
                    fmt=fmt,
                    tz=tz,
                    source=source,
                    acquired_by=acquired_by,
                    mapping=mapping,
                    progress=advance(bar),
                    persona=persona,
                )
        except VigilError as exc:
            worst = max(worst, exc.exit_code)
            err.print(f"[red]error:[/red] {exc.message}", soft_wrap=True)
            if exc.hint:
                err.print(f"  what to do: {exc.hint}", soft_wrap=True)
            err.print("  nothing from this file was stored; the batch goes on")
            results.append({"file": str(f), "error": exc.message})
            continue
        results.append(_as_json(s))
        if not as_json:
            _print(s)
    if as_json:
        print_json(results)
    if worst:
        raise typer.Exit(worst)
