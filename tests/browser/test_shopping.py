"""A whole purchase in the chat page of ``python -m shop`` (what ``./run`` starts), and an
operator's status change, made in the page's operator panel through the HTTP API, reaching
the customer's chat."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD, RunningShop, sign_up, tap

pytestmark = pytest.mark.slow


async def test_a_customer_buys_and_hears_that_the_order_is_paid(
    running_shop: RunningShop, page: Page
) -> None:
    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")

    await sign_up(page)

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
