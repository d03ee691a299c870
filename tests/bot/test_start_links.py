"""Start links through the sandbox: ``/start p-<product>`` opens the product's card (after
signup for a stranger), ``c-<campaign>`` is kept on the customer and copied onto their next
order, the card's Share button carries the link, and any other payload starts as usual."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import User
from core.catalog.commands import CategoryDraft
from core.shop import Shop
from sandbox import FakeUser, Message
from tests.bot.chat import Customer, RunBot, orders_of, review_order, tap
from tests.core.variants import make_shirt
from tests.factories import NewProduct
from tests.images import image_bytes

WELCOME = "Hello, {}! What would you like to do?"
ASK_NAME = "Welcome to the shop! What name should we use for your orders?"
MENU = [["🛍 Catalog", "🛒 Cart"], ["📦 Orders", "👤 Profile"]]


def is_card(name: str) -> Callable[[Message], bool]:
    return lambda m: (m.text or m.caption or "").startswith(f"{name}\n")


def labels(message: Message) -> list[list[str]]:
    return [[b.text for b in row] for row in message.buttons]


async def campaign_of(shop: Shop, account: User) -> str | None:
    found = await shop.users.get(account.id)
    return None if found.campaign is None else found.campaign.name


async def cards_after(player: FakeUser) -> list[Message]:
    """The product cards in ``player``'s chat once the bot handled what came before (it
    handles one user's updates in order, so a reply to /help comes after all of it)."""
    assert await player.send("/help") is not None
    return [
        m
        for m in player.chat.messages.values()
        if m.from_bot and "Price:" in (m.text or m.caption or "")
    ]


async def sign_up(player: FakeUser, payload: str) -> Message:
    """A stranger opens a start link and signs up; the welcome after the email."""
    asked = await player.send(f"/start {payload}".strip())
    assert asked is not None and asked.text == ASK_NAME, asked
    await tap(player, f"Keep “{player.user.first_name}”")
    welcome = await player.send(f"{player.user.first_name.lower()}@example.com")
    assert welcome is not None and welcome.text == WELCOME.format(player.user.first_name)
    return welcome


