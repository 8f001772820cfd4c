"""The transcript exhibit as PDF (pure): ReportLab lays out the same content as the HTML
exhibit (``templates/transcript.html.j2``) in seconds for ten thousand messages.

Front page: the exhibit label, case, conversation, source exhibit and SHA-256, participants,
time zone, what was selected and who produced it. Then one row per message (number, time,
sender, text with attachment references and flags) under a column heading repeated on every
page; a long message continues on the next page under its number. The annex of review
decisions and notes starts on a new page. Every page's footer has the exhibit label and
"page x of y"; the PDF's title is the exhibit label and no message text goes in its metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from vigil.reports import pdf_flow as pf
from vigil.reports import pdf_text as pt
from vigil.reports.transcript import Transcript

BODY, LEAD = 9.0, 11.5
NOTE, NOTE_LEAD = 8.0, 10.5
H1, H2 = 14.0, 11.5
PAD = 1.2 * mm

NOTE_SOURCE = (
    "The text of each message is reproduced as the source exhibit holds it; sequence numbers "
    "are those Vigil gave the messages of the source in order. Review decisions and officers' "
    "notes are on a separate annex and are not part of the record of the conversation."
)
NOTE_PLACEHOLDER = (
    "Characters this PDF cannot show as searchable text (such as most emoji) are written as "
    "their Unicode code point and name in square brackets, e.g. [U+1F44D thumbs up sign]; "
    "the HTML transcript shows them as the source holds them."
)
NOTE_RTL = (
    "Right-to-left text (such as Arabic or Hebrew) is shown in reading order but without "
    "joined letter forms; the HTML transcript shows it as written."
)
NOTE_LEAD_NOT_VERDICT = (
    "Risk indicators and scores from Vigil are leads for a trained person, never a verdict; "
    "they are not reproduced in this transcript."
)


class _Writer:
    """Cleans and wraps text in the fonts, remembering whether anything needed a placeholder
    or right-to-left ordering (the front page then says so)."""

    def __init__(self) -> None:
        self.regular = pt.font(pt.REGULAR)
        self.bold = pt.font(pt.BOLD)
        self.replaced = False
        self.rtl = False

    def text(self, s: str, f: pt.Font | None = None) -> str:
        out, replaced = pt.clean(s, f or self.regular)
        self.replaced |= replaced
        return out

    def lines(
        self, s: str, width: float, size: float = BODY, f: pt.Font | None = None
    ) -> list[str]:
        f = f or self.regular
        text = self.text(s, f)
        self.rtl = self.rtl or pt.has_rtl(text)
        return pt.wrap(text, f, size, width)

    def block(
        self, s: str, width: float, size: float, leading: float, bold: bool = False
    ) -> pf.Row:
        f = self.bold if bold else self.regular
        col = pf.Col(0, f, size)
        return pf.Row([self.lines(s, width - 2 * PAD, size, f)], [col], leading, rule=None)

    def column(self, title: str, values: Iterable[str], cap: float) -> float:
        """The width a column needs for its (bold) title and its values, at most ``cap``."""
        w = max(
            [pt.width(self.text(title, self.bold), self.bold, BODY)]
            + [pt.width(self.text(v), self.regular, BODY) for v in values]
        )
        return min(w + 2 * PAD + 1, cap)


def _table(
    w: _Writer, titles: Sequence[str], widths: Sequence[float]
) -> tuple[list[pf.Col], pf.Row]:
    xs = [sum(widths[:i]) for i in range(len(widths))]
    cols = [pf.Col(x, w.regular, BODY) for x in xs]
    head_cols = [pf.Col(x, w.bold, BODY) for x in xs]
    cells = [w.lines(t, wd - 2 * PAD, f=w.bold) for t, wd in zip(titles, widths, strict=True)]
    return cols, pf.Row(cells, head_cols, LEAD, pad=PAD, shade=pf.SHADE, keep_with_next=True)


def _cells(w: _Writer, texts: Sequence[str], widths: Sequence[float]) -> list[list[str]]:
    return [w.lines(t, wd - 2 * PAD) for t, wd in zip(texts, widths, strict=True)]


def _message_text(text: str, attachments: Sequence[str], flags: Sequence[str]) -> str:
    if attachments:
        text += ("\n" if text else "") + f"[attachment: {'; '.join(attachments)}]"
    if flags:
        text += f" ({', '.join(flags)})"
    return text


def _messages(w: _Writer, t: Transcript, width: float, running: pf.Running) -> list[Flowable]:
    times = [ln.time or "no time" for ln in t.lines]
    widths = [
        w.column("No.", [str(max((ln.seq for ln in t.lines), default=0))], 16 * mm),
        w.column("Time", ["(continued)", *times[:200]], 48 * mm),
        w.column("Sender", {ln.sender for ln in t.lines}, 36 * mm),
    ]
    widths.append(width - sum(widths))
    cols, head = _table(w, ["No.", "Time", "Sender", "Message"], widths)
    out: list[Flowable] = [
        w.block("Messages", width, H2, H2 * 1.4, bold=True),
        head,
        pf.SetRunning(running, head, keep_with_next=True),
    ]
    if not t.lines:
        out.append(w.block("No messages match the selection.", width, BODY, LEAD))
    for ln, when in zip(t.lines, times, strict=True):
        cells = _cells(
            w,
            [str(ln.seq), when, ln.sender, _message_text(ln.text, ln.attachments, ln.flags)],
            widths,
        )
        out.append(pf.Row(cells, cols, LEAD, cont=(str(ln.seq), "(continued)", None, None)))
    return out


def _annex(w: _Writer, t: Transcript, width: float, running: pf.Running) -> list[Flowable]:
    out: list[Flowable] = [
        pf.SetRunning(running, None),
        PageBreak(),
        w.block("Annex: review decisions and officers' notes", width, H2, H2 * 1.4, bold=True),
    ]
    if not t.annex:
        none = "No review decisions or notes were recorded on the messages shown."
        out.append(w.block(none, width, BODY, LEAD))
    else:
        widths = [
            w.column("Time", [a.time for a in t.annex[:200]], 48 * mm),
            w.column("By", {a.by for a in t.annex}, 36 * mm),
            w.column("About", {a.about for a in t.annex}, 30 * mm),
        ]
        widths.append(width - sum(widths))
        cols, head = _table(w, ["Time", "By", "About", "Decision or note"], widths)
        out += [head, pf.SetRunning(running, head, keep_with_next=True)]
        for a in t.annex:
            cells = _cells(w, [a.time, a.by, a.about, a.what], widths)
            out.append(pf.Row(cells, cols, LEAD, cont=(None, None, None, None)))
    out.append(w.block(NOTE_LEAD_NOT_VERDICT, width, NOTE, NOTE_LEAD))
    return out


def _front(w: _Writer, t: Transcript, width: float) -> list[Flowable]:
    key_w = 36 * mm
    cols = [pf.Col(0, w.bold, BODY), pf.Col(key_w, w.regular, BODY)]
    facts = [
        ("Case", t.case_ref),
        ("Conversation", t.conversation),
        ("Source exhibit", f"{t.source_ref} ({t.source_name})"),
        ("Source SHA-256", t.source_sha256),
        ("Participants", ", ".join(t.participants) or "none recorded"),
        ("Times", f"given in {t.zone}"),
        ("Messages shown", f"{len(t.lines)} of {t.total_messages}: {t.selection}"),
        ("Produced", f"{t.produced_at} by {t.produced_by} with Vigil {t.tool_version}"),
    ]
    title = f"Exhibit {t.label}: transcript of a {t.platform} conversation"
    out: list[Flowable] = [w.block(title, width, H1, H1 * 1.35, bold=True)]
    for key, value in facts:
        cells = [[key], w.lines(value, width - key_w - 2 * PAD)]
        out.append(pf.Row(cells, cols, LEAD, pad=0.6 * mm, rule=None))
    return out


def render(t: Transcript) -> bytes:
    """The transcript ``t`` as a PDF."""
    w = _Writer()
    page = pf.Page()
    running = pf.Running()
    body = _messages(w, t, page.width, running) + _annex(w, t, page.width, running)
    front = _front(w, t, page.width)
    notes = [NOTE_SOURCE] + [NOTE_PLACEHOLDER] * w.replaced + [NOTE_RTL] * w.rtl
    front += [w.block(n, page.width, NOTE, NOTE_LEAD) for n in notes]
    meta = pf.Meta(
        title=w.text(f"Exhibit {t.label}: transcript"),
        author=t.produced_by,
        subject=f"Transcript exhibit {t.label}, case {t.case_ref}, from exhibit {t.source_ref}",
        creator=f"Vigil {t.tool_version}",
        footer_left=w.text(f"Exhibit {t.label} · case {t.case_ref}"),
        footer_font=w.regular,
    )
    return pf.build(front + body, meta, running, page)
