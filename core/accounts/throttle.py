"""Limits on guessing (passwords, which emails have accounts), shared by every process.

Nothing here locks anyone out. A guesser meets **growing delays** per key instead: the
first ``free`` failures cost nothing, after the n-th failure (n >= ``free``) the next try
of that key waits ``min(max_delay, 2 ** (n - free))`` seconds, and a key's failures are
forgotten ``forget_after`` past the last one. A try that comes too early is refused at once
(429 with ``Retry-After``) without being judged, so it is neither a guess nor a failure.

Keys (``Throttle``):

- Logins and password changes, per **email and client address**: a stranger's failures
  slow down that stranger's address for that email, never the account's owner elsewhere.
  Each try is counted as a failure *before* the password is checked and cleared by a
  success, so tries sent at once get no more than tries sent one after another.
- Sign-ups answered "email taken", per client address (the bot's Telegram users count as
  addresses): once an address has had ``free`` of them, every sign-up from it (a new
  email too, so the answer tells nothing) waits its turn. A sign-up that makes an account
  never counts, however many arrive at once.
- Failed logins per client address (any email) only *slow* it down: past
  ``failures_per_address`` in a window each login from it waits ``slowdown``.

IPv6 addresses count per /64, the block one customer usually holds.

Storage, in ``throttles``, each change one single-document write:

- delays: ``{_id: "<kind>:<key>", failures, nextAt, forgetAt, v}``; every write is guarded
  by the version ``v`` it read (or is an insert, which the unique ``_id`` guards), and a
  loser reads again, so concurrent tries in any number of processes are counted exactly.
- address counts: ``{_id: "login-address:<address>", count, endsAt}``, a window opened by
  its first attempt, ``$inc`` inside it, reopened in place by a guarded upsert.

No TTL index: ``prune`` only collects garbage.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from core.accounts.errors import Throttled, TooManyAttempts
from core.base import clock
from core.store import Collection

RETRIES = 8
"""Rounds of "another caller wrote first, read again". Each lost round means another caller
was counted, so running out is heavy contention on one key: the try is then refused for a
second."""
ZERO = timedelta(0)
MAX_EXPONENT = 40  # 2**40 seconds is past any sensible cap


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


class Backoff:
    """Failures per key and the growing delay they earn (see the module docstring)."""

    def __init__(
        self,
        collection: Collection,
        *,
        free: int,
        max_delay: timedelta,
        forget_after: timedelta,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self._keys = collection
        self._free = free
        self._max_delay = max_delay
        self._forget_after = forget_after
        self._now = now

    def delay(self, failures: int) -> timedelta:
        """How long the next try waits after ``failures`` failures."""
        if failures < self._free:
            return ZERO
        exponent = min(failures - self._free, MAX_EXPONENT)
        return min(self._max_delay, timedelta(seconds=2**exponent))

    async def claim(self, key: str, *, counted: bool) -> int | None:
        """Take ``key``'s next try: None; or, if it is too early, the seconds to wait. A
        ``counted`` try is a failure until ``clear`` says otherwise; an uncounted one only
        takes its turn once the key's failures earned delays."""
        for _ in range(RETRIES):
            now = self._now()
            document, failures = await self._read(key, now)
            if document is not None and (wait := document["nextAt"] - now) > ZERO:
                return _seconds(wait)
            after = failures + 1 if counted else failures
            fields: dict[str, Any] = {"failures": after, "nextAt": now + self.delay(after)}
            if counted:
                fields["forgetAt"] = now + self._forget_after
            elif fields["nextAt"] == now:
                return None  # no delay earned yet: nothing to take
            if await self._write(key, document, fields):
                return None
        return 1

    async def failed(self, key: str) -> None:
        """Count a failure found after the try (a taken email): later tries wait for it."""
        for _ in range(RETRIES):
            now = self._now()
            document, failures = await self._read(key, now)
            next_at = now + self.delay(failures + 1)
            if document is not None:
                next_at = max(next_at, document["nextAt"])
            fields = {
                "failures": failures + 1,
                "nextAt": next_at,
                "forgetAt": now + self._forget_after,
            }
            if await self._write(key, document, fields):
                return

    async def clear(self, key: str) -> None:
        await self._keys.delete_one({"_id": key})

    async def prune(self) -> int:
        """Delete keys whose failures are forgotten (housekeeping); how many."""
        result = await self._keys.delete_many({"forgetAt": {"$lte": self._now()}})
        return result.deleted_count

    async def _read(self, key: str, now: datetime) -> tuple[dict[str, Any] | None, int]:
        """The key's document (None if there is none) and its failures (0 once forgotten)."""
        document = await self._keys.find_one({"_id": key})
        if document is None:
            return None, 0
        if document["forgetAt"] <= now:
            document["nextAt"] = now
            return document, 0
        return document, int(document["failures"])

    async def _write(self, key: str, read: dict[str, Any] | None, fields: dict[str, Any]) -> bool:
        """Store ``fields`` unless someone wrote since ``read``; whether it was stored."""
        if read is None:
            try:
                await self._keys.insert_one({"_id": key, "v": 1, "forgetAt": self._now(), **fields})
            except DuplicateKeyError:
                return False
            return True
        result = await self._keys.update_one(
            {"_id": key, "v": read["v"]}, {"$set": fields, "$inc": {"v": 1}}
        )
        return result.matched_count == 1


