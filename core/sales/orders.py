"""Orders after checkout: history, staff search and status changes.

Every status change is one guarded write (``move``), also used by payments and expiry
(``core/sales/payments.py``); it also appends the customer's notice to the order's outbox, in the
same single-document write (see ``core/messaging/notifications.py``).

Cancelling puts the stock back through a journal on the order, like checkout does: the
status write also opens a ``restock`` journal; each product is credited once (marked with
``restockedBy``), and the promo code's use, if any (``core/promotions/uses.py``), the
journal records ``stage: credited`` (and ``promo.returned``), the marks are cleared and the
journal is closed. Recovery resumes from the recorded stage.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from core.accounts.access import Actor
from core.accounts.models import STAFF
from core.base import clock
from core.base.commands import HistoryQuery
from core.base.errors import DomainError, Missing, NotFound, VersionConflict
from core.base.ids import parse_id
from core.base.journal import close_journal, open_journal, recover_expired
from core.base.models import Page
from core.catalog.stock import Stock
from core.messaging.models import NoticeKind
from core.promotions.uses import PromoUses
from core.sales.commands import BulkStatusUpdate, OrderFilter, OrderQuery, OrderSort, StatusUpdate
from core.sales.errors import CheckoutInProgress, IllegalTransition, PaymentRefused, Unpayable
from core.sales.goods import goods_entries, is_digital, restocked
from core.sales.models import (
    TRANSITIONS,
    BulkStatusResult,
    Channel,
    Order,
    OrderStatus,
    PaymentState,
    ShopProcess,
    StatusResult,
)
from core.sales.outbox import Outbox, outbox_entry
from core.sales.refunds import manual_payment, refund_on_cancel
from core.store import Collection, Store, find_page, update_and_fetch

RESTOCK = "restock"
CREDITED = "credited"
BULK_LIMIT = 500
NEWEST_FIRST = [("createdAt", -1), ("_id", -1)]
OLDEST_FIRST = [("createdAt", 1), ("_id", 1)]
MAX_CUSTOMERS_MATCHED = 1000
"""Customers whose name or email match a search's words, at most (their orders are shown)."""
MIN_PHONE_DIGITS = 4
"""Fewer digits are searched as an order number only, not as part of a phone number."""


async def order_filters(query: OrderFilter, users: Collection) -> dict[str, Any]:
    """The database filter of the placed orders ``query`` selects (``users``: where a
    search's words find customers by name or email)."""
    filters: dict[str, Any] = {"placed": True}
    if query.status is not None:
        filters["status"] = query.status.value
    if query.user_id is not None:
        filters["userId"] = query.user_id
    created: dict[str, datetime] = {}
    if query.created_from is not None:
        created["$gte"] = query.created_from
    if query.created_to is not None:
        created["$lt"] = query.created_to
    if created:
        filters["createdAt"] = created
    if (state := query.payment_state) is not None:
        # an order nobody has paid yet may have no payment record at all
        unpaid = state is PaymentState.UNPAID
        filters["payment.state"] = {"$in": [state.value, None]} if unpaid else state.value
    if query.delivery_method is not None:
        filters["delivery.method"] = query.delivery_method
    if query.campaign is not None:
        filters["campaign"] = query.campaign
    if words := query.q.strip():
        filters["$or"] = await _matching(words, users)
    return filters


async def _matching(words: str, users: Collection) -> list[dict[str, Any]]:
    """Filters, any of which an order matching ``words`` meets: its number, its customer's
    name or email, its recipient's name or phone."""
    pattern = {"$regex": re.escape(words), "$options": "i"}
    customers = users.find({"$or": [{"name": pattern}, {"email": pattern}]}, {"_id": 1}).limit(
        MAX_CUSTOMERS_MATCHED
    )
    matches: list[dict[str, Any]] = [
        {"userId": {"$in": [document["_id"] async for document in customers]}},
        {"delivery.recipientName": pattern},
    ]
    number = words.removeprefix("#")
    if number.isdecimal() and len(number) <= 16:
        matches.append({"number": int(number)})
    digits = re.sub(r"[^0-9]", "", words)
    if len(digits) >= MIN_PHONE_DIGITS and re.fullmatch(r"[+0-9 ()./-]+", words):
        matches.append({"delivery.phone": {"$regex": re.escape(digits)}})
    return matches


