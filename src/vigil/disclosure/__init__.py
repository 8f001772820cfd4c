"""Disclosure under the Criminal Procedure and Investigations Act 1996 (docs/disclosure.md).

Pure core, no files, clock or database: the statuses and the schedule each puts an item on
(:mod:`.status`), item keys (:mod:`.items`), schedule rows and their canonical hash
(:mod:`.schedule`), what changed since a served revision (:mod:`.revision`), the MG6E
report's content (:mod:`.mg6e`) and the writers (CSV, XLSX, ODS, PDF) that take a finished
:class:`.schedule.ScheduleDoc` and a binary stream. Relevance and the disclosure test are the
disclosure officer's and the prosecutor's judgements: Vigil records them, never makes them.
"""
