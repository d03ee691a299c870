"""The Bot API over raw HTTP: body formats, Telegram's errors, updates and faults."""

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from botapi_client import call

from sandbox import Sandbox, SandboxServer
from sandbox.faults import Faults
from sandbox.testing import running_sandbox


async def test_get_me_and_token_check(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    status, body = await call(http, sandbox_server, "getMe")
    assert status == 200 and body["ok"] and body["result"]["is_bot"]
    assert body["result"]["id"] == 123456789

    async with http.post(f"{sandbox_server.url}/bot42:wrong/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }

    for method in ("logOut", "close"):
        assert await call(http, sandbox_server, method) == (200, {"ok": True, "result": True})
    status, body = await call(http, sandbox_server, "sendTelepathy")
    assert (status, body["description"]) == (404, "Not Found")


async def test_form_and_json_bodies_mean_the_same(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    url = f"{sandbox_server.url}/bot{sandbox.token}/sendMessage"
    form = {"chat_id": "1001", "text": "form", "reply_markup": json.dumps(keyboard)}
    async with http.post(url, data=form) as response:
        assert response.status == 200
    multipart = aiohttp.FormData({**form, "text": "multipart"})
    multipart.add_field("unused", b"x", filename="x.bin")
    async with http.post(url, data=multipart) as response:
        assert response.status == 200
    status, _ = await call(
        http, sandbox_server, "sendMessage", chat_id=1001, text="json", reply_markup=keyboard
    )
    assert status == 200

    messages = sandbox.messages(1001)
    assert [m.text for m in messages] == ["form", "multipart", "json"]
    assert all(m.reply_markup == keyboard for m in messages)
    assert [c.content_type for c in sandbox.calls] == [
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json",
    ]


@pytest.mark.parametrize(
    ("params", "status", "description"),
    [
        ({"chat_id": 999, "text": "hi"}, 400, "Bad Request: chat not found"),
        ({"text": "hi"}, 400, "Bad Request: chat_id is empty"),
        ({"chat_id": 1001, "text": ""}, 400, "Bad Request: message text is empty"),
        ({"chat_id": 1001, "text": "x" * 4097}, 400, "Bad Request: message is too long"),
        (
            {
                "chat_id": 1001,
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"text": "Big", "callback_data": "x" * 65}]]},
            },
            400,
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"chat_id": 1001, "text": "hi", "reply_markup": {"bogus": True}},
            400,
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
    ],
)
async def test_send_message_is_checked_like_telegram(
    http: aiohttp.ClientSession,
    sandbox_server: SandboxServer,
    params: dict[str, Any],
    status: int,
    description: str,
) -> None:
    sandbox_server.sandbox.add_user(1001)
    assert await call(http, sandbox_server, "sendMessage", **params) == (
        status,
        {"ok": False, "error_code": status, "description": description},
    )
    assert sandbox_server.sandbox.chat(1001).sent_count == 0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1 < 2", "Unclosed start tag"),
        ("fish & chips", "Can't find end of the entity"),
        ("<br>", 'Unsupported start tag "br"'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
    ],
)
async def test_html_mistakes_are_refused(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, text: str, error: str
) -> None:
    sandbox_server.sandbox.add_user(1001)
    status, body = await call(
        http, sandbox_server, "sendMessage", chat_id=1001, text=text, parse_mode="HTML"
    )
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert error in body["description"]


async def test_html_becomes_text_and_entities(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    sandbox_server.sandbox.add_user(1001)
    status, body = await call(
        http,
        sandbox_server,
        "sendMessage",
        chat_id=1001,
        parse_mode="HTML",
        text='<b>Tea</b> &amp; <a href="https://t.me">cake</a> 1 &lt; 2 🍰<i>!</i>',
    )
    assert status == 200
    assert body["result"]["text"] == "Tea & cake 1 < 2 🍰!"
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "text_link", "offset": 6, "length": 4, "url": "https://t.me"},
        {"type": "italic", "offset": 19, "length": 1},  # the cake emoji is 2 UTF-16 units
    ]


