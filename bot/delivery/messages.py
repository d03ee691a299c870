"""What a notification looks like in the chat, in the language stored with it (the
reader's when it was queued): a broadcast's text; for the customer, their order's news and
a button to open it; for the operators, the card of a new or paid order with a button per
allowed next status (pressed in ``bot/handlers/staff_orders.py``)."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot import keyboards, staff_keyboards, staff_texts, texts
from core.messaging.notifications import ORDER_CARDS, NoticeKind, Notification
from core.sales.models import StaffOrderView


def render(
    notice: Notification, i18n: I18n, card: StaffOrderView | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """``card``: the order as it is now, for the operators' order cards."""
    language = notice.language.value if notice.language else i18n.default_locale
    with i18n.context(), i18n.use_locale(language):
        return _render(notice, card)


def _render(
    notice: Notification, card: StaffOrderView | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    if notice.kind is NoticeKind.BROADCAST:  # the operator's words, as written
        return staff_texts.preview(notice.text or "", notice.formatted), None
    if notice.kind is NoticeKind.LOW_STOCK:
        name = html.quote(notice.product_name or "")
        return texts.low_stock_alert(name, notice.stock, notice.threshold), None
    if notice.kind in ORDER_CARDS:
        assert card is not None
        text = staff_texts.order_card(card, kind=notice.kind)
        return text, staff_keyboards.order_card(card)
    assert notice.order_id is not None and notice.order_number is not None
    assert notice.total_amount is not None and notice.currency is not None
    total = texts.money(notice.total_amount, notice.currency)
    number = notice.order_number
    if notice.kind is NoticeKind.ORDER_EXPIRED:
        text = texts.order_expired_notice(number, total)
    elif notice.kind is NoticeKind.LATE_PAYMENT:
        text = texts.late_payment_notice(number, total, notice.status)
    elif notice.kind is NoticeKind.STAR_REFUND:
        text = texts.star_refund_notice(number, total)
    else:
        assert notice.status is not None
        text = texts.order_status_notice(number, total, notice.status)
    return text, keyboards.open_order(notice.order_id, number)
