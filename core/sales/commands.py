"""Validated input for carts, checkout and orders."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    model_validator,
)

from core.base.commands import Command, HistoryQuery, Name, Version
from core.base.fields import (
    DELIVERY_METHOD_MARK,
    WHOLE_NUMBER,
    Timestamp,
    given,
)
from core.base.ids import Id
from core.base.text import Printable
from core.campaigns.commands import CampaignName
from core.sales.models import MethodCode, OrderStatus, PaymentState

MAX_LINE_QUANTITY = 100


Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QUANTITY), WHOLE_NUMBER]


class CartChange(Command):
    product_id: Id
    quantity: Quantity = 1
    variant_id: Id | None = Field(
        default=None, description="Required for a product with options: which variant."
    )


class CartRemoval(Command):
    product_id: Id
    variant_id: Id | None = Field(default=None, description="The line's variant, if it has one.")


class IdempotencyKey(Command):
    key: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,128}$")]


class OrderSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


class OrderFilter(Command):
    """Which orders: the staff listing's filters, shared by the CSV export."""

    status: OrderStatus | None = None
    user_id: Id | None = None
    created_from: Timestamp | None = Field(default=None, alias="from")
    created_to: Timestamp | None = Field(default=None, alias="to")
    payment_state: PaymentState | None = None
    delivery_method: MethodCode | None = None
    campaign: CampaignName | None = Field(
        default=None, description="Orders credited to this campaign (README, links)."
    )
    q: Annotated[str, StringConstraints(max_length=100)] = Field(
        default="",
        description="The order's number, or part of the customer's name or email or of the "
        "recipient's name or phone (any case).",
    )


class OrderQuery(OrderFilter, HistoryQuery):
    """A page of the orders ``OrderFilter`` selects."""

    sort: OrderSort = Field(default=OrderSort.NEWEST, description="By the time of ordering.")


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


MAX_PHONE_LENGTH = 32


MAX_ADDRESS_LENGTH = 300


MAX_NOTE_LENGTH = 500


DELIVERY_RULES_MARK = "x-delivery-rules"  # the API's document says here which method needs what


OfferedMethod = Annotated[
    MethodCode,
    Field(
        description="The code of one of the shop's delivery methods.",
        json_schema_extra={DELIVERY_METHOD_MARK: True},
    ),
]


Phone = Annotated[
    str,
    StringConstraints(max_length=MAX_PHONE_LENGTH),
    Printable(required=True),
    Field(description="Stored in E.164; spaces, dashes and brackets are fine."),
]


Address = Annotated[
    str, StringConstraints(max_length=MAX_ADDRESS_LENGTH), Printable(multiline=True, required=True)
]


Note = Annotated[str, StringConstraints(max_length=MAX_NOTE_LENGTH), Printable(multiline=True)]


class DeliveryDetails(Command):
    """How the customer wants this order delivered."""

    model_config = ConfigDict(json_schema_extra={DELIVERY_RULES_MARK: True})

    method: OfferedMethod
    phone: Phone
    address: Address | None = None
    note: Note = ""
    recipient_name: Name | None = Field(default=None, description="Default: the account's name.")
