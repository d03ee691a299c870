"""A customer's data: seeing all of it, and erasing it (the customer, or an admin on their
request).

Erasing touches several collections, so the account is its own journal (``journal: {kind:
"erasure", owner, leaseUntil, telegramId, by}``, as ``core/accounts/roles.py`` does for role
changes); each step is safe to repeat:

0. (no writes) refuse a staff account, and a customer with paid orders still to be
   delivered (``DeliveryOutstanding``: the shop must deliver what was paid, to the details
   the order names; the customer asks again once they are shipped or cancelled);
1. open the journal on the account, only where no other change is open (or an erasure's
   lease ran out: a rerun carries on where a killed one stopped);
2. cancel every unpaid order through ``Orders.move`` (its stock comes back through the
   restock journal), check again that no order was paid meanwhile, and that no checkout is
   half done; if one was, close the journal with nothing erased and refuse;
3. commit: ``journal.stage: committed``, and the account closed (deactivated, its sessions
   ended: the bot and the API no longer know it, so no new order can start); from here
   the erasure only goes forward. An order a request already under way placed before
   that is cancelled now too, as far as it can be;
4. anonymise the orders: every personal field of their delivery details becomes ``deleted``
   (lines, totals, payment records and charge ids stay, for the shop's accounts and
   refunds); an order paid meanwhile (it cannot be, once 2 passed, but if it were) keeps
   its details until it is delivered;
5. cancel the notices queued for the customer, and blank the chat id of those sent;
6. delete the cart, the "Notify me" subscriptions (``core/catalog/restock_alerts.py``) and
   the bot's conversation state of the customer's chats;
7. the account becomes a tombstone in one write that closes the journal: name and email
   replaced (the email is free to sign up again), Telegram id, language and saved delivery
   details removed, no password, deactivated and its sessions ended. The Telegram user
   who comes back is a new customer.

Recovery, once the lease ran out, carries on the same way (from 2, or from 4 once
committed). A second request finds the tombstone and reports nothing left to erase.

The notifications and orders of one customer are found by ``userId``, which no index
serves: erasing is rare, and reads those collections through once.
"""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from core.accounts.access import Actor
from core.accounts.errors import AccountBusy
from core.accounts.models import Role, User
from core.base import clock
from core.base.errors import DomainError, Missing, NotFound
from core.base.ids import parse_id
from core.base.journal import close_journal, open_journal, recover_expired
from core.messaging.models import NoticeKind, SendState
from core.privacy.errors import DeliveryOutstanding, ErasureBusy, StaffAccount
from core.privacy.models import (
    ERASED,
    Conversation,
    CustomerData,
    ErasureReport,
    QueuedNotice,
)
from core.sales.models import Cart, Order, OrderStatus
from core.sales.orders import Orders
from core.store import Collection, Store

log = logging.getLogger(__name__)

ERASURE = "erasure"
COMMITTED = "committed"
ATTEMPTS = 3
CUSTOMER_KINDS = (
    NoticeKind.ORDER_STATUS,
    NoticeKind.ORDER_EXPIRED,
    NoticeKind.LATE_PAYMENT,
    NoticeKind.REFUNDED,
    NoticeKind.BROADCAST,
    NoticeKind.GOODS,
    NoticeKind.CART_REMINDER,
    NoticeKind.BACK_IN_STOCK,
)
CUSTOMER_NOTICES = {"kind": {"$in": [kind.value for kind in CUSTOMER_KINDS]}}
"""The customer's own notices: order cards carry the customer's id but go to operators,
and an earlier version's ``star_refund`` notices become refund jobs, which need the chat."""
PERSONAL_DELIVERY_FIELDS = ("recipientName", "phone", "note")


def conversation_ids(telegram_id: int) -> dict[str, Any]:
    """The bot's FSM documents of a Telegram user, in any chat: aiogram's default key,
    ``fsm:<chat id>[:<thread id>]:<user id>`` (``bot/storage.py``)."""
    return {"_id": {"$regex": rf"^fsm:-?\d+(:\d+)?:{re.escape(str(telegram_id))}$"}}


