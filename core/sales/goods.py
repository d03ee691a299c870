"""What a status change owes an order's digital goods (delivered by ``core/digital/``).

- Paid: the same write appends a ``goods_send`` entry to the order's outbox; relaying it
  sends the goods (``core/digital/delivery.py``), as often as needed, once per unit.
- Cancelled after it was paid: a ``goods_return`` entry; relaying it marks the order's
  keys returned.
- Restock: a cancelled order's key lines come back to stock only if delivery never
  claimed them (``goodsClaimedAt``, written while the order was paid): claimed keys are
  taken, or will be, and are returned rather than sold again.
"""

from __future__ import annotations

from typing import Any

from core.catalog.models import GoodsKind
from core.sales.models import Order, OrderLine, OrderStatus, PaymentMethod
from core.sales.outbox import outbox_entry

GOODS_SEND = "goods_send"
GOODS_RETURN = "goods_return"
PAID_STATES = (OrderStatus.PAID, OrderStatus.SHIPPED)


def is_digital(order: Order) -> bool:
    return any(line.digital is not None for line in order.products)


def methods_for(order: Order, methods: tuple[PaymentMethod, ...]) -> tuple[PaymentMethod, ...]:
    """How ``order`` may be paid: digital goods in Telegram Stars only (Telegram's rule)."""
    if is_digital(order):
        return tuple(method for method in methods if method is PaymentMethod.STARS)
    return methods


def goods_entries(order: Order, target: OrderStatus, version: int) -> list[dict[str, Any]]:
    """The outbox entries moving ``order`` to ``target`` (as ``version``) adds."""
    if not is_digital(order):
        return []
    if target is OrderStatus.PAID:
        return [outbox_entry(GOODS_SEND, order.id, version)]
    if target is OrderStatus.CANCELLED and order.status in PAID_STATES:
        return [outbox_entry(GOODS_RETURN, order.id, version)]
    return []


def restocked(order: Order, document: dict[str, Any]) -> tuple[OrderLine, ...]:
    """The lines a cancellation puts back on the shelf."""
    if "goodsClaimedAt" not in document:
        return order.products
    return tuple(line for line in order.products if line.digital is not GoodsKind.KEYS)
