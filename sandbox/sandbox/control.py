"""The ``/sandbox/...`` JSON API: the Python control API for clients in another process.

====================================  ===============================================
``POST /sandbox/users``               create a user (or get it): ``{"id", "first_name",
                                      "username", "last_name", "language_code"}``
``GET  /sandbox/users``               every user
``POST /sandbox/users/{id}/messages`` the user sends ``{"text"}``
``POST /sandbox/users/{id}/press``    the user presses ``{"text", "message_id"?}``
``POST /sandbox/users/{id}/callback`` forged callback ``{"data", "message_id"?}``
``POST /sandbox/users/{id}/block``    ``{"blocked": true|false}``
``GET  /sandbox/chats/{id}``          the chat: messages, reply keyboard, sends... and its
                                      ``etag``; with ``?after=<etag>&wait=<s>``, answers
                                      once the chat differs from ``after`` or ``wait`` ran out
``GET  /sandbox/chats/{id}/photos/{m}`` message ``m``'s photo: the upload, or a redirect to
                                      its URL
``GET  /sandbox/callbacks/{id}``      a callback query and its answer; ``?wait=<s>``
                                      waits for the answer
``GET  /sandbox/calls``               every Bot API call the bot made
``PUT  /sandbox/webhook/targets``     ``{"urls": [...]}``: deliver webhook updates to these
                                      in turn (a load balancer); ``[]`` to stop
``PUT  /sandbox/faults/rate_limit``   ``{"global_per_second", "per_chat_per_second"}``
``POST /sandbox/faults/failures``     ``{"count", "seconds", "status", "retry_after", "drop",
                                      "after", "methods"}`` (see :meth:`Faults.fail`)
``DELETE /sandbox/faults``            switch every fault off
====================================  ===============================================
"""

import dataclasses
import hashlib
import json
import mimetypes
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from aiohttp import web

from sandbox.botapi import SANDBOX_KEY
from sandbox.errors import ApiError, WaitTimeout
from sandbox.models import Message
from sandbox.state import Sandbox

routes = web.RouteTableDef()
MAX_WAIT_SECONDS = 60.0


def message_view(sandbox: Sandbox, message: Message) -> dict[str, Any]:
    """A message as the Bot API shows it, plus what only the sandbox knows."""
    return {
        **sandbox.message_api(message),
        "from_bot": message.from_bot,
        "deleted": message.deleted,
        "history": [dataclasses.asdict(revision) for revision in message.history],
    }


@web.middleware
async def json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Control API mistakes as ``{"error": ...}`` with 400/404."""
    try:
        response: web.StreamResponse = await handler(request)
    except LookupError as error:
        return web.json_response({"error": str(error)}, status=404)
    except (ApiError, ValueError, TypeError) as error:
        return web.json_response({"error": str(error)}, status=400)
    return response


async def _body(request: web.Request) -> dict[str, Any]:
    body = await request.json() if request.can_read_body else {}
    if not isinstance(body, dict):
        raise ValueError("a JSON object is expected")
    return body


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def _user_id(request: web.Request) -> int:
    return int(request.match_info["user_id"])


@routes.post("/sandbox/users")
async def create_user(request: web.Request) -> web.Response:
    body = await _body(request)
    user = _sandbox(request).add_user(
        body.get("id"),
        body.get("first_name"),
        username=body.get("username"),
        last_name=body.get("last_name"),
        language_code=body.get("language_code", "en"),
    )
    return web.json_response(user.to_api())


@routes.get("/sandbox/users")
async def list_users(request: web.Request) -> web.Response:
    return web.json_response([chat.user.to_api() for chat in _sandbox(request).chats.values()])


@routes.post("/sandbox/users/{user_id}/messages")
async def user_sends(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    message = sandbox.user_sends(_user_id(request), str((await _body(request))["text"]))
    return web.json_response(message_view(sandbox, message))


@routes.post("/sandbox/users/{user_id}/press")
async def press(request: web.Request) -> web.Response:
    body = await _body(request)
    query = _sandbox(request).press(_user_id(request), str(body["text"]), body.get("message_id"))
    return web.json_response(dataclasses.asdict(query))


@routes.post("/sandbox/users/{user_id}/callback")
async def forged_callback(request: web.Request) -> web.Response:
    body = await _body(request)
    sandbox = _sandbox(request)
    query = sandbox.send_callback(_user_id(request), str(body["data"]), body.get("message_id"))
    return web.json_response(dataclasses.asdict(query))


@routes.post("/sandbox/users/{user_id}/block")
async def block(request: web.Request) -> web.Response:
    blocked = bool((await _body(request)).get("blocked", True))
    _sandbox(request).block(_user_id(request), blocked)
    return web.json_response({"blocked": blocked})


def chat_view(sandbox: Sandbox, user_id: int) -> dict[str, Any]:
    """The chat as the control API shows it, with an ``etag`` that changes with it."""
    chat = sandbox.chat(user_id)
    view = {
        "user": chat.user.to_api(),
        "messages": [message_view(sandbox, m) for m in chat.messages.values()],
        "reply_keyboard": chat.reply_keyboard,
        "blocked": chat.blocked,
        "sent_count": chat.sent_count,
        "actions": chat.actions,
    }
    digest = hashlib.sha256(json.dumps(view, sort_keys=True).encode()).hexdigest()
    return {**view, "etag": digest[:16]}


async def _wait(request: web.Request, done: Callable[[], bool]) -> None:
    """Until ``done()`` holds, the sandbox closes, or the query's ``wait`` seconds pass."""
    sandbox = _sandbox(request)
    seconds = min(max(float(request.query.get("wait", 0)), 0.0), MAX_WAIT_SECONDS)
    with suppress(WaitTimeout):
        await sandbox.wait_until(lambda: done() or sandbox.closed, seconds, lambda: "")


