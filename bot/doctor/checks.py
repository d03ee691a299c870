"""What a check finds: a status, what it saw, and what to do when something is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    OK = "✓"
    WARNING = "!"
    FAILED = "✗"
    """Something that stops the shop from selling."""


@dataclass(frozen=True)
class Check:
    status: Status
    found: str
    """What the check saw, in plain words."""
    fix: str | None = None
    """What to do about it (warnings and failures)."""

    def line(self) -> str:
        return f"{self.status} {self.found}" + (f" → {self.fix}" if self.fix else "")


def ok(found: str) -> Check:
    return Check(Status.OK, found)


def warning(found: str, fix: str) -> Check:
    return Check(Status.WARNING, found, fix)


def failed(found: str, fix: str) -> Check:
    return Check(Status.FAILED, found, fix)


def summary(checks: list[Check]) -> str:
    """The last line: how many problems stop the shop from selling, and how many warnings."""
    failures = sum(c.status is Status.FAILED for c in checks)
    warnings = sum(c.status is Status.WARNING for c in checks)
    if failures:
        verb = "stops" if failures == 1 else "stop"
        return (
            f"{count(failures, 'problem')} {verb} the shop from selling; "
            f"{count(warnings, 'warning')}."
        )
    if warnings:
        return f"Ready to sell, with {count(warnings, 'warning')}."
    return "Ready to sell."


def count(number: int, noun: str) -> str:
    """``1 warning``, ``2 warnings``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
