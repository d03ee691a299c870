"""One cart, one order, through every channel at once: two API processes (with and
without Idempotency-Keys) and the bot's Confirm button, all at the same moment."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from core.accounts.commands import Credentials, PasswordChange
from core.shop import Shop
from sandbox import SandboxServer
from tests.bot.chat import Customer, fill_cart, orders_of, review_order
from tests.factories import NewProduct
from tests.processes import api_processes
from tests.settings import ADDRESS

PASSWORD = "correct horse battery"
ROUNDS = 3
REQUESTS_PER_PROCESS = 8
TAPS = 3


async def _post_order(
    http: aiohttp.ClientSession, url: str, token: str, key: str | None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    async with http.post(f"{url}/api/orders", headers=headers) as reply:
        return reply.status, await reply.json()


@pytest.mark.slow
async def test_http_processes_and_the_bot_at_once_make_one_order(
    shop: Shop,
    mongo_uri: str,
    new_product: NewProduct,
    customer: Customer,
    sandbox_server: SandboxServer,
    running_bot: None,
) -> None:
    tea = await new_product("Tea", price=450, stock=100)
    alice, account = await customer("Alice")
    await shop.users.change_password(
        account.id, PasswordChange(new_password=PASSWORD), address=ADDRESS
    )
    credentials = Credentials(email=account.email, password=PASSWORD)
    _, issued = await shop.users.log_in(credentials, address=ADDRESS)

    async with (
        api_processes(mongo_uri, shop.settings.mongodb_database, 2) as urls,
        aiohttp.ClientSession() as http,
    ):
        for round_ in range(1, ROUNDS + 1):
            await fill_cart(shop, account, (tea, 1))
            summary = await review_order(alice)
            confirm = summary.button("✅ Confirm order")
            assert confirm is not None and confirm.callback_data is not None
            keys = [None, None, "shared", "shared", *(f"r{round_}-{n}" for n in range(4))]
            assert len(keys) == REQUESTS_PER_PROCESS

            replies, _ = await asyncio.gather(
                asyncio.gather(
                    *(
                        _post_order(http, url, issued.token, key and f"{round_}-{key}")
                        for url in urls
                        for key in keys
                    )
                ),
                asyncio.gather(
                    *(
                        alice.send_callback(confirm.callback_data, message_id=summary.message_id)
                        for _ in range(TAPS)
                    )
                ),
            )

            orders = await orders_of(shop, account)
            assert len(orders) == round_, f"round {round_}: {len(orders)} orders in all"
            newest = orders[0]
            placed = {body["id"] for status, body in replies if status == 201}
            assert placed <= {str(newest.id)}
            refusals = {body["code"] for status, body in replies if status != 201}
            assert refusals <= {"empty-cart", "checkout-in-progress"}, replies
            bot_won = f"Order #{newest.number} placed." in (summary.text or "")
            assert bot_won or placed, "nobody was told about the order"
            assert (await shop.catalog.get(tea.id)).stock == 100 - round_
            cart = await shop.carts.get(account.id)
            assert (cart.products, cart.checkout) == ((), None)
