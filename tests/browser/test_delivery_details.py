"""Checking out with delivery details in the chat page of ``python -m shop``: the method's
button, the phone shared with the reply keyboard's button, the address typed."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Page, expect

from tests.browser.page import RunningShop, check_out_green_tea, tap
from tests.settings import DELIVERY_METHODS

pytestmark = pytest.mark.slow


@pytest.fixture
def shop_env() -> dict[str, str]:
    return {"DELIVERY_METHODS": json.dumps(DELIVERY_METHODS)}


async def test_a_customer_checks_out_with_a_shared_phone_and_an_address(
    running_shop: RunningShop, page: Page
) -> None:
    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")
    composer = page.get_by_role("textbox", name="Message")
    await check_out_green_tea(page)

    await expect(chat).to_contain_text("How should your order reach you?")
    await tap(page, "Courier · $5.00")
    share = page.locator("#reply-keyboard").get_by_role("button", name="📱 Share my phone number")
    await share.click()
    await expect(chat).to_contain_text("Where should we deliver?")
    await expect(page.locator("#reply-keyboard")).to_be_hidden()
    await composer.fill("1 High St, London")
    await composer.press("Enter")
    await expect(chat).to_contain_text("Address: 1 High St, London")
    await expect(chat).to_contain_text("Total: $9.50")
    await tap(page, "✅ Confirm order")

    await expect(chat).to_contain_text("Order #1 placed.")
    await expect(chat).to_contain_text("To: Alice, +12025551001")
