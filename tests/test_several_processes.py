"""Several processes of each kind on one database, as in production: two API processes,
two bot processes in webhook mode behind one URL (the sandbox delivers to them in turn,
as a load balancer would) and two notifiers.

Customers buy at once through HTTP and the bot while two staff members change statuses
over HTTP. Then: no product oversold, one order per checkout, each status notice in the
customer's chat exactly once, the operators told of each order once, every button press
answered. Each customer checks out one cart at a time (a cart checked out twice at once is
another test's matter).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from core.accounts.access import SYSTEM
from core.accounts.commands import Credentials, TelegramSignup
from core.accounts.models import Role, User
from core.catalog.models import Product
from core.shop import Shop
from sandbox import FakeUser, Message, SandboxServer
from sandbox.testing import running_sandbox
from tests.factories import NewProduct, NewUser
from tests.processes import (
    Children,
    children,
    environment,
    free_port,
    wait_until_listening,
    wait_until_serving,
)
from tests.settings import ADDRESS

pytestmark = pytest.mark.slow

PASSWORD = "correct horse"
OPERATORS_CHAT = 9_000
STOCK = {"Tea": 6, "Honey": 200}
BOT_CUSTOMERS, BOT_ROUNDS = 4, 2
HTTP_CUSTOMERS, HTTP_ROUNDS = 4, 3
WAIT = 90.0
"""Seconds any one thing may take on a loaded machine; the whole test is bounded too."""
CONFIRM = "✅ Confirm order"
NOTICE = re.compile(r"^Your order #(\d+) \(.*\) is now (\w+)\.$")
NEW_ORDER = re.compile(r"^New order #(\d+): ")


@dataclass
class Shopping:
    """What the customers saw and staff did, to check against the database afterwards."""

    bot_orders: dict[int, list[int]] = field(default_factory=dict)
    """Order numbers each Telegram customer was told were placed."""
    http_orders: dict[str, list[str]] = field(default_factory=dict)
    """Order ids each HTTP customer got 201 for, one per Idempotency-Key."""
    changes: list[tuple[int, str]] = field(default_factory=list)
    """(order number, new status) for every change staff made."""
    customers_done: bool = False


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    async with running_sandbox() as server:
        yield server


async def start_shop(
    processes: Children, shop: Shop, mongo_uri: str, sandbox_server: SandboxServer
) -> list[str]:
    """Start every process; the API processes' base URLs once all serve."""
    common = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=shop.settings.mongodb_database,
        OPERATOR_CHAT_ID=str(OPERATORS_CHAT),
        BOT_TOKEN=sandbox_server.sandbox.token,
        BOT_API_BASE_URL=sandbox_server.url,
    )
    api_ports, webhook_ports = [free_port(), free_port()], [free_port(), free_port()]
    # The public URL both bot processes set; the sandbox delivers behind it to each in turn.
    sandbox_server.sandbox.webhook.route_to(
        [f"http://127.0.0.1:{port}/telegram/webhook" for port in webhook_ports]
    )
    for n, port in enumerate(api_ports):
        await processes.start(f"api{n}", "admin_api", {**common, "API_PORT": str(port)})
    for n, port in enumerate(webhook_ports):
        webhook = {
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://shop.example/telegram/webhook",
            "WEBHOOK_PORT": str(port),
        }
        await processes.start(f"bot{n}", "bot", {**common, **webhook})
    pace = {"TELEGRAM_CHAT_MESSAGES_PER_SECOND": "20", "NOTIFIER_IDLE_SECONDS": "0.1"}
    for n in range(2):
        await processes.start(f"worker{n}", "bot.notifier", {**common, **pace})
    urls = [f"http://127.0.0.1:{port}" for port in api_ports]
    for url in urls:
        await wait_until_serving(f"{url}/readyz", timeout=WAIT)
    for port in webhook_ports:
        await wait_until_listening(port, timeout=WAIT)
    processes.check_alive()
    return urls


def button_starting(message: Message, prefix: str) -> str | None:
    return next((b.text for row in message.buttons for b in row if b.text.startswith(prefix)), None)


async def buy_through_the_bot(player: FakeUser, account: User, shop: Shop, seen: Shopping) -> None:
    """Catalog, a product card, Add to cart, Cart, Checkout, Confirm; each round in a new
    message, so each confirmation is a new checkout."""
    for round_ in range(BOT_ROUNDS):
        # The first round goes for the scarce Tea, the last for Honey, which never runs
        # out: every customer places at least one order, however the races go.
        wanted = ("Tea", "Honey") if round_ < BOT_ROUNDS - 1 else ("Honey",)
        card = await pick_a_product(player, await open_catalog(player), wanted)
        added = await player.press("Add to cart", message_id=card.message_id)
        if added.show_alert:  # sold out since the card was shown
            continue
        await player.press("🛒 Cart", message_id=card.message_id)
        summary = (await tap(player, "Checkout", card.message_id)).button(CONFIRM)
        assert summary is not None and summary.callback_data is not None
        # A double tap: two updates of one user, delivered to the two bot processes in turn.
        answers = await asyncio.gather(
            player.press(CONFIRM, message_id=card.message_id),
            player.send_callback(summary.callback_data, message_id=card.message_id),
        )
        shown = player.chat.messages[card.message_id]
        texts = [revision.text or "" for revision in shown.history] + [shown.text or ""]
        placed = {int(n) for text in texts for n in re.findall(r"Order #(\d+) placed\.", text)}
        assert len(placed) <= 1, f"one checkout, orders {placed}: {player.transcript()}"
        if placed:
            seen.bot_orders[player.id] += placed
        else:  # sold out between Add and Confirm: the customer is told, and gives up
            alerts = [a.text or "" for a in answers if a.show_alert]
            assert any("stock" in alert for alert in alerts), player.transcript()
            await shop.carts.clear(account.id)


