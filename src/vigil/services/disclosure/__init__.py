"""Disclosure (docs/disclosure.md): ``items`` (every item of a case with its status),
``decide`` (the disclosure officer sets statuses and descriptions; one custody entry each),
``schedules`` (schedule revisions: generate, write, serve, and the "revised schedule needed"
flag). Only the disclosure officer's role (``disclose``) changes anything; members who read
the case may see the statuses and the schedules."""
