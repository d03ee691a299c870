"""What a code takes off an order: pure rules, no database.

Rounding: a percentage of the eligible amount is rounded *down* to a whole minor unit
(cents; for Telegram Stars, ``XTR``, whose minor unit is one star, to a whole star), so a
code never gives more than its percentage. A fixed amount takes at most the eligible
amount. The eligible amount is the lines the code covers (all, or those of its products
and categories), plus the delivery fee only when the code says so. Whatever the code, the
order keeps a total of at least one minor unit: Telegram takes no invoice for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from core.promotions.errors import PromoProblem
from core.promotions.models import PromoCode, PromoKind, PromoState


@dataclass(frozen=True)
class Line:
    """An order line as a code sees it."""

    product_id: ObjectId
    category_id: ObjectId | None
    line_total: int


@dataclass(frozen=True)
class Customer:
    """What the customer has done with codes and orders, for the per-customer rules."""

    uses: int
    """Uses of this code the customer's orders hold."""
    orders: int
    """The customer's placed orders that are not cancelled."""


def code_problem(promo: PromoCode | None, now: datetime) -> PromoProblem | None:
    """Why the code cannot be used by anyone now (whatever the cart), if it cannot."""
    if promo is None or promo.state is PromoState.ARCHIVED:
        return PromoProblem.UNKNOWN
    if promo.state is PromoState.PAUSED:
        return PromoProblem.INACTIVE
    if promo.starts_at is not None and now < promo.starts_at:
        return PromoProblem.NOT_STARTED
    if promo.ends_at is not None and now >= promo.ends_at:
        return PromoProblem.EXPIRED
    if promo.usage_limit is not None and promo.used >= promo.usage_limit:
        return PromoProblem.USED_UP
    return None


def customer_problem(promo: PromoCode, customer: Customer) -> PromoProblem | None:
    if promo.per_customer is not None and customer.uses >= promo.per_customer:
        return PromoProblem.CUSTOMER_LIMIT
    if promo.first_order_only and customer.orders > 0:
        return PromoProblem.FIRST_ORDER
    return None


def covers(promo: PromoCode, line: Line) -> bool:
    if not promo.limited_lines:
        return True
    return line.product_id in promo.product_ids or (
        line.category_id is not None and line.category_id in promo.category_ids
    )


def discount(promo: PromoCode, lines: Sequence[Line], fee: int) -> int | PromoProblem:
    """Minor units off an order of ``lines`` and delivery ``fee``, or why none."""
    lines_total = sum(line.line_total for line in lines)
    if promo.min_total is not None and lines_total < promo.min_total:
        return PromoProblem.MIN_TOTAL
    eligible = sum(line.line_total for line in lines if covers(promo, line))
    if promo.includes_delivery:
        eligible += fee
    if promo.kind is PromoKind.PERCENT:
        off = eligible * promo.value // 100
    else:
        off = min(promo.value, eligible)
    off = min(off, lines_total + fee - 1)
    if off <= 0:
        return PromoProblem.NOT_APPLICABLE
    return off
