"""Redactions of messages and media (PLACEHOLDER: tables to come this session; migration 0019)."""

from __future__ import annotations