class Counters:
    """Attempt counts per key in windows (the address counts of the module docstring)."""

    def __init__(
        self, collection: Collection, window: timedelta, now: Callable[[], datetime] = clock.now
    ) -> None:
        self._counters = collection
        self._window = window
        self._now = now

    async def add(self, key: str) -> None:
        """Count one attempt under ``key``."""
        for _ in range(RETRIES):
            if await self._increment(key):
                return

    async def count(self, key: str) -> int:
        """Attempts counted under ``key`` in its current window."""
        document = await self._counters.find_one({"_id": key, "endsAt": {"$gt": self._now()}})
        return 0 if document is None else int(document["count"])

    async def prune(self) -> int:
        """Delete windows that ended (housekeeping); how many."""
        result = await self._counters.delete_many({"endsAt": {"$lte": self._now()}})
        return result.deleted_count

    async def _increment(self, key: str) -> bool:
        """Count in the open window or reopen an expired one; False if a concurrent caller
        reopened it first (count again)."""
        now = self._now()
        if (
            await self._counters.update_one(
                {"_id": key, "endsAt": {"$gt": now}}, {"$inc": {"count": 1}}
            )
        ).matched_count:
            return True
        try:
            await self._counters.update_one(
                {"_id": key, "endsAt": {"$lte": now}},
                {"$set": {"count": 1, "endsAt": now + self._window}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True


@dataclass(frozen=True)
class Limits:
    failures_per_address: int
    slowdown: timedelta


class Throttle:
    """The shop's limits on sign-in and registration attempts (see the module docstring)."""

    def __init__(
        self, logins: Backoff, signups: Backoff, address_failures: Counters, limits: Limits
    ) -> None:
        self._logins = logins
        self._signups = signups
        self._address_failures = address_failures
        self._limits = limits

    async def before_password_check(self, email: str, address: str) -> None:
        """Take the next password try for ``email`` from ``address``, or raise
        ``TooManyAttempts``; the try counts as wrong until ``password_confirmed``."""
        key = f"login:{_bounded(email)}|{client_block(address)}"
        if retry_after := await self._logins.claim(key, counted=True):
            raise TooManyAttempts(retry_after, Throttled.WRONG_PASSWORDS)

    async def password_confirmed(self, email: str, address: str) -> None:
        await self._logins.clear(f"login:{_bounded(email)}|{client_block(address)}")

    async def slowdown(self, address: str) -> timedelta:
        """How long a login from ``address`` waits before its password is checked."""
        failures = await self._address_failures.count(f"login-address:{client_block(address)}")
        return self._limits.slowdown if failures >= self._limits.failures_per_address else ZERO

    async def login_failed(self, address: str) -> None:
        await self._address_failures.add(f"login-address:{client_block(address)}")

    async def before_registration(self, address: str) -> None:
        """Take ``address``'s turn to sign up, or raise ``TooManyAttempts`` if its taken
        emails earned a delay that has not passed."""
        if retry_after := await self._signups.claim(_registration(address), counted=False):
            raise TooManyAttempts(retry_after, Throttled.SIGN_UPS)

    async def email_taken(self, address: str) -> None:
        """A sign-up from ``address`` named an email that has an account: count it."""
        await self._signups.failed(_registration(address))

    async def prune(self) -> int:
        # One collection: pruning the logins' keys prunes the sign-ups' too.
        return await self._logins.prune() + await self._address_failures.prune()


def _registration(address: str) -> str:
    return f"registration:{client_block(address)}"


def client_block(address: str) -> str:
    """A client address as limits count it: an IPv6 address by its /64 network (the block
    one customer usually holds), an IPv4 one (also written IPv6-mapped) as itself."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return _bounded(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _bounded(value: str) -> str:
    return value[:256]
