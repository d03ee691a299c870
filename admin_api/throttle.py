"""Counts failed logins per email and per client address, in this process's memory.

A key over its limit is refused until its window ends, before any password is checked,
so guessing costs the attacker time and the server no bcrypt work.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

SWEEP_ABOVE = 10_000


@dataclass
class _Window:
    failures: int
    ends_at: float


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class LoginThrottle:
    def __init__(
        self,
        per_email: int,
        per_address: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"email": per_email, "address": per_address}
        self._window = window_seconds
        self._clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}

    def check(self, email: str, address: str) -> None:
        """Raise ``TooManyAttempts`` if either key has used up its failures."""
        now = self._clock()
        for key in (("email", email), ("address", address)):
            window = self._windows.get(key)
            if window and window.ends_at > now and window.failures >= self._limits[key[0]]:
                raise TooManyAttempts(max(1, math.ceil(window.ends_at - now)))

    def failed(self, email: str, address: str) -> None:
        now = self._clock()
        if len(self._windows) > SWEEP_ABOVE:
            self._windows = {k: w for k, w in self._windows.items() if w.ends_at > now}
        for key in (("email", email), ("address", address)):
            window = self._windows.get(key)
            if window is None or window.ends_at <= now:
                self._windows[key] = _Window(1, now + self._window)
            else:
                window.failures += 1

    def succeeded(self, email: str) -> None:
        self._windows.pop(("email", email), None)
