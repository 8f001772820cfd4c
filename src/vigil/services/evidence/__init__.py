"""Evidence use cases: exhibits, bundles, verification of the store and custody log."""
