"""Chat screenshots rendered by Debian's Chromium (Playwright) from synthetic chats: HTML
pages styled like each platform's chat layout, light and dark, at phone size (360 x 800 CSS
pixels at device scale 3 = 1080 x 2400). The page reports where each message landed, so the
truth of a screenshot is what is fully visible in it: side, sender, text, the clock time and
day shown for it (the labels a reader would apply), and its box.

Used by tests/ocr and bench/ocr.py. The styles are approximations drawn for testing, not
copies of any app's code or assets.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.ocr.synth import Day, Item, Msg

CHROMIUM = Path("/usr/bin/chromium")
LAYOUTS = ("whatsapp", "telegram", "instagram", "messenger", "snapchat", "discord")
THEMES = ("light", "dark")
LEFT_NAME, RIGHT_NAME = "Jordan", "Sam"
WIDTH, HEIGHT, SCALE = 360, 800, 3

# colours: bg, header, header text, left bubble, left text, right bubble, right text, meta, pill
_C: dict[tuple[str, str], dict[str, str]] = {
    ("whatsapp", "light"): dict(bg="#efeae2", hd="#008069", ht="#ffffff", lb="#ffffff",
                                lt="#111b21", rb="#d9fdd3", rt="#111b21", meta="#667781",
                                pill="#ffffff"),
    ("whatsapp", "dark"): dict(bg="#0b141a", hd="#1f2c34", ht="#e9edef", lb="#202c33",
                               lt="#e9edef", rb="#005c4b", rt="#e9edef", meta="#8696a0",
                               pill="#182229"),
    ("telegram", "light"): dict(bg="#c8d7e2", hd="#517da2", ht="#ffffff", lb="#ffffff",
                                lt="#000000", rb="#effdde", rt="#000000", meta="#6d8c6a",
                                pill="#7f98ad"),
    ("telegram", "dark"): dict(bg="#0e1621", hd="#17212b", ht="#f5f5f5", lb="#182533",
                               lt="#f5f5f5", rb="#2b5278", rt="#f5f5f5", meta="#7d8e98",
                               pill="#1e2c3a"),
    ("instagram", "light"): dict(bg="#ffffff", hd="#ffffff", ht="#000000", lb="#efefef",
                                 lt="#000000", rb="#3797f0", rt="#ffffff", meta="#737373",
                                 pill="#ffffff"),
    ("instagram", "dark"): dict(bg="#000000", hd="#000000", ht="#f5f5f5", lb="#262626",
                                lt="#f5f5f5", rb="#3797f0", rt="#ffffff", meta="#a8a8a8",
                                pill="#000000"),
    ("messenger", "light"): dict(bg="#ffffff", hd="#ffffff", ht="#050505", lb="#e4e6eb",
                                 lt="#050505", rb="#0084ff", rt="#ffffff", meta="#65676b",
                                 pill="#ffffff"),
    ("messenger", "dark"): dict(bg="#18191a", hd="#242526", ht="#e4e6eb", lb="#3a3b3c",
                                lt="#e4e6eb", rb="#0084ff", rt="#ffffff", meta="#b0b3b8",
                                pill="#18191a"),
    ("snapchat", "light"): dict(bg="#ffffff", hd="#ffffff", ht="#000000", lb="#0eadff",
                                lt="#000000", rb="#f23c57", rt="#000000", meta="#8e8e93",
                                pill="#ffffff"),
    ("snapchat", "dark"): dict(bg="#121212", hd="#1c1c1e", ht="#ffffff", lb="#0eadff",
                               lt="#ffffff", rb="#f23c57", rt="#ffffff", meta="#8e8e93",
                               pill="#121212"),
    ("discord", "light"): dict(bg="#ffffff", hd="#f2f3f5", ht="#060607", lb="#5865f2",
                               lt="#2e3338", rb="#eb459e", rt="#060607", meta="#5c5e66",
                               pill="#ffffff"),
    ("discord", "dark"): dict(bg="#313338", hd="#2b2d31", ht="#f2f3f5", lb="#5865f2",
                              lt="#dbdee1", rb="#eb459e", rt="#f2f3f5", meta="#949ba4",
                              pill="#313338"),
}  # fmt: skip

_FONT = {"whatsapp": "Liberation Sans", "telegram": "DejaVu Sans", "instagram": "Liberation Sans",
         "messenger": "DejaVu Sans", "snapchat": "Liberation Sans", "discord": "DejaVu Sans"}  # fmt: skip
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def h12(hour: int, minute: int) -> str:
    return f"{(hour % 12) or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def day_label(layout: str, d: date, today: date) -> str:
    """How the layout names a day on a separator (or a Discord header)."""
    rel = {0: "Today", 1: "Yesterday"}.get((today - d).days)
    if layout == "whatsapp":
        return rel or f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    if layout == "telegram":
        return rel or f"{_MONTHS[d.month - 1]} {d.day}"
    if layout == "instagram":
        return rel or f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year},"
    if layout == "messenger":
        return (rel or f"{_WEEKDAYS[d.weekday()][:3]}").upper() + (" AT" if rel else "")
    if layout == "snapchat":
        return (rel or _WEEKDAYS[d.weekday()]).upper()
    return rel + " at" if rel else f"{d.day:02d}/{d.month:02d}/{d.year}"


@dataclass(frozen=True, slots=True)
class Truth:
    """One fully visible message as a reader of the screenshot would transcribe it."""

    side: str
    sender: str
    text: str
    clock: str | None
    """The clock time shown for it, ``HH:MM`` (24 h), or None when none is visible above it."""
    day: date | None
    """The day shown for it (a separator above it in this screenshot), or None."""
    box: tuple[int, int, int, int]
    """left, top, width, height in image pixels."""
    index: int = -1
    """The message's place in the chat's items (the same message in two screenshots)."""


@dataclass(frozen=True, slots=True)
class Shot:
    png: Path
    layout: str
    theme: str
    truth: list[Truth]
    partial: int
    """Messages cut by the screen's edge (not in ``truth``)."""


