"""A customer's and an operator's moves in the chat page, and what ``running_shop`` hands
the browser tests."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Page, expect

OPERATOR_EMAIL, OPERATOR_PASSWORD = "olga@example.com", "operator password 1"


@dataclass
class RunningShop:
    """``python -m shop`` serving: the chat page's URL, and its log so far."""

    page_url: str
    log: list[str]
    api_url: str = ""
    database: str = ""
    """The API's base URL (the back office is under ``/admin/``) and the shop's database."""


async def tap(page: Page, button: str) -> None:
    """Press the newest button labelled ``button``, as a Telegram user would."""
    await page.get_by_role("button", name=button, exact=True).last.click()


async def sign_up(page: Page, email: str = "alice@example.com") -> None:
    """Start the chat and sign up as Alice, keeping the name from the profile."""
    chat = page.locator("#messages")
    await tap(page, "Start")
    await expect(chat).to_contain_text("What name should we use for your orders?")
    await tap(page, "Keep “Alice”")
    await expect(chat).to_contain_text("Now your email address")
    composer = page.get_by_role("textbox", name="Message")
    await composer.fill(email)
    await composer.press("Enter")
    await expect(chat).to_contain_text("Hello, Alice! What would you like to do?")


async def check_out_green_tea(page: Page) -> None:
    """Sign up, put one Green tea in the cart and press Checkout."""
    await sign_up(page)
    for button in ("🛍 Catalog", "Green tea · $4.50 · in stock", "Add to cart", "🛒 Cart"):
        await tap(page, button)
    await tap(page, "Checkout")
