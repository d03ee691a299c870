"""Limits on guessing (passwords, which emails have accounts), shared by every process.

Attempts are counted in the ``throttles`` collection, one document per counter and key:
``{_id: "<counter>:<key>", count, endsAt}``. A window opens with the first counted attempt
and ends ``window`` later, at the ``endsAt`` written in the document; an expired document
counts as empty and is reopened in place (no TTL index: ``prune`` only collects garbage).
Every change is one single-document update:

- ``take`` counts an attempt *before* it is judged, with ``$inc`` guarded by
  ``count < limit`` and ``endsAt > now``, or reopens an expired (or missing) window with
  an upsert guarded by ``endsAt <= now``. Two callers racing to reopen one window: the
  loser's upsert hits the unique ``_id`` and it retries the ``$inc``. However many
  attempts run at once, in however many processes, at most ``limit`` pass per window.
- ``add`` counts without a limit; ``give_back`` and ``clear`` undo.

The shop's rules (``Throttle``):

- Logins: at most ``failures_per_email`` tries per email and window (a success clears
  them); wrong current passwords in a password change use up the same tries.
- Per client address, failed logins only *slow* the address down: past
  ``failures_per_address`` in a window, each login from it waits ``slowdown`` before the
  password is checked. Behind a proxy every customer may share one address, so a hard
  limit there would let anyone lock everyone out.
- Registrations answered "email taken": at most ``conflicts_per_address`` per address and
  window, so which emails have accounts cannot be probed at full speed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from core.accounts.errors import Throttled, TooManyAttempts
from core.base import clock
from core.store import Collection

REOPEN_TRIES = 5
"""Rounds of "another caller reopened the window first, count again". Each lost round
means another caller was counted, so running out is heavy contention on one key: a
``take`` is then refused for a second, an ``add`` is dropped."""


class Counters:
    """Attempt counters per key in windows, in one collection (see the module docstring)."""

    def __init__(
        self, collection: Collection, window: timedelta, now: Callable[[], datetime] = clock.now
    ) -> None:
        self._counters = collection
        self._window = window
        self._now = now

    async def take(self, key: str, limit: int) -> int | None:
        """Count one attempt under ``key``: None; or, if ``limit`` were already counted in
        the current window, the seconds until it ends."""
        for _ in range(REOPEN_TRIES):
            if await self._increment(key, limit):
                return None
            window = await self._counters.find_one({"_id": key, "endsAt": {"$gt": self._now()}})
            if window is not None and window["count"] >= limit:
                ends_at: datetime = window["endsAt"]
                return max(1, math.ceil((ends_at - self._now()).total_seconds()))
        return 1

    async def add(self, key: str) -> None:
        """Count one attempt under ``key`` with no limit."""
        for _ in range(REOPEN_TRIES):
            if await self._increment(key, None):
                return

    async def count(self, key: str) -> int:
        """Attempts counted under ``key`` in its current window."""
        document = await self._counters.find_one({"_id": key, "endsAt": {"$gt": self._now()}})
        return 0 if document is None else int(document["count"])

    async def give_back(self, key: str) -> None:
        """Uncount one attempt (it turned out not to be one that counts)."""
        await self._counters.update_one(
            {"_id": key, "endsAt": {"$gt": self._now()}, "count": {"$gt": 0}},
            {"$inc": {"count": -1}},
        )

    async def clear(self, key: str) -> None:
        await self._counters.delete_one({"_id": key})

    async def prune(self) -> int:
        """Delete windows that ended (housekeeping); how many."""
        result = await self._counters.delete_many({"endsAt": {"$lte": self._now()}})
        return result.deleted_count

    async def _increment(self, key: str, limit: int | None) -> bool:
        """Count in the open window (if under ``limit``) or reopen an expired one. False if
        refused, or if a concurrent caller reopened the window first (count again)."""
        now = self._now()
        guard: dict[str, object] = {"_id": key, "endsAt": {"$gt": now}}
        if limit is not None:
            guard["count"] = {"$lt": limit}
        if (await self._counters.update_one(guard, {"$inc": {"count": 1}})).matched_count:
            return True
        try:
            await self._counters.update_one(
                {"_id": key, "endsAt": {"$lte": now}},
                {"$set": {"count": 1, "endsAt": now + self._window}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the window is open: full, or just reopened by someone else
        return True


@dataclass(frozen=True)
class Limits:
    failures_per_email: int
    failures_per_address: int
    slowdown: timedelta
    conflicts_per_address: int


class Throttle:
    """The shop's limits on sign-in and registration attempts (see the module docstring)."""

    def __init__(self, counters: Counters, limits: Limits) -> None:
        self._counters = counters
        self._limits = limits

    async def before_password_check(self, email: str) -> None:
        """Use up one of ``email``'s tries, or raise ``TooManyAttempts``."""
        limit = self._limits.failures_per_email
        if retry_after := await self._counters.take(_key("email", email), limit):
            raise TooManyAttempts(retry_after, Throttled.WRONG_PASSWORDS)

    async def password_confirmed(self, email: str) -> None:
        await self._counters.clear(_key("email", email))

    async def slowdown(self, address: str) -> timedelta:
        """How long a login from ``address`` waits before its password is checked."""
        failures = await self._counters.count(_key("login-address", address))
        return self._limits.slowdown if failures >= self._limits.failures_per_address else ZERO

    async def login_failed(self, address: str) -> None:
        await self._counters.add(_key("login-address", address))

    async def before_registration(self, address: str) -> None:
        """Count a registration from ``address`` as a possible probe, or raise
        ``TooManyAttempts`` if the address already made its share of them."""
        limit = self._limits.conflicts_per_address
        if retry_after := await self._counters.take(_key("registration", address), limit):
            raise TooManyAttempts(retry_after, Throttled.SIGN_UPS)

    async def registered(self, address: str) -> None:
        """The registration made an account: it was no probe, so it does not count."""
        await self._counters.give_back(_key("registration", address))

    async def prune(self) -> int:
        return await self._counters.prune()


ZERO = timedelta(0)


def _key(counter: str, value: str) -> str:
    return f"{counter}:{value[:256]}"
