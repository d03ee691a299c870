"""Validated input for core services. Every field an outsider may send is checked here.

Unknown fields are rejected, so a body cannot smuggle in ``role``, ``userId`` or ``status``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Self, TypeVar

import email_validator
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict, JsonValue
from pydantic_core import PydanticCustomError

from core.errors import FieldError, InvalidInput
from core.ids import Id
from core.models import OrderStatus
from core.text import Printable

MAX_LINE_QUANTITY = 100
MAX_PAGE_SIZE = 100
MAX_PRICE = 100_000_000_00  # minor units
MAX_STOCK = 1_000_000
MAX_SAFE_INTEGER = 2**53 - 1  # exact in JSON everywhere, and fits a 64-bit database integer
MAX_EMAIL_LENGTH = 254
MAX_LISTED_IDS = 1_000  # a longer list would not fit in a request body of the default size
SHOP_CURRENCY_MARK = "x-shop-currency"  # the API's document names the shop's currency here


def _any_case(word: str) -> str:
    return "".join(f"[{char.lower()}{char.upper()}]" for char in word)


# email-validator refuses these top-level domains (RFC 6761 and others); the document says so
SPECIAL_USE = "|".join(_any_case(name) for name in sorted(email_validator.SPECIAL_USE_DOMAIN_NAMES))
EMAIL_SCHEMA = {
    "type": "string",
    "format": "email",
    "maxLength": MAX_EMAIL_LENGTH,
    # an unquoted local part of at most 64 characters; labels of at most 63 between dots;
    # a top-level domain that starts with a letter and is not one for special use
    "pattern": (
        r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+"
        rf"(?!(?:{SPECIAL_USE})$)[A-Za-z][A-Za-z0-9-]{{0,62}}$"
    ),
    "description": "Domains for special use, such as `.test` or `.local`, are refused.",
}
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _whole_number(value: object) -> object:
    """JSON Schema counts ``3.0`` as an integer, so it is one; ``"3"`` and ``true`` are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _query_number(value: object) -> object:
    """A query string's integer: decimal digits only (no ``_``, spaces or fractions)."""
    if isinstance(value, str) and not re.fullmatch(r"[+-]?[0-9]+", value):
        raise ValueError("must be a whole number")
    return value


def _query_flag(value: object) -> object:
    """A query string's boolean, as JSON writes it: ``true`` or ``false``."""
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError("must be true or false")
        return value == "true"
    return value


def _timestamp(value: object) -> object:
    """A date-time as RFC 3339 writes it; numbers are not taken for epoch seconds."""
    if isinstance(value, str) and not RFC_3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2025-01-31T09:00:00Z")
    return value


def _email_address(value: str) -> str:
    """An address as email-validator reads it: no display name, no spaces around, lower case."""
    try:
        address = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        reason = {"reason": str(exc)}
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", reason
        ) from None
    return address.normalized.lower()


# Written after the bounds so that the JSON Schema keeps them as minimum and maximum.
WHOLE_NUMBER = BeforeValidator(_whole_number)
QUERY_NUMBER = BeforeValidator(_query_number)
QueryFlag = Annotated[StrictBool, BeforeValidator(_query_flag)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp)]
Name = Annotated[str, StringConstraints(max_length=100), Printable(required=True)]
ProductName = Annotated[str, StringConstraints(max_length=200), Printable(required=True)]
Description = Annotated[str, StringConstraints(max_length=2000), Printable(multiline=True)]
MessageText = Annotated[
    str, StringConstraints(max_length=4096), Printable(multiline=True, required=True)
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=72)]
Email = Annotated[
    str,
    StringConstraints(max_length=MAX_EMAIL_LENGTH),
    AfterValidator(_email_address),
    WithJsonSchema(EMAIL_SCHEMA),
]
Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(json_schema_extra={SHOP_CURRENCY_MARK: True}),
]
Price = Annotated[StrictInt, Field(ge=0, le=MAX_PRICE), WHOLE_NUMBER]
Stock = Annotated[StrictInt, Field(ge=0, le=MAX_STOCK), WHOLE_NUMBER]
StockDelta = Annotated[StrictInt, Field(ge=-MAX_STOCK, le=MAX_STOCK), WHOLE_NUMBER]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QUANTITY), WHOLE_NUMBER]
Version = Annotated[StrictInt, Field(ge=0, le=MAX_SAFE_INTEGER), WHOLE_NUMBER]
TelegramId = Annotated[StrictInt, Field(gt=0, le=MAX_SAFE_INTEGER), WHOLE_NUMBER]
PageNumber = Annotated[int, Field(ge=1, le=100_000), QUERY_NUMBER]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE), QUERY_NUMBER]


