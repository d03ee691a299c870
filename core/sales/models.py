"""Carts and orders, with their payment and delivery records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AliasChoices,
    Field,
    StrictBool,
    StringConstraints,
    computed_field,
)

from core.accounts.models import Role, User
from core.base.commands import Command
from core.base.ids import Id
from core.base.models import Document, Model
from core.base.text import Printable
from core.catalog.commands import Price
from core.catalog.models import GoodsKind
from core.promotions.models import PromoQuote, PromoSnapshot


class CartLine(Model):
    product_id: Id
    quantity: int
    variant_id: Id | None = None


class CheckoutClaim(Model):
    """The checkout holding a cart: the order it is placing, and until when."""

    order_id: Id
    lease_until: datetime


class Cart(Model):
    user_id: Id
    products: tuple[CartLine, ...] = ()
    version: int = 0
    checkout: CheckoutClaim | None = None
    promo_code: str | None = None


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
    category_id: Id | None = Field(default=None, exclude=True)
    variant_id: Id | None = Field(default=None, description="The variant, for a product sold so.")
    variant_name: str | None = Field(default=None, description='The variant\'s: "M, Red".')
    digital: GoodsKind | None = None

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
    promo_code: str | None = Field(default=None, exclude=True)
    promo: PromoQuote | None = Field(
        default=None,
        description="The promo code added to the cart and what it takes off the lines now "
        "(or why checkout would refuse it); `totalAmount` is before it.",
    )

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
    """An ordered product with the name and unit price it had when the order was placed;
    for a variant, ``name`` names it too (``T-shirt (M, Red)``)."""

    product_id: Id
    quantity: int
    name: str
    unit_price: int
    line_total: int
    variant_id: Id | None = None
    variant_name: str | None = Field(default=None, description="The variant's, when ordered.")
    digital: GoodsKind | None = Field(
        default=None, description="`keys` or `file` for digital goods, sent in the chat."
    )


class ShopProcess(StrEnum):
    """Who changed a status when no person did."""

    PAYMENT = "payment"
    EXPIRY = "expiry"


class Channel(StrEnum):
    """Where a person changed an order: the bot, the HTTP API or the back office."""

    TELEGRAM = "telegram"
    API = "api"
    BACK_OFFICE = "back-office"


class StatusChange(Model):
    from_status: OrderStatus | None = Field(alias="from")
    to_status: OrderStatus = Field(alias="to")
    by: ShopProcess | Id | None = Field(
        description="The staff member or customer, `payment` or `expiry`; null: the system."
    )
    at: datetime
    channel: Channel | None = Field(
        default=None,
        description="Where the person made the change; null for the shop's own processes "
        "and for changes recorded before channels were.",
    )


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
    """How an order reaches the customer, as chosen at checkout (see ``core/sales/delivery.py``)."""

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
    total_amount: int = Field(
        description="The lines plus the delivery fee, less any promo discount, in minor units."
    )
    currency: str
    status: OrderStatus
    delivery: DeliverySnapshot | None = None
    promo: PromoSnapshot | None = Field(
        default=None, description="The promo code used; its discount is off totalAmount."
    )
    history: tuple[StatusChange, ...]
    payment: PaymentRecord = Field(default_factory=PaymentRecord)
    goods_sent_at: datetime | None = Field(
        default=None, description="When its digital goods were sent to the customer's chat."
    )
    version: int = 0
    campaign: str | None = Field(
        default=None, description="The customer's campaign when they ordered (README, links)."
    )


class StatusResult(Model):
    """One order's outcome in a bulk status change."""

    order_id: Id
    ok: bool
    status: OrderStatus | None = None
    error: str | None = None
    message: str | None = None


class BulkStatusResult(Model):
    results: tuple[StatusResult, ...]


class StaffChange(Model):
    """One entry of an order's history, with the name of whoever made it."""

    from_status: OrderStatus | None
    to_status: OrderStatus
    by_name: str | None
    by_role: Role | None
    by_process: ShopProcess | None = None
    at: datetime
    channel: Channel | None = None


