"""What the bot says to staff: order cards, the staff menu, broadcast drafts and progress
(HTML, every value from outside escaped), in the staff member's language like every text
(``bot/texts.py``)."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot import goods
from bot.texts import delivery_details, fee_line, money, order_discount, payment_state, status
from core.base.models import Page
from core.messaging.commands import Segment, SegmentKind
from core.messaging.models import BroadcastProgress, BroadcastState, NoticeKind
from core.sales.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentRecord,
    PaymentState,
    ShopProcess,
    StaffChange,
    StaffOrderView,
)


def only_staff() -> str:
    return _("Only the shop's staff can do this.")


def order_moved() -> str:
    return _("Someone else changed this order first. Here it is as it is now.")


def ask_broadcast() -> str:
    return _(
        "<b>New broadcast</b>\nSend the text for the customers. It is shown exactly as typed "
        "unless you turn formatting on (Telegram HTML: &lt;b&gt;, &lt;i&gt;, &lt;a href&gt;...). "
        "/cancel to stop."
    )


def bad_formatting(error: str) -> str:
    return _(
        "Telegram cannot read this text as HTML: {error}. Fix it or turn formatting off."
    ).format(error=error)


def draft_gone() -> str:
    return _("This draft was sent or discarded already.")


def discarded() -> str:
    return _("Broadcast discarded.")


def _state(state: BroadcastState) -> str:
    names = {
        BroadcastState.PREPARING: _("preparing"),
        BroadcastState.SENDING: _("sending"),
        BroadcastState.DONE: _("done"),
        BroadcastState.CANCELLED: _("cancelled"),
    }
    return names[state]


def _process(process: ShopProcess) -> str:
    names = {
        ShopProcess.PAYMENT: _("Telegram payment"),
        ShopProcess.EXPIRY: _("the payment deadline"),
    }
    return names[process]


def _paid_by(method: PaymentMethod) -> str:
    ways = {
        PaymentMethod.MANUAL: _("by hand"),
        PaymentMethod.PROVIDER: _("by card"),
        PaymentMethod.STARS: _("in Telegram Stars"),
    }
    return ways[method]


def _heading(kind: NoticeKind | None) -> str:
    """An order card's first line: a new order's, a payment's, or any order's."""
    if kind is NoticeKind.NEW_ORDER:
        return _("New order #{number}: {total}")
    if kind is NoticeKind.PAYMENT_RECEIVED:
        return _("Payment for order #{number}: {total}")
    return _("Order #{number}: {total}")


def _when(change: StaffChange) -> str:
    return f"{change.at:%Y-%m-%d %H:%M} UTC"


def _who(change: StaffChange) -> str:
    if change.by_process is not None:
        return _process(change.by_process)
    if change.by_name is None:
        return _("the shop")
    role = f" ({change.by_role.value})" if change.by_role and change.from_status else ""
    return f"{html.quote(change.by_name)}{role}"


def order_card(
    view: StaffOrderView, *, kind: NoticeKind | None = None, history: bool = False
) -> str:
    """An order as staff see it: number, customer, lines, total, status and who set it, the
    payment; ``kind``: the notice it comes with (a new order, a payment), if any."""
    order = view.order
    total = money(order.total_amount, order.currency)
    lines = [f"<b>{_heading(kind).format(number=order.number, total=total)}</b>"]
    if view.customer is None:
        lines.append(_("Customer: (account deleted)"))
    else:
        customer = view.customer
        name = html.quote(customer.name)
        if customer.telegram_id is not None:
            name = f'<a href="tg://user?id={customer.telegram_id}">{name}</a>'
        lines.append(
            _("Customer: {name}, {email}").format(name=name, email=html.quote(customer.email))
        )
    lines.append("")
    lines += [
        f"{html.quote(line.name)} x {line.quantity} = {money(line.line_total, order.currency)}"
        for line in order.products
    ]
    lines += order_discount(order)
    if order.delivery is not None:
        lines += [fee_line(order.delivery, order.currency), "", delivery_details(order.delivery)]
    lines.append("")
    last = view.last_change
    now = _("Status: <b>{status}</b>").format(status=status(order.status))
    if last.from_status is not None:
        now += _(", set by {who} at {when}").format(who=_who(last), when=_when(last))
    lines.append(now)
    lines += _payment(order.payment)
    lines += goods.order_lines(order)
    if history:
        lines.append("\n<b>{}</b>".format(_("History")))
        lines += [
            _("{when}: {status} by {who}").format(
                when=_when(change), status=status(change.to_status), who=_who(change)
            )
            for change in view.history
        ]
    return "\n".join(lines)


def _payment(payment: PaymentRecord) -> list[str]:
    """The payment's state, and every charge the shop owes back."""
    lines = []
    if payment.state is not PaymentState.UNPAID and payment.amount is not None:
        paid = money(payment.amount, payment.currency or "")
        if payment.method is not None:
            paid += f" {_paid_by(payment.method)}"
        if payment.state is PaymentState.REFUND_DUE:
            text = _("Payment: <b>refund due</b>: {paid}")
            if payment.late:
                text = _("Payment: <b>refund due</b>: {paid}, after the order was cancelled")
            lines.append(text.format(paid=paid))
        else:
            state = payment_state(payment.state) or payment.state.value
            lines.append(_("Payment: {state}, {paid}").format(state=state, paid=paid))
    for charge in payment.extra_charges:
        owed = f"{money(charge.amount, charge.currency)} {_paid_by(charge.method)}"
        if charge.state is PaymentState.REFUND_DUE:
            lines.append(_("<b>Refund due</b>: a second payment of {owed}").format(owed=owed))
        else:
            lines.append(_("Refunded: a second payment of {owed}").format(owed=owed))
    return lines


