"""What a notification looks like in the chat, in the language stored with it (the
reader's when it was queued): one renderer per kind of notification
(``core/messaging/notifications.py``), registered with ``@renders``. A broadcast's text;
for the customer, their order's news and a button to open it; for the operators, the card
of a new or paid order with a button per allowed next status (pressed in
``bot/handlers/staff_orders.py``), and low-stock alerts; a cart left untouched, with a
button back to it; for a customer who asked, a product back in stock (``bot/restock.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot import keyboards, restock, staff_keyboards, staff_texts, texts
from bot.goods import goods_text
from core.digital.models import LineGoods
from core.messaging.models import (
    BackInStockAlert,
    BaseNotification,
    BroadcastMessage,
    CartReminder,
    GoodsNotice,
    LatePaymentNotice,
    LowStockAlert,
    NewOrderCard,
    OrderCard,
    OrderExpiredNotice,
    OrderNews,
    OrderStatusNotice,
    PaymentCard,
    RefundedNotice,
)
from core.sales.models import StaffOrderView

Rendered = tuple[str, InlineKeyboardMarkup | None]
NoticeT = TypeVar("NoticeT", bound=BaseNotification)
NewsT = TypeVar("NewsT", bound=OrderNews)
Now = StaffOrderView | LineGoods | None
"""What a notice shows as it is when sent: an order card's order, a goods notice's goods."""
RENDERERS: dict[type[BaseNotification], Callable[[Any, Any], Rendered]] = {}


def renders(
    *kinds: type[NoticeT],
) -> Callable[[Callable[[NoticeT, Any], Rendered]], None]:
    """Registers the renderer of ``kinds``."""

    def register(renderer: Callable[[NoticeT, Any], Rendered]) -> None:
        RENDERERS.update(dict.fromkeys(kinds, renderer))

    return register


def render(notice: BaseNotification, i18n: I18n, card: Now = None) -> Rendered:
    """``card``: the order as it is now, for the operators' order cards; the line's goods,
    read now, for a goods notice."""
    language = notice.language.value if notice.language else i18n.default_locale
    with i18n.context(), i18n.use_locale(language):
        return RENDERERS[type(notice)](notice, card)


@renders(GoodsNotice)
def _goods(notice: GoodsNotice, goods: LineGoods | None) -> Rendered:
    if goods is None:
        raise ValueError("a goods notice needs the goods as they are now")
    return goods_text(notice.order_number, goods), None


@renders(BroadcastMessage)
def _broadcast(notice: BroadcastMessage, card: StaffOrderView | None) -> Rendered:
    return staff_texts.preview(notice.text, notice.formatted), None  # as the operator wrote it


@renders(LowStockAlert)
def _low_stock(notice: LowStockAlert, card: StaffOrderView | None) -> Rendered:
    name = html.quote(notice.product_name)
    return texts.low_stock_alert(name, notice.stock, notice.threshold), None


@renders(CartReminder)
def _cart_reminder(notice: CartReminder, card: StaffOrderView | None) -> Rendered:
    return texts.cart_reminder(notice), keyboards.back_to_cart()


@renders(BackInStockAlert)
def _back_in_stock(notice: BackInStockAlert, card: StaffOrderView | None) -> Rendered:
    return restock.alert(notice)


@renders(NewOrderCard, PaymentCard)
def _order_card(notice: OrderCard, card: StaffOrderView | None) -> Rendered:
    if card is None:
        raise ValueError("an order card needs the order as it is now")
    return staff_texts.order_card(card, kind=notice.kind), staff_keyboards.order_card(card)


def _news(text: Callable[[NewsT], str]) -> Callable[[NewsT, StaffOrderView | None], Rendered]:
    """The renderer of a customer's news of their order: ``text``, and a button to open it."""

    def news(notice: NewsT, card: StaffOrderView | None) -> Rendered:
        return text(notice), keyboards.open_order(notice.order_id, notice.order_number)

    return news


renders(OrderStatusNotice)(_news(texts.order_status_notice))
renders(OrderExpiredNotice)(_news(texts.order_expired_notice))
renders(LatePaymentNotice)(_news(texts.late_payment_notice))
renders(RefundedNotice)(_news(texts.refunded_notice))
