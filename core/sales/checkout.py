"""Checkout: turn a cart into a pending order without overselling, once per cart and key.

The order document is its own journal. Its steps, each one atomic single-document write:

0. (no write) check the delivery details against the shop's methods (``core/sales/delivery.py``);
   the order's snapshot of them, fee included in its total, is written with it in 1 (a
   cart of digital goods only is not delivered: it takes no details, ``core/sales/goods.py``);
1. insert the order with ``placed: false`` and a ``journal`` lease owned by this attempt;
2. claim the cart: set its ``checkout`` to this order's id and lease, only if no other
   checkout holds it. The cart as it was at that instant must be the cart that was priced,
   or the attempt is undone and tried afresh; so a cart's contents become at most one order,
   whatever idempotency keys the callers send, and a second checkout of the same cart waits
   for the first and then finds the cart empty;
   2b. with a promo code in the cart (judged before 1, its discount and snapshot written
   with the order in 1): take one use of it (``core/promotions/uses.py``: the code's
   counter and the customer's tally, each marked with the order id); a code used up
   meanwhile undoes the attempt and refuses with ``PromoRefused``;
3. per line, take the stock with a guarded ``$inc`` that also marks the product with the
   order id (``reservedBy``), so a line is taken at most once and can be given back exactly;
4. commit: ``placed: true`` (and the operators' new-order notice in the outbox), only
   while this attempt still owns the lease;
5. settle: take the ordered lines out of the cart and release its claim (one write, once
   per order), clear the product marks (no longer needed once placed: recovery only rolls a
   placed order forward; the same write tells operators of low stock once per crossing,
   ``core/catalog/stock_alerts.py``) and the promo code's mark (its use is kept), keep
   the delivery details on the customer's profile (unless a newer order's are there), queue
   the new-order notice and close the journal (the same write takes the notice out of the
   outbox).

What ``recover`` does once the lease has expired, by where a crash stopped the attempt:

- before 1: nothing was written;
- after 1, 2, 2b or 3 (not placed): roll back: give back the stock and the promo use still
  marked, release the claim, then delete the order (each part idempotent; a crash in
  between rolls back again);
- after 4 (placed): roll forward: settle (5, each part idempotent);
- a claim whose order no longer exists is released (an attempt stalled past its lease after
  1 finds its order deleted by recovery, claims the cart for nothing, and dies): that order
  can never be committed, since 4 only updates an existing order.

A placed order needs no lease to be finished: settling is idempotent. So a checkout that
finds a placed order with its journal still open (a retry with the same key, or a new
checkout of the cart it still claims) takes the journal over at once and settles it
(``_finish``), rather than leaving the cart claimed until recovery's lease runs out.

See the README's "Crash safety" for the one remaining window.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.base import clock
from core.base.errors import Conflict
from core.base.journal import close_journal, open_journal, recover_expired
from core.base.recovery import UNWATCHED, RecoveryWatcher
from core.campaigns.attribution import order_campaign
from core.catalog.categories import ON_SALE
from core.catalog.products import Catalog
from core.catalog.stock import Stock
from core.promotions.codes import Promotions
from core.promotions.errors import PromoRefused
from core.promotions.models import PromoCode, PromoSnapshot
from core.promotions.pricing import Line
from core.promotions.uses import PromoUses
from core.sales.carts import CartRead, Carts
from core.sales.commands import DeliveryDetails
from core.sales.delivery import Delivery, total_with_fee
from core.sales.errors import (
    CartChanged,
    CheckoutInProgress,
    EmptyCart,
    OutOfStock,
    ProductUnavailable,
)
from core.sales.goods import payable, ships, unshipped
from core.sales.models import Cart, CheckoutClaim, DeliverySnapshot, Order, OrderLine, OrderStatus
from core.sales.outbox import Outbox
from core.store import Store

CHECKOUT = "checkout"
ATTEMPTS = 3
REPLAY_WAIT_SECONDS = 5.0
REPLAY_POLL_SECONDS = 0.05


async def _patiently() -> AsyncIterator[None]:
    """Go at once, then every poll interval; ``CheckoutInProgress`` once the wait is over."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REPLAY_WAIT_SECONDS
    while True:
        yield
        if loop.time() > deadline:
            raise CheckoutInProgress()
        await asyncio.sleep(REPLAY_POLL_SECONDS)


