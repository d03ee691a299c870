"""What the chat page needs from the sandbox: the page itself, long-polled chats and
callback answers, and photos."""

import asyncio
from typing import Any

import aiohttp

from sandbox import Sandbox, SandboxServer

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


async def bot_call(
    http: aiohttp.ClientSession, server: SandboxServer, method: str, data: Any = None, **json: Any
) -> dict[str, Any]:
    url = f"{server.url}/bot{server.sandbox.token}/{method}"
    async with http.post(url, data=data, json=None if data else json) as response:
        body = await response.json()
    assert body["ok"], body
    result: dict[str, Any] = body["result"]
    return result


async def get_json(http: aiohttp.ClientSession, url: str) -> Any:
    async with http.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_the_page_and_its_files_are_served(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    async with http.get(sandbox_server.url) as response:
        assert response.content_type == "text/html"
        assert '<script type="module" src="/web/chat.js">' in await response.text()
    for name in ("chat.js", "api.js", "formatting.js", "operator.js", "payment.js", "chat.css"):
        async with http.get(f"{sandbox_server.url}/web/{name}") as response:
            assert response.status == 200, name


async def test_the_page_has_an_icon(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer
) -> None:
    async with http.get(sandbox_server.url) as response:
        assert '<link rel="icon" href="/web/favicon.svg"' in await response.text()
    for path in ("/web/favicon.svg", "/favicon.ico"):  # linked, and where browsers look
        async with http.get(f"{sandbox_server.url}{path}") as response:
            assert (response.status, response.content_type) == (200, "image/svg+xml"), path
            assert (await response.read()).startswith(b"<svg ")


async def test_a_chat_is_long_polled_by_etag(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001, "Alice")
    chats = f"{sandbox_server.url}/sandbox/chats/1001"
    before = await get_json(http, chats)
    unchanged = await get_json(http, f"{chats}?after={before['etag']}&wait=0.1")
    assert unchanged == before

    waiting = asyncio.create_task(get_json(http, f"{chats}?after={before['etag']}&wait=10"))
    await bot_call(http, sandbox_server, "sendMessage", chat_id=1001, text="Hello")
    after = await asyncio.wait_for(waiting, 30)
    assert after["etag"] != before["etag"]
    assert [m["text"] for m in after["messages"]] == ["Hello"]


async def test_a_callback_answer_is_waited_for(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    keyboard = {"inline_keyboard": [[{"text": "Buy", "callback_data": "buy"}]]}
    await bot_call(
        http, sandbox_server, "sendMessage", chat_id=1001, text="Tea", reply_markup=keyboard
    )
    query = sandbox.press(1001, "Buy")
    url = f"{sandbox_server.url}/sandbox/callbacks/{query.id}"
    assert (await get_json(http, f"{url}?wait=0.1"))["answered"] is False

    waiting = asyncio.create_task(get_json(http, f"{url}?wait=10"))
    await bot_call(
        http, sandbox_server, "answerCallbackQuery", callback_query_id=query.id, text="Bought"
    )
    answer = await asyncio.wait_for(waiting, 30)
    assert (answer["answered"], answer["text"]) == (True, "Bought")


async def test_photos_are_served_from_uploads_or_redirected_to_their_url(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    form = aiohttp.FormData({"chat_id": "1001"})
    form.add_field("photo", PNG, filename="tea.png", content_type="image/png")
    uploaded = await bot_call(http, sandbox_server, "sendPhoto", data=form)
    linked = await bot_call(
        http, sandbox_server, "sendPhoto", chat_id=1001, photo="https://example.com/tea.jpg"
    )
    file_id = uploaded["photo"][-1]["file_id"]
    by_id = await bot_call(http, sandbox_server, "sendPhoto", chat_id=1001, photo=file_id)
    text = await bot_call(http, sandbox_server, "sendMessage", chat_id=1001, text="no photo")
    photos = f"{sandbox_server.url}/sandbox/chats/1001/photos"

    for sent in (uploaded, by_id):  # a file id sent again shows the uploaded bytes
        async with http.get(f"{photos}/{sent['message_id']}") as response:
            assert (response.content_type, await response.read()) == ("image/png", PNG)
    async with http.get(f"{photos}/{linked['message_id']}", allow_redirects=False) as response:
        assert (response.status, response.headers["Location"]) == (
            302,
            "https://example.com/tea.jpg",
        )
    async with http.get(f"{photos}/{text['message_id']}") as response:
        assert response.status == 404
