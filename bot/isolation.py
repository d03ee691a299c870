"""One user's updates one at a time across every bot process (webhook mode).

aiogram's ``SimpleEventIsolation`` serialises a user's updates within one process. With
several bot processes behind one webhook URL, two of them can get updates of one user at
once, and their FSM steps would interleave. ``SharedEventIsolation`` holds a short lease
on the user in MongoDB (``core/base/leases.py``) while an update is handled; within a process,
an asyncio lock queues the process's own updates first, so only one of them polls.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import timedelta

from aiogram.fsm.storage.base import BaseEventIsolation, DefaultKeyBuilder, StorageKey

from core.base.leases import Leases

KEYS = DefaultKeyBuilder(prefix="bot", with_bot_id=True, with_business_connection_id=True)


class SharedEventIsolation(BaseEventIsolation):
    def __init__(self, leases: Leases, ttl: timedelta) -> None:
        self._leases = leases
        self._ttl = ttl
        self._local: dict[str, tuple[asyncio.Lock, int]] = {}
        """Per user with updates in this process: its lock and how many updates use it."""

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        name = KEYS.build(key, "lock")
        lock, users = self._local.get(name, (asyncio.Lock(), 0))
        self._local[name] = (lock, users + 1)
        try:
            async with lock, self._leases.hold(name, self._ttl):
                yield
        finally:
            lock, users = self._local[name]
            if users == 1:
                del self._local[name]
            else:
                self._local[name] = (lock, users - 1)

    async def close(self) -> None:
        """Leases are released as each update finishes; nothing is left to close."""