def _page(layout: str, theme: str, items: list[Item], today: date) -> str:
    c = _C[(layout, theme)]
    body: list[str] = []
    shown: tuple[date, int] | None = None  # the last time label emitted (day, minutes)
    prev: Msg | None = None
    for i, it in enumerate(items):
        if isinstance(it, Day):
            if layout in ("whatsapp", "telegram", "discord"):
                label = day_label(layout, it.day, today)
                if layout == "discord":
                    label = f"{_MONTHS[it.day.month - 1]} {it.day.day}, {it.day.year}"
                body.append(f'<div class="sep" data-day="{it.day}"><span>{label}</span></div>')
            shown, prev = None, None
            continue
        m = it
        mins = m.hour * 60 + m.minute
        text = html.escape(m.text)
        t24 = f"{m.hour:02d}:{m.minute:02d}"
        attrs = f'data-side="{m.side}" data-text="{text}" data-i="{i}"'
        if layout in ("whatsapp", "telegram"):
            t = t24 if layout == "whatsapp" else h12(m.hour, m.minute)
            body.append(f'<div class="row {m.side}"><div class="msg bubble" {attrs} '
                        f'data-clock="{t24}" data-day="{m.day}">{text}'
                        f'<span class="sp"></span><span class="time">{t}</span></div></div>')  # fmt: skip
        elif layout in ("instagram", "messenger", "snapchat"):
            if shown is None or shown[0] != m.day or mins - shown[1] > 5:
                shown = (m.day, mins)
                dl = day_label(layout, m.day, today)
                if layout == "instagram":
                    t = t24 if dl.endswith(",") else h12(m.hour, m.minute)
                    label = f"{dl} {t}"
                else:
                    label = f"{dl} {h12(m.hour, m.minute)}"
                body.append(f'<div class="sep" data-day="{m.day}" data-clock="{t24}">'
                            f"<span>{label}</span></div>")  # fmt: skip
                prev = None
            assert shown is not None
            clock = f"{shown[1] // 60:02d}:{shown[1] % 60:02d}"
            if layout == "snapchat":
                if prev is None or prev.side != m.side:
                    who = "ME" if m.side == "right" else LEFT_NAME.upper()
                    body.append(f'<div class="who {m.side}">{who}</div>')
                body.append(f'<div class="msg snap {m.side}" {attrs} data-clock="{clock}" '
                            f'data-day="{m.day}">{text}</div>')  # fmt: skip
            else:
                body.append(f'<div class="row {m.side}"><div class="msg bubble" {attrs} '
                            f'data-clock="{clock}" data-day="{m.day}">{text}</div></div>')  # fmt: skip
        else:  # discord
            if prev is None or prev.side != m.side or mins - (shown or (m.day, -99))[1] > 6:
                shown = (m.day, mins)
                name = LEFT_NAME if m.side == "left" else RIGHT_NAME
                dl = day_label(layout, m.day, today)
                body.append(f'<div class="head {m.side}"><i class="av"></i><b>{name}</b>'
                            f'<span class="time">{dl} {h12(m.hour, m.minute)}</span></div>')  # fmt: skip
            assert shown is not None
            clock = f"{shown[1] // 60:02d}:{shown[1] % 60:02d}"
            body.append(f'<div class="msg line" {attrs} data-clock="{clock}" '
                        f'data-day="{m.day}">{text}</div>')  # fmt: skip
        prev = m
    title = LEFT_NAME
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
@font-face {{ font-family: "Emoji"; src: local("Noto Color Emoji");
  unicode-range: U+1F000-1FFFF, U+2600-27BF, U+FE0F; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; height: 100%; overflow: hidden; background: {c["bg"]};
  font-family: "Emoji", "{_FONT[layout]}", sans-serif; color: {c["lt"]}; }}
