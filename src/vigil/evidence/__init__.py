"""Evidence: content-addressed blob store, exhibits, hash-chained custody log, bundles."""
