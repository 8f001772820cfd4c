"""Chat layouts: how each platform draws a conversation, as data the reader applies.

Two kinds of screen: ``bubbles`` (WhatsApp, Telegram, Instagram, Messenger: each message a
filled bubble, the phone owner's on the right) and ``lines`` (Discord, Snapchat: messages as
lines of text under a header naming the sender). Times are shown either in each bubble
(``time_in_bubble``) or on labels between messages that apply to what follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.errors import UserError


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    kind: str
    """``bubbles`` or ``lines``."""
    time_in_bubble: bool
    """Each bubble ends with its own clock time (WhatsApp, Telegram)."""
    sender_from: str
    """``side`` (bubble side), ``header`` (a name line above the message: Discord), or ``bar``
    (the colour of the bar beside the message, with a name header: Snapchat)."""
    text_left: float = 0.0
    """``lines`` layouts: where message text starts, as a fraction of the width (the avatar
    column to its left is not text)."""
    new_message_pitch: float = 2.9
    """``lines`` layouts without bars (Discord): a line whose baseline is further than this
    many x-heights below the previous line's starts a new message (wrapped lines of one
    message sit closer)."""


LAYOUTS: dict[str, Layout] = {
    "whatsapp": Layout("whatsapp", "bubbles", True, "side"),
    "telegram": Layout("telegram", "bubbles", True, "side"),
    "instagram": Layout("instagram", "bubbles", False, "side"),
    "messenger": Layout("messenger", "bubbles", False, "side"),
    "snapchat": Layout("snapchat", "lines", False, "bar", text_left=0.03),
    "discord": Layout("discord", "lines", False, "header", text_left=0.17),
}
THEMES = ("light", "dark")


def layout(name: str) -> Layout:
    """The layout called ``name`` (UserError naming the known ones otherwise)."""
    found = LAYOUTS.get(name.strip().lower())
    if found is None:
        raise UserError(f"unknown chat layout {name!r}", hint="one of: " + ", ".join(LAYOUTS))
    return found
