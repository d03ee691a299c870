"""The back office's pages in a real browser against ``python -m shop`` (what ``./run``
starts): a product made with a photo on the products page reaches the customer's chat as
a photo card, and a broadcast sent from its page reaches the chat while its progress
updates itself until done. The dashboard, the CSV export and the product import run on the
API's application served by the test itself, whose data the test makes through core."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Download, Page, expect

from admin_api.app import create_app
from admin_api.web.filters import money
from core.accounts.access import SYSTEM
from core.accounts.commands import AdminAccount
from core.base import clock
from core.catalog.commands import ProductQuery
from core.config import PROJECT_ROOT
from core.shop import Shop
from tests.api.client import api_settings
from tests.browser.demo_shop import a_month_of_orders
from tests.browser.page import OPERATOR_EMAIL, OPERATOR_PASSWORD, RunningShop, sign_up, tap
from tests.factories import NewUser
from tests.images import image_bytes
from tests.sheets import csv_file, zip_file

SHEET = csv_file(
    ["TEA-1", "Green tea", "Sencha", "6.50", 20, "", "", "TEA-1.png"],
    ["TEA-2", "Black tea", "", "5.50", 3, "", "", ""],
)
PHOTOS = zip_file({"TEA-1.png": image_bytes("PNG", (30, 20))})
SCREENSHOT = PROJECT_ROOT / "var" / "screenshots" / "back-office.png"
"""The dashboard with a month of demo orders: docs/back-office.png is a copy."""

pytestmark = pytest.mark.slow


def office_url(running_shop: RunningShop) -> str:
    [api] = parse_qs(urlsplit(running_shop.page_url).query)["api"]
    return f"{api}/admin/"


async def sign_in_at(page: Page, url: str) -> None:
    await page.goto(url)
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
    await sign_in_at(page, office_url(running_shop))
    await page.get_by_role("link", name="Products").click()
    await page.get_by_role("link", name="New product").click()
    await page.get_by_label("Name").fill("Jasmine tea")
    await page.get_by_label("Description").fill("Fragrant")
    await page.get_by_label("Price (USD)").fill("5,2")
    await page.get_by_role("button", name="Create").click()
    await expect(page.get_by_role("status")).to_have_text("Jasmine tea was created.")
    await page.wait_for_load_state("load")  # its script previews the chosen photo

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
    await sign_in_at(office, office_url(running_shop))
    await office.get_by_role("link", name="Broadcasts").click()
    await office.wait_for_url("**/admin/broadcasts")  # loaded: htmx listens to the typing
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


@pytest.fixture
async def office(shop: Shop) -> AsyncIterator[str]:
    """The API's application served in this process on the test's shop (so the test makes
    its data through core, with a moved clock): the back office's URL, an admin in it."""
    await shop.accounts.create_admin(
        AdminAccount(name="Olga", email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
    )
    async with TestServer(create_app(shop, api_settings())) as server:
        yield str(server.make_url("/admin/"))


async def downloaded(download: Download) -> io.StringIO:
    """A downloaded CSV file's text, without its byte order mark."""
    data = await asyncio.to_thread((await download.path()).read_bytes)
    return io.StringIO(data.decode("utf-8-sig"), newline="")


async def test_the_dashboard_shows_the_orders_made(
    office: str, page: Page, shop: Shop, new_user: NewUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    month = await a_month_of_orders(shop, new_user, monkeypatch)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await sign_in_at(page, office)
    today = datetime.combine(clock.now().date(), time(), UTC)
    for period, since in (("today", today), ("30d", today - timedelta(days=29))):
        made = [order for order in month.orders if order[0] >= since]
        revenue = sum(total for _, total, _, paid in made if paid)
        figures = page.locator(f'[data-figure="orders-{period}"]')
        await expect(figures).to_have_text(str(len(made)))
        await expect(page.locator(f'[data-figure="revenue-{period}"]')).to_have_text(
            money(revenue, "USD")
        )
    bars = page.locator("svg.chart rect.bar")
    await expect(bars).to_have_count(30)
    await expect(page.get_by_role("img", name="Revenue by day, last 30 days")).to_be_visible()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOT, full_page=True)


async def test_csv_export_and_import_in_the_browser(office: str, page: Page, shop: Shop) -> None:
    await sign_in_at(page, office)
    await page.get_by_role("link", name="Spreadsheets").click()
    await page.wait_for_url("**/admin/spreadsheets")  # loaded: its script checks in place
    await page.get_by_label("CSV file").set_input_files(
        {"name": "products.csv", "mimeType": "text/csv", "buffer": SHEET}
    )
    await page.get_by_label("Photos (optional ZIP)").set_input_files(
        {"name": "photos.zip", "mimeType": "application/zip", "buffer": PHOTOS}
    )
    report = page.locator("#import-report")
    await page.get_by_role("button", name="Check (dry run)").click()
    await expect(report).to_contain_text("Dry run: nothing was written")
    await expect(report.locator('[data-count="created"]')).to_have_text("2")
    listed = await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)
    assert listed.total == 0
    await page.get_by_role("button", name="Apply the checked file").click()  # same files, kept
    await expect(report).to_contain_text("Imported")
    await expect(report.locator('[data-count="created"]')).to_have_text("2")
    await page.get_by_role("button", name="Check (dry run)").click()
    await expect(report.locator('[data-count="unchanged"]')).to_have_text("2")
    await page.get_by_role("button", name="Apply the checked file").click()
    await expect(report).to_contain_text("Imported")
    await expect(report.locator('[data-count="unchanged"]')).to_have_text("2")
    await expect(report.locator('[data-count="created"]')).to_have_text("0")
    listed = await shop.catalog.list(ProductQuery(include_inactive=True), viewer=SYSTEM)
    assert sorted(product.name for product in listed.items) == ["Black tea", "Green tea"]

    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download products.csv").click()
    exported = list(csv.DictReader(await downloaded(await waiting.value)))
    assert sorted((row["name"], row["price"]) for row in exported) == [
        ("Black tea", "5.50"), ("Green tea", "6.50"),
    ]  # fmt: skip
    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Download orders.csv").click()
    header = next(csv.reader(await downloaded(await waiting.value)))
    assert header[:3] == ["number", "id", "created_at"]
