"""Review decisions on conversations and messages (issue 17, docs/review.md).

- ``model``: the states, checking input, replaying the append-only history (pure);
- ``decide``: recording a change (state, note, tags, bookmark): one custody entry and one
  history row per decision;
- ``read``: a conversation's history and marks, current states for lists, the state filter;
- ``export``: the unit's decisions as labelled data for ``vigil model train``.

Decisions are a trained person's; Vigil's scores are leads, never verdicts.
"""
