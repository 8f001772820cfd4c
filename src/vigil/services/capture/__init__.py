"""Covert capture sessions (docs/capture.md): an officer's own record of a persona's chats.

``sessions`` (start, stop, the current session, notes, listing), ``record`` (a browser capture
or a file imported from a handset, each file through
:func:`vigil.services.evidence.exhibits.register_stream`), ``metadata`` (the time a file's own
metadata claims), ``browser`` (Chromium under Playwright, driven by the officer's hand),
``report`` (the session's capture report, HTML and PDF), ``transcribe`` (chat screenshots read
by OCR into a transcript conversation), ``pages``, ``transcripts`` and ``images`` (the
capture-session web pages, their transcript lines and blurred images). Nothing here writes to a suspect or
to the page: it records what the officer does.
"""
