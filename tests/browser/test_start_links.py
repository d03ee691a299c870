"""A start link in the chat page (``?start=``, as ``t.me/<bot>?start=`` opens the chat): a
new customer presses Start, signs up and lands on the product's card, credited to the
link's campaign; the card's Share button is a link to Telegram's share page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD, RunningShop, sign_up

pytestmark = pytest.mark.slow


async def test_a_start_link_opens_the_card_after_signup(
    running_shop: RunningShop, page: Page
) -> None:
    async with aiohttp.ClientSession(running_shop.api_url) as http:
        async with http.get("/api/products") as reply:
            [tea] = (await reply.json())["items"]
        await page.goto(f"{running_shop.page_url}&start=p-{tea['id']}-c-Browser")
        chat = page.locator("#messages")
        await sign_up(page)

        await expect(chat).to_contain_text("Price: $4.50")
        share = chat.get_by_role("link", name="📤 Share").last
        href = await share.get_attribute("href")
        assert href is not None and href.startswith("https://t.me/share/url?url=")
        [link] = parse_qs(urlsplit(href).query)["url"]
        assert link.endswith(f"?start=p-{tea['id']}")
        assert "start=" not in urlsplit(page.url).query  # followed once

        login = {"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}
        async with http.post("/api/auth/login", json=login) as reply:
            auth = {"Authorization": f"Bearer {(await reply.json())['token']}"}
        async with http.get("/api/admin/users?q=alice@example.com", headers=auth) as reply:
            [alice] = (await reply.json())["items"]
    assert alice["campaign"]["name"] == "Browser"
