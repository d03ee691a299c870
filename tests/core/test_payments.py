"""Payments in core: the pre-checkout answer and its hold, recording a payment exactly once,
payments owed back, refunds, and unpaid orders expiring (times from an injected clock)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import User
from core.base import clock
from core.base.commands import HistoryQuery
from core.base.errors import Conflict, NotFound
from core.catalog.commands import ProductDraft
from core.messaging.models import NoticeKind
from core.sales.commands import CartChange, DeliveryDetails, StatusUpdate
from core.sales.errors import PaymentRefused, Unpayable
from core.sales.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentOutcome,
    PaymentState,
    ShopProcess,
)
from core.sales.payments import HOLD, payload_of
from core.shop import Shop, open_shop
from tests.core.paying import SHOPS, STAFF, payment_of, stored_order, tea_order, telegram_customer
from tests.settings import DELIVERY_METHODS, make_settings

WINDOW = timedelta(minutes=30)


@pytest.fixture(params=sorted(SHOPS))
def core_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """A shop taking Stars (prices in XTR) or cards (USD), plus manual payment; orders
    wait 30 minutes for their payment."""
    return {**SHOPS[request.param], "order_payment_minutes": 30}


async def _check(shop: Shop, user: User, order: Order, **changes: Any) -> None:
    """The pre-checkout query Telegram sends for ``order``'s invoice, with ``changes``."""
    await shop.payments.check(
        user.id,
        changes.get("payload", payload_of(order)),
        changes.get("currency", order.currency),
        changes.get("total_amount", order.total_amount),
    )


async def _notices(shop: Shop, order: Order) -> list[dict[str, Any]]:
    return await shop.store.notifications.find({"orderId": order.id}).sort("_id").to_list()


async def _refund_jobs(shop: Shop, order: Order) -> list[dict[str, Any]]:
    return await shop.store.refunds.find({"orderId": order.id}).to_list()


async def _stock(shop: Shop) -> int:
    return sum(p["stock"] for p in await shop.store.products.find().to_list())


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _online(shop: Shop) -> PaymentMethod:
    return shop.payments.online_methods[0]


