"""Promo codes as stored and returned, a cart's quote and an order's snapshot."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from core.base.ids import Id
from core.base.models import Document, Model


class PromoKind(StrEnum):
    PERCENT = "percent"
    """``value`` percent off the eligible amount, rounded down to a whole minor unit."""
    FIXED = "fixed"
    """``value`` minor units off the eligible amount (at most all of it)."""


class PromoState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    """Refused at checkout until staff resume it."""
    ARCHIVED = "archived"
    """Gone for customers for good; kept for its figures."""


class PromoCode(Document):
    code: str = Field(description="Upper case letters and digits; customers type any case.")
    kind: PromoKind
    value: int = Field(description="Percent (1-100), or minor units off for `fixed`.")
    includes_delivery: bool = Field(
        default=False, description="The delivery fee is discounted too, not only the lines."
    )
    min_total: int | None = Field(
        default=None, description="The lines must come to at least this, in minor units."
    )
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = Field(default=None, description="Uses in all; null: no limit.")
    per_customer: int | None = Field(default=None, description="Uses per customer; null: any.")
    first_order_only: bool = False
    category_ids: tuple[Id, ...] = Field(
        default=(), description="Only products in these categories; empty: any."
    )
    product_ids: tuple[Id, ...] = Field(default=(), description="Only these products; empty: any.")
    state: PromoState = PromoState.ACTIVE
    currency: str | None = Field(
        default=None,
        description="The currency of `value` (for `fixed`) and `minTotal`: the shop's.",
    )
    used: int = Field(default=0, description="Uses held by orders (returned ones not counted).")
    version: int = 0

    @property
    def limited_lines(self) -> bool:
        return bool(self.category_ids or self.product_ids)


class PromoQuote(Model):
    """The cart's code as it would apply now: the discount, or why it would not."""

    code: str
    discount: int = Field(description="Minor units off the order; 0 when refused.")
    problem: str | None = Field(
        default=None, description="Why the code would be refused at checkout (a reason code)."
    )
    message: str | None = None
    code_id: Id | None = Field(default=None, exclude=True)


class PromoSnapshot(Model):
    """The code an order used, as it was then, and what it took off."""

    code_id: Id
    code: str
    kind: PromoKind
    value: int
    discount: int = Field(description="Minor units taken off the order's totalAmount.")
    returned: bool = Field(
        default=False, description="The use was given back (the order was cancelled)."
    )


class PromoFigures(Model):
    """A code with what it did: uses held, discount given and revenue of its orders (placed
    and not cancelled)."""

    promo: PromoCode
    orders: int
    discount_given: int
    revenue: int
    currency: str
