"""Taking stock for orders and giving it back: the only code that moves ``products.stock``
for an order. (Staff set or adjust stock in the same write as the rest of a product edit,
in ``core/catalog/products.py``.)

Every move is one guarded single-document write that also marks the product with the
order's id, so it happens at most once per order and line, however often a recovery
repeats it:

- ``take``: ``reservedBy`` gains the order while its stock goes down; ``give_back`` undoes
  exactly that, and ``release`` drops the mark once the order is placed for good (the
  write that tells operators when the stock is low: ``core/catalog/stock_alerts.py``);
- ``credit``: a cancelled order's stock comes back once (``restockedBy``); ``uncredit_marks``
  drops those marks when the cancellation is finished.

Stock that comes back re-arms the product's low-stock alert if it is above the threshold,
and tells the customers waiting for it that it is back (``core/catalog/restock_alerts.py``).

A line of a variant (``variant_id``) moves that variant's stock instead, with the same marks
on the variant's document (``core/catalog/variants/``); variants have no low-stock alerts.
"""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId

from core.catalog.categories import ON_SALE
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.stock_alerts import StockAlerts
from core.sales.models import OrderLine
from core.store import Collection, Store


class Stock:
    def __init__(self, store: Store, alerts: StockAlerts, restock: RestockAlerts) -> None:
        self._products = store.products
        self._variants = store.variants
        self._alerts = alerts
        self._restock = restock

    def _shelf(self, line: OrderLine) -> tuple[Collection, dict[str, object]]:
        """Where ``line``'s stock is: the collection, and the filter naming its document."""
        if line.variant_id is None:
            return self._products, {"_id": line.product_id}
        return self._variants, {"_id": line.variant_id, "productId": line.product_id}

    async def take(self, order_id: ObjectId, line: OrderLine) -> bool:
        """Take ``line``'s quantity for the order, if the product (or variant) is on sale and
        has it."""
        shelf, item = self._shelf(line)
        on_sale = ON_SALE if line.variant_id is None else {"active": True}
        taken = await shelf.update_one(
            {
                **item,
                **on_sale,
                "stock": {"$gte": line.quantity},
                "reservedBy": {"$ne": order_id},
            },
            {"$inc": {"stock": -line.quantity}, "$push": {"reservedBy": order_id}},
        )
        return taken.modified_count == 1

    async def give_back(self, order_id: ObjectId, lines: Sequence[OrderLine]) -> None:
        """Return what ``take`` took for the order, line by line (idempotent)."""
        for line in lines:
            shelf, item = self._shelf(line)
            await shelf.update_one(
                {**item, "reservedBy": order_id},
                {"$inc": {"stock": line.quantity}, "$pull": {"reservedBy": order_id}},
            )
            await self._alerts.rearm(line.product_id)
            await self._restock.fire(line.product_id)

    async def release(self, order_id: ObjectId, lines: Sequence[OrderLine]) -> None:
        """Keep what was taken for good: the order is placed (idempotent)."""
        for line in lines:
            if line.variant_id is None:
                await self._alerts.release(order_id, line.product_id)
            else:
                await self._variants.update_one(
                    {"_id": line.variant_id}, {"$pull": {"reservedBy": order_id}}
                )

    async def credit(self, order_id: ObjectId, lines: Sequence[OrderLine]) -> None:
        """Put a cancelled order's lines back on the shelf, each once (idempotent)."""
        for line in lines:
            shelf, item = self._shelf(line)
            await shelf.update_one(
                {**item, "restockedBy": {"$ne": order_id}},
                {"$inc": {"stock": line.quantity}, "$push": {"restockedBy": order_id}},
            )
            await self._alerts.rearm(line.product_id)
            await self._restock.fire(line.product_id)

    async def uncredit_marks(self, order_id: ObjectId, lines: Sequence[OrderLine]) -> None:
        """Drop ``credit``'s marks once the cancellation has recorded that it credited."""
        for line in lines:
            shelf, item = self._shelf(line)
            await shelf.update_one(item, {"$pull": {"restockedBy": order_id}})

    async def on_sale(self, line: OrderLine) -> bool:
        """Whether ``line``'s variant (if it names one) is still on sale."""
        if line.variant_id is None:
            return True
        return (
            await self._variants.find_one({"_id": line.variant_id, "active": True}, {"_id": 1})
            is not None
        )
