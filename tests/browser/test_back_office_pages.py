"""The back office's pages in a real browser against ``python -m shop`` (what ``./run``
starts): a product made with a photo on the products page reaches the customer's chat as
a photo card, and a broadcast sent from its page reaches the chat while its progress
updates itself until done."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Page, expect

from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD, RunningShop, sign_up, tap
from tests.images import image_bytes

pytestmark = pytest.mark.slow


def office_url(running_shop: RunningShop) -> str:
    [api] = parse_qs(urlsplit(running_shop.page_url).query)["api"]
    return f"{api}/admin/"


async def sign_in_to_the_office(page: Page, running_shop: RunningShop) -> None:
    await page.goto(office_url(running_shop))
    await page.get_by_label("Email").fill(OPERATOR_EMAIL)
    await page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


async def drop_file(page: Page, selector: str, name: str, data: bytes) -> None:
    """Drop a file on ``selector`` as a user dragging it from their desktop would."""
    await page.locator(selector).evaluate(
        """(zone, [name, encoded]) => {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "image/png" }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
        }""",
        [name, base64.b64encode(data).decode()],
    )


async def test_a_product_made_in_the_office_with_a_photo_is_a_photo_card_in_the_bot(
    running_shop: RunningShop, page: Page
) -> None:
    await sign_in_to_the_office(page, running_shop)
    await page.get_by_role("link", name="Products").click()
    await page.get_by_role("link", name="New product").click()
    await page.get_by_label("Name").fill("Jasmine tea")
    await page.get_by_label("Description").fill("Fragrant")
    await page.get_by_label("Price (USD)").fill("5,2")
    await page.get_by_role("button", name="Create").click()
    await expect(page.get_by_role("status")).to_have_text("Jasmine tea was created.")

    await page.locator("input[type=file]").set_input_files(
        {"name": "first.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (60, 40))}
    )
    preview = page.get_by_role("img", name="Preview of the chosen photo")
    await expect(preview).to_be_visible()  # shown before it is sent
    await drop_file(page, ".drop-zone", "jasmine.png", image_bytes("PNG", (150, 100), "olive"))
    await expect(preview).to_have_js_property("naturalWidth", 150)
    await page.get_by_role("button", name="Upload").click()
    await expect(page.get_by_role("status")).to_have_text("The photo is saved.")
    await expect(page.get_by_role("img", name="Jasmine tea")).to_be_visible()
    await page.get_by_label("Add (or remove, with a minus)").fill("+7")
    await page.get_by_role("button", name="Adjust").click()
    await expect(page.get_by_role("status")).to_have_text("Stock is 7.")

    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")
    await sign_up(page)
    await tap(page, "🛍 Catalog")
    await tap(page, "Jasmine tea · $5.20 · in stock")
    photo = chat.get_by_role("img").last
    await expect(photo).to_be_visible()
    await expect(photo).to_have_attribute("alt", "Jasmine tea\nFragrant\n\nPrice: $5.20\n"
                                          "Availability: in stock\nQuantity: 1")  # fmt: skip
    assert await photo.evaluate("image => image.naturalWidth") == 150  # the dropped file


async def test_a_broadcast_sent_from_the_office_reaches_the_chat_and_shows_its_progress(
    running_shop: RunningShop, page: Page
) -> None:
    await page.goto(running_shop.page_url)
    chat = page.locator("#messages")
    await sign_up(page)

    office = await page.context.new_page()
    await sign_in_to_the_office(office, running_shop)
    await office.get_by_role("link", name="Broadcasts").click()
    await office.get_by_label("Message").fill("<b>Tea week</b>: 10% off & free <i>delivery</i>")
    await expect(office.locator("#preview")).to_have_text(  # as typed, while typing
        "<b>Tea week</b>: 10% off & free <i>delivery</i>"
    )
    await office.get_by_label("Telegram HTML").check()
    await expect(office.get_by_text("Telegram would refuse this text")).to_be_visible()
    await office.get_by_label("Message").fill("<b>Tea week</b>: 10% off &amp; free <i>delivery</i>")
    await expect(office.locator("#preview strong")).to_have_text("Tea week")
    await expect(office.locator("#recipients")).to_have_text("1")
    await office.get_by_role("button", name="Send to 1 customer").click()
    await expect(office.get_by_role("status")).to_have_text("The broadcast is on its way.")
    await expect(office.locator("[data-state]")).to_have_text("done")  # without a reload
    await expect(office.locator('[data-count="sent"]')).to_have_text("1")
    await expect(office.locator('[data-count="remaining"]')).to_have_text("0")
    await expect(office.get_by_role("button", name="Cancel what is not sent yet")).to_have_count(0)

    await page.bring_to_front()
    await expect(chat).to_contain_text("Tea week: 10% off & free delivery")
    await expect(chat.locator("b, strong").filter(has_text="Tea week")).to_have_count(1)
