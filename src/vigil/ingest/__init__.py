"""Chat-evidence ingest: parser protocol, detection and one module per source format."""