def staff_menu(counts: dict[OrderStatus, int]) -> str:
    listed = ", ".join(f"{counts[value]} {status(value)}" for value in OrderStatus)
    return _("<b>Staff</b>\nOrders: {listed}.\nPick a list, or write a broadcast.").format(
        listed=listed
    )


def staff_orders(value: OrderStatus, page: Page[Order]) -> str:
    title = "<b>{}</b>".format(_("Orders {status}").format(status=status(value)))
    if not page.items:
        return "{}\n{}".format(title, _("None."))
    pages = _("(page {page} of {pages})").format(page=page.page, pages=page.pages)
    return f"{title} {pages}"


def segment_name(value: OrderStatus | None) -> str:
    if value is None:
        return _("all customers")
    return _("customers with a {status} order").format(status=status(value))


def _segment(segment: Segment) -> str:
    if segment.kind in (SegmentKind.ALL_CUSTOMERS, SegmentKind.ORDER_STATUS):
        return segment_name(segment.status)
    return _("chosen customers")


def draft(value: OrderStatus | None, formatted: bool, recipients: int) -> str:
    """The controls under a draft's preview (the message above it)."""
    formatting = _("on (Telegram HTML)") if formatted else _("off (shown as typed)")
    return _(
        "<b>Broadcast draft</b>: the message above is what customers will see.\n"
        "To: {segment}, <b>{recipients}</b> now.\n"
        "Formatting: {formatting}.\n"
        "Send another text to replace it."
    ).format(segment=segment_name(value), recipients=recipients, formatting=formatting)


def preview(text: str, formatted: bool) -> str:
    """A broadcast as its recipients see it (the notifier sends the same)."""
    return text if formatted else html.quote(text)


def progress(report: BroadcastProgress) -> str:
    return _(
        "<b>Broadcast</b> to {segment}: <b>{state}</b>\n"
        "Sent {sent}, blocked {blocked}, failed {failed}, "
        "cancelled {cancelled}, remaining {remaining} of {total}."
    ).format(
        segment=_segment(report.broadcast.segment),
        state=_state(report.state),
        sent=report.sent,
        blocked=report.blocked,
        failed=report.failed,
        cancelled=report.cancelled,
        remaining=report.remaining,
        total=report.total,
    )