class Orders:
    def __init__(self, store: Store, outbox: Outbox, stock: Stock, lease: timedelta) -> None:
        self._orders = store.orders
        self._users = store.users
        self._stock = stock
        self._outbox = outbox
        self._lease = lease
        self._uses = PromoUses(store)

    async def history(self, user_id: ObjectId, query: HistoryQuery) -> Page[Order]:
        return await find_page(
            self._orders,
            {"userId": user_id, "placed": True},
            NEWEST_FIRST,
            Order,
            query.page,
            query.limit,
        )

    async def get_own(self, user_id: ObjectId, order_id: object) -> Order:
        """The user's own order; someone else's is reported as not existing."""
        return await self._get({"_id": parse_id(order_id), "userId": user_id})

    async def get(self, actor: Actor, order_id: object) -> Order:
        actor.require(*STAFF)
        return await self._get({"_id": parse_id(order_id)})

    async def search(self, actor: Actor, query: OrderQuery) -> Page[Order]:
        actor.require(*STAFF)
        filters = await order_filters(query, self._users)
        order = NEWEST_FIRST if query.sort is OrderSort.NEWEST else OLDEST_FIRST
        return await find_page(self._orders, filters, order, Order, query.page, query.limit)

    async def change_status(
        self,
        actor: Actor,
        order_id: object,
        update: StatusUpdate,
        channel: Channel | None = None,
    ) -> Order:
        """Move an order along an allowed transition; cancelling restocks its products.
        ``channel``: where the staff member did it (kept in the order's history)."""
        actor.require(*STAFF)
        order = await self._get({"_id": parse_id(order_id)})
        if update.status not in TRANSITIONS[order.status]:
            raise IllegalTransition(order.status.value, update.status.value)
        if update.expected_version is not None and update.expected_version != order.version:
            raise VersionConflict("order")
        if update.status is OrderStatus.PAID and is_digital(order):
            raise PaymentRefused(Unpayable.STARS_ONLY)  # paid by hand: not in Stars
        fields = manual_payment(clock.now()) if update.status is OrderStatus.PAID else {}
        document = await self.move(
            order, update.status, actor.user_id, fields=fields, channel=channel
        )
        if document is None:
            current = await self._orders.find_one({"_id": order.id}, {"journal": 1})
            if current is not None and "journal" in current:
                raise CheckoutInProgress()
            raise VersionConflict("order")
        return Order.model_validate(document)

    async def move(
        self,
        order: Order,
        target: OrderStatus,
        by: ObjectId | ShopProcess | None,
        *,
        guard: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
        notice: NoticeKind = NoticeKind.ORDER_STATUS,
        operators: NoticeKind | None = None,
        channel: Channel | None = None,
    ) -> dict[str, Any] | None:
        """Move ``order`` to ``target`` if it is still as it was read and ``guard`` holds, in
        one write with its history entry, its notice (and the ``operators``' one, if any) and
        ``fields``; then relay the notices.

        A cancellation also opens the restock journal and puts the stock back, and owes a
        paid order's payment back (``core/sales/refunds.py``). Returns the order as written, or
        ``None`` when it changed in the meantime (nothing was written).
        """
        now = clock.now()
        version = order.version + 1
        change = {
            "from": order.status.value,
            "to": target.value,
            "by": by.value if isinstance(by, ShopProcess) else by,
            "at": now,
        }
        if channel is not None:
            change["channel"] = channel.value
        sets: dict[str, Any] = {"status": target.value, "updatedAt": now, **(fields or {})}
        notices = [outbox_entry(notice, order.id, version)]
        if operators is not None:
            notices.append(outbox_entry(operators, order.id, version))
        notices += goods_entries(order, target, version)
        owner = ""
        if target is OrderStatus.CANCELLED:
            sets["journal"], owner = open_journal(RESTOCK, now, self._lease)
            owed, refund_notices = refund_on_cancel(order, version)
            sets.update(owed)
            notices += refund_notices
        document = await update_and_fetch(
            self._orders,
            {
                "_id": order.id,
                "status": order.status.value,
                "version": order.version,
                "journal": {"$exists": False},
                **(guard or {}),
            },
            {
                "$set": sets,
                "$push": {"history": change, "outbox": {"$each": notices}},
                "$inc": {"version": 1},
            },
        )
        if document is None:
            return None
        if target is OrderStatus.CANCELLED:
            await self._restock(document, owner)
        await self._outbox.relay(document)
        return document

    async def change_statuses(
        self, actor: Actor, bulk: BulkStatusUpdate, channel: Channel | None = None
    ) -> BulkStatusResult:
        """Move many orders, each on its own (one failing does not stop the others)."""
        actor.require(*STAFF)
        if bulk.order_ids is not None:
            order_ids = list(dict.fromkeys(bulk.order_ids))
        else:
            assert bulk.from_status is not None
            order_ids = await self._orders.distinct(
                "_id", {"placed": True, "status": bulk.from_status.value}
            )
        results = []
        for order_id in order_ids[:BULK_LIMIT]:
            try:
                update = StatusUpdate(status=bulk.status)
                order = await self.change_status(actor, order_id, update, channel)
            except DomainError as error:
                results.append(
                    StatusResult(
                        order_id=order_id, ok=False, error=error.code, message=error.message
                    )
                )
            else:
                results.append(StatusResult(order_id=order_id, ok=True, status=order.status))
        return BulkStatusResult(results=tuple(results))

    async def _get(self, query: dict[str, Any]) -> Order:
        document = await self._orders.find_one({**query, "placed": True})
        if document is None:
            raise NotFound(Missing.ORDER)
        return Order.model_validate(document)

    async def _restock(self, document: dict[str, Any], owner: str) -> None:
        """Credit each line once (marked ``restockedBy``) and the promo code's use, then
        clear the marks."""
        order_id = document["_id"]
        order = Order.model_validate(document)
        lines = restocked(order, document)
        if document["journal"].get("stage") != CREDITED:
            await self._stock.credit(order_id, lines)
            stage: dict[str, Any] = {"journal.stage": CREDITED}
            if order.promo is not None:
                await self._uses.credit(order_id, order.user_id, order.promo)
                stage["promo.returned"] = True
            credited = await self._orders.update_one(
                {"_id": order_id, "journal.owner": owner}, {"$set": stage}
            )
            if credited.matched_count == 0:
                return  # recovery took this journal over and finishes it
        await self._stock.uncredit_marks(order_id, lines)
        if order.promo is not None:
            await self._uses.uncredit_marks(order_id, order.promo)
        await close_journal(self._orders, order_id, owner)

    async def recover(self, at: datetime | None = None) -> int:
        """Finish every restock whose lease expired before ``at``; how many."""
        at = at or clock.now()
        return await recover_expired(self._orders, RESTOCK, at, self._lease, self._restock)
