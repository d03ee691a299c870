"""Checkout: turn a cart into a pending order without overselling, once per key.

The order document is its own journal. Its steps, each one atomic single-document write:

1. insert the order with ``placed: false`` and a ``journal`` lease owned by this attempt;
2. per line, take the stock with a guarded ``$inc`` that also marks the product with the
   order id (``reservedBy``), so a line is taken at most once and can be given back exactly;
3. commit: ``placed: true`` (and the operators' new-order notice in the outbox), only
   while this attempt still owns the lease;
4. settle: take the ordered lines out of the cart (once per order), clear the product
   marks (no longer needed once placed: recovery only rolls a placed order forward), and
   close the journal.

A crash before 3 is rolled back and one after 3 is rolled forward by ``recover`` once the
lease has expired. See the README's "Crash safety" for the one remaining window.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core import clock
from core.carts import Carts
from core.catalog import Catalog
from core.errors import (
    CartChanged,
    CheckoutInProgress,
    Conflict,
    EmptyCart,
    OutOfStock,
    ProductUnavailable,
)
from core.journal import claim_expired, close_journal, open_journal
from core.models import Order, OrderLine, OrderStatus
from core.notifications import NoticeKind
from core.outbox import Outbox, outbox_entry
from core.store import Store

CHECKOUT = "checkout"
REPLAY_WAIT_SECONDS = 5.0
REPLAY_POLL_SECONDS = 0.05


class Checkout:
    def __init__(
        self, store: Store, catalog: Catalog, carts: Carts, outbox: Outbox, lease: timedelta
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._orders = store.orders
        self._products = store.products
        self._catalog = catalog
        self._carts = carts
        self._lease = lease

    async def place_order(
        self,
        user_id: ObjectId,
        idempotency_key: str | None = None,
        *,
        cart_version: int | None = None,
    ) -> Order:
        """Order what is in the cart. The same key always yields the same single order.

        With ``cart_version`` (the version the customer reviewed), a cart changed since
        then raises ``CartChanged`` instead of ordering, unless the key was already used.
        """
        key = idempotency_key or uuid.uuid4().hex
        for _ in range(3):
            existing = await self._orders.find_one({"userId": user_id, "idempotencyKey": key})
            if existing is not None:
                order = await self._outcome_of(existing["_id"])
                if order is not None:
                    return order
                continue  # that attempt failed and was rolled back: try afresh
            order = await self._attempt(user_id, key, cart_version)
            if order is not None:
                return order
        raise CheckoutInProgress()

    async def _attempt(self, user_id: ObjectId, key: str, cart_version: int | None) -> Order | None:
        lines = await self._priced_lines(user_id, cart_version)
        now = clock.now()
        journal, owner = open_journal(CHECKOUT, now, self._lease)
        document: dict[str, Any] = {
            "_id": ObjectId(),
            "number": await self._store.next_number("orders"),
            "userId": user_id,
            "idempotencyKey": key,
            "products": [line.model_dump(by_alias=True) for line in lines],
            "totalAmount": sum(line.line_total for line in lines),
            "currency": self._catalog.currency,
            "status": OrderStatus.PENDING.value,
            "history": [{"from": None, "to": OrderStatus.PENDING.value, "by": user_id, "at": now}],
            "placed": False,
            "journal": journal,
            "version": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        try:
            await self._orders.insert_one(document)
        except DuplicateKeyError:
            return None  # a concurrent attempt with the same key won; wait for its outcome
        for line in lines:
            taken = await self._products.update_one(
                {
                    "_id": line.product_id,
                    "active": True,
                    "stock": {"$gte": line.quantity},
                    "reservedBy": {"$ne": document["_id"]},
                },
                {"$inc": {"stock": -line.quantity}, "$push": {"reservedBy": document["_id"]}},
            )
            if taken.modified_count == 0:
                failure = await self._why_not(line)
                await self._roll_back(document, owner)
                raise failure
        placed = await self._orders.update_one(
            {"_id": document["_id"], "journal.owner": owner},
            {
                "$set": {"placed": True},
                "$push": {"outbox": outbox_entry(NoticeKind.NEW_ORDER, document["_id"], 0)},
            },
        )
        if placed.matched_count == 0:  # stalled past the lease; recovery is rolling it back
            await self._give_back(document)
            raise CheckoutInProgress()
        await self._settle(document, owner)
        await self._outbox.relay(document["_id"])
        return Order.model_validate(document)

    async def _priced_lines(self, user_id: ObjectId, cart_version: int | None) -> list[OrderLine]:
        """The cart's lines at current prices, or the reason it cannot be ordered."""
        cart = await self._carts.view(user_id)
        if cart_version is not None and cart.version != cart_version:
            raise CartChanged()
        if cart.is_empty:
            raise EmptyCart()
        if unavailable := [item.name for item in cart.items if not item.active]:
            raise ProductUnavailable(unavailable)
        if short := [item.name for item in cart.items if not item.available]:
            raise OutOfStock(short)
        return [
            OrderLine(
                product_id=item.product_id,
                quantity=item.quantity,
                name=item.name,
                unit_price=item.unit_price,
                line_total=item.line_total,
            )
            for item in cart.items
        ]

    async def _why_not(self, line: OrderLine) -> Conflict:
        product = await self._products.find_one({"_id": line.product_id}, {"active": 1})
        if product is None or not product.get("active"):
            return ProductUnavailable([line.name])
        return OutOfStock([line.name])

    async def _outcome_of(self, order_id: ObjectId) -> Order | None:
        """The placed order, or ``None`` once a failed attempt is gone; waits a little."""
        deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
        while True:
            document = await self._orders.find_one({"_id": order_id})
            if document is None:
                return None
            if document["placed"]:
                return Order.model_validate(document)
            if asyncio.get_running_loop().time() > deadline:
                raise CheckoutInProgress()
            await asyncio.sleep(REPLAY_POLL_SECONDS)

    async def _give_back(self, document: dict[str, Any]) -> None:
        """Return the stock of every line this order still holds (idempotent)."""
        for line in document["products"]:
            await self._products.update_one(
                {"_id": line["productId"], "reservedBy": document["_id"]},
                {"$inc": {"stock": line["quantity"]}, "$pull": {"reservedBy": document["_id"]}},
            )

    async def _roll_back(self, document: dict[str, Any], owner: str) -> None:
        await self._give_back(document)
        await self._orders.delete_one({"_id": document["_id"], "journal.owner": owner})

    async def _settle(self, document: dict[str, Any], owner: str) -> None:
        order = Order.model_validate(document)
        await self._carts.settle(order.user_id, order.id, order.products)
        for line in order.products:
            await self._products.update_one(
                {"_id": line.product_id}, {"$pull": {"reservedBy": order.id}}
            )
        await close_journal(self._orders, order.id, owner)

    async def recover(self, at: datetime | None = None) -> int:
        """Finish or undo every checkout whose lease expired before ``at``; how many."""
        at = at or clock.now()
        recovered = 0
        while claimed := await claim_expired(self._orders, CHECKOUT, at, self._lease):
            document, owner = claimed
            if document["placed"]:
                await self._settle(document, owner)
            else:
                await self._roll_back(document, owner)
            recovered += 1
        return recovered
