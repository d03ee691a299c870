"""Photos over raw HTTP: file ids kept for sending again, editMessageMedia, getFile and the
file download."""

import json

import aiohttp
from botapi_client import call, ok

from sandbox import Sandbox, SandboxServer

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"
JPEG = b"\xff\xd8\xff\xe0 another fake image"


def upload(data: bytes, filename: str, **fields: str) -> aiohttp.FormData:
    """A multipart body with ``fields`` and the file attached as ``attach://pic``."""
    form = aiohttp.FormData(fields)
    form.add_field("pic", data, filename=filename, content_type="image/png")
    return form


async def post_form(
    http: aiohttp.ClientSession, server: SandboxServer, method: str, form: aiohttp.FormData
) -> tuple[int, dict[str, object]]:
    async with http.post(f"{server.url}/bot{server.sandbox.token}/{method}", data=form) as reply:
        return reply.status, await reply.json()


async def test_a_file_id_is_sent_again_without_uploading(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    status, body = await post_form(
        http,
        sandbox_server,
        "sendPhoto",
        upload(PNG, "tea.png", chat_id="1001", photo="attach://pic"),
    )
    assert status == 200
    (size,) = body["result"]["photo"]  # type: ignore[index]
    assert size["file_size"] == len(PNG) and size["file_unique_id"]
    again = await ok(http, sandbox_server, "sendPhoto", chat_id=1001, photo=size["file_id"])
    assert again["photo"] == [size]  # the same file_id and file_unique_id
    assert sandbox.calls[-1].content_type == "application/json"  # nothing uploaded
    status, body = await call(http, sandbox_server, "sendPhoto", chat_id=1001, photo="AgACmadeup")
    assert (status, body["description"]) == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )

    file = await ok(http, sandbox_server, "getFile", file_id=size["file_id"])
    assert file["file_id"] == size["file_id"] and file["file_size"] == len(PNG)
    url = f"{sandbox_server.url}/file/bot{sandbox.token}/{file['file_path']}"
    async with http.get(url) as response:
        assert (response.status, await response.read()) == (200, PNG)
    async with http.get(f"{sandbox_server.url}/file/bot1:wrong/{file['file_path']}") as response:
        assert response.status == 404
    for params, error in (({}, "file_id not specified"), ({"file_id": "nope"}, "invalid file_id")):
        status, body = await call(http, sandbox_server, "getFile", **params)
        assert (status, body["description"]) == (400, f"Bad Request: {error}")


async def test_edit_message_media_turns_text_into_a_photo_and_replaces_photos(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    keyboard = {"inline_keyboard": [[{"text": "Next", "callback_data": "next"}]]}
    card = await ok(
        http, sandbox_server, "sendMessage", chat_id=1001, text="Tea", reply_markup=keyboard
    )
    media = {
        "type": "photo",
        "media": "attach://pic",
        "caption": "<b>Green</b> tea",
        "parse_mode": "HTML",
    }
    status, body = await post_form(
        http,
        sandbox_server,
        "editMessageMedia",
        upload(
            PNG,
            "green.png",
            chat_id="1001",
            message_id=str(card["message_id"]),
            media=json.dumps(media),
            reply_markup=json.dumps(keyboard),
        ),
    )
    assert status == 200, body
    edited = body["result"]
    assert (edited["caption"], edited["caption_entities"], edited["reply_markup"]) == (
        "Green tea",
        [{"type": "bold", "offset": 0, "length": 5}],
        keyboard,
    )
    assert "text" not in edited
    green_id = edited["photo"][0]["file_id"]  # type: ignore[index]

    status, body = await post_form(
        http,
        sandbox_server,
        "editMessageMedia",
        upload(
            JPEG,
            "black.jpg",
            chat_id="1001",
            message_id=str(card["message_id"]),
            media=json.dumps({"type": "photo", "media": "attach://pic", "caption": "Black tea"}),
        ),
    )
    assert status == 200 and body["result"]["caption"] == "Black tea"  # type: ignore[index]
    assert "reply_markup" not in body["result"]  # left out: the keyboard is gone

    back = {"type": "photo", "media": green_id, "caption": "Green tea"}
    result = await ok(
        http,
        sandbox_server,
        "editMessageMedia",
        chat_id=1001,
        message_id=card["message_id"],
        media=back,
    )
    assert result["photo"][0]["file_id"] == green_id
    status, body = await call(
        http,
        sandbox_server,
        "editMessageMedia",
        chat_id=1001,
        message_id=card["message_id"],
        media=back,
    )
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")

    (message,) = sandbox.messages(1001)
    assert [r.text for r in message.history] == ["Tea", "Green tea", "Black tea"]
    assert [r.photo for r in message.history] == [None, "upload:green.png", "upload:black.jpg"]
    assert message.upload == PNG
    photo_url = f"{sandbox_server.url}/sandbox/chats/1001/photos/{card['message_id']}"
    async with http.get(photo_url) as response:
        assert await response.read() == PNG
    status, body = await call(
        http,
        sandbox_server,
        "editMessageText",
        chat_id=1001,
        message_id=card["message_id"],
        text="x",
    )
    assert body["description"] == "Bad Request: there is no text in the message to edit"


async def test_edit_message_media_is_checked_like_telegram(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    text = await ok(http, sandbox_server, "sendMessage", chat_id=1001, text="Tea")
    invoice = await ok(
        http,
        sandbox_server,
        "sendInvoice",
        chat_id=1001,
        title="Tea",
        description="Tea",
        payload="p",
        currency="XTR",
        prices=[{"label": "Tea", "amount": 5}],
    )
    sandbox.user_sends(1001, "hello")
    user_message = sandbox.messages(1001)[-1].message_id
    photo = {"type": "photo", "media": "https://example.com/tea.jpg"}
    cases = [
        ({"message_id": text["message_id"]}, 'parameter "media" is required'),
        (
            {"message_id": text["message_id"], "media": {"type": "sticker", "media": "x"}},
            'can\'t parse InputMedia: type "sticker" is unsupported',
        ),
        (
            {"message_id": text["message_id"], "media": {"type": "photo", "media": "attach://x"}},
            "can't parse InputMedia: media not found",
        ),
        (
            {"message_id": text["message_id"], "media": {"type": "photo", "media": "AgACnope"}},
            "wrong file identifier/HTTP URL specified",
        ),
        ({"message_id": invoice["message_id"], "media": photo}, "message media can't be edited"),
        ({"message_id": user_message, "media": photo}, "message can't be edited"),
        ({"message_id": 99, "media": photo}, "message to edit not found"),
    ]
    for params, error in cases:
        status, body = await call(http, sandbox_server, "editMessageMedia", chat_id=1001, **params)
        assert (status, body["description"]) == (400, f"Bad Request: {error}"), params
    assert sandbox.messages(1001)[0].text == "Tea"