@routes.get("/sandbox/chats/{user_id}")
async def chat(request: web.Request) -> web.Response:
    """The chat; a long poll when ``after`` (the etag the caller has) and ``wait`` are given."""
    sandbox, user_id = _sandbox(request), _user_id(request)
    after = request.query.get("after")
    await _wait(request, lambda: chat_view(sandbox, user_id)["etag"] != after)
    return web.json_response(chat_view(sandbox, user_id))


@routes.get("/sandbox/chats/{user_id}/photos/{message_id}")
async def photo(request: web.Request) -> web.StreamResponse:
    message = (
        _sandbox(request)
        .chat(_user_id(request))
        .messages.get(int(request.match_info["message_id"]))
    )
    if message is None or message.photo is None:
        raise LookupError("no such photo")
    if message.upload is not None:
        kind = mimetypes.guess_type(message.photo.removeprefix("upload:"))[0]
        return web.Response(body=message.upload, content_type=kind or "application/octet-stream")
    if message.photo.startswith(("http://", "https://")):
        raise web.HTTPFound(message.photo)
    raise LookupError(f"photo {message.photo} was sent by file id; the sandbox has no file")


@routes.get("/sandbox/callbacks/{query_id}")
async def callback(request: web.Request) -> web.Response:
    """A callback query; with ``?wait=<s>``, once the bot answered it (or time ran out)."""
    query = _sandbox(request).callbacks.get(request.match_info["query_id"])
    if query is None:
        raise LookupError(f"no callback query {request.match_info['query_id']}")
    await _wait(request, lambda: query.answered)
    return web.json_response(dataclasses.asdict(query))


@routes.get("/sandbox/calls")
async def calls(request: web.Request) -> web.Response:
    return web.json_response(
        [
            {
                "method": c.method,
                "status": c.status,
                "description": c.description,
                "content_type": c.content_type,
            }
            for c in _sandbox(request).calls
        ]
    )


@routes.put("/sandbox/webhook/targets")
async def webhook_targets(request: web.Request) -> web.Response:
    urls = (await _body(request)).get("urls", [])
    if not isinstance(urls, list):
        raise ValueError("urls must be a list of URLs")
    _sandbox(request).webhook.route_to(urls)
    return web.json_response({"urls": urls})


@routes.put("/sandbox/faults/rate_limit")
async def rate_limit(request: web.Request) -> web.Response:
    body = await _body(request)
    _sandbox(request).faults.rate_limit(
        int(body.get("global_per_second", 30)), int(body.get("per_chat_per_second", 1))
    )
    return web.json_response({"ok": True})


@routes.post("/sandbox/faults/failures")
async def failures(request: web.Request) -> web.Response:
    body = await _body(request)
    failure = _sandbox(request).faults.fail(
        body.get("count", 1),
        seconds=body.get("seconds"),
        status=int(body.get("status", 500)),
        retry_after=int(body.get("retry_after", 1)),
        drop=bool(body.get("drop", False)),
        after=bool(body.get("after", False)),
        methods=body.get("methods"),
    )
    return web.json_response({"ok": True, "count": failure.count, "until": failure.until})


@routes.delete("/sandbox/faults")
async def clear_faults(request: web.Request) -> web.Response:
    _sandbox(request).faults.clear()
    return web.json_response({"ok": True})