async def test_a_checked_payment_marks_the_order_paid_once_with_one_notice(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    await _check(shop, alice, order)
    held = await stored_order(shop, order)
    assert held.payment.hold_until is not None and held.version == order.version

    payment = payment_of(order)
    assert await shop.payments.record(alice.id, payment) is PaymentOutcome.PAID
    for _ in range(3):  # a redelivered update, a second worker, a replay
        assert await shop.payments.record(alice.id, payment) is PaymentOutcome.DUPLICATE

    paid = await stored_order(shop, order)
    assert (paid.status, paid.version) == (OrderStatus.PAID, order.version + 1)
    assert paid.payment.method is _online(shop)
    assert paid.payment.state is PaymentState.PAID
    assert paid.payment.telegram_payment_charge_id == payment.telegram_payment_charge_id
    assert paid.payment.provider_payment_charge_id == payment.provider_payment_charge_id
    assert (paid.payment.amount, paid.payment.currency) == (order.total_amount, order.currency)
    assert paid.payment.paid_at is not None
    assert paid.history[-1].by is ShopProcess.PAYMENT
    assert [(n["kind"], n["status"]) for n in await _notices(shop, order)] == [
        (NoticeKind.ORDER_STATUS, "paid")
    ]
    with pytest.raises(PaymentRefused, match=Unpayable.ALREADY_PAID.message):
        await _check(shop, alice, paid)


async def test_forged_payments_change_nothing_and_are_logged(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    alice, mallory = await telegram_customer(shop), await telegram_customer(shop, "Mallory")
    order = await tea_order(shop, alice)
    forgeries = [
        (mallory.id, payment_of(order)),  # another user's order
        (None, payment_of(order)),  # nobody we know
        (alice.id, payment_of(order, total_amount=order.total_amount - 1)),
        (alice.id, payment_of(order, currency="EUR" if order.currency != "EUR" else "USD")),
        (alice.id, payment_of(order, invoice_payload="o:" + "0" * 24 + ":0")),  # no such order
        (alice.id, payment_of(order, invoice_payload="drop table orders")),
        (alice.id, payment_of(order, invoice_payload=payload_of(order) + "\n")),
    ]
    with caplog.at_level(logging.WARNING, logger="core.sales.payments"):
        for payer, payment in forgeries:
            assert await shop.payments.record(payer, payment) is PaymentOutcome.REFUSED
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == len(forgeries)
    stored = await stored_order(shop, order)
    assert (stored.status, stored.version, stored.payment.state) == (
        OrderStatus.PENDING,
        order.version,
        PaymentState.UNPAID,
    )
    assert await _notices(shop, order) == []


async def test_a_charge_replayed_for_another_order_is_refused(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    first, second = await tea_order(shop, alice), await tea_order(shop, alice)
    payment = payment_of(first)
    assert await shop.payments.record(alice.id, payment) is PaymentOutcome.PAID
    replayed = payment.model_copy(update={"invoice_payload": payload_of(second)})
    assert await shop.payments.record(alice.id, replayed) is PaymentOutcome.REFUSED
    assert (await stored_order(shop, second)).status is OrderStatus.PENDING


async def test_the_pre_checkout_answer_refuses_what_cannot_be_paid(shop: Shop) -> None:
    alice, mallory = await telegram_customer(shop), await telegram_customer(shop, "Mallory")
    order = await tea_order(shop, alice)
    other_currency = "EUR" if order.currency != "EUR" else "USD"
    refusals: list[tuple[User, dict[str, Any], str]] = [
        (mallory, {}, Unpayable.NOT_FOUND.message),
        (alice, {"payload": "o:" + "0" * 24 + ":0"}, Unpayable.NOT_FOUND.message),
        (alice, {"payload": "not ours"}, Unpayable.NOT_FOUND.message),
        (alice, {"total_amount": order.total_amount + 1}, Unpayable.PRICE_CHANGED.message),
        (alice, {"currency": other_currency}, Unpayable.PRICE_CHANGED.message),
        (alice, {"payload": f"o:{order.id}:{order.version + 1}"}, Unpayable.OUT_OF_DATE.message),
    ]
    for user, changes, reason in refusals:
        with pytest.raises(PaymentRefused, match=reason):
            await _check(shop, user, order, **changes)
    assert (await stored_order(shop, order)).payment.hold_until is None

    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    with pytest.raises(PaymentRefused, match=Unpayable.CANCELLED.message):
        await _check(shop, alice, order)


async def test_an_order_past_its_window_is_refused_and_expires_once(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await telegram_customer(shop)
    stock = await _stock(shop)
    order = await tea_order(shop, alice, quantity=3)
    due = order.created_at + WINDOW
    assert await shop.payments.expire_unpaid(at=due - timedelta(seconds=1)) == 0

    monkeypatch.setattr(clock, "now", _at(due))
    with pytest.raises(PaymentRefused, match=Unpayable.EXPIRED.message):
        await _check(shop, alice, order)
    with pytest.raises(PaymentRefused, match=Unpayable.EXPIRED.message):
        await shop.payments.invoice_for(alice.id, order.id, _online(shop))
    assert [await shop.payments.expire_unpaid(at=due) for _ in range(3)] == [1, 0, 0]

    expired = await stored_order(shop, order)
    assert expired.status is OrderStatus.CANCELLED
    assert expired.history[-1].by is ShopProcess.EXPIRY
    assert await _stock(shop) == stock + 10  # the new product's 10, all back
    assert [n["kind"] for n in await _notices(shop, order)] == [NoticeKind.ORDER_EXPIRED]


async def test_several_processes_expire_an_order_once(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    orders = [await tea_order(shop, alice) for _ in range(3)]
    at = clock.now() + WINDOW
    counts = await asyncio.gather(*(shop.payments.expire_unpaid(at=at) for _ in range(4)))
    assert sum(counts) == 3
    for order in orders:
        assert len(await _notices(shop, order)) == 1
        assert (await shop.catalog.get(order.products[0].product_id)).stock == 10


async def test_a_held_order_does_not_expire_until_the_hold_ends(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    await _check(shop, alice, order)
    hold_until = (await stored_order(shop, order)).payment.hold_until
    assert hold_until is not None and hold_until > clock.now() + HOLD / 2

    past_window = order.created_at + WINDOW
    assert await shop.payments.expire_unpaid(at=min(past_window, hold_until)) == 0
    assert await shop.payments.expire_unpaid(at=max(past_window, hold_until)) == 1


async def test_orders_left_to_manual_payment_do_not_expire(shop: Shop) -> None:
    alice, mallory = await telegram_customer(shop), await telegram_customer(shop, "Mallory")
    order = await tea_order(shop, alice)
    with pytest.raises(NotFound):
        await shop.payments.choose_manual(mallory.id, order.id)
    chosen = await shop.payments.choose_manual(alice.id, order.id)
    assert chosen.payment.method is PaymentMethod.MANUAL
    assert await shop.payments.expire_unpaid(at=clock.now() + 2 * WINDOW) == 0

    paid = await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="paid"))
    assert (paid.payment.method, paid.payment.state) == (PaymentMethod.MANUAL, PaymentState.PAID)
    assert paid.payment.paid_at is not None


async def test_the_delivery_fee_is_a_line_of_the_invoice(mongo_uri: str) -> None:
    settings = make_settings(delivery_methods=DELIVERY_METHODS, **SHOPS["provider"])
    async with open_shop(settings, mongo_uri) as shop:
        alice = await telegram_customer(shop)
        tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450, stock=5))
        await shop.carts.add(alice.id, CartChange(product_id=tea.id, quantity=2))
        details = {"method": "courier", "phone": "+442079460958", "address": "1 High St"}
        order = await shop.checkout.place_order(
            alice.id, delivery=DeliveryDetails.model_validate(details)
        )
        invoice = await shop.payments.invoice_for(alice.id, order.id, PaymentMethod.PROVIDER)
        await shop.client.drop_database(settings.mongodb_database)
    assert [(p.label, p.amount) for p in invoice.prices] == [("Tea x 2", 900), ("Courier", 500)]
    assert sum(p.amount for p in invoice.prices) == order.total_amount == 1400


async def test_without_a_window_nothing_expires(mongo_uri: str) -> None:
    settings = make_settings()  # manual payment only: off by default
    assert settings.payment_window is None
    async with open_shop(settings, mongo_uri) as shop:
        alice = await telegram_customer(shop)
        await tea_order(shop, alice)
        assert await shop.payments.expire_unpaid(at=clock.now() + timedelta(days=365)) == 0
        with pytest.raises(PaymentRefused, match=Unpayable.UNAVAILABLE.message):
            await shop.payments.invoice_for(
                alice.id, (await tea_order(shop, alice)).id, PaymentMethod.STARS
            )
        await shop.client.drop_database(settings.mongodb_database)


async def test_a_payment_after_cancellation_is_recorded_and_owed_back(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    await _check(shop, alice, order)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))

    payment = payment_of(order)
    assert await shop.payments.record(alice.id, payment) is PaymentOutcome.OWED_BACK
    assert await shop.payments.record(alice.id, payment) is PaymentOutcome.DUPLICATE

    late = await stored_order(shop, order)
    assert late.status is OrderStatus.CANCELLED
    assert (late.payment.state, late.payment.late) == (PaymentState.REFUND_DUE, True)
    assert late.payment.telegram_payment_charge_id == payment.telegram_payment_charge_id
    kinds = [n["kind"] for n in await _notices(shop, order)]
    stars = _online(shop) is PaymentMethod.STARS
    assert kinds.count(NoticeKind.LATE_PAYMENT) == 1
    assert len(await _refund_jobs(shop, order)) == (1 if stars else 0)
    due = await shop.payments.refunds_due(STAFF, HistoryQuery())
    assert [o.id for o in due.items] == [order.id]


async def test_cancelling_a_paid_order_owes_its_payment_back_once(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    payment = payment_of(order)
    await shop.payments.record(alice.id, payment)
    cancelled = await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    assert cancelled.payment.state is PaymentState.REFUND_DUE

    refunds = await _refund_jobs(shop, order)
    if _online(shop) is PaymentMethod.STARS:
        assert [job["telegramPaymentChargeId"] for job in refunds] == [
            payment.telegram_payment_charge_id
        ]
        assert refunds[0]["amount"] == order.total_amount
    else:
        assert refunds == []  # the Bot API cannot refund a provider's payment: staff do
    charge = payment.telegram_payment_charge_id
    assert await shop.payments.refunded(order.id, charge)
    assert not await shop.payments.refunded(order.id, charge)
    refunded = await stored_order(shop, order)
    assert refunded.payment.state is PaymentState.REFUNDED
    assert refunded.payment.refunded_at is not None
    assert (await shop.payments.refunds_due(STAFF, HistoryQuery())).items == ()


async def test_a_second_charge_for_a_paid_order_is_kept_and_owed_back(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    first, second = payment_of(order), payment_of(order)
    assert await shop.payments.record(alice.id, first) is PaymentOutcome.PAID
    assert await shop.payments.record(alice.id, second) is PaymentOutcome.OWED_BACK
    assert await shop.payments.record(alice.id, second) is PaymentOutcome.DUPLICATE

    stored = await stored_order(shop, order)
    assert stored.payment.state is PaymentState.PAID
    assert [(c.telegram_payment_charge_id, c.state) for c in stored.payment.extra_charges] == [
        (second.telegram_payment_charge_id, PaymentState.REFUND_DUE)
    ]
    with pytest.raises(Conflict):
        await shop.payments.mark_refunded(STAFF, order.id, "no-such-charge")
    marked = await shop.payments.mark_refunded(STAFF, order.id, second.telegram_payment_charge_id)
    assert marked.payment.extra_charges[0].state is PaymentState.REFUNDED
    assert marked.payment.state is PaymentState.PAID


@pytest.mark.parametrize("rival", ["expiry", "cancellation"])
async def test_payment_racing_expiry_or_cancellation_is_never_lost(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, rival: str
) -> None:
    """Both orders of events, many times: a cancelled order with a charge always owes it
    back, and every unit is on the shelf or in an order that stands."""
    alice = await telegram_customer(shop)
    tea = await shop.catalog.create(SYSTEM, ProductDraft(name="Tea", price=450, stock=1000))
    orders = []
    for round_ in range(24):
        monkeypatch.undo()
        await shop.carts.add(alice.id, CartChange(product_id=tea.id, quantity=1 + round_ % 3))
        order = await shop.checkout.place_order(alice.id)
        orders.append(order)
        # The customer pays just before the window closes; expiry runs within the hold or
        # after it (when the payment, had it been slow, would come late).
        monkeypatch.setattr(clock, "now", _at(order.created_at + WINDOW - timedelta(seconds=1)))
        expiry_at = order.created_at + WINDOW + HOLD * (round_ % 4) / 2

        async def pay(order: Order = order) -> None:
            try:
                await _check(shop, alice, order)
            except PaymentRefused:
                return  # Telegram takes no money after a no
            await shop.payments.record(alice.id, payment_of(order))

        async def rival_step(
            order: Order = order, at: datetime = expiry_at, lag: int = round_ % 5 * 4
        ) -> None:
            for _ in range(lag):  # racing: let the payment get ahead by some steps
                await asyncio.sleep(0)
            if rival == "expiry":
                await shop.payments.expire_unpaid(at=at)
            else:
                # Conflict: the payment moved it first; cancelling it is staff's next call.
                with contextlib.suppress(Conflict):
                    await shop.orders.change_status(
                        STAFF, order.id, StatusUpdate(status="cancelled")
                    )

        if round_ % 3 == 0:
            await pay()
            await rival_step()
        elif round_ % 3 == 1:
            await rival_step()
            await pay()
        else:
            await asyncio.gather(pay(), rival_step())
        if rival == "expiry" and round_ % 4 == 3:  # after the hold: a late payment
            await shop.payments.record(alice.id, payment_of(order))

    outcomes = set()
    kept = 0
    for order in orders:
        stored = await stored_order(shop, order)
        charged = stored.payment.telegram_payment_charge_id is not None
        outcomes.add((stored.status, charged))
        if stored.status is OrderStatus.CANCELLED:
            assert stored.payment.state is (
                PaymentState.REFUND_DUE if charged else PaymentState.UNPAID
            )
        else:
            assert (stored.status, stored.payment.state) == (OrderStatus.PAID, PaymentState.PAID)
            kept += sum(line.quantity for line in stored.products)
    assert (await shop.catalog.get(tea.id)).stock + kept == 1000
    first = OrderStatus.PAID if rival == "expiry" else OrderStatus.CANCELLED
    assert {(first, True), (OrderStatus.CANCELLED, False)} <= outcomes
