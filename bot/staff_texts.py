"""What the bot says to staff: order cards, the staff menu, broadcast drafts and progress
(HTML, every value from outside escaped)."""

from __future__ import annotations

from aiogram import html

from bot.texts import delivery_details, fee_line, money
from core.broadcasts import BroadcastProgress, BroadcastState
from core.commands import Segment, SegmentKind
from core.models import (
    Order,
    OrderStatus,
    Page,
    PaymentMethod,
    PaymentRecord,
    PaymentState,
    ShopProcess,
)
from core.notifications import NoticeKind
from core.staff import StaffChange, StaffOrderView

ONLY_STAFF = "Only the shop's staff can do this."
ORDER_MOVED = "Someone else changed this order first. Here it is as it is now."
ASK_BROADCAST = (
    "<b>New broadcast</b>\nSend the text for the customers. It is shown exactly as typed "
    "unless you turn formatting on (Telegram HTML: &lt;b&gt;, &lt;i&gt;, &lt;a href&gt;...). "
    "/cancel to stop."
)
BAD_FORMATTING = "Telegram cannot read this text as HTML: {error}. Fix it or turn formatting off."
DRAFT_GONE = "This draft was sent or discarded already."
DISCARDED = "Broadcast discarded."
CARD_HEADINGS = {
    NoticeKind.NEW_ORDER: "New order",
    NoticeKind.PAYMENT_RECEIVED: "Payment for order",
}
PROCESSES = {ShopProcess.PAYMENT: "Telegram payment", ShopProcess.EXPIRY: "the payment deadline"}
PAID_BY = {
    PaymentMethod.MANUAL: "by hand",
    PaymentMethod.PROVIDER: "by card",
    PaymentMethod.STARS: "in Telegram Stars",
}
STATE_NAMES = {
    BroadcastState.PREPARING: "preparing",
    BroadcastState.SENDING: "sending",
    BroadcastState.DONE: "done",
    BroadcastState.CANCELLED: "cancelled",
}


def _when(change: StaffChange) -> str:
    return f"{change.at:%Y-%m-%d %H:%M} UTC"


def _who(change: StaffChange) -> str:
    if change.by_process is not None:
        return PROCESSES[change.by_process]
    if change.by_name is None:
        return "the shop"
    role = f" ({change.by_role.value})" if change.by_role and change.from_status else ""
    return f"{html.quote(change.by_name)}{role}"


def order_card(view: StaffOrderView, *, heading: str = "Order", history: bool = False) -> str:
    """An order as staff see it: number, customer, lines, total, status and who set it."""
    order = view.order
    total = money(order.total_amount, order.currency)
    lines = [f"<b>{heading} #{order.number}: {total}</b>"]
    if view.customer is None:
        lines.append("Customer: (account deleted)")
    else:
        customer = view.customer
        name = html.quote(customer.name)
        if customer.telegram_id is not None:
            name = f'<a href="tg://user?id={customer.telegram_id}">{name}</a>'
        lines.append(f"Customer: {name}, {html.quote(customer.email)}")
    lines.append("")
    lines += [
        f"{html.quote(line.name)} x {line.quantity} = {money(line.line_total, order.currency)}"
        for line in order.products
    ]
    if order.delivery is not None:
        lines += [fee_line(order.delivery, order.currency), "", delivery_details(order.delivery)]
    lines.append("")
    last = view.last_change
    status = f"Status: <b>{order.status.value}</b>"
    if last.from_status is not None:
        status += f", set by {_who(last)} at {_when(last)}"
    lines.append(status)
    lines += _payment(order.payment)
    if history:
        lines.append("\n<b>History</b>")
        lines += [
            f"{_when(change)}: {change.to_status.value} by {_who(change)}"
            for change in view.history
        ]
    return "\n".join(lines)


def _payment(payment: PaymentRecord) -> list[str]:
    """The payment's state, and every charge the shop owes back."""
    lines = []
    if payment.state is not PaymentState.UNPAID and payment.amount is not None:
        paid = money(payment.amount, payment.currency or "")
        if payment.method is not None:
            paid += f" {PAID_BY[payment.method]}"
        if payment.state is PaymentState.REFUND_DUE:
            why = ", after the order was cancelled" if payment.late else ""
            lines.append(f"Payment: <b>refund due</b>: {paid}{why}")
        else:
            lines.append(f"Payment: {payment.state.value}, {paid}")
    for charge in payment.extra_charges:
        owed = f"{money(charge.amount, charge.currency)} {PAID_BY[charge.method]}"
        if charge.state is PaymentState.REFUND_DUE:
            lines.append(f"<b>Refund due</b>: a second payment of {owed}")
        else:
            lines.append(f"Refunded: a second payment of {owed}")
    return lines


def staff_menu(counts: dict[OrderStatus, int]) -> str:
    listed = ", ".join(f"{counts[status]} {status.value}" for status in OrderStatus)
    return f"<b>Staff</b>\nOrders: {listed}.\nPick a list, or write a broadcast."


def staff_orders(status: OrderStatus, page: Page[Order]) -> str:
    if not page.items:
        return f"<b>Orders {status.value}</b>\nNone."
    return f"<b>Orders {status.value}</b> (page {page.page} of {page.pages})"


def segment_name(status: OrderStatus | None) -> str:
    return "all customers" if status is None else f"customers with a {status.value} order"


def _segment(segment: Segment) -> str:
    if segment.kind in (SegmentKind.ALL_CUSTOMERS, SegmentKind.ORDER_STATUS):
        return segment_name(segment.status)
    return "chosen customers"


def draft(status: OrderStatus | None, formatted: bool, recipients: int) -> str:
    """The controls under a draft's preview (the message above it)."""
    formatting = "on (Telegram HTML)" if formatted else "off (shown as typed)"
    return (
        "<b>Broadcast draft</b>: the message above is what customers will see.\n"
        f"To: {segment_name(status)}, <b>{recipients}</b> now.\n"
        f"Formatting: {formatting}.\n"
        "Send another text to replace it."
    )


def preview(text: str, formatted: bool) -> str:
    """A broadcast as its recipients see it (the delivery worker sends the same)."""
    return text if formatted else html.quote(text)


def progress(report: BroadcastProgress) -> str:
    segment = _segment(report.broadcast.segment)
    return (
        f"<b>Broadcast</b> to {segment}: <b>{STATE_NAMES[report.state]}</b>\n"
        f"Sent {report.sent}, blocked {report.blocked}, failed {report.failed}, "
        f"cancelled {report.cancelled}, remaining {report.remaining} of {report.total}."
    )
