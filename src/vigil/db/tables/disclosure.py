"""Disclosure statuses, schedules and their revisions (PLACEHOLDER: tables to come this session; migration 0018)."""

from __future__ import annotations
