"""Domain exceptions every package shares. Each entrypoint maps them to its own kind of
error in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class DomainError(Exception):
    """A rule of the shop said no. ``code`` is stable; ``message`` is for people."""

    code = "domain-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its path in the input and what is wrong with it."""

    loc: tuple[str | int, ...]
    message: str


class InvalidInput(DomainError):
    code = "invalid-input"

    def __init__(self, message: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class NotFound(DomainError):
    code = "not-found"


class Conflict(DomainError):
    code = "conflict"


class VersionConflict(Conflict):
    code = "version-conflict"

    def __init__(self, what: str) -> None:
        super().__init__(f"The {what} was changed by someone else; reload it and try again.")


class Forbidden(DomainError):
    code = "forbidden"

    def __init__(self, message: str = "Your role may not do this.") -> None:
        super().__init__(message)
