"""Builders for synthetic Telegram Desktop HTML exports (``messages.html``, ``messages2.html``).

The structure follows the HTML export Telegram Desktop writes ("Export chat history", format
HTML), as documented by its export templates and widely described: ``div.page_wrap`` >
``div.page_header`` (chat name) and ``div.page_body.chat_page`` > ``div.history`` holding
``div.message`` elements; ``default`` messages with ``div.body`` > ``div.pull_right.date.details``
(``title`` = ``dd.mm.yyyy HH:MM:SS`` and, since 2022, `` UTC+hh:mm``), ``div.from_name``,
``div.text``, ``div.reply_to``, ``div.forwarded.body``, ``div.media_wrap``; ``joined`` messages
without ``from_name``; ``service`` messages (negative ids for day headings); and a
``a.pagination`` link to the next page. Content is synthetic and benign, written for these tests.
"""

from __future__ import annotations

import io
import zipfile

HEAD = """<!DOCTYPE html>
<html>
 <head>
  <meta charset="utf-8"/>
  <title>Exported Data</title>
  <link href="css/style.css" rel="stylesheet"/>
 </head>
 <body>
  <div class="page_wrap">
   <div class="page_header">
    <div class="content">
     <div class="text bold">
{title}
     </div>
    </div>
   </div>
   <div class="page_body chat_page">
    <div class="history">
"""

TAIL = """{pagination}
    </div>
   </div>
  </div>
 </body>
</html>
"""


def heading(n: int, day: str) -> str:
    return f"""
     <div class="message service" id="message-{n}">
      <div class="body details">
{day}
      </div>
     </div>"""


def service(n: int, text: str) -> str:
    return f"""
     <div class="message service" id="message{n}">
      <div class="body details">
{text}
      </div>
     </div>"""


def default(
    n: int,
    when: str,
    text: str,
    sender: str | None = None,
    extra: str = "",
) -> str:
    joined = "" if sender else " joined"
    who = (
        f"""
       <div class="from_name">
{sender}
       </div>"""
        if sender
        else ""
    )
    return f"""
     <div class="message default clearfix{joined}" id="message{n}">
      <div class="pull_left userpic_wrap">
       <div class="userpic userpic1" style="width: 42px; height: 42px">
        <div class="initials" style="line-height: 42px">A</div>
       </div>
      </div>
      <div class="body">
       <div class="pull_right date details" title="{when}">
{when[11:16]}
       </div>{who}{extra}
       <div class="text">
{text}
       </div>
      </div>
     </div>"""


def photo(href: str) -> str:
    return f"""
       <div class="media_wrap clearfix">
        <a class="photo_wrap clearfix pull_left" href="{href}">
         <img class="photo" src="{href}_thumb.jpg" style="width: 260px; height: 195px"/>
        </a>
       </div>"""


NOT_INCLUDED = """
       <div class="media_wrap clearfix">
        <div class="media clearfix pull_left media_voice_message">
         <div class="fill pull_left"></div>
         <div class="body">
          <div class="title bold">
Voice message
          </div>
          <div class="description">
Not included, change data exporting settings to download.
          </div>
         </div>
        </div>
       </div>"""


def reply_to(n: int) -> str:
    return f"""
       <div class="reply_to details">
In reply to <a href="#go_to_message{n}" onclick="return GoToMessage({n})">this message</a>
       </div>"""


def page(title: str, items: list[str], next_page: str | None = None) -> bytes:
    pagination = (
        f'     <a class="pagination block_link" href="{next_page}">\nNext messages\n     </a>'
        if next_page
        else ""
    )
    body = HEAD.format(title=title) + "".join(items) + "\n" + TAIL.format(pagination=pagination)
    return body.encode("utf-8")


def zipped(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def two_page_export() -> dict[str, bytes]:
    """A chat export folder across two pages and a change from GMT to BST (26 March 2023)."""
    first = page(
        "Sam Carter",
        [
            heading(1, "25 March 2023"),
            default(101, "25.03.2023 23:30:00 UTC+00:00", "hi, how was the match?", "Sam Carter"),
            default(102, "25.03.2023 23:31:10 UTC+00:00", "you can tell me anything"),
            default(103, "25.03.2023 23:40:00 UTC+00:00", "fine thanks", "Alex Lee"),
            heading(2, "26 March 2023"),
            default(
                104,
                "26.03.2023 02:10:00 UTC+01:00",
                "look at this",
                "Sam Carter",
                photo("photos/photo_1@26-03-2023_02-10-00.jpg"),
            ),
        ],
        next_page="messages2.html",
    )
    second = page(
        "Sam Carter",
        [
            default(105, "26.03.2023 02:11:00 UTC+01:00", "keep this between us, ok?"),
            default(
                106,
                "26.03.2023 09:00:00 UTC+01:00",
                "ok<br>see you",
                "Alex Lee",
                reply_to(105),
            ),
            default(107, "26.03.2023 09:05:00 UTC+01:00", "", "Sam Carter", NOT_INCLUDED),
            service(108, "Sam Carter pinned a message"),
            '\n     <div class="message default clearfix" id="message109"></div>',
        ],
    )
    return {
        "ChatExport_2023-03-27/messages.html": first,
        "ChatExport_2023-03-27/messages2.html": second,
        "ChatExport_2023-03-27/photos/photo_1@26-03-2023_02-10-00.jpg": b"\xff\xd8\xff\xe0benign",
        "ChatExport_2023-03-27/css/style.css": b"body {}",
    }


def forwarded(sender: str, text: str, media: str = "") -> str:
    return f"""
       <div class="forwarded body">
        <div class="pull_left forwarded userpic_wrap"></div>
        <div class="from_name">
{sender}<span class="details"> 20.03.2023 10:00:00</span>
        </div>
        <div class="text">
{text}
        </div>{media}
       </div>"""


def location(href: str) -> str:
    return f"""
       <div class="media_wrap clearfix">
        <a class="media clearfix pull_left block_link media_location" href="{href}">
         <div class="fill pull_left"></div>
         <div class="body">
          <div class="title bold">
Location
          </div>
         </div>
        </a>
       </div>"""
