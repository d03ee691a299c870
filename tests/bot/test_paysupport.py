"""/paysupport, which Telegram expects of a bot taking Stars: it names PAYMENT_SUPPORT (as
text, whatever it holds), or the shop's staff; in the reader's language; in every state and
before signing up; in the command menu (the doctor's warning of Stars without it:
tests/bot/test_doctor.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.config import BotSettings
from bot.handlers.paysupport import support_text
from core.shop import Shop
from sandbox import FakeUser, SandboxServer
from tests.bot.chat import Customer, english, fill_cart, make_bot_settings, review_order
from tests.factories import NewProduct

CONTACT = "@shop_help <b>&"


@pytest.fixture
def bot_settings(sandbox_server: SandboxServer) -> BotSettings:
    return make_bot_settings(sandbox_server, payment_support=CONTACT)


async def test_paysupport_names_the_contact_in_every_state(
    running_bot: None,
    shop: Shop,
    customer: Customer,
    new_product: NewProduct,
    make_user: Any,
    sandbox_server: SandboxServer,
) -> None:
    alice, account = await customer("Alice")
    await fill_cart(shop, account, (await new_product("Tea", price=450, stock=5), 1))
    await review_order(alice)  # mid-checkout
    reply = await alice.send("/paysupport")
    assert reply is not None
    assert "Write to @shop_help &lt;b&gt;&amp; about a charge" in (reply.source or "")
    assert "Telegram's support cannot help" in (reply.text or "")
    assert "Write to @shop_help <b>& about" in (reply.text or "")  # shown as typed

    stranger: FakeUser = make_user("Ivan", language_code="ru")  # no account yet
    answer = await stranger.send("/paysupport")
    assert answer is not None
    said = answer.text or ""
    assert "Помощь с оплатой" in said and "@shop_help <b>&" in said  # noqa: RUF001 (Cyrillic)

    menus = sandbox_server.sandbox.commands
    for language in ("", "en", "ru"):
        commands = menus[(json.dumps({"type": "default"}), language)]
        assert "paysupport" in [command["command"] for command in commands]


def test_without_a_contact_it_points_to_the_shops_staff() -> None:
    text = english(support_text, None)
    assert "Write to the shop's staff about a charge, a refund" in text
    assert "order number" in text