.top {{ position: fixed; top: 0; left: 0; right: 0; height: 80px; background: {c["hd"]};
  color: {c["ht"]}; z-index: 2; border-bottom: 1px solid {c["meta"]}; }}
.status {{ height: 24px; font-size: 12px; padding: 5px 14px; display: flex;
  justify-content: space-between; }}
.title {{ font-size: 18px; font-weight: bold; padding: 14px 56px; }}
.bottom {{ position: fixed; bottom: 0; left: 0; right: 0; height: 64px; background: {c["hd"]};
  z-index: 2; padding: 10px; border-top: 1px solid {c["meta"]}; }}
.bottom div {{ background: {c["pill"]}; border-radius: 22px; height: 44px; color: {c["meta"]};
  font-size: 15px; padding: 12px 18px; border: 1px solid {c["meta"]}; }}
#chat {{ position: fixed; top: 80px; bottom: 64px; left: 0; right: 0; overflow: hidden;
  padding: 6px 0; }}
.row {{ display: flex; padding: 2px 10px; }}
.row.right {{ justify-content: flex-end; }}
.bubble {{ max-width: 78%; font-size: 15px; line-height: 20px; padding: 7px 11px;
  border-radius: 14px; overflow-wrap: anywhere; }}
.left .bubble {{ background: {c["lb"]}; color: {c["lt"]}; }}
.right .bubble {{ background: {c["rb"]}; color: {c["rt"]}; }}
.bubble {{ position: relative; }}
.bubble .sp {{ display: inline-block; width: {62 if layout == "telegram" else 40}px; }}
.bubble .time {{ position: absolute; right: 9px; bottom: 5px; font-size: 11px;
  color: {c["meta"]}; }}
.right .bubble .time {{ color: {
        c["meta"] if layout != "telegram" or theme == "light" else "#9fc3e6"
    }; }}
.sep {{ text-align: center; margin: 10px 0; font-size: 12.5px; color: {c["meta"]}; }}
.sep span {{ background: {c["pill"]}; border-radius: 8px; padding: 5px 12px; }}
.who {{ font-size: 12px; font-weight: bold; margin: 8px 16px 2px; }}
.who.left {{ color: {c["lb"]}; }} .who.right {{ color: {c["rb"]}; }}
.snap {{ font-size: 15px; line-height: 20px; margin: 0 16px 3px; padding: 0 0 0 10px;
  border-left: 2px solid; overflow-wrap: anywhere; }}
.snap.left {{ border-color: {c["lb"]}; }} .snap.right {{ border-color: {c["rb"]}; }}
.head {{ position: relative; margin: 14px 0 0; padding: 0 12px 0 68px; font-size: 15px;
  line-height: 22px; }}
.head b {{ color: {c["rt"]}; }}
.head .time {{ font-size: 11.5px; color: {c["meta"]}; margin-left: 8px; }}
.av {{ position: absolute; left: 14px; top: 2px; width: 40px; height: 40px;
  border-radius: 50%; }}