class StaffOrderView(Model):
    order: Order
    customer: User | None
    history: tuple[StaffChange, ...]
    next_statuses: tuple[OrderStatus, ...]

    @property
    def last_change(self) -> StaffChange:
        return self.history[-1]


class StatusMove(Model):
    """The outcome of a change from a view: ``moved`` is false when the order had already
    moved on (another operator was faster); ``view`` is the order as it is now."""

    view: StaffOrderView
    moved: bool


class DeliveryMethods(Model):
    methods: tuple[DeliveryMethod, ...]


class PaymentOutcome(StrEnum):
    PAID = "paid"
    """The order is now paid."""
    OWED_BACK = "owed_back"
    """Recorded for an order cancelled or paid already: refund due."""
    DUPLICATE = "duplicate"
    """This charge was recorded before; nothing changed."""
    REFUSED = "refused"
    """It names no order of the payer, or other money than its total; nothing changed."""


class PriceLine(Model):
    label: str
    amount: int


class Invoice(Model):
    """What sendInvoice needs for one order, by one method."""

    method: PaymentMethod
    title: str
    description: str
    payload: str
    currency: str
    prices: tuple[PriceLine, ...]
    provider_token: str = Field(repr=False)
    """Empty for Telegram Stars."""


class ReceivedPayment(Model):
    """A ``successful_payment``, as Telegram (or whoever sent the update) says."""

    currency: str
    total_amount: int
    invoice_payload: str
    telegram_payment_charge_id: str
    provider_payment_charge_id: str


class JobState(StrEnum):
    DUE = "due"
    DONE = "done"
    FAILED = "failed"


class RefundJob(Model):
    """Refund ``telegram_payment_charge_id`` (``amount`` in ``currency``) to the Telegram
    user who paid it, for ``order_id``."""

    id: str = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    order_id: Id
    telegram_user_id: int
    telegram_payment_charge_id: str
    amount: int
    currency: str
    attempts: int = 0


class StarPayment(Model):
    """An incoming Stars transaction: a user paying one of the bot's invoices."""

    charge_id: str
    payer_telegram_id: int
    amount: int
    invoice_payload: str


class LedgerPage(Model):
    transactions: int
    """How many transactions of any kind the page held (the cursor counts them all)."""
    payments: tuple[StarPayment, ...]


MethodCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,32}$")]


class DeliveryMethod(Command):
    """One way an order reaches the customer, as ``DELIVERY_METHODS`` lists it."""

    code: MethodCode
    title: Annotated[str, StringConstraints(max_length=64), Printable(required=True)]
    fee: Price = 0
    needs_address: StrictBool = False
    info: Annotated[str, StringConstraints(max_length=500), Printable(multiline=True)] = Field(
        default="", description="Shown to the customer, e.g. the pickup address and hours."
    )


class Amount(Model):
    """Money: minor units of ``currency``."""

    amount: int
    currency: str


class CustomerSpending(Model):
    """What a customer ordered and spent (``core/sales/spending.py``)."""

    orders: int
    """Orders placed, in any status."""
    spent: tuple[Amount, ...]
    """Per currency, largest first; empty when nothing was kept."""


class SalesCounts(Model):
    """Orders, payments and refunds at one moment (``core/sales/figures.py``)."""

    orders: dict[OrderStatus, int]
    """Placed orders by their status now."""
    payments: dict[PaymentMethod, int]
    """Orders ever paid (refunded since or not), by how they were paid."""
    refunds_due: int
    """Orders with a payment owed back: staff's list of refunds to make."""
    refunded: int
    """Orders with a payment given back."""
    refund_jobs: dict[JobState, int]
    """Stars refunds by their state."""
    outbox_oldest_seconds: float
    """How long the oldest entry of any order's outbox has waited to be relayed; 0 when
    the outbox is empty."""

    @property
    def placed(self) -> int:
        return sum(self.orders.values())
