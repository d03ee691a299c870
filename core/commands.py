"""Validated input for core services. Every field an outsider may send is checked here.

Unknown fields are rejected, so a body cannot smuggle in ``role``, ``userId`` or ``status``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from core.errors import FieldError, InvalidInput
from core.ids import Id
from core.models import OrderStatus

MAX_LINE_QUANTITY = 100
MAX_PAGE_SIZE = 100
MAX_PRICE = 100_000_000_00  # minor units
MAX_STOCK = 1_000_000


def _password_fits_bcrypt(value: str) -> str:
    if len(value.encode()) > 72:
        raise ValueError("must be at most 72 bytes")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ProductName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Password = Annotated[
    str, StringConstraints(min_length=8, max_length=72), AfterValidator(_password_fits_bcrypt)
]
Email = Annotated[EmailStr, StringConstraints(max_length=254), AfterValidator(str.lower)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Price = Annotated[StrictInt, Field(ge=0, le=MAX_PRICE)]
Stock = Annotated[StrictInt, Field(ge=0, le=MAX_STOCK)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QUANTITY)]
PageNumber = Annotated[int, Field(ge=1, le=100_000)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]


class Command(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


CommandT = TypeVar("CommandT", bound=Command)


def parse(command: type[CommandT], data: Any) -> CommandT:
    """Validate untrusted ``data`` into ``command`` or raise ``InvalidInput``."""
    try:
        return command.model_validate(data)
    except ValidationError as exc:
        errors = [FieldError(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
        raise InvalidInput("The request has invalid fields.", errors) from None


class Registration(Command):
    name: Name
    email: Email
    password: Password


class Credentials(Command):
    email: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254)]
    password: Annotated[str, StringConstraints(max_length=1024)]


class TelegramSignup(Command):
    telegram_id: Annotated[StrictInt, Field(gt=0)]
    name: Name
    email: Email


class ProfileUpdate(Command):
    name: Name


class PasswordChange(Command):
    old_password: Annotated[str, StringConstraints(max_length=72)] | None = None
    new_password: Password


class ProductDraft(Command):
    name: ProductName
    description: Description = ""
    price: Price
    currency: Currency | None = None
    stock: Stock = 0
    active: StrictBool = True


class ProductPatch(Command):
    name: ProductName | None = None
    description: Description | None = None
    price: Price | None = None
    stock: Stock | None = None
    stock_delta: Annotated[StrictInt, Field(ge=-MAX_STOCK, le=MAX_STOCK)] | None = None
    active: StrictBool | None = None
    expected_version: Annotated[StrictInt, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one_way_to_change_stock(self) -> Self:
        if self.stock is not None and self.stock_delta is not None:
            raise ValueError("give either stock or stockDelta, not both")
        return self


class ProductSort(StrEnum):
    NEWEST = "newest"
    PRICE_ASC = "price"
    PRICE_DESC = "-price"
    NAME = "name"


class ProductQuery(Command):
    page: PageNumber = 1
    limit: PageSize = 20
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    sort: ProductSort = ProductSort.NEWEST
    include_inactive: bool = False


class CartChange(Command):
    product_id: Id
    quantity: Quantity = 1


class CartRemoval(Command):
    product_id: Id


class IdempotencyKey(Command):
    key: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,128}$")]


class HistoryQuery(Command):
    page: PageNumber = 1
    limit: PageSize = 20


class OrderQuery(HistoryQuery):
    status: OrderStatus | None = None
    user_id: Id | None = None
    created_from: AwareDatetime | None = Field(default=None, alias="from")
    created_to: AwareDatetime | None = Field(default=None, alias="to")


class StatusUpdate(Command):
    status: OrderStatus
    expected_version: Annotated[StrictInt, Field(ge=0)] | None = None


class SegmentKind(StrEnum):
    ALL_CUSTOMERS = "all"
    ORDER_STATUS = "order_status"
    ORDERS = "orders"
    USERS = "users"


class Segment(Command):
    """Who a broadcast goes to: every customer, customers with an order in ``status``, or
    the customers of explicit ``order_ids`` or ``user_ids``."""

    kind: SegmentKind
    status: OrderStatus | None = None
    order_ids: Annotated[list[Id], Field(min_length=1, max_length=10_000)] | None = None
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=10_000)] | None = None

    @model_validator(mode="after")
    def _has_what_its_kind_needs(self) -> Self:
        needs = {
            SegmentKind.ALL_CUSTOMERS: None,
            SegmentKind.ORDER_STATUS: "status",
            SegmentKind.ORDERS: "order_ids",
            SegmentKind.USERS: "user_ids",
        }[self.kind]
        given = {
            name for name in ("status", "order_ids", "user_ids") if getattr(self, name) is not None
        }
        if given != ({needs} if needs else set()):
            wanted = to_camel(needs) if needs else "nothing else"
            raise ValueError(f"a segment of kind {self.kind.value!r} takes {wanted}")
        return self


class BroadcastDraft(Command):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]
    segment: Segment


class BulkStatusUpdate(Command):
    """Move many orders at once: explicit ``order_ids``, or every order in ``from_status``."""

    status: OrderStatus
    order_ids: Annotated[list[Id], Field(min_length=1, max_length=500)] | None = None
    from_status: OrderStatus | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> Self:
        if (self.order_ids is None) == (self.from_status is None):
            raise ValueError("give either orderIds or fromStatus")
        return self
