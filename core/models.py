"""What the shop stores and returns: users, products, carts and orders.

Documents use the seed's camelCase field names (``userId``, ``totalAmount``, ``createdAt``);
Python code uses snake_case. ``_id`` is read from the database and written out as ``id``.
Money is always an integer amount of minor units (cents) plus an ISO 4217 currency code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field
from pydantic.alias_generators import to_camel

from core.ids import Id


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Document(Model):
    id: Id = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    created_at: datetime
    updated_at: datetime


class Role(StrEnum):
    USER = "user"
    OPERATOR = "operator"
    ADMIN = "admin"


STAFF = frozenset({Role.OPERATOR, Role.ADMIN})


class SavedDelivery(Model):
    """The delivery details of a customer's latest order, offered again at the next."""

    method: str
    recipient_name: str
    phone: str
    address: str | None = None
    at: datetime


class User(Document):
    name: str
    email: str
    role: Role = Role.USER
    active: bool = Field(default=True, description="A deactivated account cannot sign in.")
    telegram_id: int | None = None
    telegram_blocked: bool = Field(
        default=False, description="The bot was blocked by this customer when last tried."
    )
    last_delivery: SavedDelivery | None = None
    password_hash: str | None = Field(default=None, exclude=True)
    session_version: int = Field(default=0, exclude=True)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_active_admin(self) -> bool:
        return self.active and self.role is Role.ADMIN


class TelegramFile(Model):
    """A file as one bot knows it on Telegram's servers."""

    file_id: str
    file_unique_id: str


class Photo(Model):
    """A product's photo, kept in GridFS (``core/media.py``)."""

    file_id: Id = Field(description="Changes with every upload; the photo's ETag.")
    content_type: str
    size: int = Field(description="Bytes.")
    width: int
    height: int
    uploaded_at: datetime
    telegram: dict[str, TelegramFile] = Field(
        default_factory=dict, exclude=True, description="Per bot id: the photo on Telegram."
    )


class Product(Document):
    name: str
    description: str = ""
    price: int = Field(description="Unit price in minor units (cents).")
    currency: str
    stock: int
    active: bool = True
    category_id: Id | None = None
    category_hidden: bool = Field(
        default=False, description="Its category is archived, so customers do not see it."
    )
    photo: Photo | None = Field(
        default=None, description="Served at `/api/products/{id}/photo` when there is one."
    )
    low_stock_threshold: int | None = Field(
        default=None,
        description="Operators hear when stock falls to or below this; null: the shop's.",
    )
    low_stock: bool = Field(
        default=False,
        description="Operators were told the stock is low; cleared once it is above again.",
    )
    version: int = 0

    @property
    def on_sale(self) -> bool:
        """Customers may see and buy it: active, and not in an archived category."""
        return self.active and not self.category_hidden


class CartLine(Model):
    product_id: Id
    quantity: int


class CheckoutClaim(Model):
    """The checkout holding a cart: the order it is placing, and until when."""

    order_id: Id
    lease_until: datetime


class Cart(Model):
    user_id: Id
    products: tuple[CartLine, ...] = ()
    version: int = 0
    checkout: CheckoutClaim | None = None


class CartItem(Model):
    """A cart line joined with its product as it is now."""

    product_id: Id
    name: str
    unit_price: int
    currency: str
    quantity: int
    line_total: int
    stock: int
    active: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def available(self) -> bool:
        """Active and with enough stock for this quantity."""
        return self.active and self.stock >= self.quantity


class CartView(Model):
    user_id: Id
    items: tuple[CartItem, ...]
    total_amount: int
    currency: str
    version: int

    @property
    def is_empty(self) -> bool:
        return not self.items

    @property
    def can_check_out(self) -> bool:
        return bool(self.items) and all(item.available for item in self.items)


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class OrderLine(Model):
    """An ordered product with the name and unit price it had when the order was placed."""

    product_id: Id
    quantity: int
    name: str
    unit_price: int
    line_total: int


class ShopProcess(StrEnum):
    """Who changed a status when no person did."""

    PAYMENT = "payment"
    EXPIRY = "expiry"


class StatusChange(Model):
    from_status: OrderStatus | None = Field(alias="from")
    to_status: OrderStatus = Field(alias="to")
    by: ShopProcess | Id | None = Field(
        description="The staff member or customer, `payment` or `expiry`; null: the system."
    )
    at: datetime


class PaymentMethod(StrEnum):
    MANUAL = "manual"
    PROVIDER = "provider"
    """Telegram Payments through a payment provider (a card)."""
    STARS = "stars"
    """Telegram Stars (currency ``XTR``)."""


class PaymentState(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    REFUND_DUE = "refund_due"
    REFUNDED = "refunded"


class Charge(Model):
    """Money Telegram took for an order, as its ``successful_payment`` said."""

    telegram_payment_charge_id: str
    provider_payment_charge_id: str
    method: PaymentMethod
    amount: int
    currency: str
    at: datetime
    state: PaymentState = Field(description="`paid`, `refund_due` or `refunded`.")


class PaymentRecord(Model):
    """How an order is paid: the method, its state and the charge that paid it."""

    method: PaymentMethod | None = Field(
        default=None, description="Null until the customer pays or picks a method."
    )
    state: PaymentState = PaymentState.UNPAID
    telegram_payment_charge_id: str | None = None
    provider_payment_charge_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    paid_at: datetime | None = None
    late: bool = Field(
        default=False, description="The payment arrived after the order was cancelled."
    )
    refunded_at: datetime | None = None
    extra_charges: tuple[Charge, ...] = Field(
        default=(), description="Payments beyond the one the order needed, to be refunded."
    )
    hold_until: datetime | None = Field(default=None, exclude=True)


class DeliverySnapshot(Model):
    """How an order reaches the customer, as chosen at checkout (see ``core/delivery.py``)."""

    method: str = Field(description="The delivery method's code.")
    title: str
    fee: int = Field(description="In minor units; included in the order's totalAmount.")
    info: str = Field(default="", description="What the method told the customer.")
    recipient_name: str
    phone: str = Field(description="E.164, e.g. +442079460958.")
    address: str | None = None
    note: str = Field(default="", description="The customer's note for the shop.")


class Order(Document):
    number: int
    user_id: Id
    products: tuple[OrderLine, ...]
    total_amount: int = Field(description="The lines plus the delivery fee, in minor units.")
    currency: str
    status: OrderStatus
    delivery: DeliverySnapshot | None = None
    history: tuple[StatusChange, ...]
    payment: PaymentRecord = Field(default_factory=PaymentRecord)
    version: int = 0


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(Model, Generic[ItemT]):
    items: tuple[ItemT, ...]
    total: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))
