"""Groups, contacts and languages over raw HTTP: the updates the bot gets and the control
API other processes (the chat page) drive them with."""

from typing import Any

import aiohttp
from botapi_client import call, ok

from sandbox import SandboxServer


async def control(
    http: aiohttp.ClientSession, server: SandboxServer, method: str, path: str, **body: Any
) -> tuple[int, Any]:
    async with http.request(method, f"{server.url}/sandbox{path}", json=body) as response:
        return response.status, await response.json()


async def updates(http: aiohttp.ClientSession, server: SandboxServer) -> list[dict[str, Any]]:
    """Every pending update, confirmed."""
    pending: list[dict[str, Any]] = await ok(http, server, "getUpdates", timeout=0)
    if pending:
        await ok(http, server, "getUpdates", offset=pending[-1]["update_id"] + 1, timeout=0)
    return pending


async def test_a_group_through_the_control_api(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    for user_id, name in ((1001, "Alice"), (1002, "Bob"), (1003, "Carol")):
        await control(http, sandbox_server, "POST", "/users", id=user_id, first_name=name)
    status, group = await control(
        http, sandbox_server, "POST", "/groups", title="Operators", members=[1001, 1002]
    )
    assert status == 200 and group["type"] == "group" and group["id"] < 0
    assert group["members"] == {"1001": "creator", "1002": "member"}
    gid = group["id"]
    status, groups = await control(http, sandbox_server, "GET", "/groups?member=1003")
    assert groups == []

    await control(http, sandbox_server, "POST", "/users/1001/messages", text="/orders", chat_id=gid)
    await control(http, sandbox_server, "POST", "/users/1002/messages", text="hi all", chat_id=gid)
    (update,) = await updates(http, sandbox_server)  # privacy mode: only the command
    message = update["message"]
    assert (message["text"], message["from"]["id"]) == ("/orders", 1001)
    assert message["chat"] == {
        "id": gid,
        "title": "Operators",
        "type": "group",
        "all_members_are_administrators": False,
    }

    keyboard = {"inline_keyboard": [[{"text": "Take", "callback_data": "take:7"}]]}
    card = await ok(
        http, sandbox_server, "sendMessage", chat_id=gid, text="Order #7", reply_markup=keyboard
    )
    status, query = await control(
        http, sandbox_server, "POST", "/users/1002/press", text="Take", chat_id=gid
    )
    assert (status, query["chat_id"], query["user_id"]) == (200, gid, 1002)
    (update,) = await updates(http, sandbox_server)
    pressed = update["callback_query"]
    assert (pressed["from"]["id"], pressed["message"]["message_id"]) == (1002, card["message_id"])
    assert pressed["message"]["chat"]["id"] == gid
    status, refused = await control(
        http, sandbox_server, "POST", "/users/1003/press", text="Take", chat_id=gid
    )
    assert status == 404 and "not a member" in refused["error"]

    status, view = await control(http, sandbox_server, "GET", f"/chats/{gid}")
    assert [m["from"]["first_name"] for m in view["messages"]] == [
        "Alice",
        "Bob",
        "Sandbox Bot",
    ]
    assert [(m["id"], m["status"]) for m in view["members"]] == [
        (1001, "creator"),
        (1002, "member"),
    ]
    await control(
        http, sandbox_server, "PUT", f"/groups/{gid}/members/1003", status="administrator"
    )
    member = await ok(http, sandbox_server, "getChatMember", chat_id=gid, user_id=1003)
    assert member["status"] == "administrator" and member["can_manage_chat"] is True
    await control(http, sandbox_server, "DELETE", f"/groups/{gid}/members/1002")
    joined, left = (u["message"] for u in await updates(http, sandbox_server))  # service messages
    assert (joined["from"]["id"], joined["chat"]["id"]) == (1003, gid)
    assert [user["first_name"] for user in joined["new_chat_members"]] == ["Carol"]
    assert (left["from"]["id"], left["left_chat_member"]["first_name"]) == (1002, "Bob")
    assert "text" not in joined and "text" not in left
    member = await ok(http, sandbox_server, "getChatMember", chat_id=gid, user_id=1002)
    assert member == {
        "user": {"id": 1002, "is_bot": False, "first_name": "Bob", "language_code": "en"},
        "status": "left",
    }
    status, body = await call(http, sandbox_server, "getChatMember", chat_id=gid, user_id=4242)
    assert (status, body["description"]) == (400, "Bad Request: user not found")
    chat = await ok(http, sandbox_server, "getChat", chat_id=gid)
    assert (chat["title"], chat["accepted_gift_types"]["unlimited_gifts"]) == ("Operators", False)


async def test_contacts_and_languages_through_the_control_api(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    status, user = await control(
        http,
        sandbox_server,
        "POST",
        "/users",
        id=1001,
        first_name="Ivan",
        language_code="ru",
        phone_number="79001234567",
    )
    assert user["language_code"] == "ru"
    status, refused = await control(http, sandbox_server, "POST", "/users/1001/share_contact")
    assert status == 404 and "no request_contact button" in refused["error"]
    await ok(
        http,
        sandbox_server,
        "sendMessage",
        chat_id=1001,
        text="Your phone?",
        reply_markup={"keyboard": [[{"text": "Share", "request_contact": True}]]},
    )
    status, shared = await control(http, sandbox_server, "POST", "/users/1001/share_contact")
    assert shared["contact"] == {
        "phone_number": "79001234567",
        "first_name": "Ivan",
        "user_id": 1001,
    }
    status, forged = await control(
        http,
        sandbox_server,
        "POST",
        "/users/1001/contact",
        phone_number="+447700900123",
        first_name="Alice",
        user_id=1002,
    )
    assert forged["contact"]["user_id"] == 1002
    status, changed = await control(
        http, sandbox_server, "PATCH", "/users/1001", language_code="en"
    )
    assert changed["language_code"] == "en"
    status, refused = await control(http, sandbox_server, "PATCH", "/users/1001", id=7)
    assert status == 400

    sent = [u["message"] for u in await updates(http, sandbox_server)]
    assert [m.get("contact", {}).get("user_id") for m in sent] == [1001, 1002]
    assert [m["from"]["language_code"] for m in sent] == ["ru", "ru"]
    status, view = await control(http, sandbox_server, "GET", "/chats/1001")
    assert view["reply_keyboard_markup"]["keyboard"][0][0]["request_contact"] is True


async def test_a_shared_contact_has_a_plausible_number_by_default(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    """+1 202 555 xxxx: a bot that checks numbers against numbering plans (libphonenumber)
    takes it, unlike the 555 area code or the drama ranges."""
    await control(http, sandbox_server, "POST", "/users", id=1001, first_name="Ivan")
    keyboard = {"keyboard": [[{"text": "Share", "request_contact": True}]]}
    await ok(http, sandbox_server, "sendMessage", chat_id=1001, text="?", reply_markup=keyboard)
    status, shared = await control(http, sandbox_server, "POST", "/users/1001/share_contact")
    assert (status, shared["contact"]["phone_number"]) == (200, "12025551001")