def given(field: str) -> JsonDict:
    """JSON Schema: ``field`` is present and not null."""
    return {"required": [field], "properties": {field: {"not": {"type": "null"}}}}


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


def _email_key(value: str) -> str:
    return value.strip().lower()


class Credentials(Command):
    """Sign-in: the email is matched without surrounding spaces or case."""

    email: Annotated[
        str, StringConstraints(max_length=MAX_EMAIL_LENGTH), AfterValidator(_email_key)
    ]
    password: Annotated[str, StringConstraints(max_length=1024)]


class TelegramSignup(Command):
    telegram_id: TelegramId
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
    stock_delta: StockDelta | None = None
    active: StrictBool | None = None
    expected_version: Version | None = None

    model_config = ConfigDict(
        json_schema_extra={"not": {"allOf": [given("stock"), given("stockDelta")]}}
    )

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
    q: Annotated[str, StringConstraints(max_length=100)] = ""
    sort: ProductSort = ProductSort.NEWEST
    include_inactive: QueryFlag = False


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
    created_from: Timestamp | None = Field(default=None, alias="from")
    created_to: Timestamp | None = Field(default=None, alias="to")


class StatusUpdate(Command):
    status: OrderStatus
    expected_version: Version | None = None


class SegmentKind(StrEnum):
    ALL_CUSTOMERS = "all"
    ORDER_STATUS = "order_status"
    ORDERS = "orders"
    USERS = "users"


SEGMENT_NEEDS: dict[SegmentKind, str | None] = {
    SegmentKind.ALL_CUSTOMERS: None,
    SegmentKind.ORDER_STATUS: "status",
    SegmentKind.ORDERS: "order_ids",
    SegmentKind.USERS: "user_ids",
}
SEGMENT_CHOICES = ("status", "order_ids", "user_ids")
IdList = Annotated[list[Id], Field(min_length=1, max_length=MAX_LISTED_IDS)]


def _segment_kinds() -> list[JsonValue]:
    """JSON Schema: each kind of segment with the one field it needs, and no other."""
    kinds: list[JsonValue] = []
    for kind, needs in SEGMENT_NEEDS.items():
        properties: JsonDict = {to_camel(name): {"type": "null"} for name in SEGMENT_CHOICES}
        properties["kind"] = {"const": kind.value}
        required: list[JsonValue] = []
        if needs:
            properties[to_camel(needs)] = {"not": {"type": "null"}}
            required.append(to_camel(needs))
        kinds.append({"properties": properties, "required": required})
    return kinds


class Segment(Command):
    """Who a broadcast goes to: every customer, customers with an order in ``status``, or
    the customers of explicit ``order_ids`` or ``user_ids``."""

    kind: SegmentKind
    status: OrderStatus | None = None
    order_ids: IdList | None = None
    user_ids: IdList | None = None

    model_config = ConfigDict(json_schema_extra={"oneOf": _segment_kinds()})

    @model_validator(mode="after")
    def _has_what_its_kind_needs(self) -> Self:
        needs = SEGMENT_NEEDS[self.kind]
        given = {name for name in SEGMENT_CHOICES if getattr(self, name) is not None}
        if given != ({needs} if needs else set()):
            wanted = to_camel(needs) if needs else "nothing else"
            raise ValueError(f"a segment of kind {self.kind.value!r} takes {wanted}")
        return self


class BroadcastDraft(Command):
    text: MessageText
    segment: Segment


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