async def test_markdown_v2_reserved_characters(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    sandbox_server.sandbox.add_user(1001)
    status, body = await call(
        http,
        sandbox_server,
        "sendMessage",
        chat_id=1001,
        text="Total: 5.00",
        parse_mode="MarkdownV2",
    )
    assert status == 400 and "Character '.' is reserved" in body["description"]
    status, body = await call(
        http,
        sandbox_server,
        "sendMessage",
        chat_id=1001,
        text=r"Total: 5\.00",
        parse_mode="MarkdownV2",
    )
    assert (status, body["result"]["text"]) == (200, "Total: 5.00")


async def test_get_updates_offset_limit_and_long_poll(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    for text in ("/start", "one", "two"):
        sandbox.user_sends(1001, text)

    _, body = await call(http, sandbox_server, "getUpdates", limit=2)
    first, second = body["result"]
    assert first["message"]["text"] == "/start"
    assert first["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert first["message"]["chat"] == {"id": 1001, "type": "private", "first_name": "User1001"}
    _, body = await call(http, sandbox_server, "getUpdates", offset=second["update_id"] + 1)
    assert [u["message"]["text"] for u in body["result"]] == ["two"]
    assert len(sandbox.updates) == 1  # confirmed ones are forgotten

    offset = body["result"][0]["update_id"] + 1
    poll = asyncio.create_task(call(http, sandbox_server, "getUpdates", offset=offset, timeout=5))
    await sandbox.wait_until(lambda: not sandbox.updates, 15, lambda: "the poll to confirm")
    sandbox.user_sends(1001, "late")
    _, body = await poll
    assert [u["message"]["text"] for u in body["result"]] == ["late"]

    _, body = await call(http, sandbox_server, "getUpdates", offset=-1, timeout=0)
    assert [u["message"]["text"] for u in body["result"]] == ["late"]


async def test_allowed_updates_filter(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    await call(
        http,
        sandbox_server,
        "sendMessage",
        chat_id=1001,
        text="m",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    sandbox.user_sends(1001, "hello")
    sandbox.press(1001, "A")
    _, body = await call(http, sandbox_server, "getUpdates", allowed_updates=["callback_query"])
    (update,) = body["result"]
    assert update["callback_query"]["data"] == "a"
    assert update["callback_query"]["message"]["message_id"] == 1
    assert set(update["callback_query"]) == {"id", "from", "message", "chat_instance", "data"}


async def test_a_new_poll_ends_the_previous_one(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    old = asyncio.create_task(call(http, sandbox_server, "getUpdates", timeout=5))
    await sandbox.wait_until(lambda: sandbox.polls == 1, 15, lambda: "the first poll")
    assert await call(http, sandbox_server, "getUpdates", timeout=0) == (
        200,
        {"ok": True, "result": []},
    )
    status, body = await old
    assert status == 409 and "terminated by other getUpdates request" in body["description"]


async def test_edit_and_delete_errors(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    await call(http, sandbox_server, "sendMessage", chat_id=1001, text="v1", reply_markup=keyboard)
    status, body = await call(
        http,
        sandbox_server,
        "editMessageText",
        chat_id=1001,
        message_id=1,
        text="v1",
        reply_markup=keyboard,
    )
    assert status == 400 and body["description"].startswith(
        "Bad Request: message is not modified: specified new message content"
    )
    status, body = await call(
        http,
        sandbox_server,
        "editMessageReplyMarkup",
        chat_id=1001,
        message_id=1,
        reply_markup=keyboard,
    )
    assert status == 400 and "message is not modified" in body["description"]
    status, body = await call(
        http, sandbox_server, "editMessageText", chat_id=1001, message_id=7, text="v2"
    )
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")

    status, body = await call(
        http, sandbox_server, "editMessageText", chat_id=1001, message_id=1, text="v2"
    )
    assert status == 200 and "reply_markup" not in body["result"]  # no markup: keyboard gone
    (message,) = sandbox.messages(1001)
    assert (message.text, message.history[0].text, message.buttons) == ("v2", "v1", [])

    assert (await call(http, sandbox_server, "deleteMessage", chat_id=1001, message_id=1))[0] == 200
    status, body = await call(http, sandbox_server, "deleteMessage", chat_id=1001, message_id=1)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")


async def test_answer_callback_query_once(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    await call(http, sandbox_server, "sendMessage", chat_id=1001, text="m")
    query = sandbox.send_callback(1001, "anything")
    ok = await call(
        http,
        sandbox_server,
        "answerCallbackQuery",
        callback_query_id=query.id,
        text="Done",
        show_alert=True,
    )
    assert ok == (200, {"ok": True, "result": True})
    assert (query.answered, query.text, query.show_alert) == (True, "Done", True)
    for query_id in (query.id, "404"):
        status, body = await call(
            http, sandbox_server, "answerCallbackQuery", callback_query_id=query_id
        )
        assert status == 400 and "query is too old" in body["description"]


async def test_commands_chat_actions_and_photos(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    commands = [{"command": "start", "description": "Open the shop"}]
    await call(http, sandbox_server, "setMyCommands", commands=commands)
    assert (await call(http, sandbox_server, "getMyCommands"))[1]["result"] == commands
    await call(http, sandbox_server, "deleteMyCommands")
    assert (await call(http, sandbox_server, "getMyCommands"))[1]["result"] == []
    status, body = await call(
        http,
        sandbox_server,
        "setMyCommands",
        commands=[{"command": "Bad Command", "description": "x"}],
    )
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")

    await call(http, sandbox_server, "sendChatAction", chat_id=1001, action="typing")
    _, body = await call(
        http,
        sandbox_server,
        "sendPhoto",
        chat_id=1001,
        photo="https://example.com/tea.jpg",
        caption="<b>Tea</b>",
        parse_mode="HTML",
    )
    assert body["result"]["caption"] == "Tea" and body["result"]["photo"][0]["file_id"]
    assert sandbox.chat(1001).actions == ["typing"]
    assert sandbox.messages(1001)[0].photo == "https://example.com/tea.jpg"
    assert sandbox.sent_count(1001) == 1


async def test_rate_limits_answer_429_with_retry_after(
    http: aiohttp.ClientSession,
) -> None:
    now = [100.0]
    faults = Faults(clock=lambda: now[0])
    async with running_sandbox(faults=faults) as server:
        for user_id in (1, 2, 3):
            server.sandbox.add_user(user_id)
        faults.rate_limit(global_per_second=2, per_chat_per_second=1)
        assert (await call(http, server, "sendMessage", chat_id=1, text="a"))[0] == 200
        status, body = await call(http, server, "sendMessage", chat_id=1, text="b")
        assert (status, body) == (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        )
        assert (await call(http, server, "sendMessage", chat_id=2, text="c"))[0] == 200
        assert (await call(http, server, "sendMessage", chat_id=3, text="d"))[0] == 429  # global
        now[0] += 1.0
        assert (await call(http, server, "sendMessage", chat_id=1, text="b"))[0] == 200
        assert [server.sandbox.sent_count(u) for u in (1, 2, 3)] == [2, 1, 0]


async def test_injected_failures(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    sandbox.faults.fail(2, status=502, methods=["sendMessage"])
    for _ in range(2):
        status, body = await call(http, sandbox_server, "sendMessage", chat_id=1001, text="x")
        assert (status, body["description"]) == (502, "Bad Gateway")
    assert (await call(http, sandbox_server, "getMe"))[0] == 200
    assert (await call(http, sandbox_server, "sendMessage", chat_id=1001, text="x"))[0] == 200

    sandbox.faults.fail(1, status=429, retry_after=7)  # flood control, whatever the pace
    assert await call(http, sandbox_server, "sendMessage", chat_id=1001, text="w") == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )

    sandbox.faults.fail(1, drop=True, after=True)  # sent, but the answer is lost
    with pytest.raises(aiohttp.ClientConnectionError):
        await call(http, sandbox_server, "sendMessage", chat_id=1001, text="y")
    assert [m.text for m in sandbox.messages(1001)] == ["x", "y"]
    assert sandbox.sent_count(1001) == 2

    sandbox.faults.fail(None, seconds=60)
    assert (await call(http, sandbox_server, "sendMessage", chat_id=1001, text="z"))[0] == 500
    assert (await call(http, sandbox_server, "sendTelepathy", chat_id=1001))[0] == 404
    sandbox.faults.clear()
    assert (await call(http, sandbox_server, "sendMessage", chat_id=1001, text="z"))[0] == 200


async def test_blocked_user(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    sandbox.block(1001)
    assert await call(http, sandbox_server, "sendMessage", chat_id=1001, text="x") == (
        403,
        {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        },
    )
    assert sandbox.sent_count(1001) == 0


async def test_control_api(http: aiohttp.ClientSession, sandbox_server: SandboxServer) -> None:
    base = f"{sandbox_server.url}/sandbox"
    async with http.post(f"{base}/users", json={"id": 7, "first_name": "Eve"}) as response:
        assert await response.json() == {
            "id": 7,
            "is_bot": False,
            "first_name": "Eve",
            "language_code": "en",
        }
    await call(
        http,
        sandbox_server,
        "sendMessage",
        chat_id=7,
        text="Pick",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    async with http.post(f"{base}/users/7/messages", json={"text": "hi"}) as response:
        assert (await response.json())["text"] == "hi"
    async with http.post(f"{base}/users/7/press", json={"text": "A"}) as response:
        query = await response.json()
        assert (query["data"], query["answered"]) == ("a", False)
    async with http.post(f"{base}/users/7/press", json={"text": "Z"}) as response:
        assert response.status == 404 and "no button 'Z'" in (await response.json())["error"]
    async with http.post(f"{base}/users/7/block", json={}) as response:
        assert response.status == 200
    async with http.put(f"{base}/faults/rate_limit", json={"per_chat_per_second": 5}) as response:
        assert response.status == 200
    async with http.post(f"{base}/faults/failures", json={"count": 1, "status": 500}) as response:
        assert response.status == 200
    async with http.get(f"{base}/chats/7") as response:
        chat = await response.json()
    assert [(m["from_bot"], m["text"]) for m in chat["messages"]] == [(True, "Pick"), (False, "hi")]
    assert chat["blocked"] and chat["sent_count"] == 1
    async with http.get(f"{base}/calls") as response:
        assert [c["method"] for c in await response.json()] == ["sendMessage"]
    async with http.delete(f"{base}/faults") as response:
        assert response.status == 200
    assert sandbox_server.sandbox.faults.failures == []


def test_new_users_get_ids_from_the_first_free_one() -> None:
    sandbox = Sandbox(first_user_id=2001)
    assert [sandbox.add_user().id, sandbox.add_user(first_name="Bo").id] == [2001, 2002]
    assert sandbox.add_user(1001).id == 1001  # an id asked for is kept
    assert sandbox.add_user().id == 2003
    assert Sandbox().add_user().id == 1001
