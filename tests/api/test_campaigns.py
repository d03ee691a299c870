"""Orders and revenue by campaign over HTTP: staff only, the period from the query string,
figures equal to the orders the test placed for customers who came by campaign links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.base import clock
from core.campaigns.links import read_start
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.clocks import FakeClock
from tests.factories import NewProduct

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


async def test_staff_see_orders_and_revenue_by_campaign(
    api: Api,
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moment = FakeClock(NOW)
    monkeypatch.setattr(clock, "now", moment)
    tea = await new_product("Tea", price=450, stock=50)
    alice, bob = await new_account(name="Alice"), await new_account(name="Bob")
    await shop.campaigns.follow(alice.user.id, read_start("c-Insta"))
    for who, quantity, days_ago in ((alice, 2, 1), (alice, 1, 10), (bob, 3, 1)):
        moment.moment = NOW - timedelta(days=days_ago)
        await shop.carts.add(who.user.id, CartChange(product_id=tea.id, quantity=quantity))
        order = await shop.checkout.place_order(who.user.id)
        await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=OrderStatus.PAID))
    moment.moment = NOW

    operator = await new_account(Role.OPERATOR)
    reply = await api.get(
        "/api/reports/campaigns?from=2030-05-25T00:00:00Z&to=2030-06-01T12:00:00%2B00:00",
        token=operator.token,
    )

    assert reply.status == 200, reply.body
    assert reply.body == {
        "since": "2030-05-25T00:00:00Z",
        "until": "2030-06-01T12:00:00Z",
        "currency": "USD",
        "campaigns": [
            {
                "campaign": "Insta",
                "orders": 1,
                "customers": 1,
                "paidOrders": 1,
                "sales": 900,
                "refunds": 0,
                "revenue": 900,
            }
        ],
        "more": 0,
        "withoutCampaign": {
            "campaign": None,
            "orders": 1,
            "customers": 1,
            "paidOrders": 1,
            "sales": 1350,
            "refunds": 0,
            "revenue": 1350,
        },
    }
    whole = await api.get("/api/reports/campaigns", token=operator.token)
    assert [(c["campaign"], c["orders"], c["revenue"]) for c in whole.body["campaigns"]] == [
        ("Insta", 2, 1350)
    ]
    order_of_alice = (await api.get("/api/orders", token=alice.token)).body["items"][0]
    assert order_of_alice["campaign"] == "Insta"  # the order keeps its campaign
    listed = await api.get("/api/admin/orders?campaign=Insta", token=operator.token)
    assert [o["userId"] for o in listed.body["items"]] == [str(alice.user.id)] * 2
    other_case = await api.get("/api/admin/orders?campaign=insta", token=operator.token)
    assert other_case.body["items"] == []  # a campaign is its name as written
    bad = await api.get("/api/admin/orders?campaign=%24gt", token=operator.token)
    assert (bad.status, bad.code) == (422, "invalid-input")
    me = (await api.get("/api/auth/me", token=alice.token)).body
    assert me["campaign"] == {"name": "Insta", "at": "2030-06-01T12:00:00Z"}


async def test_customers_are_refused_and_bad_periods_explained(
    api: Api, new_account: NewAccount
) -> None:
    customer, operator = await new_account(), await new_account(Role.OPERATOR)
    assert (await api.get("/api/reports/campaigns")).status == 401
    refused = await api.get("/api/reports/campaigns", token=customer.token)
    assert (refused.status, refused.code) == (403, "forbidden")
    for query in ("from=yesterday", "to=1700000000", "limit=0", "limit=201", "campaign=x"):
        bad = await api.get(f"/api/reports/campaigns?{query}", token=operator.token)
        assert (bad.status, bad.code) == (422, "invalid-input"), query
