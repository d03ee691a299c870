"""Validated input for carts, checkout and orders."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import (
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    model_validator,
)

from core.base.commands import Command, HistoryQuery, Version
from core.base.fields import (
    WHOLE_NUMBER,
    Timestamp,
    given,
)
from core.base.ids import Id
from core.sales.models import OrderStatus

MAX_LINE_QUANTITY = 100


Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QUANTITY), WHOLE_NUMBER]


class CartChange(Command):
    product_id: Id
    quantity: Quantity = 1


class CartRemoval(Command):
    product_id: Id


class IdempotencyKey(Command):
    key: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,128}$")]


class OrderQuery(HistoryQuery):
    status: OrderStatus | None = None
    user_id: Id | None = None
    created_from: Timestamp | None = Field(default=None, alias="from")
    created_to: Timestamp | None = Field(default=None, alias="to")


class StatusUpdate(Command):
    status: OrderStatus
    expected_version: Version | None = None


class RefundRecord(Command):
    """Staff refunded a payment outside Telegram (a provider's, or one made by hand)."""

    telegram_payment_charge_id: (
        Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,256}$")] | None
    ) = Field(
        default=None,
        description="The charge refunded; omit it for the order's own payment.",
    )


class BulkStatusUpdate(Command):
    """Move many orders at once: explicit ``order_ids``, or every order in ``from_status``."""

    status: OrderStatus
    order_ids: Annotated[list[Id], Field(min_length=1, max_length=500)] | None = None
    from_status: OrderStatus | None = None

    model_config = ConfigDict(json_schema_extra={"oneOf": [given("orderIds"), given("fromStatus")]})

    @model_validator(mode="after")
    def _one_selection(self) -> Self:
        if (self.order_ids is None) == (self.from_status is None):
            raise ValueError("give either orderIds or fromStatus")
        return self
