"""Signup through /start: name, email, validation, /cancel, and a restart in the middle."""

from __future__ import annotations

from collections.abc import Callable

from core.accounts.access import SYSTEM
from core.accounts.commands import AccountChange
from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, RunBot, tap

WELCOME = "Hello, {}! What would you like to do?"


async def test_restart_in_the_middle_of_signup_keeps_the_step(
    shop: Shop, make_user: Callable[..., FakeUser], run_bot: RunBot
) -> None:
    alice = make_user("Alice")
    async with run_bot():
        await alice.send("/start")
        ask_email = await alice.send("Alice <Smith>")
        assert ask_email is not None and ask_email.text == (
            "Thanks, Alice <Smith>. Now your email address, for order updates."
        )

    async with run_bot():  # a new Dispatcher with a new storage over the same database
        welcome = await alice.send("Alice@Example.com")

    assert welcome is not None and welcome.text == WELCOME.format("Alice <Smith>")
    account = await shop.users.by_telegram(alice.id)
    assert account is not None and account.email == "alice@example.com"


async def test_bad_and_taken_emails_are_explained_and_can_be_retried(
    shop: Shop, make_user: Callable[..., FakeUser], customer: Customer, running_bot: None
) -> None:
    _, bob = await customer("Bob")
    alice = make_user("Alice")
    await alice.send("/start")
    await tap(alice, "Keep “Alice”")

    invalid = await alice.send("not an email")
    assert invalid is not None and invalid.text == "Email: is not a valid email address."
    taken = await alice.send(bob.email)
    assert taken is not None and taken.text == "An account with this email already exists."
    welcome = await alice.send("alice@example.com")

    assert welcome is not None and welcome.text == WELCOME.format("Alice")


async def test_cancel_leaves_signup_and_strangers_are_asked_to_sign_up(
    shop: Shop, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    alice = make_user("Alice")
    prompt = await alice.send("/start")
    assert prompt is not None
    cancelled = await alice.send("/cancel")
    assert cancelled is not None and cancelled.text == "Cancelled."

    for attempt in ("/catalog", "green tea"):
        reply = await alice.send(attempt)
        assert reply is not None and reply.text == "Please send /start to sign up first."
    keep_name = await alice.press("Keep “Alice”", message_id=prompt.message_id)
    assert keep_name.text == "This button is out of date."
    assert await shop.users.by_telegram(alice.id) is None


async def test_a_returning_customer_gets_the_menu(customer: Customer, running_bot: None) -> None:
    alice, _ = await customer("Alice")
    menu = await alice.send("/start")
    assert menu is not None and menu.text == WELCOME.format("Alice")
    assert [[b.text for b in row] for row in menu.buttons] == [
        ["🛍 Catalog", "🛒 Cart"],
        ["📦 Orders", "👤 Profile"],
    ]


async def test_names_with_bidi_or_invisible_characters_are_refused(
    shop: Shop, make_user: Callable[..., FakeUser], running_bot: None
) -> None:
    eve = make_user("Eve\u202egnp.exe")  # shows as "Eveexe.png": not offered as a name
    prompt = await eve.send("/start")
    assert prompt is not None and not prompt.buttons
    for hidden in ("Eve\u200b", "E\u202eve", "Eve\x00"):
        refused = await eve.send(hidden)
        assert refused is not None and (refused.text or "").startswith(
            "Name: must not contain control or invisible formatting characters"
        ), refused
    asked = await eve.send("Eve")
    assert asked is not None and asked.text == (
        "Thanks, Eve. Now your email address, for order updates."
    )
    await eve.send("eve@example.com")
    account = await shop.users.by_telegram(eve.id)
    assert account is not None and account.name == "Eve"


async def test_a_deactivated_customer_is_a_stranger_to_the_bot(
    shop: Shop, customer: Customer, running_bot: None
) -> None:
    alice, account = await customer("Alice")
    menu = await alice.send("/start")
    assert menu is not None
    await shop.accounts.change(SYSTEM, account.id, AccountChange(active=False))

    reply = await alice.send("/cart")
    assert reply is not None and reply.text == "Please send /start to sign up first."
    pressed = await alice.press("🛒 Cart", message_id=menu.message_id)
    assert pressed.text == "Please send /start to sign up first."
