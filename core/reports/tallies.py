"""What counts as a sale and as a refund, as aggregation expressions over an order (see
``core/reports/models.py``): the dashboard and the customers' export count the same way."""

from __future__ import annotations

from typing import Any

from core.sales.models import PaymentState

PAID = [PaymentState.PAID.value, PaymentState.REFUND_DUE.value, PaymentState.REFUNDED.value]
"""A payment record in these states paid for its order (unless it came ``late``)."""

SALE = {"$and": [{"$in": ["$payment.state", PAID]}, {"$ne": ["$payment.late", True]}]}
"""The order was paid for."""

REFUNDED = {
    "$and": [
        {"$eq": ["$payment.state", PaymentState.REFUNDED.value]},
        {"$ne": ["$payment.late", True]},
    ]
}
"""The order was paid for, and that payment was refunded."""

KEPT = {
    "$subtract": [{"$cond": [SALE, "$totalAmount", 0]}, {"$cond": [REFUNDED, "$totalAmount", 0]}]
}
"""What the shop keeps of the order: its sale less its refund."""


def when(condition: Any, value: Any) -> dict[str, Any]:
    """``$group`` accumulator: the sum of ``value`` over the orders where ``condition`` holds."""
    return {"$sum": {"$cond": [condition, value, 0]}}
