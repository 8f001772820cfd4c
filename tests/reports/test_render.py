"""Renderers: the PDF renders (pages, figures and definitions in its text), HTML, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pypdf
import pytest

from vigil.reports import render_csv, render_html, render_json, render_pdf
from vigil.reports.periods import Period
from vigil.reports.stats import Fact, StatsReport, compute

PERIOD = Period(date(2022, 10, 1), date(2023, 9, 30))


def _facts() -> list[Fact]:
    """1,234 arrests, 987 children (one of them twice), 9,876 custodial months plus a suspended term."""
    out = []
    for i in range(1234):
        out.append(
            Fact(
                "arrest", date(2023, 1 + i % 9, 1 + i % 28), f"R{i % 3}", "grooming", ("snapchat",)
            )
        )
    for i in range(987):
        out.append(Fact("safeguard", date(2023, 2, 1), "R0", "grooming", ("snapchat",), key=i))
    out.append(Fact("safeguard", date(2023, 3, 1), "R0", "grooming", ("snapchat",), key=5))
    out.append(Fact("sentence", date(2023, 4, 1), "R1", "contact", ("whatsapp",), months=9876))
    out.append(
        Fact(
            "sentence", date(2023, 4, 1), "R1", "contact", ("whatsapp",), months=24, suspended=True
        )
    )
    out.append(Fact("arrest", date(2020, 5, 5), "R1", "contact", ()))
    return out


@pytest.fixture(scope="module")
def report() -> StatsReport:
    return compute(
        _facts(),
        PERIOD,
        scope="Test network",
        generated_at=datetime(2024, 1, 2, tzinfo=UTC),
        tool_version="vigil test",
        data_start=date(2019, 4, 1),
    )


def test_pdf_renders_with_pages_figures_and_definitions(report: StatsReport) -> None:
    pdf = render_pdf.render(report)
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = " ".join((p.extract_text() or "") for p in reader.pages)
    flat = " ".join(text.split())
    assert "1,234" in flat and "987" in flat and "823" in flat  # 9,876 months = 823 years
    assert "9,876 months" in flat
    assert "Suspended sentences are excluded" in flat
    assert f"Page 1 of {len(reader.pages)}" in flat


def test_html_holds_figures_definitions_and_charts(report: StatsReport) -> None:
    html = render_html.render(report)
    assert "1,234" in html and "Children safeguarded" in html
    assert html.count("data:image/svg+xml;base64,") == 4  # trend + three breakdowns
    assert "A child with several actions in the period counts once" in " ".join(html.split())
    assert "<script" not in html


def test_csv_and_json_agree(report: StatsReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv.render(report))))
    total = next(r for r in rows if r["section"] == "total")
    assert (total["arrests"], total["children_safeguarded"], total["custodial_months"]) == (
        "1234",
        "987",
        "9876",
    )
    assert any(r["section"] == "definition" and r["key"] == "custodial_years" for r in rows)
    data = json.loads(render_json.render(report))
    assert data["figures"]["custodial_years"] == 823 and data["figures"]["arrests"] == 1234
    assert [t["arrests"] for t in data["trend"]][-1] == 1234
    assert len(data["trend"]) == 5 and data["trend"][0]["partial"] is True
