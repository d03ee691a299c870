"""Validated input for core services. Every field an outsider may send is checked here.

Unknown fields are rejected, so a body cannot smuggle in ``role``, ``userId`` or ``status``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict, JsonValue

from core.errors import FieldError, InvalidInput
from core.fields import (
    MAX_EMAIL_LENGTH,
    MAX_SAFE_INTEGER,
    QUERY_NUMBER,
    WHOLE_NUMBER,
    Email,
    QueryFlag,
    ShopCurrency,
    Timestamp,
    given,
)
from core.ids import ID_PATTERN, Id
from core.models import Language, OrderStatus, Role
from core.text import Printable

MAX_LINE_QUANTITY = 100
MAX_PAGE_SIZE = 100
MAX_PRICE = 100_000_000_00  # minor units
MAX_STOCK = 1_000_000
MAX_LISTED_IDS = 1_000  # a longer list would not fit in a request body of the default size

Name = Annotated[str, StringConstraints(max_length=100), Printable(required=True)]
ProductName = Annotated[str, StringConstraints(max_length=200), Printable(required=True)]
Description = Annotated[str, StringConstraints(max_length=2000), Printable(multiline=True)]
MessageText = Annotated[
    str, StringConstraints(max_length=4096), Printable(multiline=True, required=True)
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=72)]
Price = Annotated[StrictInt, Field(ge=0, le=MAX_PRICE), WHOLE_NUMBER]
Stock = Annotated[StrictInt, Field(ge=0, le=MAX_STOCK), WHOLE_NUMBER]
StockDelta = Annotated[StrictInt, Field(ge=-MAX_STOCK, le=MAX_STOCK), WHOLE_NUMBER]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QUANTITY), WHOLE_NUMBER]
Version = Annotated[StrictInt, Field(ge=0, le=MAX_SAFE_INTEGER), WHOLE_NUMBER]
TelegramId = Annotated[StrictInt, Field(gt=0, le=MAX_SAFE_INTEGER), WHOLE_NUMBER]
PageNumber = Annotated[int, Field(ge=1, le=100_000), QUERY_NUMBER]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE), QUERY_NUMBER]


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
        errors = [
            FieldError(tuple(e["loc"]), e["msg"], e["type"], _plain(e.get("ctx", {})))
            for e in exc.errors()
        ]
        raise InvalidInput("The request has invalid fields.", errors) from None


def _plain(context: dict[str, Any]) -> dict[str, object]:
    """The values an error names (``max_length``: 72), without the exception it wraps."""
    return {k: v for k, v in context.items() if isinstance(v, int | float | str)}


class Registration(Command):
    name: Name
    email: Email
    password: Password


class AdminAccount(Registration):
    """``create-admin``'s account: a registration, optionally linked to a Telegram user."""

    telegram_id: TelegramId | None = None


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
    language: Language | None = None


class LanguageChoice(Command):
    language: Language


class ProfileUpdate(Command):
    name: Name


class PasswordChange(Command):
    old_password: Annotated[str, StringConstraints(max_length=72)] | None = None
    new_password: Password


class ProductDraft(Command):
    name: ProductName
    description: Description = ""
    price: Price
    currency: ShopCurrency | None = None
    stock: Stock = 0
    low_stock_threshold: Stock | None = None
    active: StrictBool = True
    category_id: Id | None = None


class ProductPatch(Command):
    name: ProductName | None = None
    description: Description | None = None
    price: Price | None = None
    stock: Stock | None = None
    stock_delta: StockDelta | None = None
    low_stock_threshold: Stock | None = None
    active: StrictBool | None = None
    category_id: Id | None = Field(default=None, description="null takes it out of its category.")
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


NO_CATEGORY = "none"


class ProductQuery(Command):
    page: PageNumber = 1
    limit: PageSize = 20
    q: Annotated[str, StringConstraints(max_length=100)] = ""
    sort: ProductSort = ProductSort.NEWEST
    include_inactive: QueryFlag = False
    category: (
        Annotated[
            str,
            StringConstraints(pattern=f"^(?:{ID_PATTERN}|{NO_CATEGORY})$"),
            Field(description=f"A category's id, or `{NO_CATEGORY}` for products in none."),
        ]
        | None
    ) = None


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


class UserQuery(HistoryQuery):
    """Admins' search of accounts: ``q`` matches name or email (any case), or a Telegram id."""

    q: Annotated[str, StringConstraints(max_length=100)] = ""
    role: Role | None = None
    active: QueryFlag | None = None


class AccountChange(Command):
    """What an admin changes about an account: its role, whether it may sign in, or both."""

    role: Role | None = None
    active: StrictBool | None = None

    model_config = ConfigDict(json_schema_extra={"anyOf": [given("role"), given("active")]})

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if self.role is None and self.active is None:
            raise ValueError("give role, active or both")
        return self


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
    formatted: StrictBool = Field(
        default=False,
        description="The text is Telegram HTML (<b>, <i>, <a href>...), sent as it is; "
        "otherwise it is shown exactly as typed.",
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
