"""Stars refunds are core's decision, executed as jobs: each charge owed back becomes one
job, recorded once and told once however often it is done; the notices and refunds an
earlier version queued are still read."""

from __future__ import annotations

from typing import Any

import pytest

from core.base import clock
from core.messaging.models import NoticeKind, OrderStatusNotice
from core.sales.commands import StatusUpdate
from core.sales.models import JobState, PaymentState
from core.shop import Shop
from tests.core.paying import SHOPS, STAFF, payment_of, stored_order, tea_order, telegram_customer


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return SHOPS["stars"]


async def test_a_refund_job_is_recorded_and_told_once_however_often_it_is_done(
    shop: Shop,
) -> None:
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    payment = payment_of(order)
    await shop.payments.record(alice.id, payment)
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    await shop.outbox.relay(order.id)  # relaying again makes no second job

    job = await shop.refunds.claim()
    assert job is not None and await shop.refunds.claim() is None  # leased to one adapter
    assert (job.order_id, job.telegram_payment_charge_id) == (
        order.id,
        payment.telegram_payment_charge_id,
    )
    assert (job.telegram_user_id, job.amount) == (alice.telegram_id, order.total_amount)
    await shop.refunds.done(job)
    await shop.refunds.done(job)  # an adapter that crashed before closing the job, again

    assert (await stored_order(shop, order)).payment.state is PaymentState.REFUNDED
    told = await shop.store.notifications.find({"kind": NoticeKind.REFUNDED.value}).to_list()
    assert [(n["chatId"], n["totalAmount"]) for n in told] == [
        (alice.telegram_id, order.total_amount)
    ]
    stored = await shop.store.refunds.find_one({"_id": job.id})
    assert stored is not None and stored["state"] == JobState.DONE.value
    assert await shop.refunds.claim(at=clock.now() + shop.refunds._lease * 2) is None


async def test_a_refund_telegram_refuses_stays_due_for_staff(shop: Shop) -> None:
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    await shop.payments.record(alice.id, payment_of(order))
    await shop.orders.change_status(STAFF, order.id, StatusUpdate(status="cancelled"))
    job = await shop.refunds.claim()
    assert job is not None
    await shop.refunds.failed(job, "Bad Request: CHARGE_NOT_FOUND")
    assert (await stored_order(shop, order)).payment.state is PaymentState.REFUND_DUE
    assert await shop.store.notifications.count_documents({"kind": "refunded"}) == 0


async def test_notices_an_earlier_version_queued_are_read_and_its_refunds_become_jobs(
    shop: Shop,
) -> None:
    """Documents as the flat ``Notification`` of the previous version wrote them, in flight
    when the new version starts: an order notice is sent as it is; a ``star_refund`` notice
    (which that version's notifier executed) becomes a refund job with the same id."""
    alice = await telegram_customer(shop)
    order = await tea_order(shop, alice)
    payment = payment_of(order)
    await shop.payments.record(alice.id, payment)
    await shop.store.orders.update_one(  # as the old version cancelled it: refund due
        {"_id": order.id}, {"$set": {"status": "cancelled", "payment.state": "refund_due"}}
    )
    now = clock.now()
    common = {
        "chatId": alice.telegram_id,
        "userId": alice.id,
        "language": None,
        "attempts": 0,
        "dueAt": now,
        "createdAt": now,
        "orderId": order.id,
        "orderNumber": order.number,
        "status": "cancelled",
        "totalAmount": order.total_amount,
        "currency": order.currency,
        "state": "queued",
    }
    refund_id = f"star_refund:{order.id}:9"
    await shop.store.notifications.insert_many(
        [
            {"_id": f"order_status:{order.id}:9", "kind": "order_status", **common},
            {
                "_id": refund_id,
                "kind": "star_refund",
                "telegramPaymentChargeId": payment.telegram_payment_charge_id,
                **common,
            },
        ]
    )
    assert await shop.recover() >= 1

    claimed = {}
    while (notice := await shop.notifications.claim()) is not None:
        claimed[notice.id] = notice
    old = claimed[f"order_status:{order.id}:9"]
    assert isinstance(old, OrderStatusNotice) and old.order_number == order.number
    assert refund_id not in claimed  # no longer a notice: a job
    job = await shop.refunds.claim()
    assert job is not None and job.id == refund_id
    assert job.telegram_payment_charge_id == payment.telegram_payment_charge_id
    await shop.refunds.done(job)
    assert (await stored_order(shop, order)).payment.state is PaymentState.REFUNDED
