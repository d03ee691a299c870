"""Short named leases shared by every process: one holder at a time, that holds by renewing.

One document per held name in ``leases``: ``{_id: name, owner, until}``. Each step is one
single-document write:

- acquire: an upsert guarded by ``until <= now``. It inserts a free name, takes over an
  expired lease in place, and hits the unique ``_id`` (refused) while someone holds it.
- renew: ``$set`` of ``until`` guarded by ``owner``; it fails once another took over.
- release: a delete guarded by ``owner``.

A holder that dies stops renewing, so its lease ends at most ``ttl`` later: the cost of a
killed process is a wait, never a name blocked for good. Expiry is decided by each
process's clock against ``until`` (keep machines' clocks in sync; NTP's milliseconds are
far below a lease). Waiting is polling with capped exponential backoff and jitter (no
change streams, which the embedded engine lacks). ``prune`` removes leases whose holder
died without releasing (housekeeping only: an expired lease is free either way).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from core.base import clock
from core.store import Collection

log = logging.getLogger(__name__)

FIRST_POLL = 0.005
"""Seconds before the first retry of a refused acquire; doubled up to ``LAST_POLL``."""
LAST_POLL = 0.25
RENEWALS_PER_LEASE = 3
"""A holder renews this many times per ``ttl``, so one late renewal loses nothing."""


class Leases:
    def __init__(self, collection: Collection, now: Callable[[], datetime] = clock.now) -> None:
        self._leases = collection
        self._now = now

    async def try_acquire(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Take ``name`` for ``owner`` if it is free or its lease expired."""
        now = self._now()
        try:
            await self._leases.update_one(
                {"_id": name, "until": {"$lte": now}},
                {"$set": {"owner": owner, "until": now + ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def renew(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Extend ``owner``'s lease; False if it was lost (expired and taken over)."""
        result = await self._leases.update_one(
            {"_id": name, "owner": owner}, {"$set": {"until": self._now() + ttl}}
        )
        return result.matched_count == 1

    async def release(self, name: str, owner: str) -> None:
        await self._leases.delete_one({"_id": name, "owner": owner})

    async def prune(self) -> int:
        """Delete expired leases (their holders died); how many."""
        return (await self._leases.delete_many({"until": {"$lte": self._now()}})).deleted_count

    @contextlib.asynccontextmanager
    async def hold(self, name: str, ttl: timedelta) -> AsyncIterator[None]:
        """Wait until ``name`` is ours, keep it renewed while the block runs, then release."""
        owner = uuid.uuid4().hex
        delay = FIRST_POLL
        while not await self.try_acquire(name, owner, ttl):
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 (jitter)
            delay = min(delay * 2, LAST_POLL)
        renewing = asyncio.create_task(self._keep_renewed(name, owner, ttl))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            await self.release(name, owner)

    async def _keep_renewed(self, name: str, owner: str, ttl: timedelta) -> None:
        while True:
            await asyncio.sleep(ttl.total_seconds() / RENEWALS_PER_LEASE)
            try:
                renewed = await self.renew(name, owner, ttl)
            except Exception:
                log.exception("lease renewal failed; will retry", extra={"lease": name})
                continue
            if not renewed:
                log.warning("lease lost: this process stalled past it", extra={"lease": name})
                return
