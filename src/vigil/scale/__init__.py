"""Running Vigil's scoring at platform scale.

* :mod:`vigil.scale.spark` — ``vigil scan --engine spark`` and the documented PySpark API
  (``score_dataframe``, ``run``);
* :mod:`vigil.scale.partition` — the executor side: one partition's Arrow batches scored
  through ``vigil scan``'s own code path;
* :mod:`vigil.scale.hashes` — hash-set look-ups (MD5 exact, PDQ within a Hamming threshold)
  of a column of hashes, with the index broadcast to the executors.

Nothing here is imported by ``vigil scan``'s local engine; PySpark is loaded only on use.
See docs/scale.md. A score or a match is a lead for a trained person, never a verdict.
"""
