"""Orders: the list with its filters (kept in the URL, so a view can be bookmarked), and
one order with its lines, delivery, payment, history, status buttons and refunds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_api.web.visit import Visit
from core.base.commands import parse
from core.base.errors import Conflict, FieldError, InvalidInput
from core.sales.commands import OrderQuery, OrderSort, RefundRecord
from core.sales.models import Channel, OrderStatus, PaymentState

PAGE_SIZE = 25
FILTERS = ("q", "status", "paymentState", "deliveryMethod", "userId", "from", "to", "sort")
"""The list's filters, named as the API's ``OrderQuery`` names them; ``from`` and ``to`` are
days (``YYYY-MM-DD``, both included)."""
DAYS = ("from", "to")


def _day(name: str, value: str, zone: ZoneInfo) -> datetime | FieldError:
    """The start of ``value``'s day in the shop's time zone (for ``to``, of the day after,
    so it is included), or what is wrong with it."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return FieldError((name,), "must be a day, such as 2026-01-31")
    if name == "to":
        day += timedelta(days=1)
    return datetime.combine(day, time(), zone)


def order_query(chosen: dict[str, str], page: str, zone: ZoneInfo) -> OrderQuery:
    """The ``OrderQuery`` of the list's URL (its days in ``zone``, the shop's), or
    ``InvalidInput`` naming every wrong filter."""
    data: dict[str, Any] = {"page": page or "1", "limit": str(PAGE_SIZE)}
    wrong: list[FieldError] = []
    for name, value in chosen.items():
        if not value:
            continue
        if name not in DAYS:
            data[name] = value
        elif isinstance(start := _day(name, value, zone), FieldError):
            wrong.append(start)
        else:
            data[name] = start.isoformat()
    try:
        query = parse(OrderQuery, data)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, [*exc.errors, *wrong]) from None
    if wrong:
        raise InvalidInput("The request has invalid fields.", wrong)
    return query


async def list_orders(visit: Visit) -> web.StreamResponse:
    params = visit.request.query
    chosen = {name: params.get(name, "").strip() for name in FILTERS}
    try:
        query = order_query(chosen, params.get("page", "1"), visit.shop.settings.zone)
    except InvalidInput as exc:
        problems = [f"{'.'.join(map(str, e.loc))}: {e.message}" for e in exc.errors]
        return visit.render(
            "orders/list.html", 422, **_list_context(visit, chosen), problems=problems
        )
    found = await visit.shop.orders.search(visit.actor, query)
    people = await visit.shop.accounts.named(visit.actor, (o.user_id for o in found.items))
    shown = {name: value for name, value in chosen.items() if value}

    def page_url(number: int) -> str:
        return str(visit.url("list_orders", {**shown, "page": str(number)}))

    customer = people.get(query.user_id) if query.user_id else None
    if query.user_id and customer is None:
        customer = await visit.shop.accounts.get(visit.actor, query.user_id)
    return visit.render(
        "orders/list.html",
        **_list_context(visit, chosen),
        problems=[],
        found=found,
        people=people,
        customer=customer,
        page_url=page_url,
    )


def _list_context(visit: Visit, chosen: dict[str, str]) -> dict[str, Any]:
    return {
        "chosen": chosen,
        "statuses": list(OrderStatus),
        "payment_states": list(PaymentState),
        "delivery_methods": [(m.code, m.title) for m in visit.shop.delivery.methods],
        "sorts": [(sort.value, f"{sort.value.capitalize()} first") for sort in OrderSort],
    }


async def order_page(visit: Visit) -> web.StreamResponse:
    view = await visit.shop.staff.view(visit.actor, visit.path_id)
    return visit.render("orders/order.html", view=view, order=view.order)


def _status_choice(visit: Visit) -> tuple[OrderStatus, int]:
    try:
        return OrderStatus(visit.form["status"]), int(visit.form["version"])
    except (KeyError, ValueError):
        raise InvalidInput("Choose the new status with a button of the order's page.") from None


async def change_status(visit: Visit) -> web.StreamResponse:
    """Move the order from the status its page showed; if it changed since, nothing is done
    and the page (as it is now) says so."""
    status, seen = _status_choice(visit)
    move = await visit.shop.staff.move(
        visit.actor, visit.path_id, status, seen, Channel.BACK_OFFICE
    )
    order = move.view.order
    page = visit.url("order_page", id=str(order.id))
    if move.moved:
        return visit.redirect(page, f"Order #{order.number} is now {status.value}.")
    return visit.redirect(
        page,
        f"Nothing was changed: order #{order.number} changed since its page was opened "
        f"(it is {order.status.value} now). Check it and choose again.",
        error=True,
    )


async def record_refund(visit: Visit) -> web.StreamResponse:
    """Staff refunded a payment outside Telegram: record it (the order's own payment, or
    the extra charge the form names)."""
    charge = visit.form.get("charge") or None
    record = parse(RefundRecord, {"telegramPaymentChargeId": charge})
    page = visit.url("order_page", id=visit.path_id)
    try:
        order = await visit.shop.payments.mark_refunded(
            visit.actor, visit.path_id, record.telegram_payment_charge_id
        )
    except Conflict as exc:
        return visit.redirect(page, f"Nothing was recorded: {exc.message}", error=True)
    return visit.redirect(page, f"The refund of order #{order.number} is recorded as made.")
