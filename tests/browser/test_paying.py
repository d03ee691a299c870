"""Paying from the chat page: the order's Pay button sends an invoice, the invoice's Pay
button opens the fake card form, and the customer hears once that the order is paid."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.page import RunningShop, check_out_green_tea, tap

pytestmark = pytest.mark.slow


@pytest.fixture
def shop_env() -> dict[str, str]:
    """Card payments through a (sandbox) provider, and payment by hand."""
    return {"PAYMENT_METHODS": "provider,manual", "PAYMENT_PROVIDER_TOKEN": "1:TEST:sandbox"}


async def test_a_customer_pays_an_order_from_the_chat_page(
    running_shop: RunningShop, page: Page
) -> None:
    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")
    await check_out_green_tea(page)
    await tap(page, "✅ Confirm order")
    await expect(chat).to_contain_text("Order #1 placed.")
    await expect(chat).to_contain_text("Pay now with a button below.")

    await tap(page, "💳 Pay $4.50")
    await expect(chat).to_contain_text("Order #1")  # the invoice's title
    await tap(page, "Pay $4.50")  # the invoice's own button: Telegram's payment form
    form = page.get_by_role("dialog")
    await expect(form).to_contain_text("Green tea x 1")
    await form.get_by_role("button", name="Pay $4.50").click()
    await expect(form).to_be_hidden()

    await expect(chat).to_contain_text("Your order #1 ($4.50) is now paid.")
    await expect(page.get_by_role("button", name="Receipt")).to_be_visible()
    await expect(chat.get_by_text("is now paid.")).to_have_count(1)