async def tap(player: FakeUser, button: str, message_id: int) -> Message:
    """Press ``button`` on message ``message_id``; the message as the bot left it."""
    await player.press(button, message_id=message_id)
    return player.chat.messages[message_id]


async def open_catalog(player: FakeUser) -> Message:
    """Send /catalog and wait for the catalog itself (a status notice may come first)."""
    sent = player.sandbox.user_sends(player.id, "/catalog")
    return await player.wait_for(
        lambda m: m.message_id > sent.message_id and button_starting(m, "Tea ·") is not None,
        description="the catalog",
    )


async def pick_a_product(player: FakeUser, catalog: Message, wanted: tuple[str, ...]) -> Message:
    """Open the card of the first ``wanted`` product not sold out (no Add to cart button)."""
    for name in wanted:
        label = button_starting(player.chat.messages[catalog.message_id], f"{name} ·")
        assert label is not None, player.transcript()
        await player.press(label, message_id=catalog.message_id)
        card = player.chat.messages[catalog.message_id]
        if card.button("Add to cart") is not None:
            return card
        await player.press("« Back", message_id=catalog.message_id)
    raise AssertionError(f"nothing to buy: {player.transcript()}")


async def buy_over_http(
    apis: list[str], token: str, products: dict[str, Product], seen: Shopping
) -> None:
    """Each round: add Tea and Honey, order with a fresh key and repeat that request on the
    other process (a client retrying); if Tea sold out meanwhile, take it out and order
    the rest. So every round places exactly one order."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as http:

        async def call(n: int, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
            async with http.request(method, apis[n % 2] + path, **kwargs) as reply:
                return reply.status, await reply.json()

        async def place(n: int) -> str | None:
            """The new order's id, or None if out of stock."""
            key = {"Idempotency-Key": uuid.uuid4().hex}
            status, body = await call(n, "POST", "/api/orders", headers=key)
            if status == 409 and body["code"] == "out-of-stock":
                return None
            assert status == 201, body
            again_status, again = await call(n + 1, "POST", "/api/orders", headers=key)
            assert (again_status, again["id"]) == (201, body["id"]), again
            return str(body["id"])

        for n in range(HTTP_ROUNDS):
            for name in ("Tea", "Honey"):
                line = {"productId": str(products[name].id), "quantity": 1}
                status, body = await call(n, "POST", "/api/cart/add", json=line)
                assert status == 200 or body["code"] == "out-of-stock", body
            order_id = await place(n)
            if order_id is None:
                tea = {"productId": str(products["Tea"].id)}
                assert (await call(n, "POST", "/api/cart/remove", json=tea))[0] == 200
                order_id = await place(n)
            assert order_id is not None
            seen.http_orders.setdefault(token, []).append(order_id)


