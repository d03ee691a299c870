"""What a notification looks like in the chat: a broadcast's text; for the customer, their
order's new status and a button to open it; for the operators, the card of a new or paid order
with a button per allowed next status (pressed in ``bot/handlers/staff_orders.py``)."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup

from bot import keyboards, staff_keyboards, staff_texts, texts
from core.models import OrderStatus
from core.notifications import ORDER_CARDS, NoticeKind, Notification
from core.staff import StaffOrderView


def render(
    notice: Notification, card: StaffOrderView | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """``card``: the order as it is now, for the operators' order cards."""
    if notice.kind is NoticeKind.BROADCAST:
        return staff_texts.preview(notice.text or "", notice.formatted), None
    if notice.kind is NoticeKind.LOW_STOCK:
        name = html.quote(notice.product_name or "")
        text = texts.LOW_STOCK_ALERT.format(name=name, stock=notice.stock, limit=notice.threshold)
        return text, None
    if notice.kind in ORDER_CARDS:
        assert card is not None
        heading = staff_texts.CARD_HEADINGS[notice.kind]
        return staff_texts.order_card(card, heading=heading), staff_keyboards.order_card(card)
    assert notice.order_id is not None and notice.order_number is not None
    total = texts.money(notice.total_amount or 0, notice.currency or "")
    number = notice.order_number
    if notice.kind is NoticeKind.ORDER_EXPIRED:
        text = (
            f"Your order #{number} ({total}) was not paid in time, so it is now <b>cancelled</b>."
        )
    elif notice.kind is NoticeKind.LATE_PAYMENT:
        why = "cancelled" if notice.status is OrderStatus.CANCELLED else "paid already"
        text = f"Your payment of {total} came after order #{number} was {why}: it will be refunded."
    elif notice.kind is NoticeKind.STAR_REFUND:
        text = f"We refunded your payment of {total} for order #{number}."
    else:
        status = notice.status.value if notice.status else ""
        text = f"Your order #{number} ({total}) is now <b>{status}</b>."
    return text, keyboards.open_order(notice.order_id, number)
