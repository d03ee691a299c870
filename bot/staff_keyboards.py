"""Staff keyboards: order cards with the allowed next statuses, the staff menu and lists,
broadcast drafts and progress."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.callbacks import (
    Compose,
    DraftDiscard,
    DraftFormat,
    DraftSegment,
    DraftSend,
    StaffList,
    StaffMenu,
    StaffMove,
    StaffOrder,
    StopBroadcast,
)
from bot.keyboards import button, pager
from core.base.models import Page
from core.messaging.models import BroadcastProgress
from core.sales.models import Order, OrderStatus, StaffOrderView


def _move(status: OrderStatus) -> str:
    moves = {
        OrderStatus.PAID: _("✅ Mark paid"),
        OrderStatus.SHIPPED: _("🚚 Shipped"),
        OrderStatus.CANCELLED: _("✖ Cancel"),
    }
    return moves[status]


def _menu() -> InlineKeyboardButton:
    return button(_("« Staff menu"), StaffMenu())


def _status_name(status: OrderStatus) -> str:
    return texts.status(status).capitalize()


def order_card(
    view: StaffOrderView, listed: OrderStatus | None = None, page: int = 1
) -> InlineKeyboardMarkup:
    """A button per allowed next status; from a list, a way back to it."""
    order = view.order
    builder = InlineKeyboardBuilder()
    moves = [
        button(
            _move(status),
            StaffMove(
                order_id=str(order.id),
                status=status,
                version=order.version,
                listed=listed,
                page=page,
            ),
        )
        for status in view.next_statuses
    ]
    if moves:
        builder.row(*moves)
    if listed is not None:
        back = _("« Orders {status}").format(status=texts.status(listed))
        builder.row(button(back, StaffList(status=listed, page=page)), _menu())
    return builder.as_markup()


def staff_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(*(button(_status_name(status), StaffList(status=status)) for status in OrderStatus))
    builder.row(button(_("📣 Broadcast"), Compose()))
    return builder.as_markup()


def staff_orders(status: OrderStatus, page: Page[Order]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for order in page.items:
        opened = StaffOrder(order_id=str(order.id), listed=status, page=page.page)
        builder.row(button(texts.order_button(order), opened))
    builder.row(*pager(page.page, page.pages, lambda n: StaffList(status=status, page=n)))
    builder.row(_menu())
    return builder.as_markup()


def draft(
    draft_id: str, status: OrderStatus | None, formatted: bool, recipients: int
) -> InlineKeyboardMarkup:
    def segment(label: str, choice: OrderStatus | None) -> InlineKeyboardButton:
        mark = "• " if choice == status else ""
        return button(f"{mark}{label}", DraftSegment(draft_id=draft_id, status=choice))

    builder = InlineKeyboardBuilder()
    builder.row(segment(_("All customers"), None))
    builder.row(*(segment(_status_name(choice), choice) for choice in OrderStatus))
    toggle = _("Formatting: on") if formatted else _("Formatting: off")
    builder.row(button(toggle, DraftFormat(draft_id=draft_id, formatted=not formatted)))
    builder.row(
        button(_("📣 Send to {count}").format(count=recipients), DraftSend(draft_id=draft_id)),
        button(_("Discard"), DraftDiscard(draft_id=draft_id)),
    )
    return builder.as_markup()


def progress(report: BroadcastProgress) -> InlineKeyboardMarkup | None:
    if report.finished:
        return None
    stop = StopBroadcast(broadcast_id=str(report.broadcast.id))
    return InlineKeyboardMarkup(inline_keyboard=[[button(_("Cancel broadcast"), stop)]])
