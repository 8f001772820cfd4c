"""Builders for synthetic Facebook / Instagram "Download your information" HTML pages.

The structure follows the HTML download Meta's "Download your information" tool writes for
messages (``messages/inbox/<thread>/message_N.html``; Instagram's 2024 download under
``your_instagram_activity/messages/inbox/``), as widely documented by people reading these
downloads: a ``<title>`` with the thread name, then one ``div`` box per message (classes
``pam _3-95 _2pi0 _2lej uiBoxWhite noborder`` in the 2019-2021 markup, ``pam _3-95 _2ph- _a6-g
uiBoxWhite noborder`` since 2022) holding three children: sender name, body (nested ``div``s with
the text; ``a``/``img`` pointing at media by their path from the download root) and the time
(``Mar 25, 2023, 11:30 PM`` / ``Mar 25, 2023 11:30:00 pm``). Newest message first; page 1 is the
newest. Content is synthetic and benign, written for these tests.
"""

from __future__ import annotations

from tests.ingest.html_telegram_fixture import zipped

CLASSIC = ("pam _3-95 _2pi0 _2lej uiBoxWhite noborder", "_3-96 _2pio _2lek _2lel", "_3-96 _2let")
CLASSIC_TIME = "_3-94 _2lem"
NEW = ("pam _3-95 _2ph- _a6-g uiBoxWhite noborder", "_3-95 _2pim _a6-h _a6-i", "_3-95 _a6-p")
NEW_TIME = "_3-94 _a6-o"


def box(sender: str, text: str, when: str, media: str = "", *, new: bool = True) -> str:
    outer, who, body = NEW if new else CLASSIC
    time_cls = NEW_TIME if new else CLASSIC_TIME
    sender_tag = "h2" if new else "div"
    return (
        f'<div class="{outer}"><{sender_tag} class="{who}">{sender}</{sender_tag}>'
        f'<div class="{body}"><div><div></div><div>{text}</div>{media}<div></div></div></div>'
        f'<div class="{time_cls}">{when}</div></div>\n'
    )


def photo(uri: str) -> str:
    return f'<div><a href="{uri}"><img src="{uri}" class="_a6_o _3-96" /></a></div>'


def page(title: str, boxes: list[str]) -> bytes:
    return (
        '<html><head><meta charset="UTF-8" /><title>'
        + title
        + "</title><style>body{}</style></head>"
        '<body class="_5vb_ _2yq _a7o5"><div class="clearfix _ikh"><div class="_4bl9">'
        '<div class="_li"><div class="_a705"><div class="_3-8y _3-95 _a70a">'
        f'<div class="_a70d"><div class="_a70e">{title}</div></div></div>'
        '<div class="_a706" role="main">\n' + "".join(boxes) + "</div></div></div></div></div>"
        "</body></html>"
    ).encode("utf-8")


INBOX = "your_instagram_activity/messages/inbox/alexlee_1234567890/"


def instagram_download() -> dict[str, bytes]:
    """One Instagram thread over two pages, newest first, across the change to BST."""
    newest = page(
        "Alex Lee",
        [
            box("Sam Carter", "keep this between us", "Mar 26, 2023 9:00:00 am"),
            box("Alex Lee", "", "Mar 26, 2023 2:10:00 am", photo(INBOX + "photos/1001.jpg")),
            '<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder"><h2>Sam Carter</h2></div>\n',
            box("Sam Carter", "what school are you at?", "Mar 26, 2023 12:30:00 am"),
        ],
    )
    older = page(
        "Alex Lee",
        [
            box("Alex Lee", "hello &amp; welcome", "Mar 25, 2023 11:59:00 pm"),
            box("Sam Carter", "hi there<br>how are you", "Mar 25, 2023 11:30:00 pm"),
        ],
    )
    return {
        INBOX + "message_1.html": newest,
        INBOX + "message_2.html": older,
        INBOX + "photos/1001.jpg": b"\xff\xd8\xff\xe0benign",
        "your_instagram_activity/messages/inbox/other_99/message_1.html": page(
            "Chris",
            [box("Chris", "see you at practice", "Jan 5, 2023, 6:00 PM", new=False)],
        ),
    }


def zipped_download() -> bytes:
    return zipped(instagram_download())
