"""What a customer has ordered and spent, for staff serving them.

Spent is the total of the customer's orders whose payment the shop keeps (payment state
``paid``): an order owed back or refunded counts as ordered, not as spent. Totals are per
currency (a shop that changed its currency has orders in the old one too).
"""

from __future__ import annotations

from typing import Any

from core.accounts.access import Actor
from core.accounts.models import STAFF
from core.base.ids import parse_id
from core.sales.models import Amount, CustomerSpending, PaymentState
from core.store import Store


class Spending:
    def __init__(self, store: Store) -> None:
        self._orders = store.orders

    async def of_customer(self, actor: Actor, user_id: object) -> CustomerSpending:
        actor.require(*STAFF)
        placed: dict[str, Any] = {"userId": parse_id(user_id), "placed": True}
        kept = {**placed, "payment.state": PaymentState.PAID.value}
        pipeline: list[dict[str, Any]] = [
            {"$match": kept},
            {"$group": {"_id": "$currency", "amount": {"$sum": "$totalAmount"}}},
        ]
        totals = [
            Amount(amount=row["amount"], currency=row["_id"])
            async for row in await self._orders.aggregate(pipeline)
        ]
        return CustomerSpending(
            orders=await self._orders.count_documents(placed),
            spent=tuple(sorted(totals, key=lambda total: -total.amount)),
        )
