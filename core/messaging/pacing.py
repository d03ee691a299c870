"""Send pacing shared by every notifier: slots handed out by the database.

A key (``bot``, ``chat:<id>``) names a rate. Its document holds ``next``, the earliest
moment (ms) the next send under that key may go; taking a slot moves it one interval on.
Any two slots of one key are therefore at least one interval apart, whichever workers
took them.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError

from core.base import clock
from core.store import Store


class SendPacing:
    def __init__(self, store: Store) -> None:
        self._pacing = store.pacing

    async def reserve_slot(self, key: str, interval: timedelta) -> datetime:
        """The moment at which the caller may send under ``key``'s rate.

        One write per slot: a busy key's slot is its ``next`` (``$inc`` with a pre-image
        read); an idle key, whose ``next`` is in the past, is moved to now by a write that
        only one caller can win, and the loser tries again.
        """
        step = max(1, round(interval.total_seconds() * 1000))
        while True:
            now_ms = int(clock.now().timestamp() * 1000)
            busy = await self._pacing.find_one_and_update(
                {"_id": key, "next": {"$gte": now_ms}}, {"$inc": {"next": step}}
            )
            if busy is not None:
                return _moment(int(busy["next"]))
            with contextlib.suppress(DuplicateKeyError):  # created meanwhile: try again
                idle = await self._pacing.update_one(
                    {"_id": key, "next": {"$lt": now_ms}},
                    {"$set": {"next": now_ms + step}},
                    upsert=True,
                )
                if idle.modified_count or idle.upserted_id is not None:
                    return _moment(now_ms)

    async def hold(self, key: str, until: datetime) -> None:
        """Give out no slot under ``key`` before ``until`` (Telegram said: retry after)."""
        until_ms = int(until.timestamp() * 1000)
        await self._pacing.update_one(
            {"_id": key, "next": {"$lt": until_ms}}, {"$set": {"next": until_ms}}
        )


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
