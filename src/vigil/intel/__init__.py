"""Intelligence from the evidence: identifiers, entities, link graph and graph exports.

Everything in this package is pure: functions take strings or dataclasses and return data.
Services feed it rows from the database and write what it returns (DESIGN.md rule 1).

- :mod:`vigil.intel.extract` finds identifiers (phones, e-mails, URLs, handles, wallets, ...)
  in text, each with its span, canonical value, validity and reason.
- :mod:`vigil.intel.entities` resolves sightings of identifiers and accounts into entities
  with deterministic ids, recording the reason for every merge.
- :mod:`vigil.intel.crosscase` reports identifiers seen in more than one case (case and unit
  only, never content).
- :mod:`vigil.intel.graph` builds a networkx link graph and summarises it.
- :mod:`vigil.intel.exports` writes followthemoney JSON lines, i2 ANX XML, Maltego CSV,
  GraphML and CSV.
"""
