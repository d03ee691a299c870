"""Uses of codes held by orders: the only code that moves ``promo_codes.used`` and the
per-customer tallies in ``promo_customers``.

Every move is one guarded single-document write that marks the document with the order's
id, so it happens at most once per order however often a recovery repeats it (like
``core/catalog/stock.py``):

- ``take`` (checkout, after claiming the cart): the code's ``used`` goes up only while it
  is below ``usageLimit`` and the code is active (``takenBy`` gains the order), then the
  customer's tally goes up only while below ``perCustomer`` (its ``orders`` gains the
  order). A miss on either gives back what was taken and says why;
- ``give_back`` undoes ``take`` for an order that was never placed (rollback, recovery);
- ``release`` drops the code's ``takenBy`` mark once the order is placed: the use is kept;
- ``credit``: a cancelled order's use comes back once (the code's ``returnedBy`` mark, and
  the customer's ``orders`` losing the order); ``uncredit_marks`` drops the code's mark
  when the cancellation is finished (``core/sales/orders.py``'s restock journal).

No use is ever counted twice nor lost: the code's counter only moves together with its
mark, and the customer's together with its list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.promotions.errors import PromoProblem
from core.promotions.models import PromoCode, PromoSnapshot, PromoState
from core.promotions.pricing import code_problem
from core.store import Store

ATTEMPTS = 3


def customer_key(code_id: ObjectId, user_id: ObjectId) -> str:
    """The ``_id`` of a customer's tally for one code."""
    return f"{code_id}:{user_id}"


class PromoUses:
    def __init__(self, store: Store) -> None:
        self._codes = store.promo_codes
        self._customers = store.promo_customers

    async def take(
        self, order_id: ObjectId, user_id: ObjectId, promo: PromoCode, now: datetime
    ) -> PromoProblem | None:
        """Take one use of ``promo`` (as read for the quote) for the order; ``None`` when
        taken, else why not (and nothing is held). A code staff changed meanwhile is read
        and judged again."""
        for _ in range(ATTEMPTS):
            guard: dict[str, Any] = {
                "_id": promo.id,
                "version": promo.version,
                "state": PromoState.ACTIVE.value,
                "takenBy": {"$ne": order_id},
            }
            if promo.usage_limit is not None:
                guard["used"] = {"$lt": promo.usage_limit}
            taken = await self._codes.update_one(
                guard, {"$inc": {"used": 1}, "$push": {"takenBy": order_id}}
            )
            if taken.modified_count:
                break
            current = await self._codes.find_one({"_id": promo.id})
            now_read = None if current is None else PromoCode.model_validate(current)
            if problem := code_problem(now_read, now):
                return problem
            assert now_read is not None
            if now_read.version == promo.version:
                return PromoProblem.USED_UP  # not reached: a full code has a problem
            promo = now_read
        else:
            return PromoProblem.USED_UP
        if await self._take_customer(order_id, user_id, promo.id, promo.per_customer):
            return None
        await self._give_back_code(order_id, promo.id)
        return PromoProblem.CUSTOMER_LIMIT

    async def _take_customer(
        self, order_id: ObjectId, user_id: ObjectId, code_id: ObjectId, limit: int | None
    ) -> bool:
        key = customer_key(code_id, user_id)
        guard: dict[str, Any] = {"_id": key, "orders": {"$ne": order_id}}
        if limit is not None:
            guard["used"] = {"$lt": limit}
        update = {
            "$inc": {"used": 1},
            "$push": {"orders": order_id},
            "$setOnInsert": {"codeId": code_id, "userId": user_id},
        }
        for _ in range(ATTEMPTS):
            try:
                await self._customers.update_one(guard, update, upsert=True)
            except DuplicateKeyError:  # the tally exists and the guard refused, or a race
                tally = await self._customers.find_one({"_id": key})
                if tally is not None and order_id in tally.get("orders", []):
                    return True
                if limit is not None and tally is not None and tally["used"] >= limit:
                    return False
                continue
            return True
        return False

    async def give_back(self, order_id: ObjectId, user_id: ObjectId, promo: PromoSnapshot) -> None:
        """Undo ``take`` for an order that was not placed (idempotent)."""
        await self._give_back_customer(order_id, user_id, promo.code_id)
        await self._give_back_code(order_id, promo.code_id)

    async def _give_back_code(self, order_id: ObjectId, code_id: ObjectId) -> None:
        await self._codes.update_one(
            {"_id": code_id, "takenBy": order_id},
            {"$inc": {"used": -1}, "$pull": {"takenBy": order_id}},
        )

    async def _give_back_customer(
        self, order_id: ObjectId, user_id: ObjectId, code_id: ObjectId
    ) -> None:
        await self._customers.update_one(
            {"_id": customer_key(code_id, user_id), "orders": order_id},
            {"$inc": {"used": -1}, "$pull": {"orders": order_id}},
        )

    async def release(self, order_id: ObjectId, promo: PromoSnapshot) -> None:
        """Keep the use for good: the order is placed (idempotent)."""
        await self._codes.update_one({"_id": promo.code_id}, {"$pull": {"takenBy": order_id}})

    async def credit(self, order_id: ObjectId, user_id: ObjectId, promo: PromoSnapshot) -> None:
        """Give a cancelled order's use back, once (idempotent)."""
        await self._codes.update_one(
            {"_id": promo.code_id, "returnedBy": {"$ne": order_id}},
            {"$inc": {"used": -1}, "$push": {"returnedBy": order_id}},
        )
        await self._give_back_customer(order_id, user_id, promo.code_id)

    async def uncredit_marks(self, order_id: ObjectId, promo: PromoSnapshot) -> None:
        """Drop ``credit``'s mark once the cancellation has recorded that it credited."""
        await self._codes.update_one({"_id": promo.code_id}, {"$pull": {"returnedBy": order_id}})