async def run_the_counter(apis: list[str], token: str, desk: int, seen: Shopping) -> None:
    """Pay and ship orders, cancelling every third, until customers are done and no
    order is left open. Two desks race for the same orders; 409 means the other won."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers, base_url=apis[desk % 2]) as http:
        while True:
            finished = seen.customers_done
            open_orders = []
            for status in ("pending", "paid"):
                query = {"status": status, "limit": "100"}
                async with http.get("/api/admin/orders", params=query) as reply:
                    assert reply.status == 200
                    open_orders += (await reply.json())["items"]
            if finished and not open_orders:
                return
            for order in open_orders:
                target = next_status(order["number"], order["status"])
                change = {"status": target}
                async with http.patch(f"/api/orders/{order['id']}", json=change) as reply:
                    assert reply.status in (200, 409), await reply.text()
                    if reply.status == 200:
                        seen.changes.append((order["number"], target))
            await asyncio.sleep(0.05)


def next_status(number: int, status: str) -> str:
    if number % 3 == 0:
        return "cancelled"
    return "paid" if status == "pending" else "shipped"


async def test_two_of_each_process_on_one_database(
    shop: Shop,
    mongo_uri: str,
    sandbox_server: SandboxServer,
    new_product: NewProduct,
    new_user: NewUser,
    tmp_path: Path,
) -> None:
    sandbox = sandbox_server.sandbox
    products = {name: await new_product(name, price=300, stock=n) for name, n in STOCK.items()}
    sandbox.add_user(OPERATORS_CHAT, "Operators")
    players: list[tuple[FakeUser, User]] = []
    for n in range(BOT_CUSTOMERS):
        player = FakeUser.create(sandbox, 5_000 + n, f"Buyer{n}", timeout=WAIT)
        signup = TelegramSignup(
            telegram_id=player.id, name=player.user.first_name, email=f"tg{n}@example.com"
        )
        players.append((player, await shop.users.sign_up_telegram(signup)))
    tokens = [await token_of(shop, await new_user(f"Web{n}")) for n in range(HTTP_CUSTOMERS)]
    staff = [await token_of(shop, await new_user(f"Staff{n}"), Role.OPERATOR) for n in range(2)]
    seen = Shopping(bot_orders={player.id: [] for player, _ in players})

    async with asyncio.timeout(WAIT * 4), children(tmp_path) as processes:
        apis = await start_shop(processes, shop, mongo_uri, sandbox_server)

        async def customers() -> None:
            try:
                async with asyncio.TaskGroup() as buying:
                    for player, account in players:
                        buying.create_task(buy_through_the_bot(player, account, shop, seen))
                    for token in tokens:
                        buying.create_task(buy_over_http(apis, token, products, seen))
            finally:
                seen.customers_done = True

        async with asyncio.TaskGroup() as everyone:  # one failing stops the others
            everyone.create_task(customers())
            for desk, token in enumerate(staff):
                everyone.create_task(run_the_counter(apis, token, desk, seen))
        await all_notices_sent(shop)
        processes.check_alive()

    placed = await shop.store.orders.find({"placed": True}).to_list()
    assert len(placed) >= HTTP_CUSTOMERS * HTTP_ROUNDS + BOT_CUSTOMERS
    assert await shop.store.orders.count_documents({"placed": False}) == 0
    assert await shop.store.orders.count_documents({"journal": {"$exists": True}}) == 0

    # No oversell: stock left plus units in live orders is what there was.
    for name, product in products.items():
        stock = (await shop.catalog.get(product.id)).stock
        sold = sum(
            line["quantity"]
            for order in placed
            if order["status"] != "cancelled"
            for line in order["products"]
            if line["productId"] == product.id
        )
        assert stock >= 0 and stock + sold == STOCK[name], name

    # One order per checkout: each customer's orders are exactly those they were told of.
    by_user = Counter(order["userId"] for order in placed)
    numbers = {order["number"]: order for order in placed}
    for player, account in players:
        told = seen.bot_orders[player.id]
        assert len(told) == len(set(told)) == by_user[account.id], player.transcript()
        assert all(numbers[n]["userId"] == account.id for n in told)
    http_ids = {str(order["_id"]) for order in placed} - {
        str(numbers[n]["_id"]) for told in seen.bot_orders.values() for n in told
    }
    told_over_http = [order_id for ids in seen.http_orders.values() for order_id in ids]
    assert sorted(told_over_http) == sorted(http_ids)

    # Every status change reached the customer's chat once; operators heard of each order once.
    telegram_users = {account.id: player for player, account in players}
    expected = Counter(
        (number, status)
        for number, status in seen.changes
        if numbers[number]["userId"] in telegram_users
    )
    notices = Counter(
        (int(match.group(1)), match.group(2))
        for player, _ in players
        for message in player.bot_messages
        if (match := NOTICE.match(message.text or ""))
    )
    assert notices == expected
    assert max(expected.values()) == 1, expected  # each change made once
    assert len(expected) >= BOT_CUSTOMERS
    announced = Counter(
        int(match.group(1))
        for message in sandbox.chat(OPERATORS_CHAT).messages.values()
        if (match := NEW_ORDER.match(message.text or ""))
    )
    assert announced == Counter(list(numbers))

    # Every button press was answered, and both bot processes took part.
    assert sandbox.callbacks and all(query.answered for query in sandbox.callbacks.values())
    assert sorted(sandbox.webhook.accepted_by) == sorted(sandbox.webhook.targets)
    assert min(sandbox.webhook.accepted_by.values()) > 10


async def token_of(shop: Shop, user: User, role: Role = Role.USER) -> str:
    if role is not Role.USER:
        await shop.accounts.set_role(SYSTEM, user.id, role)
    credentials = Credentials(email=user.email, password=PASSWORD)
    return (await shop.users.log_in(credentials, address=ADDRESS))[1].token


async def all_notices_sent(shop: Shop) -> None:
    """Until every notice was relayed (with each status change) and delivered by a worker;
    then each must have been sent, none failed."""
    notifications, orders = shop.store.notifications, shop.store.orders
    async with asyncio.timeout(WAIT):
        while await notifications.count_documents(
            {"state": {"$in": ["queued", "sending"]}}
        ) or await orders.count_documents({"outbox.0": {"$exists": True}}):
            await asyncio.sleep(0.1)
    assert await notifications.count_documents({"state": {"$ne": "sent"}}) == 0
