"""Payments over HTTP: every order shows its payment record; staff list the payments owed
back and record the refunds they made outside Telegram; marking paid by hand stays."""

from __future__ import annotations

from core.sales.models import PaymentMethod, ReceivedPayment
from core.sales.payments import payload_of
from core.shop import Shop
from tests.api.client import Api, Serve
from tests.api.world import World

CARDS = {
    "payment_methods": (PaymentMethod.PROVIDER, PaymentMethod.MANUAL),
    "payment_provider_token": "284685063:TEST:x",
}


async def test_an_order_shows_its_payment_record(api: Api, world: World) -> None:
    unpaid = await api.get(f"/api/orders/{world.order_id}", token=world.alice.token)
    assert unpaid.body["payment"] == {
        "method": None,
        "state": "unpaid",
        "telegramPaymentChargeId": None,
        "providerPaymentChargeId": None,
        "amount": None,
        "currency": None,
        "paidAt": None,
        "late": False,
        "refundedAt": None,
        "extraCharges": [],
    }
    paid = await api.patch(
        f"/api/orders/{world.order_id}", json={"status": "paid"}, token=world.operator.token
    )
    assert (paid.body["payment"]["method"], paid.body["payment"]["state"]) == ("manual", "paid")
    assert paid.body["payment"]["paidAt"] is not None


async def test_staff_list_refunds_due_and_record_them(
    shop: Shop, world: World, serve: Serve
) -> None:
    api = await serve(**CARDS)
    order = await shop.orders.get_own(world.alice.user.id, world.order_id)
    payment = ReceivedPayment(
        currency=order.currency,
        total_amount=order.total_amount,
        invoice_payload=payload_of(order),
        telegram_payment_charge_id="1_2_3",
        provider_payment_charge_id="ch_1",
    )
    assert await shop.payments.record(world.alice.user.id, payment) == "paid"
    staff = world.operator.token
    assert (await api.get("/api/admin/refunds", token=staff)).body["items"] == []

    cancelled = await api.patch(
        f"/api/orders/{world.order_id}", json={"status": "cancelled"}, token=staff
    )
    assert cancelled.body["payment"]["state"] == "refund_due"
    due = await api.get("/api/admin/refunds", token=staff)
    assert [o["id"] for o in due.body["items"]] == [world.order_id]
    assert due.body["items"][0]["payment"]["telegramPaymentChargeId"] == "1_2_3"

    path = f"/api/admin/orders/{world.order_id}/refunded"
    wrong = await api.post(path, json={"telegramPaymentChargeId": "9_9_9"}, token=staff)
    assert (wrong.status, wrong.code) == (409, "conflict")
    bad = await api.post(path, json={"telegramPaymentChargeId": "a b"}, token=staff)
    assert (bad.status, bad.code) == (422, "invalid-input")
    done = await api.post(path, json={"telegramPaymentChargeId": "1_2_3"}, token=staff)
    assert (done.status, done.body["payment"]["state"]) == (200, "refunded")
    assert done.body["payment"]["refundedAt"] is not None
    assert (await api.post(path, json={}, token=staff)).status == 409
    assert (await api.get("/api/admin/refunds", token=staff)).body["items"] == []
