"""The back office in Debian's chromium, against ``python -m shop`` (what ``./run``
starts): staff sign in, move an order from its page (the customer hears once), a stale
order page changes nothing, an operator is refused an admin page, customer text shows as
text, and signing out ends the session. No page may break its Content-Security-Policy."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import BrowserContext, ConsoleMessage, Page, expect

from core.accounts.access import SYSTEM
from core.accounts.commands import Registration
from core.accounts.models import Role
from core.messaging.models import FINAL_STATES
from core.shop import Shop, open_shop
from tests.browser.page import (
    OPERATOR_EMAIL,
    OPERATOR_PASSWORD,
    RunningShop,
    check_out_green_tea,
    tap,
)
from tests.settings import ADDRESS, make_settings

pytestmark = pytest.mark.slow

XSS = "<script>alert(1)</script>"
PASSWORD = "operator password 2"


@pytest.fixture
async def shop(running_shop: RunningShop, mongo_uri: str) -> AsyncIterator[Shop]:
    """The running shop's database, for the test to arrange and check."""
    async with open_shop(
        make_settings(mongodb_database=running_shop.database), mongo_uri
    ) as opened:
        yield opened


@pytest.fixture
def broken() -> list[str]:
    """Console errors and uncaught exceptions of the back-office tabs (CSP violations too)."""
    return []


def _console(broken: list[str], message: ConsoleMessage) -> None:
    """Keep errors, except a page's own HTTP status (the 403 page the test asked for)."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        broken.append(message.text)


async def _tab(context: BrowserContext, broken: list[str]) -> Page:
    tab = await context.new_page()
    tab.on("console", lambda message: _console(broken, message))
    tab.on("pageerror", lambda error: broken.append(str(error)))
    tab.on("dialog", lambda dialog: broken.append(f"a dialog opened: {dialog.message}"))
    return tab


async def _sign_in(tab: Page, running_shop: RunningShop, email: str, password: str) -> None:
    await tab.goto(f"{running_shop.api_url}/admin/orders")
    await expect(tab).to_have_url(re.compile(r"/admin/sign-in\?next="))
    await tab.get_by_label("Email").fill(email)
    await tab.get_by_label("Password").fill(password)
    await tab.get_by_role("button", name="Sign in").click()
    await expect(tab.get_by_role("heading", name="Orders")).to_be_visible()


async def _order_and_staff(page: Page, running_shop: RunningShop, broken: list[str]) -> Page:
    """The customer (Alice, in the chat page) places order #1; then a tab where Olga (an
    admin) signed in to the back office."""
    await page.goto(running_shop.page_url)
    await check_out_green_tea(page)
    await tap(page, "✅ Confirm order")
    await expect(page.locator("#messages")).to_contain_text("Order #1 placed.")
    staff = await _tab(page.context, broken)
    await _sign_in(staff, running_shop, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    return staff


async def _notices_settled(shop: Shop) -> None:
    """Every notice queued so far has been sent (or has failed for good)."""
    final = [state.value for state in FINAL_STATES]
    async with asyncio.timeout(30):
        while await shop.store.notifications.count_documents({"state": {"$nin": final}}):
            await asyncio.sleep(0.05)


async def test_a_status_change_from_the_order_page_reaches_the_customer_once(
    running_shop: RunningShop, page: Page, shop: Shop, broken: list[str]
) -> None:
    staff = await _order_and_staff(page, running_shop, broken)

    await staff.get_by_label("Search").fill("nobody")  # applied as typed (htmx)
    await expect(staff.get_by_text("No orders match these filters.")).to_be_visible()
    await expect(staff).to_have_url(re.compile(r"/admin/orders\?q=nobody"))
    await staff.get_by_label("Search").fill("alice")
    await expect(staff).to_have_url(re.compile(r"/admin/orders\?q=alice"))
    await staff.get_by_role("link", name="#1").click()
    await expect(staff.get_by_role("heading", name="Order #1")).to_contain_text("pending")
    await expect(staff.get_by_text("Green tea")).to_be_visible()
    await staff.get_by_role("button", name="Mark paid").click()
    await expect(staff.get_by_role("status")).to_have_text("Order #1 is now paid.")
    await expect(staff.get_by_role("heading", name="Order #1")).to_contain_text("paid")
    await expect(staff.get_by_role("cell", name="back office")).to_be_visible()

    chat = page.locator("#messages")
    await expect(chat).to_contain_text("Your order #1 ($4.50) is now paid.")
    await _notices_settled(shop)
    await expect(chat.get_by_text("is now paid.")).to_have_count(1)
    assert broken == []


async def test_a_stale_order_page_changes_nothing(
    running_shop: RunningShop, page: Page, shop: Shop, broken: list[str]
) -> None:
    left_open = await _order_and_staff(page, running_shop, broken)
    await left_open.get_by_role("link", name="#1").click()
    other = await _tab(page.context, broken)  # the same staff member's second tab
    await other.goto(left_open.url)
    await other.get_by_role("button", name="Mark paid").click()
    await expect(other.get_by_role("status")).to_have_text("Order #1 is now paid.")

    await left_open.get_by_role("button", name="Mark cancelled").click()  # shown while pending
    await expect(left_open.get_by_role("alert")).to_contain_text(
        "Nothing was changed: order #1 changed since its page was opened (it is paid now)."
    )
    await expect(left_open.get_by_role("heading", name="Order #1")).to_contain_text("paid")
    await _notices_settled(shop)
    chat = page.locator("#messages")
    await expect(chat.get_by_text("is now paid.")).to_have_count(1)
    await expect(chat.get_by_text("cancelled")).to_have_count(0)
    assert broken == []


async def test_an_operator_is_refused_admin_pages_sees_names_as_text_and_signs_out(
    running_shop: RunningShop, page: Page, shop: Shop, broken: list[str]
) -> None:
    for name, email in ((XSS, "mallory@example.com"), ("Oscar", "oscar@example.com")):
        registration = Registration(name=name, email=email, password=PASSWORD)
        user = await shop.users.register(registration, address=ADDRESS)
    await shop.accounts.set_role(SYSTEM, user.id, Role.OPERATOR)
    tab = await _tab(page.context, broken)
    await _sign_in(tab, running_shop, "oscar@example.com", PASSWORD)

    await expect(tab.get_by_role("link", name="Staff")).to_have_count(0)
    await tab.get_by_role("link", name="Customers").click()
    await tab.get_by_label("Search").fill("script")
    await tab.get_by_role("button", name="Search").click()
    await expect(tab).to_have_url(re.compile(r"/admin/customers\?q=script"))
    await expect(tab.get_by_role("link", name=XSS)).to_be_visible()
    await tab.get_by_role("link", name=XSS).click()
    await expect(tab.get_by_role("heading", name=XSS)).to_be_visible()
    await expect(tab.get_by_role("button", name="Change the role")).to_have_count(0)

    await tab.goto(f"{running_shop.api_url}/admin/staff")
    await expect(tab.get_by_role("heading", name="Not allowed")).to_be_visible()
    await expect(tab.get_by_text("Your role does not allow this page")).to_be_visible()

    await tab.goto(f"{running_shop.api_url}/admin/")
    await tab.get_by_role("button", name="Sign out").click()
    await expect(tab.get_by_role("status")).to_have_text("You are signed out.")
    await tab.goto(f"{running_shop.api_url}/admin/orders")
    await expect(tab).to_have_url(re.compile(r"/admin/sign-in"))
    await expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    assert broken == []
