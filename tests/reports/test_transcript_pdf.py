"""The transcript PDF read back with pypdf: page footers, long messages across pages, scripts
beyond Latin-1, emoji, markup-like text, the annex page and the metadata."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from vigil.reports.transcript import AnnexLine, Line, Transcript, render_pdf

LONG = " ".join(f"w{i:03d}" for i in range(1, 901))  # about two pages of words in the column


def model(lines: list[Line], annex: tuple[AnnexLine, ...] = ()) -> Transcript:
    return Transcript(
        label="JS/7", case_ref="OP-PDF", source_ref="OP-PDF/1", source_name="chat.txt",
        source_sha256="ab" * 32, conversation="whatsapp #1", platform="whatsapp",
        zone="Europe/Warsaw", selection="the whole conversation", participants=("Kai", "Sam"),
        lines=tuple(lines), total_messages=len(lines), produced_by="DC Test",
        produced_at="2025-02-01 10:00:00 CET", tool_version="test", annex=annex,
    )  # fmt: skip


def line(seq: int, text: str, sender: str = "Kai") -> Line:
    return Line(seq, f"2025-01-15 10:{seq // 60:02d}:{seq % 60:02d} CET", sender, text)


def pages(t: Transcript) -> list[str]:
    reader = PdfReader(io.BytesIO(render_pdf(t)))
    return [p.extract_text() for p in reader.pages]


def test_every_page_has_the_footer_with_the_right_total() -> None:
    texts = pages(model([line(i, f"ordinary message number {i}") for i in range(1, 160)]))
    n = len(texts)
    assert n >= 4, "159 messages and an annex fill several pages"
    for i, text in enumerate(texts, 1):
        assert f"page {i} of {n}" in text
        assert "Exhibit JS/7 · case OP-PDF" in text
        assert len(re.findall(r"page \d+ of \d+", text)) == 1


def test_messages_come_back_in_order_with_times_in_the_zone() -> None:
    t = model([line(i, f"message body {i}") for i in range(1, 120)])
    flat = "\n".join(pages(t))
    assert "given in Europe/Warsaw" in flat
    rows = re.finditer(r"^\s*(\d+)\n2025-01-15 10:\d\d:\d\d CET\nKai\n", flat, re.M)
    found = [int(m.group(1)) for m in rows]
    assert found == list(range(1, 120))
    bodies = [int(m.group(1)) for m in re.finditer(r"message body (\d+)", flat)]
    assert bodies == list(range(1, 120))


def test_a_long_message_split_over_pages_keeps_all_its_text_in_order() -> None:
    texts = pages(model([line(1, "before"), line(2, LONG), line(3, "after")]))
    words = re.findall(r"\bw\d{3}\b", "\n".join(texts))
    assert words == [f"w{i:03d}" for i in range(1, 901)]
    holding = [i for i, text in enumerate(texts) if "w" in text and re.search(r"\bw\d{3}\b", text)]
    assert len(holding) >= 2, "the message runs over a page boundary"
    assert all("(continued)" in texts[i] for i in holding[1:])
    assert "after" in texts[holding[-1]]


def test_a_word_wider_than_the_column_is_broken_not_lost() -> None:
    word = "".join(chr(ord("a") + i % 26) for i in range(700))
    flat = "".join("".join(pages(model([line(1, word)]))).split())
    assert word in flat


@pytest.mark.parametrize(
    "words",
    [
        ("Zażółć", "gęślą", "jaźń", "Łódź"),  # Polish
        ("καλημέρα", "Αθήνα", "φίλε"),  # Greek
        ("مرحبا", "صديقي", "مدرسة"),  # Arabic script
        ("Привет", "школа"),  # Cyrillic
    ],
)
def test_words_beyond_latin_1_come_back_intact(words: tuple[str, ...]) -> None:
    texts = pages(model([line(1, "see " + " ".join(words) + " tomorrow", sender=words[0])]))
    for w in words:
        assert w in texts[0]


def test_emoji_and_control_characters_do_not_crash_and_are_named() -> None:
    texts = [" ".join(tx.split()) for tx in pages(model([line(1, "ok 👍 see you 😀\x07 ❤️ ☺")]))]
    assert "[U+1F44D thumbs up sign]" in texts[0]
    assert "[U+1F600 grinning face]" in texts[0]
    assert "[U+0007]" in texts[0]
    assert "written as their Unicode" in texts[0]  # the front page says so
    plain = " ".join(pages(model([line(1, "nothing unusual")]))[0].split())
    assert "written as their Unicode" not in plain


def test_markup_like_text_is_shown_literally_with_its_spaces() -> None:
    text = "<b>not bold</b> &amp; <para>x</para> [1]  two  spaces"
    flat = "\n".join(pages(model([line(1, text)])))
    assert "<b>not bold</b> &amp; <para>x</para> [1]" in flat


def test_attachments_flags_and_the_annex_on_its_own_page() -> None:
    msgs = [line(i, f"text {i}") for i in range(1, 40)]
    msgs[4] = replace(msgs[4], attachments=("IMG-1.jpg, exhibit OP-PDF/2",), flags=("deleted",))
    annex = (AnnexLine("2025-02-01 09:00:00 CET", "DC Test", "message 5", "noted: photo"),)
    texts = pages(model(msgs, annex))
    flat = "\n".join(texts)
    assert "[attachment: IMG-1.jpg, exhibit OP-PDF/2] (deleted)" in flat
    annex_pages = [i for i, tx in enumerate(texts) if "Annex: review decisions" in tx]
    assert annex_pages == [len(texts) - 1]
    assert "noted: photo" in texts[-1] and "text 39" not in texts[-1]
    assert "text 39" in texts[-2]
    assert "never a verdict" in texts[-1]


def test_no_messages_and_no_annex_are_said_plainly() -> None:
    texts = pages(model([]))
    assert "No messages match the selection." in texts[0]
    assert "No review decisions or notes were recorded" in texts[-1]


def test_metadata_names_the_exhibit_and_holds_no_message_text() -> None:
    pdf = render_pdf(model([line(1, "secretword appears only in a message")]))
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and meta.title is not None and "JS/7" in meta.title
    assert not any("secretword" in str(v) for v in meta.values())
    assert b"secretword" not in pdf  # page streams are compressed: no plain text either
