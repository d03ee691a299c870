"""The chat page in a real headless browser, the test playing the bot over raw HTTP: paying
an invoice through the fake payment form, a photo replaced in place, sharing a contact, and a
group chat. Skipped where Playwright or Debian's chromium is missing (``.ci/run`` has both)."""

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from botapi_client import ok

from sandbox import FakeUser, SandboxServer
from sandbox.testing import running_sandbox

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
STARS_INVOICE = {
    "title": "Green tea",
    "description": "100 g of sencha",
    "payload": "order:7",
    "currency": "XTR",
    "prices": [{"label": "Tea", "amount": 50}],
}


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
async def page(chromium: Path) -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = await browser.new_context(viewport={"width": 1100, "height": 800})
        opened = await context.new_page()
        opened.set_default_timeout(10_000)
        yield opened
        await browser.close()


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    async with running_sandbox() as served:
        yield served


async def answer_pre_checkouts(
    http: aiohttp.ClientSession, server: SandboxServer, answers: list[dict[str, Any]]
) -> None:
    """Play the bot's side of payments: answer each pre-checkout query with the next answer."""
    offset = 0
    for answer in answers:
        while True:
            updates = await ok(http, server, "getUpdates", offset=offset, timeout=10)
            offset = updates[-1]["update_id"] + 1 if updates else offset
            query = next(
                (u["pre_checkout_query"] for u in updates if "pre_checkout_query" in u), None
            )
            if query is not None:
                break
        await ok(
            http, server, "answerPreCheckoutQuery", pre_checkout_query_id=query["id"], **answer
        )


async def test_paying_an_invoice_from_the_page(
    http: aiohttp.ClientSession, server: SandboxServer, page: Any
) -> None:
    server.sandbox.add_user(1001, "Alice")
    await ok(http, server, "sendInvoice", chat_id=1001, **STARS_INVOICE)
    await page.goto(f"{server.url}/?user=1001")
    bot = asyncio.create_task(
        answer_pre_checkouts(
            http, server, [{"ok": False, "error_message": "Sold out, sorry"}, {"ok": True}]
        )
    )
    await page.get_by_role("button", name="Pay ⭐50").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("heading")).to_have_text("Green tea")
    await expect(dialog.get_by_label("Card number")).to_be_hidden()  # Stars: a confirmation
    await dialog.get_by_role("button", name="Pay ⭐50").click()
    await expect(dialog.get_by_role("alert")).to_have_text("Sold out, sorry")
    await dialog.get_by_role("button", name="Pay ⭐50").click()
    await expect(dialog).to_be_hidden()
    await bot
    await expect(page.locator(".service")).to_have_text("You paid ⭐50")
    await expect(page.get_by_role("button", name="Receipt")).to_be_disabled()
    (charge,) = server.sandbox.payments.charges.values()
    assert (charge.user_id, charge.total_amount, charge.invoice_payload) == (1001, 50, "order:7")


async def test_photos_edits_contacts_and_groups_on_the_page(
    http: aiohttp.ClientSession, server: SandboxServer, page: Any
) -> None:
    sandbox = server.sandbox
    alice = FakeUser.create(sandbox, 1001, "Alice", phone_number="447700900123")
    bob = FakeUser.create(sandbox, 1002, "Bob")
    group = sandbox.add_group("Operators", [alice.id, bob.id])
    await ok(
        http,
        server,
        "sendMessage",
        chat_id=1001,
        text="Your phone, please",
        reply_markup={"keyboard": [[{"text": "Share my phone", "request_contact": True}]]},
    )
    card = await ok(http, server, "sendMessage", chat_id=1001, text="Green tea, no photo yet")
    await page.goto(f"{server.url}/?user=1001")

    form = aiohttp.FormData(
        {
            "chat_id": "1001",
            "message_id": str(card["message_id"]),
            "media": '{"type": "photo", "media": "attach://pic", "caption": "Green tea"}',
        }
    )
    form.add_field("pic", PNG, filename="tea.png", content_type="image/png")
    async with http.post(f"{server.url}/bot{sandbox.token}/editMessageMedia", data=form) as reply:
        assert (await reply.json())["ok"]
    photo = page.get_by_role("img", name="Green tea")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("image => image.naturalWidth") == 1

    await page.get_by_role("button", name="Share my phone").click()
    await expect(page.locator(".from-user .contact")).to_have_text("👤 Alice, 447700900123")
    (contact,) = [m.contact for m in alice.messages if m.contact]
    assert contact == {"phone_number": "447700900123", "first_name": "Alice", "user_id": 1001}

    await ok(http, server, "sendMessage", chat_id=group.id, text="New order #7")
    bob.sandbox.user_sends(bob.id, "/take 7", chat_id=group.id)
    await page.get_by_role("button", name="Operators").click()
    await expect(page.locator(".from-bot .text")).to_have_text("New order #7")
    await expect(page.locator(".from-member .text")).to_have_text("/take 7")
    await expect(page.locator(".sender").last).to_have_text("Bob")
    await page.get_by_role("textbox", name="Message").fill("/done 7")
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".from-user .text")).to_have_text("/done 7")
    assert [m.text for m in group.messages.values()][-1] == "/done 7"
    assert group.messages[3].sender_id == 1001


async def test_a_user_joins_a_group_from_the_page(
    http: aiohttp.ClientSession, server: SandboxServer, page: Any
) -> None:
    sandbox = server.sandbox
    FakeUser.create(sandbox, 1001, "Alice")
    bob = FakeUser.create(sandbox, 1002, "Bob")
    group = sandbox.add_group("Staff", [bob.id])
    await ok(http, server, "sendMessage", chat_id=group.id, text="New order #8")
    await page.goto(f"{server.url}/?user=1001")

    await page.get_by_role("button", name="Join Staff").click()

    await expect(page.locator(".from-bot .text")).to_have_text("New order #8")
    await expect(page.get_by_role("button", name="Staff", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert group.members[1001] == "member"
