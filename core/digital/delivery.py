"""Sending a paid order's digital goods to its buyer, exactly once.

The payment's write appends a ``goods_send`` entry to the order's outbox
(``core/sales/goods.py``); relaying it runs ``send`` here, and again after a crash
(``Outbox.relay_pending``, in recovery) until the entry is pulled:

1. claim: ``goodsClaimedAt`` is set on the order, only while it is paid (or shipped). A
   cancellation that came first wins (its restock put the stock back, and nothing is
   taken); one that comes after leaves the key lines out of its restock;
2. per unit of each key line, ``KeyPool.take`` with the unit's slot: the same key however
   often this runs, never a second one;
3. if the pool had no free key for a unit (the stock said there was: a payment slipped
   through), the order is cancelled at once: the Stars payment is refunded and its keys
   returned (the customer hears both);
4. one notification per digital line, id ``goods:<order>:<line>``, queued once by its id
   (the notifier reads the keys when it sends: no key is stored in a notification); and
   ``goodsSentAt`` on the order, for staff.

A cancelled order's keys are returned by its ``goods_return`` entry (and here, if the
cancellation came between claiming and taking).
"""

from __future__ import annotations

import logging
from typing import Any

from bson import ObjectId

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Missing, NotFound
from core.base.ids import parse_id
from core.catalog.models import GoodsFile, GoodsKind
from core.catalog.products import Catalog
from core.digital.files import GoodsFiles
from core.digital.models import LineGoods, OrderGoods
from core.digital.pool import KeyPool, slot_of
from core.messaging.models import GoodsNotice, NoticeKind
from core.messaging.notifications import new_notification
from core.sales.goods import GOODS_RETURN, GOODS_SEND, PAID_STATES
from core.sales.models import Order, OrderStatus, ShopProcess
from core.sales.orders import Orders
from core.sales.outbox import Outbox
from core.store import Store

log = logging.getLogger(__name__)
ATTEMPTS = 5


def notice_id(order_id: ObjectId, line: int) -> str:
    return f"goods:{order_id}:{line}"


