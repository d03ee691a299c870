"""What a bot's setup check asks Telegram, and the misconfigurations the control API makes:
the bot's own membership in groups and channels, createInvoiceLink, refused provider tokens
and unsupported currencies."""

from typing import Any

import aiohttp
import pytest
from botapi_client import call, ok

from sandbox import Sandbox, SandboxServer

PROVIDER = "284685063:TEST:fake"


async def control(
    http: aiohttp.ClientSession, server: SandboxServer, method: str, path: str, **body: Any
) -> tuple[int, Any]:
    async with http.request(method, f"{server.url}/sandbox{path}", json=body) as response:
        return response.status, await response.json()


async def test_the_bot_is_a_member_of_a_new_group_and_may_post(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    group = sandbox.add_group("Operators", [sandbox.add_user().id], type="supergroup")
    chat = await ok(http, sandbox_server, "getChat", chat_id=group.id)
    assert (chat["id"], chat["type"], chat["title"]) == (group.id, "supergroup", "Operators")
    member = await ok(
        http, sandbox_server, "getChatMember", chat_id=group.id, user_id=sandbox.bot.id
    )
    assert member == {"user": sandbox.bot.to_api(), "status": "member"}
    await ok(http, sandbox_server, "sendMessage", chat_id=group.id, text="Order #1")


@pytest.mark.parametrize(
    ("kind", "status", "answer"),
    [
        ("supergroup", "kicked", (403, "Forbidden: bot was kicked from the supergroup chat")),
        ("group", "kicked", (403, "Forbidden: bot was kicked from the group chat")),
        ("supergroup", "left", (403, "Forbidden: bot is not a member of the supergroup chat")),
        ("channel", "left", (403, "Forbidden: bot is not a member of the channel chat")),
    ],
)
async def test_a_bot_out_of_a_chat_can_neither_read_it_nor_post(
    http: aiohttp.ClientSession,
    sandbox_server: SandboxServer,
    sandbox: Sandbox,
    kind: str,
    status: str,
    answer: tuple[int, str],
) -> None:
    group = sandbox.add_group("Operators", [sandbox.add_user().id], type=kind)
    code, view = await control(
        http, sandbox_server, "PUT", f"/groups/{group.id}/bot", status=status
    )
    assert (code, view["bot_status"]) == (200, status)
    for method, params in (
        ("getChat", {}),
        ("getChatMember", {"user_id": sandbox.bot.id}),
        ("sendMessage", {"text": "Order #1"}),
    ):
        code, body = await call(http, sandbox_server, method, chat_id=group.id, **params)
        assert (code, body["description"]) == answer, method
    assert group.sent_count == 0
    sandbox.user_sends(next(iter(group.members)), "/orders", chat_id=group.id)
    assert sandbox.updates == []  # a chat without the bot sends it nothing


async def test_a_restricted_bot_is_told_it_may_not_write(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    group = sandbox.add_group("Operators", [sandbox.add_user().id], type="supergroup")
    sandbox.set_bot_member(group.id, "restricted")
    member = await ok(
        http, sandbox_server, "getChatMember", chat_id=group.id, user_id=sandbox.bot.id
    )
    assert (member["status"], member["is_member"], member["can_send_messages"]) == (
        "restricted",
        True,
        False,
    )
    code, body = await call(http, sandbox_server, "sendMessage", chat_id=group.id, text="hi")
    assert (code, body["description"]) == (
        400,
        "Bad Request: not enough rights to send text messages to the chat",
    )
    with pytest.raises(ValueError, match="cannot be 'restricted' in a group"):
        sandbox.set_bot_member(sandbox.add_group("Basic", []).id, "restricted")


async def test_a_channel_takes_posts_from_an_administrator_allowed_to_post(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    channel = sandbox.add_group("Orders", [sandbox.add_user().id], type="channel")
    assert channel.id < -1_000_000_000_000
    member = await ok(
        http, sandbox_server, "getChatMember", chat_id=channel.id, user_id=sandbox.bot.id
    )
    assert (member["status"], member["can_post_messages"]) == ("administrator", True)
    await ok(http, sandbox_server, "sendMessage", chat_id=channel.id, text="Order #1")

    await control(
        http,
        sandbox_server,
        "PUT",
        f"/groups/{channel.id}/bot",
        status="administrator",
        can_post=False,
    )
    member = await ok(
        http, sandbox_server, "getChatMember", chat_id=channel.id, user_id=sandbox.bot.id
    )
    assert member["can_post_messages"] is False
    code, body = await call(http, sandbox_server, "sendMessage", chat_id=channel.id, text="x")
    assert (code, body["description"]) == (
        400,
        "Bad Request: need administrator rights in the channel chat",
    )
    code, error = await control(
        http, sandbox_server, "PUT", f"/groups/{channel.id}/bot", status="member"
    )
    assert code == 400 and "cannot be 'member' in a channel" in error["error"]


def link_params(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Setup check",
        "description": "Not for sale",
        "payload": "check",
        "currency": "USD",
        "provider_token": PROVIDER,
        "prices": [{"label": "Check", "amount": 100}],
        **overrides,
    }


async def test_create_invoice_link_checks_the_invoice_as_send_invoice_does(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    link = await ok(http, sandbox_server, "createInvoiceLink", **link_params())
    assert link.startswith("https://t.me/$") and sandbox.payments.links[link].currency == "USD"
    stars = await ok(
        http,
        sandbox_server,
        "createInvoiceLink",
        **link_params(currency="XTR", provider_token="", prices=[{"label": "x", "amount": 1}]),
    )
    assert stars != link
    for overrides, description in (
        ({"currency": "ABC"}, "Bad Request: CURRENCY_INVALID"),
        ({"provider_token": ""}, "Bad Request: PAYMENT_PROVIDER_INVALID"),
        ({"prices": [{"label": "x", "amount": 1}]}, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"currency": "XTR"}, "Bad Request: STARS_INVOICE_INVALID"),
    ):
        code, body = await call(
            http, sandbox_server, "createInvoiceLink", **link_params(**overrides)
        )
        assert (code, body["description"]) == (400, description), overrides
    assert len(sandbox.payments.links) == 2


async def test_a_refused_provider_token_fails_every_invoice_until_accepted_again(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    code, _ = await control(
        http, sandbox_server, "PUT", "/payments/refused_provider_tokens", token=PROVIDER
    )
    assert code == 200
    user = sandbox.add_user()
    for method, params in (
        ("createInvoiceLink", link_params()),
        ("sendInvoice", {**link_params(), "chat_id": user.id}),
    ):
        code, body = await call(http, sandbox_server, method, **params)
        assert (code, body["description"]) == (400, "Bad Request: PAYMENT_PROVIDER_INVALID")
    await control(
        http,
        sandbox_server,
        "PUT",
        "/payments/refused_provider_tokens",
        token=PROVIDER,
        refused=False,
    )
    await ok(http, sandbox_server, "createInvoiceLink", **link_params())
    code, ledger = await control(http, sandbox_server, "GET", "/payments")
    assert list(sandbox.payments.links) == ledger["links"]
