"""Back in stock through the HTTP API: staff restocking a sold-out product tells the
customers waiting for it, once."""

from __future__ import annotations

from core.accounts.commands import TelegramSignup
from core.accounts.models import Role
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import NewAccount
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
