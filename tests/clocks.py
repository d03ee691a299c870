"""Clocks that tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime


class FakeClock:
    """A clock that moves only when a test moves ``moment``."""

    def __init__(self, moment: datetime = datetime(2030, 1, 1, tzinfo=UTC)) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment
