"""What a notification looks like in the chat: text and, for an order, a button to open it."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup

from bot import keyboards, texts
from core.notifications import NoticeKind, Notification


def render(notice: Notification) -> tuple[str, InlineKeyboardMarkup | None]:
    if notice.kind is NoticeKind.BROADCAST:
        return html.quote(notice.text or ""), None
    assert notice.order_id is not None and notice.order_number is not None
    total = texts.money(notice.total_amount or 0, notice.currency or "")
    if notice.kind is NoticeKind.NEW_ORDER:
        text = f"New order #{notice.order_number}: {total}"
        if notice.delivery is not None:  # what the customer typed, escaped
            text += f"\n{texts.delivery_details(notice.delivery)}"
        return text, None
    status = notice.status.value if notice.status else ""
    text = f"Your order #{notice.order_number} ({total}) is now <b>{status}</b>."
    return text, keyboards.open_order(notice.order_id, notice.order_number)