class Checkout:
    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        carts: Carts,
        delivery: Delivery,
        outbox: Outbox,
        stock: Stock,
        lease: timedelta,
        watcher: RecoveryWatcher = UNWATCHED,
        promotions: Promotions | None = None,
    ) -> None:
        self._store = store
        self._promotions = promotions or Promotions(store, catalog.currency)
        self._uses = PromoUses(store)
        self._delivery = delivery
        self._outbox = outbox
        self._orders = store.orders
        self._products = store.products
        self._stock = stock
        self._catalog = catalog
        self._carts = carts
        self._lease = lease
        self._watcher = watcher

    async def place_order(
        self,
        user_id: ObjectId,
        idempotency_key: str | None = None,
        *,
        cart_version: int | None = None,
        delivery: DeliveryDetails | None = None,
    ) -> Order:
        """Order what is in the cart. The same key always yields the same single order, and
        the same cart contents at most one order whatever the keys.

        With ``cart_version`` (the version the customer reviewed), a cart changed since
        then raises ``CartChanged`` instead of ordering, unless the key was already used.
        ``delivery`` is required when the shop has delivery methods, refused otherwise.
        """
        key = idempotency_key or uuid.uuid4().hex
        for _ in range(ATTEMPTS):
            existing = await self._keyed(user_id, idempotency_key)
            if existing is not None:
                order = await self._outcome_of(existing)
                if order is not None:
                    return order
                continue  # that attempt failed and was rolled back: try afresh
            try:
                order = await self._attempt(user_id, key, cart_version, delivery)
            except (EmptyCart, CartChanged):
                # A tap with the same key may have ordered the cart between the look above
                # and this attempt's read of it: then that order is the answer.
                if await self._keyed(user_id, idempotency_key) is None:
                    raise
                continue
            if order is not None:
                return order
        raise CheckoutInProgress()

    async def _keyed(self, user_id: ObjectId, key: str | None) -> dict[str, Any] | None:
        """The order an earlier call with ``key`` made, if any (a key made up by
        ``place_order`` cannot have been used)."""
        if key is None:
            return None
        return await self._orders.find_one({"userId": user_id, "idempotencyKey": key})

    async def _delivery_of(
        self, user_id: ObjectId, details: DeliveryDetails | None
    ) -> DeliverySnapshot | None:
        """The order's delivery snapshot; the recipient is the account holder unless named."""
        name = ""
        if details is not None and details.recipient_name is None:
            account = await self._store.users.find_one({"_id": user_id}, {"name": 1})
            name = "" if account is None else account["name"]
        return self._delivery.snapshot(details, name)

    async def _attempt(
        self,
        user_id: ObjectId,
        key: str,
        cart_version: int | None,
        details: DeliveryDetails | None,
    ) -> Order | None:
        """The placed order, or ``None`` when it is worth looking again (the key or the cart
        was taken by another attempt, which has finished or rolled back since)."""
        cart = await self._carts.get(user_id)
        if cart.checkout is not None:  # another checkout holds the cart: await its outcome
            await self._until_released(user_id)
            return None
        lines = await self._priced_lines(cart, cart_version)
        delivery = None
        if ships(lines):
            delivery = await self._delivery_of(user_id, details)
        else:  # digital goods only, sent in the chat (core/sales/goods.py)
            unshipped(details)
        promo = await self._promo_for(cart, lines, delivery)
        now = clock.now()
        journal, owner = open_journal(CHECKOUT, now, self._lease)
        document: dict[str, Any] = {
            "_id": ObjectId(),
            "number": await self._store.next_number("orders"),
            "userId": user_id,
            "idempotencyKey": key,
            "products": [line.model_dump(by_alias=True) for line in lines],
            "totalAmount": total_with_fee(sum(line.line_total for line in lines), delivery),
            "currency": self._catalog.currency,
            "status": OrderStatus.PENDING.value,
            "history": [{"from": None, "to": OrderStatus.PENDING.value, "by": user_id, "at": now}],
            "placed": False,
            "journal": journal,
            "version": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        if delivery is not None:
            document["delivery"] = delivery.model_dump(by_alias=True)
        document.update(await order_campaign(self._store, user_id))
        if promo is not None:
            document["promo"] = promo[0].model_dump(by_alias=True)
            document["totalAmount"] -= promo[0].discount
        payable(lines, document["totalAmount"])  # nothing written yet
        try:
            await self._orders.insert_one(document)
        except DuplicateKeyError:
            return None  # a concurrent attempt with the same key won; wait for its outcome
        claim = CheckoutClaim(order_id=document["_id"], lease_until=journal["leaseUntil"])
        claimed = await self._carts.claim(user_id, claim)
        if claimed is None or claimed[0] != cart:  # held by another, or changed since priced
            await self._roll_back(document, owner)
            if claimed is None:
                await self._until_released(user_id)
            return None
        if promo is not None and (
            problem := await self._uses.take(document["_id"], user_id, promo[1], now)
        ):
            await self._roll_back(document, owner)
            raise PromoRefused(problem)
        for line in lines:
            if not await self._stock.take(document["_id"], line):
                failure = await self._why_not(line)
                await self._roll_back(document, owner)
                raise failure
        committed = {"placed": True, "outbox": self._outbox.new_order_notices(document["_id"])}
        placed = await self._orders.update_one(
            {"_id": document["_id"], "journal.owner": owner}, {"$set": committed}
        )
        if placed.matched_count == 0:  # stalled past the lease; recovery took the journal
            await self._roll_back(document, owner)
            raise CheckoutInProgress()
        document.update(committed)
        await self._settle(document, owner, claimed[1], relay=True)
        return Order.model_validate(document)

    async def _priced_lines(self, stored: Cart, cart_version: int | None) -> list[OrderLine]:
        """The cart's lines at current prices, or the reason it cannot be ordered."""
        cart = await self._carts.view_of(stored)
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
                variant_id=item.variant_id,
                variant_name=item.variant_name,
                digital=item.digital,
            )
            for item in cart.items
        ]

    async def _promo_for(
        self, cart: Cart, lines: list[OrderLine], delivery: DeliverySnapshot | None
    ) -> tuple[PromoSnapshot, PromoCode] | None:
        """The cart's code as the order keeps it, judged now; ``PromoRefused`` if it no
        longer applies (the customer may drop it and order without)."""
        if cart.promo_code is None:
            return None
        priced = [Line(line.product_id, None, line.line_total) for line in lines]
        fee = 0 if delivery is None else delivery.fee
        return await self._promotions.for_order(cart.user_id, cart.promo_code, priced, fee)

    async def _why_not(self, line: OrderLine) -> Conflict:
        product = await self._products.find_one({"_id": line.product_id, **ON_SALE}, {"_id": 1})
        if product is None or not await self._stock.on_sale(line):
            return ProductUnavailable([line.name])
        return OutOfStock([line.name])

    async def _outcome_of(self, document: dict[str, Any] | None) -> Order | None:
        """The placed order (finished, see ``_finish``), or ``None`` once a failed attempt is
        gone; waits a little."""
        async for _ in _patiently():
            if document is None:
                return None
            if document["placed"]:
                await self._finish(document)
                return Order.model_validate(document)
            document = await self._orders.find_one({"_id": document["_id"]})
        return None  # not reached: _patiently raises when the wait is over

    async def _until_released(self, user_id: ObjectId) -> None:
        """Wait a little for the checkout holding the cart to settle or roll back; one that
        placed its order is finished here at once."""
        async for _ in _patiently():
            claim = (await self._carts.get(user_id)).checkout
            if claim is None:
                return
            document = await self._orders.find_one({"_id": claim.order_id})
            if document is not None and document["placed"]:
                await self._finish(document)

    async def _finish(self, document: dict[str, Any]) -> None:
        """Settle a placed order whose journal is still open, whatever its lease: its
        attempt died after committing (or is settling too: each part is idempotent)."""
        journal = document.get("journal")
        if journal is None:
            return
        owner = uuid.uuid4().hex
        taken = await self._orders.update_one(
            {"_id": document["_id"], "placed": True, "journal.owner": journal["owner"]},
            {"$set": {"journal.owner": owner}},
        )
        if taken.matched_count:
            await self._settle(document, owner)
            await self._outbox.relay(document["_id"])

    async def _roll_back(self, document: dict[str, Any], owner: str) -> None:
        """Undo an unplaced attempt: its stock, its promo code's use, its claim on the cart,
        then the order."""
        order = Order.model_validate(document)
        await self._stock.give_back(order.id, order.products)
        if order.promo is not None:
            await self._uses.give_back(order.id, order.user_id, order.promo)
        await self._carts.release(document["userId"], document["_id"])
        await self._orders.delete_one({"_id": document["_id"], "journal.owner": owner})

    async def _settle(
        self,
        document: dict[str, Any],
        owner: str,
        cart: CartRead | None = None,
        *,
        relay: bool = False,
    ) -> None:
        """Step 5; ``cart``: the cart as this attempt's claim left it, if known. With
        ``relay``, the operators' notices are queued first and the write closing the journal
        also takes them out of the outbox (a crash in between leaves them to
        ``Outbox.relay_pending``, which queues each once)."""
        order = Order.model_validate(document)
        code = None if order.promo is None else order.promo.code
        await self._carts.settle(order.user_id, order.id, order.products, cart, code)
        await self._stock.release(order.id, order.products)
        if order.promo is not None:
            await self._uses.release(order.id, order.promo)
        if order.delivery is not None:
            await self._delivery.remember(order.user_id, order.delivery, order.created_at)
        relayed = await self._outbox.queue(document) if relay else {}
        await close_journal(self._orders, order.id, owner, relayed)

    async def _resume(self, document: dict[str, Any], owner: str) -> None:
        """Roll a taken-over checkout forward if it was placed, else back."""
        if document["placed"]:
            await self._settle(document, owner)
            self._watcher.recovered(CHECKOUT, "rolled_forward")
        else:
            await self._roll_back(document, owner)
            self._watcher.recovered(CHECKOUT, "rolled_back")

    async def recover(self, at: datetime | None = None) -> int:
        """Finish or undo every checkout whose lease expired before ``at``, then release the
        expired claims on carts whose order is gone; how many of both."""
        at = at or clock.now()
        recovered = await recover_expired(self._orders, CHECKOUT, at, self._lease, self._resume)
        for user_id, claim in await self._carts.expired_claims(at):
            if await self._orders.find_one({"_id": claim.order_id}, {"_id": 1}) is None:
                await self._carts.release(user_id, claim.order_id)
                self._watcher.recovered(CHECKOUT, "released_claim")
                recovered += 1
        return recovered
