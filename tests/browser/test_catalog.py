"""The chat page browses a category and shows a product's photo: staff file the product
under a category and upload its photo through the HTTP API, as they would."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD, RunningShop, sign_up, tap
from tests.images import image_bytes

pytestmark = pytest.mark.slow


async def file_green_tea_under_teas_with_a_photo(api: str) -> None:
    """As the admin, over HTTP: a category "Teas", Green tea in it, and its photo."""
    async with aiohttp.ClientSession(api) as http:
        login = {"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}
        async with http.post("/api/auth/login", json=login) as reply:
            auth = {"Authorization": f"Bearer {(await reply.json())['token']}"}
        async with http.post("/api/categories", json={"name": "Teas"}, headers=auth) as reply:
            category = await reply.json()
        async with http.get("/api/products") as reply:
            [tea] = (await reply.json())["items"]
        moved = {"categoryId": category["id"]}
        async with http.patch(f"/api/products/{tea['id']}", json=moved, headers=auth) as reply:
            assert reply.status == 200, await reply.text()
        form = aiohttp.FormData()
        form.add_field("photo", image_bytes("PNG", (120, 90)), filename="tea.png")
        url = f"/api/products/{tea['id']}/photo"
        async with http.post(url, data=form, headers=auth) as reply:
            assert reply.status == 200, await reply.text()


async def test_a_customer_browses_a_category_and_sees_the_photo(
    running_shop: RunningShop, page: Page
) -> None:
    [api] = parse_qs(urlsplit(running_shop.page_url).query)["api"]
    await file_green_tea_under_teas_with_a_photo(api)
    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")
    await sign_up(page)

    await tap(page, "🛍 Catalog")
    await expect(chat).to_contain_text("Pick a category")
    await tap(page, "Teas (1)")
    await expect(chat).to_contain_text("Teas (page 1 of 1)")
    await tap(page, "Green tea · $4.50 · in stock")
    photo = chat.get_by_role("img").last
    await expect(photo).to_be_visible()
    await expect(photo).to_have_attribute("alt", "Green tea\nSencha\n\nPrice: $4.50\n"
                                          "Availability: in stock\nQuantity: 1")  # fmt: skip
    assert await photo.evaluate("image => image.naturalWidth") == 120  # the upload, loaded
    await tap(page, "+")
    await expect(chat).to_contain_text("Quantity: 2")
    await tap(page, "« Back")
    await expect(chat).to_contain_text("Teas (page 1 of 1)")
    await expect(chat.get_by_role("img")).to_have_count(0)  # the card was replaced by the list