class Deliveries:
    def __init__(
        self,
        store: Store,
        orders: Orders,
        catalog: Catalog,
        pool: KeyPool,
        files: GoodsFiles,
    ) -> None:
        self._orders = store.orders
        self._users = store.users
        self._moves = orders
        self._catalog = catalog
        self._pool = pool
        self._files = files

    def register(self, outbox: Outbox) -> None:
        outbox.handlers[GOODS_SEND] = self.send
        outbox.handlers[GOODS_RETURN] = self.take_back

    # -- the outbox's entries --------------------------------------------------------------

    async def send(self, document: dict[str, Any], entry: dict[str, Any]) -> list[dict[str, Any]]:
        """Take the order's keys and queue its goods' notifications (see the module)."""
        order_id = document["_id"]
        current = await self._claim(order_id)
        if current is None:
            return []  # cancelled before delivery claimed anything: nothing was taken
        order = Order.model_validate(current)
        if order.status is OrderStatus.CANCELLED:
            await self._pool.return_order(order_id)
            return []
        for line_number, line in enumerate(order.products):
            if line.digital is not GoodsKind.KEYS:
                continue
            for unit in range(line.quantity):
                slot = slot_of(order_id, line_number, unit)
                if await self._pool.take(order_id, order.user_id, line.product_id, slot) is None:
                    log.warning(
                        "no free key for a paid order: refunding it",
                        extra={"order_id": str(order_id), "line": line_number},
                    )
                    await self._refund(order_id)
                    return []
        after = await self._orders.find_one({"_id": order_id}, {"status": 1})
        if after is None or after["status"] == OrderStatus.CANCELLED.value:
            await self._pool.return_order(order_id)
            return []
        await self._orders.update_one(
            {"_id": order_id, "goodsSentAt": {"$exists": False}},
            {"$set": {"goodsSentAt": clock.now()}},
        )
        return await self._notices(order)

    async def take_back(
        self, document: dict[str, Any], entry: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """A paid order was cancelled: its keys are returned, never sold again unasked."""
        await self._pool.return_order(document["_id"])
        return []

    # -- the buyer -------------------------------------------------------------------------

    async def goods_of(self, actor: Actor, order_id: object) -> OrderGoods:
        """The goods an order delivered: for its buyer, or an admin (operators never see
        keys). ``NotFound`` for anyone else's order, or before the goods were sent."""
        oid = parse_id(order_id)
        query: dict[str, Any] = {"_id": oid, "placed": True}
        if actor.role is not Role.ADMIN:
            query["userId"] = actor.user_id
        document = await self._orders.find_one(query)
        if document is None:
            raise NotFound(Missing.ORDER)
        order = Order.model_validate(document)
        if order.goods_sent_at is None or order.status is OrderStatus.CANCELLED:
            raise NotFound(Missing.GOODS)
        return await self._goods(order)

    async def file_of(self, actor: Actor, order_id: object, line: int) -> tuple[GoodsFile, bytes]:
        """The file an order line delivered, and its bytes (``goods_of``'s rules)."""
        goods = await self.goods_of(actor, order_id)
        found = next((g for g in goods.lines if g.line == line and g.file is not None), None)
        if found is None or found.file is None:
            raise NotFound(Missing.GOODS_FILE)
        return found.file, await self._files.content(found.file)

    async def line_goods(self, notice: GoodsNotice) -> LineGoods:
        """What a goods notification sends, read when it is sent."""
        document = await self._orders.find_one({"_id": notice.order_id})
        if document is None:
            raise NotFound(Missing.ORDER)
        goods = await self._goods(Order.model_validate(document))
        found = next((line for line in goods.lines if line.line == notice.line), None)
        if found is None:
            raise NotFound(Missing.GOODS)
        return found

    async def resend(self, user_id: ObjectId, order_id: object) -> OrderGoods:
        """The goods of the customer's own order, to send to their chat again."""
        order = await self._moves.get_own(user_id, order_id)
        if order.goods_sent_at is None or order.status is OrderStatus.CANCELLED:
            raise NotFound(Missing.GOODS)
        return await self._goods(order)

    @property
    def files(self) -> GoodsFiles:
        return self._files

    # -- helpers ---------------------------------------------------------------------------

    async def _claim(self, order_id: ObjectId) -> dict[str, Any] | None:
        """The order once claimed for delivery (now or before), or None if it was
        cancelled before any claim."""
        paid = [status.value for status in PAID_STATES]
        await self._orders.update_one(
            {"_id": order_id, "status": {"$in": paid}, "goodsClaimedAt": {"$exists": False}},
            {"$set": {"goodsClaimedAt": clock.now()}},
        )
        current = await self._orders.find_one({"_id": order_id})
        if current is None or "goodsClaimedAt" not in current:
            return None
        return current

    async def _refund(self, order_id: ObjectId) -> None:
        """Cancel the paid order (its payment is owed back, a Stars one refunded)."""
        for _ in range(ATTEMPTS):
            document = await self._orders.find_one({"_id": order_id})
            if document is None:
                return
            order = Order.model_validate(document)
            if order.status is OrderStatus.CANCELLED:
                await self._pool.return_order(order_id)
                return
            moved = await self._moves.move(order, OrderStatus.CANCELLED, ShopProcess.PAYMENT)
            if moved is not None:
                return

    async def _goods(self, order: Order) -> OrderGoods:
        keys: dict[int, list[str]] = {}
        for key in await self._pool.of_order(order.id):
            position = int(key["slot"].split(":")[1])
            keys.setdefault(position, []).append(self._pool.open(key))
        products = await self._catalog.many(line.product_id for line in order.products)
        lines = []
        for number, line in enumerate(order.products):
            if line.digital is None:
                continue
            product = products.get(line.product_id)
            file = None
            if line.digital is GoodsKind.FILE and product is not None and product.digital:
                file = product.digital.file
            lines.append(
                LineGoods(
                    line=number,
                    product_id=line.product_id,
                    name=line.name,
                    kind=line.digital,
                    keys=tuple(keys.get(number, ())),
                    file=file,
                )
            )
        return OrderGoods(order_id=order.id, sent_at=order.goods_sent_at, lines=tuple(lines))

    async def _notices(self, order: Order) -> list[dict[str, Any]]:
        customer = await self._users.find_one(
            {"_id": order.user_id}, {"telegramId": 1, "language": 1}
        )
        if customer is None or customer.get("telegramId") is None:
            return []  # no chat: the buyer reads the goods with the order (the API)
        return [
            new_notification(
                notice_id(order.id, number),
                NoticeKind.GOODS,
                customer["telegramId"],
                user_id=order.user_id,
                language=customer.get("language"),
                orderId=order.id,
                orderNumber=order.number,
                totalAmount=order.total_amount,
                currency=order.currency,
                line=number,
                productName=line.name,
                goods=line.digital.value,
            )
            for number, line in enumerate(order.products)
            if line.digital is not None
        ]
