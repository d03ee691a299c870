"""The dashboard over HTTP: staff only, and its figures are the orders the test made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.base import clock
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.api.client import Api, Serve
from tests.api.world import NewAccount
from tests.clocks import FakeClock
from tests.factories import NewProduct

NOW = datetime(2030, 6, 1, 20, 0, tzinfo=UTC)  # 23:00 in Moscow


async def test_staff_get_figures_equal_to_the_orders(
    serve: Serve,
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = await serve(shop_timezone="Europe/Moscow")
    alice = await new_account(name="Alice")
    moment = FakeClock(NOW)
    monkeypatch.setattr(clock, "now", moment)
    tea = await new_product("Tea", price=450, stock=20, low_stock_threshold=16)
    totals = []
    for quantity, at in ((1, NOW - timedelta(hours=1)), (3, NOW + timedelta(minutes=90))):
        moment.moment = at  # the second: 21:30 UTC, 00:30 on the 2nd in Moscow; read then
        await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=quantity))
        order = await shop.checkout.place_order(alice.user.id)
        await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=OrderStatus.PAID))
        totals.append(order.total_amount)

    operator = await new_account(Role.OPERATOR)  # signed in by the same clock
    reply = await api.get("/api/reports/dashboard", token=operator.token)

    assert reply.status == 200
    body = reply.body
    assert (body["timeZone"], body["currency"]) == ("Europe/Moscow", "USD")
    today, week, _ = body["periods"]
    assert (today["period"], today["since"]) == ("today", "2030-06-02T00:00:00+03:00")
    assert (today["orders"], today["revenue"], today["averageOrder"]) == (1, totals[1], 1350)
    assert (week["orders"], week["revenue"]) == (2, sum(totals))
    assert week["byStatus"] == {"pending": 0, "paid": 2, "shipped": 0, "cancelled": 0}
    assert week["bestSellers"] == [
        {"productId": str(tea.id), "name": "Tea", "units": 4, "revenue": 1800}
    ]
    assert [(d["day"], d["revenue"]) for d in body["days"][-2:]] == [
        ("2030-06-01", 450),
        ("2030-06-02", 1350),
    ]
    assert [(p["name"], p["stock"], p["threshold"]) for p in body["lowStock"]] == [("Tea", 16, 16)]
    assert body["refundsDue"] == {"orders": 0, "charges": 0, "amount": 0}


async def test_customers_and_strangers_are_refused(api: Api, new_account: NewAccount) -> None:
    customer = await new_account()
    assert (await api.get("/api/reports/dashboard")).status == 401
    refused = await api.get("/api/reports/dashboard", token=customer.token)
    assert (refused.status, refused.code) == (403, "forbidden")