class Privacy:
    def __init__(
        self, store: Store, orders: Orders, conversations: Collection, lease: timedelta
    ) -> None:
        """``conversations``: the bot's FSM collection (``FSM_COLLECTION``)."""
        self._users = store.users
        self._orders = store.orders
        self._carts = store.carts
        self._notifications = store.notifications
        self._restock_subscriptions = store.restock_subscriptions
        self._conversations = conversations
        self._moves = orders
        self._lease = lease

    async def export(self, actor: Actor, user_id: object) -> CustomerData:
        """Everything the shop keeps about the customer: their own, or any for an admin."""
        oid = _allowed(actor, user_id)
        document = await self._users.find_one({"_id": oid})
        if document is None:
            raise NotFound(Missing.USER)
        telegram_id = document.get("telegramId")
        cart = await self._carts.find_one({"userId": oid})
        conversations = (
            []
            if telegram_id is None
            else await self._conversations.find(conversation_ids(telegram_id)).to_list()
        )
        orders = self._orders.find({"userId": oid, "placed": True}, sort=[("number", 1)])
        queued = self._notifications.find(
            {"userId": oid, "state": SendState.QUEUED.value, **CUSTOMER_NOTICES}
        )
        return CustomerData(
            account=User.model_validate(document),
            cart=None if cart is None else Cart.model_validate(cart),
            conversations=tuple(Conversation.model_validate(c) for c in conversations),
            orders=tuple(Order.model_validate(order) for order in await orders.to_list()),
            queued_notices=tuple(QueuedNotice.model_validate(n) for n in await queued.to_list()),
            restock_requests=tuple(
                [w["productId"] async for w in self._restock_subscriptions.find({"userId": oid})]
            ),
            erased="erasedAt" in document,
        )

    async def erase(self, actor: Actor, user_id: object) -> ErasureReport:
        """Erase the customer's data (see the module's docstring); their own, or any
        customer's for an admin. Safe to repeat."""
        oid = _allowed(actor, user_id)
        document = await self._users.find_one({"_id": oid})
        if document is None:
            raise NotFound(Missing.USER)
        if "erasedAt" in document and "journal" not in document:
            return await self._report(oid, erased=False)
        if document.get("role", Role.USER.value) != Role.USER.value:
            raise StaffAccount()
        await self._refuse_outstanding(oid)
        now = clock.now()
        journal, owner = open_journal(ERASURE, now, self._lease)
        journal.update({"telegramId": document.get("telegramId"), "by": actor.user_id})
        # field by field, so that an erasure taken over keeps its stage
        before = await self._users.find_one_and_update(
            {
                "_id": oid,
                "$or": [
                    {"journal": None},
                    {"journal.kind": ERASURE, "journal.leaseUntil": {"$lt": now}},
                ],
            },
            {"$set": {f"journal.{key}": value for key, value in journal.items()}},
        )
        if before is None:
            raise AccountBusy()
        if "erasedAt" in before:  # erased meanwhile by another request
            await close_journal(self._users, oid, owner)
            return await self._report(oid, erased=False)
        stage = (before.get("journal") or {}).get("stage")
        cancelled = await self._carry_out(oid, owner, journal, stage)
        log.info(
            "customer data erased",
            extra={"customer": str(oid), "by": str(actor.user_id or "system")},
        )
        return await self._report(oid, erased=True, cancelled=cancelled)

    async def recover(self, at: datetime | None = None) -> int:
        """Carry on every erasure whose lease ran out before ``at``; how many."""
        return await recover_expired(
            self._users, ERASURE, at or clock.now(), self._lease, self._resume
        )

    async def _resume(self, document: dict[str, Any], owner: str) -> None:
        journal = document["journal"]
        try:
            await self._carry_out(document["_id"], owner, journal, journal.get("stage"))
        except DomainError as refused:  # closed with nothing erased; the request was refused
            log.warning(
                "customer data erasure not finished: %s",
                refused.reason,
                extra={"customer": str(document["_id"])},
            )
            return
        log.info(
            "customer data erased",
            extra={"customer": str(document["_id"]), "by": str(journal.get("by") or "system")},
        )

    async def _carry_out(
        self, oid: ObjectId, owner: str, journal: dict[str, Any], stage: str | None
    ) -> tuple[int, ...]:
        """Steps 2 to 7; the numbers of the orders cancelled here."""
        cancelled: tuple[int, ...] = ()
        if stage != COMMITTED:
            try:
                cancelled = await self._cancel_unpaid(oid, journal.get("by"))
                await self._refuse_outstanding(oid)
            except DomainError:
                await close_journal(self._users, oid, owner)
                raise
            committed = await self._users.update_one(
                {"_id": oid, "journal.owner": owner},
                {
                    "$set": {"journal.stage": COMMITTED, "active": False},
                    "$inc": {"sessionVersion": 1},
                },
            )
            if committed.matched_count == 0:
                raise AccountBusy()  # stalled past the lease: another process carries on
        with contextlib.suppress(ErasureBusy):  # an order placed before the account closed
            cancelled += await self._cancel_unpaid(oid, journal.get("by"))
        await self._anonymise_orders(oid)
        await self._notifications.update_many(
            {"userId": oid, "state": SendState.QUEUED.value, **CUSTOMER_NOTICES},
            {"$set": {"state": SendState.CANCELLED.value}},
        )
        await self._notifications.update_many(
            {"userId": oid, "state": {"$ne": SendState.SENDING.value}, **CUSTOMER_NOTICES},
            {"$set": {"chatId": 0}},
        )
        await self._carts.delete_one({"userId": oid})
        await self._restock_subscriptions.delete_many({"userId": oid})  # "Notify me" presses
        if (telegram_id := journal.get("telegramId")) is not None:
            await self._conversations.delete_many(conversation_ids(telegram_id))
        now = clock.now()
        await self._users.update_one(
            {"_id": oid, "journal.owner": owner},
            {
                "$set": {
                    "name": ERASED,
                    "email": f"{ERASED}-{oid}@erased.invalid",
                    "active": False,
                    "passwordHash": None,
                    "erasedAt": now,
                    "updatedAt": now,
                },
                "$unset": {
                    "telegramId": "",
                    "telegramBlocked": "",
                    "language": "",
                    "lastDelivery": "",
                    "campaign": "",
                    "journal": "",
                },
                "$inc": {"sessionVersion": 1},
            },
        )
        return cancelled

    async def _cancel_unpaid(self, oid: ObjectId, by: ObjectId | None) -> tuple[int, ...]:
        """Cancel every pending order (stock back, through ``Orders.move``); refuse while
        a checkout or cancellation of the customer is half done."""
        cancelled: list[int] = []
        for _ in range(ATTEMPTS):
            if await self._orders.find_one({"userId": oid, "placed": False}) is not None:
                break  # a checkout in flight: its order may be placed any moment
            pending = await self._orders.find(
                {"userId": oid, "placed": True, "status": OrderStatus.PENDING.value}
            ).to_list()
            if not pending:
                return tuple(cancelled)
            for document in pending:
                order = Order.model_validate(document)
                if await self._moves.move(order, OrderStatus.CANCELLED, by) is not None:
                    cancelled.append(order.number)
        raise ErasureBusy()

    async def _refuse_outstanding(self, oid: ObjectId) -> None:
        paid = await self._orders.find(
            {"userId": oid, "placed": True, "status": OrderStatus.PAID.value},
            {"number": 1, "goodsSentAt": 1, "products.digital": 1},
            sort=[("number", 1)],
        ).to_list()
        # an order of digital goods only is delivered once they were sent to the chat
        outstanding = [
            document["number"]
            for document in paid
            if "goodsSentAt" not in document
            or any(line.get("digital") is None for line in document["products"])
        ]
        if outstanding:
            raise DeliveryOutstanding(outstanding)

    async def _anonymise_orders(self, oid: ObjectId) -> None:
        """Every personal field of the delivery details becomes ``deleted``; a paid order
        keeps them until it is delivered."""
        owned = {"userId": oid, "status": {"$ne": OrderStatus.PAID.value}}
        await self._orders.update_many(
            {**owned, "delivery": {"$type": "object"}},
            {"$set": {f"delivery.{field}": ERASED for field in PERSONAL_DELIVERY_FIELDS}},
        )
        await self._orders.update_many(
            {**owned, "delivery.address": {"$type": "string"}},
            {"$set": {"delivery.address": ERASED}},
        )

    async def _report(
        self, oid: ObjectId, *, erased: bool, cancelled: tuple[int, ...] = ()
    ) -> ErasureReport:
        kept = await self._orders.find(
            {"userId": oid, "placed": True}, {"number": 1}, sort=[("number", 1)]
        ).to_list()
        return ErasureReport(
            user_id=oid,
            erased=erased,
            cancelled_orders=cancelled,
            kept_orders=tuple(document["number"] for document in kept),
        )


def _allowed(actor: Actor, user_id: object) -> ObjectId:
    """The customer's id, if the actor may see and erase their data: their own, or an
    admin's request."""
    oid = parse_id(user_id)
    if actor.user_id != oid:
        actor.require(Role.ADMIN)
    return oid
