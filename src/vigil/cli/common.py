"""Shared CLI helpers: consoles, JSON output, progress bars, the workspace."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from vigil import LEAD_NOT_VERDICT

__all__ = [
    "LEAD_NOT_VERDICT",
    "advance",
    "byte_progress",
    "console",
    "err",
    "print_json",
    "workspace",
]

if TYPE_CHECKING:
    from vigil.services.workspace import Workspace

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def workspace() -> Workspace:
    from vigil.services.workspace import open_workspace  # the database layer, loaded on use

    return open_workspace()


def print_json(obj: Any) -> None:
    console.out(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str))


@contextmanager
def byte_progress(label: str, total: int | None) -> Iterator[Progress]:
    """A progress bar on stderr for long byte-wise work; silent when not on a terminal."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    with progress:
        progress.add_task(label, total=total)
        yield progress


def advance(progress: Progress) -> Any:
    task = progress.task_ids[0]

    def _advance(n: int) -> None:
        progress.update(task, advance=n)

    return _advance


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DateOpt = Annotated[str | None, typer.Option("--on", help="Date, YYYY-MM-DD (default today).")]


def as_json(obj: Any) -> Any:
    """Dataclasses (and lists of them) as plain data for :func:`print_json`."""
    if isinstance(obj, list):
        return [as_json(o) for o in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return obj


def show_fields(obj: Any) -> None:
    """A record's fields, one a line."""
    for k, v in dataclasses.asdict(obj).items():
        console.print(f"[bold]{k}[/bold]: {v}")
