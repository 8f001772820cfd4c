"""Labelled-sample types for the extraction corpus."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Gold:
    kind: str
    value: str
    platform: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.platform or "", self.value)


@dataclass
class Sample:
    text: str
    gold: list[Gold] = field(default_factory=list)
    region: str = "GB"
    note: str = ""
