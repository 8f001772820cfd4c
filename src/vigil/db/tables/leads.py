"""Leads imported from platform-scale runs (PLACEHOLDER: tables to come this session; migration 0020)."""

from __future__ import annotations
