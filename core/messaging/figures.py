"""The notification queue in figures, read from the database (so every process reads the
same, whatever ran before): notices in each state and how long the oldest due one has
waited. Each figure is one count or one read that the ``(state, dueAt)`` index serves."""

from __future__ import annotations

import asyncio
from datetime import datetime

from core.base import clock
from core.messaging.models import NoticeCounts, SendState
from core.store import Store


class NoticeFigures:
    def __init__(self, store: Store) -> None:
        self._notifications = store.notifications

    async def read(self, at: datetime | None = None) -> NoticeCounts:
        now = at or clock.now()
        states = list(SendState)
        counts, oldest = await asyncio.gather(
            asyncio.gather(
                *(self._notifications.count_documents({"state": s.value}) for s in states)
            ),
            self._notifications.find_one(
                {"state": SendState.QUEUED.value, "dueAt": {"$lte": now}},
                {"dueAt": 1},
                sort=[("dueAt", 1)],
            ),
        )
        waited = 0.0 if oldest is None else (now - oldest["dueAt"]).total_seconds()
        by_state = dict(zip(states, counts, strict=True))
        return NoticeCounts(by_state=by_state, oldest_due_seconds=waited)
