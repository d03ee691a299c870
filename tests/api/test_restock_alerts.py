"""Back in stock through the HTTP API: staff restocking a sold-out product tells the
customers waiting for it, once."""

from __future__ import annotations

from core.accounts.commands import TelegramSignup
from core.accounts.models import Role
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.core.variants import make_shirt
from tests.factories import NewProduct


async def test_restocking_through_the_api_queues_one_alert_per_waiting_customer(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    tea = await new_product("Tea", stock=0)
    alice = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=4242, name="Alice", email="alice@example.com")
    )
    assert await shop.restock_alerts.watch(alice.id, tea.id)
    url = f"/api/products/{tea.id}"

    for change in ({"stockDelta": 2}, {"stock": 5}):  # the second finds nobody waiting
        assert (await api.patch(url, json=change, token=admin.token)).status == 200

    alerts = await shop.store.notifications.find({"kind": "back_in_stock"}).to_list()
    assert [(a["chatId"], a["productName"]) for a in alerts] == [(4242, "Tea")]


async def test_a_variant_given_stock_through_the_api_alerts_those_waiting_for_its_product(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    shirt = await make_shirt(shop, new_product, stock=0)
    alice = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=4242, name="Alice", email="alice@example.com")
    )
    assert await shop.restock_alerts.watch(alice.id, shirt.product.id)

    url = f"/api/variants/{shirt.red_m.id}"
    assert (await api.patch(url, json={"stockDelta": 2}, token=admin.token)).status == 200
    assert await shop.restock_alerts.watch(alice.id, shirt.product.id) is False  # in stock
    alerts = await shop.store.notifications.find({"kind": "back_in_stock"}).to_list()
    assert [(a["chatId"], a["productName"]) for a in alerts] == [(4242, "T-shirt")]

    assert (await api.patch(url, json={"stock": 0}, token=admin.token)).status == 200
    assert await shop.restock_alerts.watch(alice.id, shirt.product.id)
    new = {"options": {"Size": "S", "Colour": "Red"}, "stock": 1}
    made = await api.post(f"/api/products/{shirt.product.id}/variants", json=new, token=admin.token)
    assert made.status == 201
    alerts = await shop.store.notifications.find({"kind": "back_in_stock"}).to_list()
    assert [(a["chatId"], a["generation"]) for a in alerts] == [(4242, 1), (4242, 2)]