.head.left .av {{ background: {c["lb"]}; }} .head.right .av {{ background: {c["rb"]}; }}
.line {{ font-size: 15px; line-height: 22px; padding: 2px 12px 2px 68px;
  overflow-wrap: anywhere; }}
{
        '''.sep { display: flex; align-items: center; margin: 16px 14px 4px; }
.sep::before, .sep::after { content: ""; flex: 1; border-top: 1px solid '''
        + c["meta"]
        + '''; }
.sep span { padding: 0 8px; font-size: 12px; font-weight: bold; }'''
        if layout == "discord"
        else ""
    }
{
        ".sep span { background: transparent; font-weight: bold; font-size: 11.5px; }"
        if layout in ("instagram", "messenger", "snapchat")
        else ""
    }
</style></head><body>
<div class="top"><div class="status"><span>14:32</span><span>85%</span></div>
<div class="title">{title}</div></div>
<div id="chat">{"".join(body)}</div>
<div class="bottom"><div>Message</div></div>
</body></html>"""


_MEASURE = """(scrollFrac) => {
  const chat = document.getElementById('chat');
  chat.scrollTop = Math.round((chat.scrollHeight - chat.clientHeight) * scrollFrac);
  const top = chat.getBoundingClientRect().top, bottom = chat.getBoundingClientRect().bottom;
  const out = [];
  for (const el of chat.querySelectorAll('.msg, .sep')) {
    const r = el.getBoundingClientRect();
    out.push({sep: el.classList.contains('sep'), side: el.dataset.side || null,
      text: el.dataset.text || null, i: el.dataset.i ? Number(el.dataset.i) : -1, clock: el.dataset.clock || null, day: el.dataset.day,
      x: r.left, y: r.top, w: r.width, h: r.height,
      full: r.top >= top + 1 && r.bottom <= bottom - 1,
      cut: r.bottom > top && r.top < bottom && !(r.top >= top + 1 && r.bottom <= bottom - 1)});
  }
  return out;
}"""


class Renderer:
    """One Chromium for many screenshots."""

    def __init__(self, out: Path) -> None:
        from playwright.sync_api import sync_playwright

        self.out = out
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        self._ctx = self._browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=SCALE
        )
        self._page = self._ctx.new_page()

    def close(self) -> None:
        self._ctx.close()
        self._browser.close()
        self._pw.stop()

    def shot(
        self, name: str, layout: str, theme: str, items: list[Item], today: date,
        scroll: float = 1.0,
    ) -> Shot:  # fmt: skip
        """Render ``items`` scrolled to ``scroll`` (0 = top, 1 = bottom) into ``name``.png."""
        page = self._page
        page.set_content(_page(layout, theme, items, today))
        page.evaluate("document.fonts.ready")
        found: list[dict[str, Any]] = page.evaluate(_MEASURE, scroll)
        png = self.out / f"{name}.png"
        page.screenshot(path=str(png))
        truth: list[Truth] = []
        day: date | None = None
        clock: str | None = None
        for f in found:
            if not f["full"]:
                if f["sep"] and f["y"] < 400:  # a label scrolled away above: no longer shown
                    day, clock = None, None
                continue
            if f["sep"]:
                day = date.fromisoformat(f["day"])
                clock = f["clock"]
                continue
            if layout in ("whatsapp", "telegram"):
                clock = f["clock"]
            elif layout == "discord":
                clock, day = f["clock"], date.fromisoformat(f["day"])
            sender = LEFT_NAME if f["side"] == "left" else RIGHT_NAME
            box = (round(f["x"] * SCALE), round(f["y"] * SCALE), round(f["w"] * SCALE),
                   round(f["h"] * SCALE))  # fmt: skip
            truth.append(
                Truth(f["side"], sender, html.unescape(f["text"]), clock, day, box, f["i"])
            )
        partial = sum(1 for f in found if f["cut"] and not f["sep"])
        (self.out / f"{name}.json").write_text(
            json.dumps([t.text for t in truth], ensure_ascii=False)
        )
        return Shot(png, layout, theme, truth, partial)


@contextmanager
def renderer(out: Path) -> Iterator[Renderer]:
    r = Renderer(out)
    try:
        yield r
    finally:
        r.close()


def fits(items: list[Item], n: int) -> list[Item]:
    """The first ``n`` messages of ``items`` with their separators."""
    out: list[Item] = []
    k = 0
    for it in items:
        if isinstance(it, Msg):
            if k == n:
                break
            k += 1
        out.append(it)
    return out


TODAY = date(2026, 12, 7)
YESTERDAY = TODAY - timedelta(days=1)