async def test_a_product_link_opens_its_card_for_a_customer(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    await new_product("Mug", price=1200)
    tea = await new_product("Green Tea", price=450, stock=3, category_id=teas.id)
    alice, account = await customer("Alice")

    card = await alice.send(f"/start p-{tea.id}")

    assert card is not None and (card.text or "").startswith("Green Tea\n\nPrice: $4.50")
    assert labels(card) == [["-", "1", "+"], ["Add to cart"], ["📤 Share"], ["« Back", "🛒 Cart"]]
    assert await campaign_of(shop, account) is None
    await tap(alice, "Add to cart")
    assert [(line.name, line.quantity) for line in (await shop.carts.view(account.id)).items] == [
        ("Green Tea", 1)
    ]
    listing = await tap(alice, "« Back")  # to the product's category
    assert (listing.text or "").startswith("Teas")


async def test_a_link_opens_the_card_as_the_catalog_would(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    shirt = await make_shirt(shop, new_product)
    sold_out = await new_product("Rare Tea", stock=0)
    alice, _ = await customer("Alice")

    options = await alice.send(f"/start p-{shirt.product.id}")  # sold by variant
    assert options is not None and "Choose an option:" in (options.text or "")
    assert options.button("📤 Share") is not None
    chosen = await tap(alice, "M, Red")
    assert "Option: M, Red" in (chosen.text or "")

    card = await alice.send(f"/start p-{sold_out.id}")  # sold out: hear when it is back
    assert card is not None and card.button("🔔 Notify me") is not None
    assert card.button("Add to cart") is None and card.button("📤 Share") is not None


async def test_a_photo_card_opens_as_a_new_photo(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Green Tea")
    png = image_bytes("PNG", (16, 16))
    await shop.photos.attach(SYSTEM, tea.id, png)
    alice, _ = await customer("Alice")

    card = await alice.send(f"/start p-{tea.id}")

    assert card is not None and card.file is not None and card.file.data == png
    assert (card.caption or "").startswith("Green Tea")
    assert card.button("📤 Share") is not None


async def test_a_stranger_signs_up_first_then_sees_the_card_and_orders_for_the_campaign(
    shop: Shop,
    new_product: NewProduct,
    make_user: Callable[..., FakeUser],
    running_bot: None,
) -> None:
    tea = await new_product("Green Tea", price=450)
    bob = make_user("Bob")

    welcome = await sign_up(bob, f"p-{tea.id}-c-Insta_Story")

    assert labels(welcome) == MENU
    card = await bob.wait_for(is_card("Green Tea"))
    assert card.message_id > welcome.message_id
    account = await shop.users.by_telegram(bob.id)
    assert account is not None and await campaign_of(shop, account) == "Insta_Story"
    await tap(bob, "+")
    await tap(bob, "Add to cart")
    await tap(bob, "🛒 Cart")
    summary = await review_order(bob)
    await bob.press("✅ Confirm order", message_id=summary.message_id)
    [order] = await orders_of(shop, account)
    assert (order.campaign, order.total_amount) == ("Insta_Story", 900)


async def test_the_link_waits_through_signup_across_a_restart_and_not_past_cancel(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], run_bot: RunBot
) -> None:
    tea = await new_product("Green Tea")
    carol, dan = make_user("Carol"), make_user("Dan")
    async with run_bot():
        await carol.send(f"/start p-{tea.id}-c-mail")
        await carol.send("Carol")
        await dan.send(f"/start p-{tea.id}-c-mail")
        await dan.send("/cancel")
    async with run_bot():  # a new dispatcher over the same database
        welcome = await carol.send("carol@example.com")
        assert welcome is not None and welcome.text == WELCOME.format("Carol")
        await carol.wait_for(is_card("Green Tea"))
        await sign_up(dan, "")  # a plain /start after /cancel: the link is gone
        assert await cards_after(dan) == []
    account = await shop.users.by_telegram(carol.id)
    assert account is not None and await campaign_of(shop, account) == "mail"
    other = await shop.users.by_telegram(dan.id)
    assert other is not None and other.campaign is None


async def test_a_campaign_link_is_kept_on_the_customer_and_their_next_order(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Green Tea")
    alice, account = await customer("Alice")

    menu = await alice.send("/start c-spring")

    assert menu is not None and menu.text == WELCOME.format("Alice")  # starts as usual
    assert labels(menu) == MENU
    assert await campaign_of(shop, account) == "spring"
    await alice.send("/start c-autumn")  # the last link followed counts
    assert await campaign_of(shop, account) == "autumn"
    await alice.send(f"/start p-{tea.id}")  # a link without a campaign changes none
    await tap(alice, "Add to cart")
    summary = await review_order(alice)
    await alice.press("✅ Confirm order", message_id=summary.message_id)
    [order] = await orders_of(shop, account)
    assert order.campaign == "autumn"


async def test_your_data_shows_the_campaign(
    shop: Shop, customer: Customer, running_bot: None
) -> None:
    alice, _ = await customer("Alice")
    await alice.send("/profile")
    before = (await tap(alice, "🔒 Your data")).text or ""
    assert "Campaign link you came by: none" in before
    await alice.send("/start c-spring")
    await alice.send("/profile")
    after = (await tap(alice, "🔒 Your data")).text or ""
    assert "Campaign link you came by: spring" in after


async def test_a_new_customer_s_campaign_is_kept_through_signup(
    shop: Shop, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    carol = make_user("Carol")
    await sign_up(carol, "c-newsletter")
    account = await shop.users.by_telegram(carol.id)
    assert account is not None and await campaign_of(shop, account) == "newsletter"


async def test_products_customers_may_not_see_start_as_usual(
    shop: Shop,
    new_product: NewProduct,
    customer: Customer,
    make_user: Callable[..., FakeUser],
    running_bot: None,
) -> None:
    gone = await new_product("Old Tea")
    await shop.catalog.archive(SYSTEM, gone.id)
    alice, account = await customer("Alice")
    for payload in (f"p-{gone.id}", "p-0123456789abcdef01234567", f"p-{gone.id}-c-gone"):
        menu = await alice.send(f"/start {payload}")
        assert menu is not None and menu.text == WELCOME.format("Alice"), payload
        assert labels(menu) == MENU
    assert await campaign_of(shop, account) == "gone"  # the campaign counts all the same

    dan = make_user("Dan")
    await sign_up(dan, f"p-{gone.id}")
    assert await cards_after(dan) == []

    teas = await shop.categories.create(SYSTEM, CategoryDraft(name="Teas"))
    green = await shop.categories.create(SYSTEM, CategoryDraft(name="Green", parent_id=teas.id))
    sencha = await new_product("Sencha", category_id=green.id)
    await shop.categories.archive(SYSTEM, teas.id)  # hides its subcategories' products too
    menu = await alice.send(f"/start p-{sencha.id}")
    assert menu is not None and menu.text == WELCOME.format("Alice")


MALFORMED = [
    "hello",
    "p-123",
    "c-",
    'c-{"$gt":""}',
    "c-$where",
    "c-'); DROP TABLE users; --",
    "c-<script>alert(1)</script>",
    "c-../../etc/passwd",
    "p-0123456789abcdef01234567-x",
    "c-" + "a" * 62,  # 64 characters: a payload Telegram passes, no campaign of the shop's
    "c-" + "a" * 100,
    "p-" + "0" * 24 + "-c-" + "b" * 40,
]


@pytest.mark.parametrize("payload", MALFORMED)
async def test_malformed_payloads_start_as_usual(
    shop: Shop,
    payload: str,
    customer: Customer,
    make_user: Callable[..., FakeUser],
    running_bot: None,
) -> None:
    alice, account = await customer("Alice")
    menu = await alice.send(f"/start {payload}")
    assert menu is not None and menu.text == WELCOME.format("Alice")
    assert labels(menu) == MENU
    assert await campaign_of(shop, account) is None

    erin = make_user("Erin")
    await sign_up(erin, payload)
    new = await shop.users.by_telegram(erin.id)
    assert new is not None and new.campaign is None
    assert await cards_after(erin) == []


async def test_the_share_button_shares_a_link_that_opens_the_card(
    shop: Shop, new_product: NewProduct, customer: Customer, running_bot: None
) -> None:
    tea = await new_product("Green & Black Tea")
    alice, _ = await customer("Alice")
    await alice.send("/catalog")
    card = await tap(alice, "Green & Black Tea · $4.50 · in stock")

    share = card.button("📤 Share")

    assert share is not None and share.url is not None and share.callback_data is None
    parts = urlsplit(share.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "t.me", "/share/url")
    link = f"https://t.me/{alice.sandbox.bot.username}?start=p-{tea.id}"
    assert parse_qs(parts.query) == {"url": [link], "text": ["Green & Black Tea"]}
    assert "%3Fstart%3Dp-" in parts.query and "&text=Green%20%26%20Black%20Tea" in share.url

    bob, _ = await customer("Bob")  # someone the link was shared with follows it
    payload = parse_qs(urlsplit(link).query)["start"][0]
    opened = await bob.send(f"/start {payload}")
    assert opened is not None and is_card("Green & Black Tea")(opened)


async def test_a_russian_stranger_gets_the_card_in_russian(
    shop: Shop, new_product: NewProduct, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    tea = await new_product("Green Tea")
    ivan = make_user("Ivan", language_code="ru")
    await ivan.send(f"/start p-{tea.id}")
    await tap(ivan, "Оставить «Ivan»")
    await ivan.send("ivan@example.com")
    card = await ivan.wait_for(is_card("Green Tea"))
    assert card.button("📤 Поделиться") is not None
    assert card.button("В корзину") is not None  # noqa: RUF001 (Cyrillic)
