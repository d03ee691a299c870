"""Every back-office page in Debian's chromium, with hostile text in everything it shows
(``tests/web/hostile.py``): no page breaks its Content-Security-Policy, runs a script it
was not meant to, or opens a dialog; error pages neither."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import ConsoleMessage, Page, expect

from admin_api.app import create_app
from core.accounts.commands import AdminAccount
from core.shop import Shop
from tests.api.client import api_settings
from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD
from tests.web.hostile import HOSTILE, hostile_things, html_pages

pytestmark = pytest.mark.slow


@pytest.fixture
async def site(shop: Shop) -> AsyncIterator[str]:
    """The API's application served in this process: its address, an admin in it."""
    await shop.accounts.create_admin(
        AdminAccount(name=HOSTILE, email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
    )
    async with TestServer(create_app(shop, api_settings())) as server:
        yield str(server.make_url("")).rstrip("/")


def _keep_errors(broken: list[str], message: ConsoleMessage) -> None:
    """Errors, but not a page's own status (the 404 and 422 pages the test asks for)."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        broken.append(message.text)


async def test_no_page_breaks_its_policy_or_runs_typed_text(
    site: str, page: Page, shop: Shop
) -> None:
    ids = await hostile_things(shop)
    broken: list[str] = []
    page.on("console", lambda message: _keep_errors(broken, message))
    page.on("pageerror", lambda error: broken.append(str(error)))
    page.on("dialog", lambda dialog: broken.append(f"a dialog opened: {dialog.message}"))
    await page.goto(f"{site}/admin/sign-in?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    await page.get_by_label("Email").fill(OPERATOR_EMAIL)
    await page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    errors = ["/admin/orders/zz", "/admin/orders?status=%3Cscript%3E", "/admin/sign-out"]
    for path in [*html_pages(ids), *errors]:
        await page.goto(site + path)
        await page.wait_for_load_state("load")
        assert not broken, (path, broken)
    await page.goto(site + "/admin/broadcasts")
    await page.get_by_label("Message").fill(HOSTILE)
    await page.get_by_role("button", name="Preview").click()
    await expect(page.locator("#compose-preview")).to_contain_text("alert(1)")
    assert not broken, broken
