"""Typed errors. The CLI maps each class to a one-line message and a documented exit code."""

from __future__ import annotations


class VigilError(Exception):
    """Base class for every error Vigil raises on purpose."""

    exit_code = 1
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class UserError(VigilError):
    """A mistake in what the user asked for: missing file, unknown case, bad time format."""

    exit_code = 3


class NotFound(UserError):
    """A named object (case, exhibit, user, conversation) does not exist."""

    exit_code = 3


class ParseError(VigilError):
    """Input that cannot be read as the expected format. Names the file and where."""

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        location: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        parts = []
        if file:
            parts.append(file)
        if location:
            parts.append(location)
        prefix = ": ".join([", ".join(parts)]) + ": " if parts else ""
        text = prefix + message
        if expected:
            text += f" (expected {expected})"
        super().__init__(text, hint=hint)
        self.file = file
        self.location = location
        self.expected = expected


class IntegrityError(VigilError):
    """Evidence or the custody log does not verify."""

    exit_code = 1


class AccessDenied(VigilError):
    """The acting user may not do this (role or case membership)."""

    exit_code = 5
