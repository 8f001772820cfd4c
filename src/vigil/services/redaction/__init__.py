"""Redaction (docs/redaction.md): a layer over messages and media that hides what must not be
disclosed, for a reason, without changing the evidence.

``records`` adds redactions (a span of a message, every occurrence of a phrase in a
conversation or the case, a rectangle of an image exhibit), withdraws them (recorded, never
deleted) and lists them; only a member of the case whose role may ``disclose`` (the disclosure
officer) adds or withdraws, and each act is one custody entry. ``text`` applies them to text
(messages, names, titles; persona identities by default for the defence);
``bundle`` writes the redacted bundle; ``editor`` is the web editor's view of a conversation.
"""
