"""Covert capture sessions (issue 18): filled in by that change."""

from __future__ import annotations
