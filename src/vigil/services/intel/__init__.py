"""Intelligence use cases: ``identifiers`` (extraction, freshness, need to know for every
intel command), ``hits`` (cross-case hits), ``graph`` (the link graph and its exports)."""
