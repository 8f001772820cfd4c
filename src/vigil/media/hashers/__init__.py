"""Hashers, one module per algorithm: crypto (MD5/SHA-1/SHA-256), PDQ, vPDQ."""
