"""Operator broadcasts: one text to a segment of customers, each reached at most once.

A broadcast fans out into the notification queue in batches, recipients in ``_id`` order.
The broadcast document is the journal: ``journal.cursor`` is the last recipient written,
so a fan-out interrupted by a crash resumes after it (``recover``); notification ids are
``broadcast:<broadcast>:<user>``, so writing a batch twice is harmless. Delivery is the
worker's, as for any notification.

A broadcast started from a chat names the message that reports its progress
(``reportTo``); ``reports_due`` lists those still to be brought up to date, until
``reported`` marks one whose final progress was shown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.access import Actor
from core.accounts.models import STAFF, Language, Role
from core.base import clock
from core.base.commands import HistoryQuery
from core.base.errors import Missing, NotFound
from core.base.ids import parse_id
from core.base.journal import close_journal, open_journal, recover_expired
from core.base.models import Page
from core.messaging.commands import BroadcastDraft, Segment, SegmentKind
from core.messaging.errors import BroadcastClosed
from core.messaging.models import (
    Broadcast,
    BroadcastProgress,
    BroadcastState,
    NoticeKind,
    ProgressReport,
    SendState,
)
from core.messaging.notifications import NotificationQueue, new_notification
from core.store import Store, find_page

FAN_OUT = "fanout"
BATCH = 500


class Broadcasts:
    def __init__(self, store: Store, queue: NotificationQueue, lease: timedelta) -> None:
        self._broadcasts = store.broadcasts
        self._notifications = store.notifications
        self._users = store.users
        self._orders = store.orders
        self._queue = queue
        self._lease = lease

    async def start(
        self,
        actor: Actor,
        draft: BroadcastDraft,
        *,
        broadcast_id: str | None = None,
        report_to: tuple[int, int] | None = None,
        report_language: Language | None = None,
    ) -> Broadcast:
        """Record the broadcast and fan it out; sending goes on in the notifier.

        A ``broadcast_id`` from ``new_id`` makes starting idempotent: the same id starts
        one broadcast, however often it is sent. ``report_to`` is the ``(chat, message)``
        that shows its progress (see ``reports_due``), in ``report_language``.
        """
        actor.require(*STAFF)
        now = clock.now()
        journal, owner = open_journal(FAN_OUT, now, self._lease)
        document: dict[str, Any] = {
            "_id": ObjectId() if broadcast_id is None else parse_id(broadcast_id),
            "text": draft.text,
            "formatted": draft.formatted,
            "segment": draft.segment.model_dump(by_alias=True, exclude_none=True),
            "state": BroadcastState.PREPARING.value,
            "createdBy": actor.user_id,
            "createdAt": now,
            "journal": {**journal, "cursor": None},
        }
        if report_to is not None:
            chat_id, message_id = report_to
            document["reportTo"] = {"chatId": chat_id, "messageId": message_id, "done": False}
            if report_language is not None:
                document["reportTo"]["language"] = report_language.value
        try:
            await self._broadcasts.insert_one(document)
        except DuplicateKeyError:
            return await self._get(document["_id"])  # started already; recovery finishes it
        await self._fan_out(document, owner)
        return await self._get(document["_id"])

    @staticmethod
    def new_id() -> str:
        """An id for a broadcast to start later (a draft's), unique like any other."""
        return str(ObjectId())

    async def count_recipients(self, actor: Actor, segment: Segment) -> int:
        """How many customers ``segment`` reaches on Telegram now."""
        actor.require(*STAFF)
        return await self._users.count_documents(await self._recipient_query(segment))

    async def reports_due(self) -> list[ProgressReport]:
        """Progress messages not yet showing their broadcast's final progress."""
        due = self._broadcasts.find({"reportTo.done": False}, {"reportTo": 1})
        return [
            ProgressReport(broadcast_id=document["_id"], **document["reportTo"])
            async for document in due
        ]

    async def reported(self, broadcast_id: ObjectId) -> None:
        """The progress message shows the final progress: no more updates."""
        await self._broadcasts.update_one({"_id": broadcast_id}, {"$set": {"reportTo.done": True}})

    async def progress(self, actor: Actor, broadcast_id: object) -> BroadcastProgress:
        actor.require(*STAFF)
        broadcast = await self._get(parse_id(broadcast_id))
        counts = {state: 0 for state in SendState}
        by_state = await self._notifications.aggregate(
            [
                {"$match": {"broadcastId": broadcast.id}},
                {"$group": {"_id": "$state", "count": {"$sum": 1}}},
            ]
        )
        async for group in by_state:
            counts[SendState(group["_id"])] = group["count"]
        remaining = counts[SendState.QUEUED] + counts[SendState.SENDING]
        state = broadcast.state
        if state is BroadcastState.SENDING and remaining == 0:
            state = BroadcastState.DONE
        return BroadcastProgress(
            broadcast=broadcast,
            state=state,
            total=sum(counts.values()),
            sent=counts[SendState.SENT],
            failed=counts[SendState.FAILED],
            blocked=counts[SendState.BLOCKED],
            cancelled=counts[SendState.CANCELLED],
            remaining=remaining,
        )

    async def recent(self, actor: Actor, query: HistoryQuery) -> Page[Broadcast]:
        """Broadcasts, newest first."""
        actor.require(*STAFF)
        newest_first = [("createdAt", -1), ("_id", -1)]
        return await find_page(
            self._broadcasts, {}, newest_first, Broadcast, query.page, query.limit
        )

    async def cancel(self, actor: Actor, broadcast_id: object) -> BroadcastProgress:
        """Stop a broadcast: what is not sent yet never will be."""
        actor.require(*STAFF)
        oid = parse_id(broadcast_id)
        current = await self._get(oid)
        if current.state is BroadcastState.CANCELLED:
            return await self.progress(actor, oid)
        changed = await self._broadcasts.update_one(
            {"_id": oid, "state": {"$in": [BroadcastState.PREPARING, BroadcastState.SENDING]}},
            {"$set": {"state": BroadcastState.CANCELLED.value}},
        )
        if changed.matched_count == 0:
            raise BroadcastClosed()
        await self._cancel_queued(oid)
        return await self.progress(actor, oid)

    async def recover(self, at: datetime | None = None) -> int:
        """Resume every fan-out whose lease expired before ``at``; how many."""
        at = at or clock.now()
        return await recover_expired(self._broadcasts, FAN_OUT, at, self._lease, self._fan_out)

    async def _fan_out(self, broadcast: dict[str, Any], owner: str) -> None:
        cursor = broadcast["journal"].get("cursor")
        batch: list[dict[str, Any]] = []
        async for user in self._recipients(Segment.model_validate(broadcast["segment"]), cursor):
            batch.append(self._notice(broadcast, user))
            if len(batch) == BATCH:
                if not await self._write(broadcast["_id"], owner, batch):
                    return
                batch = []
        if batch and not await self._write(broadcast["_id"], owner, batch):
            return
        await self._broadcasts.update_one(
            {"_id": broadcast["_id"], "state": BroadcastState.PREPARING.value},
            {"$set": {"state": BroadcastState.SENDING.value}},
        )
        await close_journal(self._broadcasts, broadcast["_id"], owner)

    async def _write(self, broadcast_id: ObjectId, owner: str, batch: list[dict[str, Any]]) -> bool:
        """Queue a batch and move the cursor past it; ``False`` if the fan-out must stop."""
        await self._queue.enqueue(batch)
        moved = await self._broadcasts.update_one(
            {"_id": broadcast_id, "journal.owner": owner},
            {"$set": {"journal.cursor": batch[-1]["userId"]}},
        )
        state = await self._broadcasts.find_one({"_id": broadcast_id}, {"state": 1})
        if state is not None and state["state"] == BroadcastState.CANCELLED.value:
            await self._cancel_queued(broadcast_id)
            await close_journal(self._broadcasts, broadcast_id, owner)
            return False
        return moved.matched_count == 1

    def _notice(self, broadcast: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
        notice = new_notification(
            f"broadcast:{broadcast['_id']}:{user['_id']}",
            NoticeKind.BROADCAST,
            user["telegramId"],
            user_id=user["_id"],
            language=user.get("language"),
            broadcastId=broadcast["_id"],
            text=broadcast["text"],
            formatted=broadcast.get("formatted", False),
        )
        if user.get("telegramBlocked"):
            notice["state"] = SendState.BLOCKED.value  # known unreachable: counted, not sent
        return notice

    async def _recipients(
        self, segment: Segment, after: ObjectId | None
    ) -> AsyncIterator[dict[str, Any]]:
        """Active users with a Telegram chat in ``segment``, by ``_id``, after ``after``."""
        query = await self._recipient_query(segment)
        if after is not None:
            query["_id"] = {**query.get("_id", {}), "$gt": after}
        projection = {"telegramId": 1, "telegramBlocked": 1, "language": 1}
        async for user in self._users.find(query, projection).sort("_id", 1):
            yield user

    async def _recipient_query(self, segment: Segment) -> dict[str, Any]:
        query: dict[str, Any] = {"telegramId": {"$exists": True}, "active": {"$ne": False}}
        if segment.kind is SegmentKind.ALL_CUSTOMERS:
            query["role"] = Role.USER.value
        elif segment.kind is SegmentKind.USERS:
            query["_id"] = {"$in": segment.user_ids}
        else:
            orders: dict[str, Any] = {"placed": True}
            if segment.kind is SegmentKind.ORDER_STATUS:
                assert segment.status is not None
                orders["status"] = segment.status.value
            else:
                orders["_id"] = {"$in": segment.order_ids}
            query["_id"] = {"$in": await self._orders.distinct("userId", orders)}
        return query

    async def _cancel_queued(self, broadcast_id: ObjectId) -> None:
        await self._notifications.update_many(
            {"broadcastId": broadcast_id, "state": SendState.QUEUED.value},
            {"$set": {"state": SendState.CANCELLED.value}},
        )

    async def _get(self, broadcast_id: ObjectId) -> Broadcast:
        document = await self._broadcasts.find_one({"_id": broadcast_id})
        if document is None:
            raise NotFound(Missing.BROADCAST)
        return Broadcast.model_validate(document)
