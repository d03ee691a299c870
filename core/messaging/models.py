"""Notifications (one typed payload per kind) and broadcasts, as stored and reported."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, TypeAdapter

from core.accounts.models import Language
from core.base.ids import Id
from core.base.models import Model
from core.catalog.models import GoodsKind
from core.messaging.commands import Segment
from core.sales.models import OrderStatus


class BroadcastState(StrEnum):
    PREPARING = "preparing"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Model):
    id: Id = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    text: str
    formatted: bool = False
    segment: Segment
    state: BroadcastState
    created_by: Id | None
    created_at: datetime


class BroadcastProgress(Model):
    broadcast: Broadcast
    state: BroadcastState
    total: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    remaining: int

    @property
    def finished(self) -> bool:
        return self.state in (BroadcastState.DONE, BroadcastState.CANCELLED)


class ProgressReport(Model):
    """The chat message that shows a broadcast's progress."""

    broadcast_id: Id
    chat_id: int
    message_id: int
    language: Language | None = None
    """The language it is written in: the sender's."""


class NoticeKind(StrEnum):
    ORDER_STATUS = "order_status"
    NEW_ORDER = "new_order"
    BROADCAST = "broadcast"
    ORDER_EXPIRED = "order_expired"
    """An unpaid order cancelled by the shop after ``ORDER_PAYMENT_MINUTES``."""
    LATE_PAYMENT = "late_payment"
    """A payment for an order cancelled or paid already: it is owed back."""
    REFUNDED = "refunded"
    """A Stars payment was refunded (``core/sales/refunds.py``)."""
    LOW_STOCK = "low_stock"
    PAYMENT_RECEIVED = "payment_received"
    """Operators: Telegram took money for an order (to be refunded if not needed)."""
    GOODS = "goods"
    """A paid order line's digital goods, for its buyer (``core/digital/delivery.py``)."""
    CART_REMINDER = "cart_reminder"
    """A customer's cart left untouched (``core/sales/cart_reminders.py``)."""
    BACK_IN_STOCK = "back_in_stock"
    """A sold-out product a customer waited for is back (``core/catalog/restock_alerts.py``)."""


class SendState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({SendState.SENT, SendState.FAILED, SendState.BLOCKED, SendState.CANCELLED})


class BaseNotification(Model):
    """One message for one chat, as stored: how it is being sent, and (in each kind's
    class below) what it says. ``language`` is the reader's when it was queued (none: the
    bot's default). Each kind's fields sit beside ``kind`` in the document."""

    id: str = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    kind: NoticeKind
    chat_id: int
    state: SendState
    attempts: int = 0
    user_id: Id | None = None
    language: Language | None = None
    owner: str | None = None
    created_at: datetime


class OrderNews(BaseNotification):
    """A customer's notice about their order, with a button to open it."""

    order_id: Id
    order_number: int
    total_amount: int
    currency: str


class OrderStatusNotice(OrderNews):
    kind: Literal[NoticeKind.ORDER_STATUS]
    status: OrderStatus


class OrderExpiredNotice(OrderNews):
    kind: Literal[NoticeKind.ORDER_EXPIRED]


class LatePaymentNotice(OrderNews):
    """The payment (``total_amount``) came after the order was ``status``: owed back."""

    kind: Literal[NoticeKind.LATE_PAYMENT]
    status: OrderStatus


class RefundedNotice(OrderNews):
    """``total_amount`` was given back to the customer."""

    kind: Literal[NoticeKind.REFUNDED]


class GoodsNotice(OrderNews):
    """One order line's digital goods: its keys or its file, read when it is sent (the
    notification itself holds no key)."""

    kind: Literal[NoticeKind.GOODS]
    line: int
    product_name: str
    goods: GoodsKind


class OrderCard(BaseNotification):
    """For the operators: the order as it is when sent, with its status buttons."""

    order_id: Id


class NewOrderCard(OrderCard):
    kind: Literal[NoticeKind.NEW_ORDER]


class PaymentCard(OrderCard):
    kind: Literal[NoticeKind.PAYMENT_RECEIVED]


class BroadcastMessage(BaseNotification):
    """An operator's text, sent as written (as Telegram HTML when ``formatted``)."""

    kind: Literal[NoticeKind.BROADCAST]
    broadcast_id: Id
    text: str
    formatted: bool = False


class LowStockAlert(BaseNotification):
    kind: Literal[NoticeKind.LOW_STOCK]
    product_id: Id
    product_name: str
    stock: int
    threshold: int


class ReminderLine(Model):
    """A cart line as the reminder shows it."""

    name: str
    quantity: int
    line_total: int


class CartReminder(BaseNotification):
    """The customer's cart as it was when queued (``cart_version``), with a button back to
    it; sent only if the cart still holds exactly that (``CartReminders.recheck``)."""

    kind: Literal[NoticeKind.CART_REMINDER]
    cart_id: Id
    cart_version: int
    lines: tuple[ReminderLine, ...]
    total_amount: int
    currency: str
    promo_code: str | None = Field(default=None, description="The cart's promo code, if any.")
    discount: int = Field(default=0, description="What the code takes off ``total_amount``.")


class BackInStockAlert(BaseNotification):
    """A sold-out product a customer waited for has stock again (its ``generation``-th
    restock), with a button to open it; dropped if it is sold out again when sent."""

    kind: Literal[NoticeKind.BACK_IN_STOCK]
    product_id: Id
    product_name: str
    generation: int


Notification = Annotated[
    OrderStatusNotice
    | OrderExpiredNotice
    | LatePaymentNotice
    | RefundedNotice
    | GoodsNotice
    | NewOrderCard
    | PaymentCard
    | BroadcastMessage
    | LowStockAlert
    | CartReminder
    | BackInStockAlert,
    Field(discriminator="kind"),
]
"""Every kind of notification; adding one is a class here and a renderer in the bot."""


NOTIFICATION: TypeAdapter[Notification] = TypeAdapter(Notification)


ORDER_CARDS = frozenset({NoticeKind.NEW_ORDER, NoticeKind.PAYMENT_RECEIVED})
"""Notices for the operators that show the order as a card with its status buttons."""


class NoticeCounts(Model):
    """The notification queue at one moment (``core/messaging/figures.py``)."""

    by_state: dict[SendState, int]
    oldest_due_seconds: float
    """How long the longest-waiting notice due now has waited; 0 when none is due."""
