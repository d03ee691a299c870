"""The chat page flips through a product's photos: staff add three photos through the HTTP
API; the customer's card shows the first with ◀ 1/3 ▶ and each press shows the next one in
the same message."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD, RunningShop, sign_up, tap
from tests.images import image_bytes

pytestmark = pytest.mark.slow
WIDTHS = (120, 80, 40)


async def give_the_tea_three_photos(api: str) -> None:
    """As the admin, over HTTP: three photos of different widths, added one after another."""
    async with aiohttp.ClientSession(api) as http:
        login = {"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}
        async with http.post("/api/auth/login", json=login) as reply:
            auth = {"Authorization": f"Bearer {(await reply.json())['token']}"}
        async with http.get("/api/products") as reply:
            [tea] = (await reply.json())["items"]
        for width in WIDTHS:
            form = aiohttp.FormData()
            form.add_field("photo", image_bytes("PNG", (width, 60)), filename="tea.png")
            url = f"/api/products/{tea['id']}/photos"
            async with http.post(url, data=form, headers=auth) as reply:
                assert reply.status == 201, await reply.text()


async def test_a_customer_flips_through_a_products_photos(
    running_shop: RunningShop, page: Page
) -> None:
    [api] = parse_qs(urlsplit(running_shop.page_url).query)["api"]
    await give_the_tea_three_photos(api)
    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")
    await sign_up(page)

    await tap(page, "🛍 Catalog")
    await tap(page, "Green tea · $4.50 · in stock")
    photo = chat.get_by_role("img").last
    await expect(photo).to_be_visible()
    await expect(photo).to_have_js_property("naturalWidth", WIDTHS[0])
    await expect(page.get_by_role("button", name="1/3", exact=True)).to_be_visible()
    for shown in (1, 2, 0):
        await tap(page, "▶")
        await expect(page.get_by_role("button", name=f"{shown + 1}/3", exact=True)).to_be_visible()
        await expect(chat.get_by_role("img").last).to_have_js_property(
            "naturalWidth", WIDTHS[shown]
        )
    await expect(chat.get_by_role("img")).to_have_count(1)  # one card, edited in place
    await tap(page, "◀")
    await expect(chat.get_by_role("img").last).to_have_js_property("naturalWidth", WIDTHS[2])
