"""Built-in source formats. Adding a format: one module here plus one line in BUILTIN_FORMATS."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from vigil.hookspecs import hookimpl

if TYPE_CHECKING:
    from vigil.ingest.base import Parser

BUILTIN_FORMATS: tuple[str, ...] = (
    "whatsapp_txt",
    "telegram_json",
    "discord_json",
    "discord_csv",
    "discord_package",
    "meta_json",
    "snapchat_json",
    "telegram_html",
    "meta_html",
    "snapchat_html",
    "tiktok",
    "google_chat",
    "hangouts_json",
    "eml",
    "mbox",
    "sms_xml",
    "ios_sms_db",
    "android_mmssms",
    "whatsapp_msgstore",
    "whatsapp_ios",
    "kik_sqlite",
    "snapchat_arroyo",
    "telegram_cache4",
    "ufdr",
    "pan12_xml",
    "generic",
)
"""Module names under ``vigil.ingest.formats``, each exposing ``PARSER``."""


@hookimpl
def vigil_parsers() -> list[Parser]:
    return [importlib.import_module(f"{__name__}.{m}").PARSER for m in BUILTIN_FORMATS]
