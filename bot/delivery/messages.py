"""What a notification looks like in the chat: text and, for an order, a button to open it,
in the language stored with the notification (the customer's when it was queued)."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot import keyboards, texts
from core.notifications import NoticeKind, Notification


def render(notice: Notification, i18n: I18n) -> tuple[str, InlineKeyboardMarkup | None]:
    language = notice.language.value if notice.language else i18n.default_locale
    with i18n.context(), i18n.use_locale(language):
        return _render(notice)


def _render(notice: Notification) -> tuple[str, InlineKeyboardMarkup | None]:
    if notice.kind is NoticeKind.BROADCAST:
        return html.quote(notice.text or ""), None  # the operator's words, as written
    if notice.kind is NoticeKind.LOW_STOCK:
        name = html.quote(notice.product_name or "")
        return texts.low_stock_alert(name, notice.stock, notice.threshold), None
    assert notice.order_id is not None and notice.order_number is not None
    assert notice.total_amount is not None and notice.currency is not None
    total = texts.money(notice.total_amount, notice.currency)
    if notice.kind is NoticeKind.NEW_ORDER:
        text = texts.new_order_notice(notice.order_number, total)
        if notice.delivery is not None:  # what the customer typed, escaped
            text += f"\n{texts.delivery_details(notice.delivery)}"
        return text, None
    assert notice.status is not None
    text = texts.order_status_notice(notice.order_number, total, notice.status)
    return text, keyboards.open_order(notice.order_id, notice.order_number)
