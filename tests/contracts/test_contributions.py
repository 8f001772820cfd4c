"""Every registered hash-list format, intel exporter and report renderer (built-ins and the
sample plugin's) passes the same checks on benign, synthetic input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest

from tests.intel.scenario import ACCOUNTS, PERSONS, sightings
from tests.plugin_sample import EXPORTER, HASHLIST, RENDERER
from tests.plugin_sample.testing import registered
from vigil.errors import ParseError, UserError
from vigil.intel.entities import resolve
from vigil.plugins import HASHLIST_FORMATS, INTEL_EXPORTERS, REPORT_RENDERERS
from vigil.reports import Report
from vigil.reports import platforms as plat
from vigil.reports.periods import Period
from vigil.reports.stats import Fact, compute

PERIOD = Period(date(2023, 1, 1), date(2023, 12, 31))
NOW = datetime(2024, 1, 2, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def _sample() -> Iterator[None]:
    with registered():
        yield


@pytest.mark.parametrize("name", sorted({*HASHLIST_FORMATS, HASHLIST}))
@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00garbage", b"#\n\n", b"[1, 2"])
def test_hashlist_format_contract(name: str, data: bytes) -> None:
    fmt = HASHLIST_FORMATS[name]
    assert fmt.name == name and fmt.description
    try:
        hl = fmt.read(data, f"test.{name}", scheme="projectvic-us")
    except ParseError as exc:
        assert f"test.{name}" in exc.message
        return
    assert all(r.hashes for r in hl.entries)
    assert all(i.location and i.message for i in hl.issues)


@pytest.mark.parametrize("name", sorted({*INTEL_EXPORTERS, EXPORTER}))
def test_exporter_contract(name: str) -> None:
    fmt = INTEL_EXPORTERS[name]
    assert fmt.name == name and fmt.description and fmt.extension.startswith(".")
    assert "/" in fmt.media_type
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    text = fmt.render(res)
    assert isinstance(text, str) and text.strip()
    assert fmt.render(res) == text  # deterministic


def _stats() -> Report:
    facts = [
        Fact("arrest", date(2023, 3, 1), "R1", "grooming", ("snapchat",)),
        Fact("safeguard", date(2023, 3, 2), "R1", "grooming", ("snapchat",), key=1),
        Fact("sentence", date(2023, 6, 1), "R1", "grooming", ("snapchat",), months=30),
    ]
    return compute(facts, PERIOD, scope="Test network", generated_at=NOW,
                   tool_version="vigil test", data_start=date(2020, 1, 1))  # fmt: skip


def _platforms() -> Report:
    offences = [plat.OffenceRow("OP-1", "snapchat", "grooming", date(2023, 2, 1), date(2023, 2, 9))]
    return plat.compute(offences, [], [], PERIOD, labels={}, generated_at=NOW,
                        tool_version="vigil test", sources=["test"])  # fmt: skip


@pytest.mark.parametrize("name", sorted({*REPORT_RENDERERS, RENDERER}))
@pytest.mark.parametrize("build", [_stats, _platforms])
def test_renderer_contract(name: str, build: Callable[[], Report]) -> None:
    r = REPORT_RENDERERS[name]
    assert r.name == name and r.description and r.extension.startswith(".")
    assert "/" in r.media_type
    try:
        out = r.render(build())
    except UserError as exc:  # PDF without WeasyPrint's system libraries
        pytest.skip(exc.message)
    assert isinstance(out, bytes if r.binary else str) and out
