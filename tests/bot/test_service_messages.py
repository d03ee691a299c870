"""Service messages (a Stars refund, a pinned message, members joining or leaving the
operators' group) get no reply; what someone writes does."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import BotSettings
from core.shop import Shop
from sandbox import FakeGroup, SandboxServer
from tests.bot.chat import Customer, handle_update

REFUND = {
    "currency": "XTR",
    "total_amount": 50,
    "invoice_payload": "made-up",
    "telegram_payment_charge_id": "stxmadeup",
}
CHAT = {"id": 1001, "type": "private", "first_name": "Erin"}
"""Erin's private chat: the first user of a sandbox is 1001."""


@pytest.mark.parametrize(
    ("sender", "content"),
    [
        ("bot", {"refunded_payment": REFUND}),
        ("customer", {"pinned_message": {"message_id": 1, "date": 0, "chat": CHAT}}),
        ("customer", {"write_access_allowed": {"from_request": True}}),
    ],
)
async def test_a_service_message_in_a_private_chat_gets_no_reply(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    customer: Customer,
    sender: str,
    content: dict[str, Any],
) -> None:
    sandbox = sandbox_server.sandbox
    player, _ = await customer("Erin")
    assert player.id == CHAT["id"]
    message = sandbox.service_message(None if sender == "bot" else player.id, player.id, **content)

    await handle_update(shop, bot_settings, sandbox, message)

    assert sandbox.sent_count(player.id) == 0, player.transcript()
    contact = {"phone_number": "12025550100", "first_name": "Frank"}
    await handle_update(shop, bot_settings, sandbox, sandbox.send_contact(player.id, contact))
    assert player.last_message is not None  # what someone sends is answered
    assert (player.last_message.text or "").startswith("Sorry, I did not get that.")


async def test_joining_and_leaving_the_operators_group_get_no_reply(
    shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer, customer: Customer
) -> None:
    sandbox = sandbox_server.sandbox
    (olga, _), (dora, _) = await customer("Olga"), await customer("Dora")
    group = FakeGroup.create(sandbox, "Operators", [olga])
    sandbox.set_member(group.id, dora.id)
    sandbox.set_member(group.id, dora.id, None)

    for message in list(group.chat.messages.values()):
        assert message.is_service
        await handle_update(shop, bot_settings, sandbox, message)

    assert len(group.chat.messages) == 2 and sandbox.sent_count(group.id) == 0
