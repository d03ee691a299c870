"""The most subcategories a category may have fit its page in the bot with a full page of
its own products (Telegram takes at most 100 buttons on a message); one more is refused,
also when several are made at the same moment."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import BotSettings
from core.accounts.access import SYSTEM
from core.catalog.commands import MAX_SUBCATEGORIES, CategoryDraft
from core.catalog.errors import UnfitParent
from core.shop import Shop
from sandbox import SandboxServer
from tests.bot.chat import Customer, make_bot_settings, tap
from tests.factories import NewProduct

TELEGRAM_MOST_BUTTONS = 100
PAGE = 20  # the most products a page may have (CATALOG_PAGE_SIZE)


@pytest.fixture
def bot_settings(sandbox_server: SandboxServer) -> BotSettings:
    return make_bot_settings(sandbox_server, catalog_page_size=PAGE)


async def test_a_full_parent_fits_one_message_and_takes_no_more(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await shop.categories.create(SYSTEM, CategoryDraft(name="Tea"))
    for n in range(MAX_SUBCATEGORIES - 2):
        await shop.categories.create(SYSTEM, CategoryDraft(name=f"Tea {n}", parent_id=tea.id))
    made = await asyncio.gather(
        *(
            shop.categories.create(SYSTEM, CategoryDraft(name=f"More {n}", parent_id=tea.id))
            for n in range(6)
        ),
        return_exceptions=True,
    )
    assert all(not isinstance(r, Exception) or isinstance(r, UnfitParent) for r in made)
    assert await shop.store.categories.count_documents({"parentId": tea.id}) <= MAX_SUBCATEGORIES
    while await shop.store.categories.count_documents({"parentId": tea.id}) < MAX_SUBCATEGORIES:
        await shop.categories.create(SYSTEM, CategoryDraft(name="Last", parent_id=tea.id))
    with pytest.raises(UnfitParent):
        await shop.categories.create(SYSTEM, CategoryDraft(name="Too many", parent_id=tea.id))
    for n in range(PAGE + 1):  # a full page, and a second one
        await new_product(f"Sampler {n}", category_id=tea.id)
    alice, _ = await customer("Alice")

    await alice.send("/catalog")
    page = await tap(alice, f"Tea ({PAGE + 1})")

    assert sum(len(row) for row in page.buttons) <= TELEGRAM_MOST_BUTTONS
    assert sum(row[0].text.startswith("Sampler") for row in page.buttons) == PAGE
