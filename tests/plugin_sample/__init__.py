"""A sample Vigil plugin for the tests: one of each kind of contribution, on benign data only.

Load it without installing anything: ``VIGIL_PLUGINS=tests.plugin_sample`` with the repository
root on ``PYTHONPATH``. It adds

- the signal type ``toy-fold``: a file's bytes XOR-folded into 64 bits (a toy, not a real hash);
- the hash-list format ``toy-pairs``: lines of ``algorithm=value``;
- the intel export format ``toy-tsv``: one line per entity (id, type, label);
- the report format ``toy-txt``: the headline figures as ``key=value`` lines;
- the web routes ``/sample`` (page) and ``/api/v1/sample`` (JSON), for signed-in users;
- the menu link "Sample", shown to administrators and analysts only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from vigil.errors import ParseError
from vigil.hookspecs import hookimpl
from vigil.intel.exports import ExportFormat
from vigil.media.hashers.base import Signal, SignalType, hamming, hex_value
from vigil.media.hashsets.base import (
    HashList,
    HashListFormat,
    HashRecord,
    HashValue,
    ImportIssue,
    canonical_algorithm,
    normalise_hash,
)
from vigil.reports import ReportRenderer
from vigil.web.deps import CurrentUser
from vigil.web.extensions import MenuLink

if TYPE_CHECKING:
    from vigil.intel.model import Resolution
    from vigil.reports import Report
    from vigil.services.access import Principal

SIGNAL = "toy-fold"
HASHLIST = "toy-pairs"
EXPORTER = "toy-tsv"
RENDERER = "toy-txt"
LINK = MenuLink("Sample", "/sample")
LINK_ROLES = frozenset({"administrator", "analyst"})


def fold(data: bytes) -> str:
    """The toy hash: bytes XOR-folded into 8 bytes, as 16 hex digits."""
    acc = bytearray(8)
    for i, b in enumerate(data):
        acc[i % 8] ^= b
    return acc.hex()


class FoldSignal(SignalType):
    """Toy signal type: near-identical files differ in a few bits."""

    name = SIGNAL
    description = "toy: bytes XOR-folded into 64 bits (tests only)"
    content = ("file",)
    threshold = 8
    aliases = ("toyfold",)

    def hash_bytes(self, data: bytes, *, name: str = "<bytes>") -> Signal:
        return Signal(self.name, fold(data))

    def normalise(self, value: str) -> str:
        return hex_value(self.name, value, 16)

    def distance(self, a: str, b: str) -> int:
        return hamming(a, b)


def read_pairs(data: bytes, source: str, *, scheme: str = "projectvic-us") -> HashList:
    """``algorithm=value`` per line; ``#`` comments and blank lines skipped."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8", file=source, location=f"byte {exc.start}") from exc
    entries: list[HashRecord] = []
    issues: list[ImportIssue] = []
    for n, line in enumerate(text.splitlines(), start=1):
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        name, sep, value = body.partition("=")
        alg = canonical_algorithm(name) if sep else None
        if alg is None:
            issues.append(ImportIssue(f"line {n}", "expected algorithm=value"))
            continue
        try:
            entries.append(HashRecord(f"line {n}", (HashValue(alg, normalise_hash(alg, value)),)))
        except ValueError as exc:
            issues.append(ImportIssue(f"line {n}", str(exc)))
    return HashList(source, HASHLIST, None, tuple(entries), issues=tuple(issues))


def render_tsv(res: Resolution) -> str:
    rows = sorted((e.id, e.type.value, e.label) for e in res.entities.values())
    return "id\ttype\tlabel\n" + "".join(f"{i}\t{t}\t{label}\n" for i, t, label in rows)


def render_txt(report: Report) -> str:
    from vigil.reports.stats import StatsReport

    if isinstance(report, StatsReport):
        f = report.figures
        return (
            f"report=statistics\narrests={f.arrests}\n"
            f"children_safeguarded={f.children_safeguarded}\n"
            f"custodial_months={f.custodial_months}\n"
        )
    return "report=platforms\n" + "".join(f"{p.platform}={p.cases}\n" for p in report.platforms)


router = APIRouter()


@router.get("/sample", include_in_schema=False)
def sample_page(user: CurrentUser) -> HTMLResponse:
    return HTMLResponse(f"<p id='sample'>Sample plugin page for {user.role_label}</p>")


@router.get("/api/v1/sample", summary="The sample plugin's JSON route")
def sample_api(user: CurrentUser) -> dict[str, str]:
    return {"plugin": "tests.plugin_sample", "role": user.role}


@hookimpl
def vigil_signal_types() -> list[SignalType]:
    return [FoldSignal()]


@hookimpl
def vigil_hashlist_formats() -> list[HashListFormat]:
    return [HashListFormat(HASHLIST, "toy: algorithm=value per line", read_pairs)]


@hookimpl
def vigil_intel_exporters() -> list[ExportFormat]:
    return [ExportFormat(EXPORTER, ".toy.tsv", "text/tab-separated-values", "toy entity list",
                         render_tsv)]  # fmt: skip


@hookimpl
def vigil_report_renderers() -> list[ReportRenderer]:
    return [ReportRenderer(RENDERER, ".toy.txt", "text/plain", "toy key=value figures",
                           render_txt)]  # fmt: skip


@hookimpl
def vigil_register_routes() -> list[APIRouter]:
    return [router]


@hookimpl
def vigil_menu_links(principal: Principal) -> list[MenuLink] | None:
    return [LINK] if principal.role in LINK_ROLES else None
