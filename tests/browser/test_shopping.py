"""A whole purchase in the chat page of ``python -m shop`` (what ``./run`` starts), and an
operator's status change, made in the page's operator panel through the HTTP API, reaching
the customer's chat."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from core.access import SYSTEM
from core.commands import AdminAccount, ProductDraft
from core.config import PROJECT_ROOT
from core.shop import open_shop
from tests.conftest import make_settings
from tests.processes import environment, free_port, wait_until_serving

PAGE_URL = re.compile(r"chat with the shop in your browser: (http://[^\s\"]+)")
OPERATOR_EMAIL, OPERATOR_PASSWORD = "olga@example.com", "operator password 1"


@dataclass
class RunningShop:
    page_url: str
    log: list[str]


async def collect(stream: asyncio.StreamReader, lines: list[str]) -> None:
    while line := await stream.readline():
        lines.append(line.decode(errors="replace"))


@pytest.fixture
async def running_shop(mongo_uri: str) -> AsyncIterator[RunningShop]:
    """``python -m shop`` on the offline sandbox, a product and an admin in its database."""
    database = f"test_{uuid.uuid4().hex[:16]}"
    api, sandbox = free_port(), free_port()
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=database,
        API_PORT=str(api),
        SANDBOX_PORT=str(sandbox),
    )
    for name in ("BOT_TOKEN", "CORS_ORIGINS"):
        env.pop(name, None)
    async with open_shop(make_settings(mongodb_database=database), mongo_uri) as shop:
        draft = ProductDraft(name="Green tea", price=450, stock=10, description="Sencha")
        await shop.catalog.create(SYSTEM, draft)
        olga = AdminAccount(name="Olga", email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
        await shop.staff.create_admin(olga)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "shop", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
        )
        assert process.stderr is not None
        log: list[str] = []
        reading = asyncio.create_task(collect(process.stderr, log))
        try:
            await wait_until_serving(f"http://127.0.0.1:{api}/readyz")
            urls = [match[1] for line in log if (match := PAGE_URL.search(line))]
            assert urls == [f"http://127.0.0.1:{sandbox}/?api=http://127.0.0.1:{api}"], log
            yield RunningShop(urls[0], log)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
            await reading
            await shop.client.drop_database(database)
        assert process.returncode == 0, "".join(log)[-2000:]


async def tap(page: Page, button: str) -> None:
    """Press the newest button labelled ``button``, as a Telegram user would."""
    await page.get_by_role("button", name=button, exact=True).last.click()


async def test_a_customer_buys_and_hears_that_the_order_is_paid(
    running_shop: RunningShop, page: Page
) -> None:
    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")

    await tap(page, "Start")
    await expect(chat).to_contain_text("What name should we use for your orders?")
    await tap(page, "Keep “Alice”")
    await expect(chat).to_contain_text("Now your email address")
    composer = page.get_by_role("textbox", name="Message")
    await composer.fill("alice@example.com")
    await composer.press("Enter")
    await expect(chat).to_contain_text("Hello, Alice! What would you like to do?")

    await tap(page, "🛍 Catalog")
    await tap(page, "Green tea · $4.50 · in stock")
    await expect(chat).to_contain_text("Sencha")
    await tap(page, "Add to cart")
    await expect(page.get_by_role("alert")).to_have_text("Added 1 x Green tea to your cart.")
    await tap(page, "🛒 Cart")
    await expect(chat).to_contain_text("Green tea x 1 = $4.50")
    await tap(page, "Checkout")
    await expect(chat).to_contain_text("Total: $4.50")
    await tap(page, "✅ Confirm order")
    await expect(chat).to_contain_text("Order #1 placed.")
    await tap(page, "📦 My orders")
    await expect(page.get_by_role("button", name="#1 · $4.50 · pending")).to_be_visible()

    operator = page.get_by_role("complementary", name="Operator")
    await operator.get_by_label("Email").fill(OPERATOR_EMAIL)
    await operator.get_by_label("Password").fill(OPERATOR_PASSWORD)
    await operator.get_by_role("button", name="Log in").click()
    await expect(operator.get_by_role("listitem")).to_contain_text("#1 · $4.50 · pending")
    await operator.get_by_label("New status of order #1").select_option("paid")
    await operator.get_by_role("button", name="Set the status of order #1").click()
    await expect(operator.get_by_role("status")).to_have_text("Order #1 is now paid.")
    await expect(operator.get_by_role("listitem")).to_contain_text("#1 · $4.50 · paid")

    await expect(chat).to_contain_text("Your order #1 ($4.50) is now paid.")
