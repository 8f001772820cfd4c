"""Leads from platform-scale runs (docs/scale.md): ``importing`` (a Spark run's results into a
case, as an exhibit, an import record with the run's provenance, and one lead per row) and
``read`` (a case's imports and leads, on the record)."""
