"""The ``/sandbox/...`` JSON API: the Python control API for clients in another process.

======================================  =============================================
``POST /sandbox/users``                 create a user (or get it): ``{"id", "first_name",
                                        "username", "last_name", "language_code",
                                        "phone_number"}``
``GET  /sandbox/users``                 every user
``PATCH /sandbox/users/{id}``           change ``language_code``, names, ``phone_number``
``POST /sandbox/users/{id}/messages``   the user sends ``{"text", "chat_id"?}`` (a group's
                                        id to write there)
``POST /sandbox/users/{id}/press``      the user presses ``{"text", "message_id"?,
                                        "chat_id"?}``
``POST /sandbox/users/{id}/callback``   forged callback ``{"data", "message_id"?,
                                        "chat_id"?}``
``POST /sandbox/users/{id}/share_contact``  the user presses the reply keyboard's
                                        ``request_contact`` button (``{"text"?}``)
``POST /sandbox/users/{id}/contact``    the user sends any contact: ``{"phone_number",
                                        "first_name", "last_name"?, "user_id"?, "chat_id"?}``
``POST /sandbox/users/{id}/block``      ``{"blocked": true|false}``
``POST /sandbox/groups``                create a group ``{"title", "members": [ids],
                                        "type"?: "group"|"supergroup"|"channel", "id"?}``
``GET  /sandbox/groups``                every group; ``?member=<user id>`` only theirs
``PUT|DELETE /sandbox/groups/{id}/members/{user}``  add a member ``{"status"?}`` or
                                        remove one
``PUT  /sandbox/groups/{id}/bot``       the bot's own status there ``{"status": "member"|
                                        "administrator"|"restricted"|"left"|"kicked",
                                        "can_post"?}`` (``can_post``: a channel's
                                        ``can_post_messages``)
``GET  /sandbox/chats/{id}``            a private chat or group: messages, reply keyboard,
                                        sends... and its ``etag``; with
                                        ``?after=<etag>&wait=<s>``, answers once the chat
                                        differs from ``after`` or ``wait`` ran out
``GET  /sandbox/chats/{id}/photos/{m}`` message ``m``'s photo: the upload, or a redirect to
=======
                                        its URL
``POST /sandbox/chats/{id}/messages/{m}/redeliver``  deliver a user's message again
``GET  /sandbox/callbacks/{id}``        a callback query and its answer; ``?wait=<s>``
                                        waits for the answer
``GET  /sandbox/calls``                 every Bot API call the bot made
``PUT  /sandbox/webhook/targets``       ``{"urls": [...]}``: deliver webhook updates to these
                                        in turn (a load balancer); ``[]`` to stop
``PUT  /sandbox/faults/rate_limit``     ``{"global_per_second", "per_chat_per_second"}``
``POST /sandbox/faults/failures``       ``{"count", "seconds", "status", "retry_after",
                                        "drop", "after", "methods"}`` (see :meth:`Faults.fail`)
``DELETE /sandbox/faults``              switch every fault off
======================================  =============================================

Paying is in :mod:`sandbox.control_payments`.
"""

import dataclasses
import hashlib
import json
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from aiohttp import web

from sandbox.errors import ApiError, WaitTimeout
from sandbox.media import file_response
from sandbox.models import Chat, Group, Message
from sandbox.registry import SANDBOX_KEY
from sandbox.state import Sandbox

routes = web.RouteTableDef()
MAX_WAIT_SECONDS = 60.0


def message_view(sandbox: Sandbox, message: Message) -> dict[str, Any]:
    """A message as the Bot API shows it, plus what only the sandbox knows."""
    view = {
        **sandbox.message_api(message),
        "from_bot": message.from_bot,
        "deleted": message.deleted,
        "history": [dataclasses.asdict(revision) for revision in message.history],
    }
    if message.invoice is not None:
        view["invoice_paid"] = message.invoice.paid
        view["invoice_needs"] = sorted(message.invoice.needs)
    return view


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


async def read_body(request: web.Request) -> dict[str, Any]:
    body = await request.json() if request.can_read_body else {}
    if not isinstance(body, dict):
        raise ValueError("a JSON object is expected")
    return body


def sandbox_of(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def user_id_of(request: web.Request) -> int:
    return int(request.match_info["user_id"])


def chat_id_in(body: dict[str, Any]) -> int | None:
    """The optional ``chat_id`` of a body (a group the user acts in)."""
    return None if body.get("chat_id") is None else int(body["chat_id"])


async def wait_for(request: web.Request, done: Callable[[], bool]) -> None:
    """Until ``done()`` holds, the sandbox closes, or the query's ``wait`` seconds pass."""
    sandbox = sandbox_of(request)
    seconds = min(max(float(request.query.get("wait", 0)), 0.0), MAX_WAIT_SECONDS)
    with suppress(WaitTimeout):
        await sandbox.wait_until(lambda: done() or sandbox.closed, seconds, lambda: "")


# -- users -------------------------------------------------------------------------------

_USER_FIELDS = ("first_name", "last_name", "username", "language_code", "phone_number")


@routes.post("/sandbox/users")
async def create_user(request: web.Request) -> web.Response:
    body = await read_body(request)
    user = sandbox_of(request).add_user(
        body.get("id"),
        body.get("first_name"),
        username=body.get("username"),
        last_name=body.get("last_name"),
        language_code=body.get("language_code", "en"),
        phone_number=body.get("phone_number"),
    )
    return web.json_response(user.to_api())


@routes.get("/sandbox/users")
async def list_users(request: web.Request) -> web.Response:
    return web.json_response([chat.user.to_api() for chat in sandbox_of(request).chats.values()])


@routes.patch("/sandbox/users/{user_id}")
async def update_user(request: web.Request) -> web.Response:
    body = await read_body(request)
    unknown = set(body) - set(_USER_FIELDS)
    if unknown:
        raise ValueError(f"only {', '.join(_USER_FIELDS)} can change, not {sorted(unknown)}")
    user = sandbox_of(request).update_user(user_id_of(request), **body)
    return web.json_response(user.to_api())


@routes.post("/sandbox/users/{user_id}/messages")
async def user_sends(request: web.Request) -> web.Response:
    sandbox, body = sandbox_of(request), await read_body(request)
    message = sandbox.user_sends(user_id_of(request), str(body["text"]), chat_id=chat_id_in(body))
    return web.json_response(message_view(sandbox, message))


@routes.post("/sandbox/users/{user_id}/press")
async def press(request: web.Request) -> web.Response:
    body = await read_body(request)
    query = sandbox_of(request).press(
        user_id_of(request), str(body["text"]), body.get("message_id"), chat_id=chat_id_in(body)
    )
    return web.json_response(dataclasses.asdict(query))


@routes.post("/sandbox/users/{user_id}/callback")
async def forged_callback(request: web.Request) -> web.Response:
    body = await read_body(request)
    query = sandbox_of(request).send_callback(
        user_id_of(request), str(body["data"]), body.get("message_id"), chat_id=chat_id_in(body)
    )
    return web.json_response(dataclasses.asdict(query))


@routes.post("/sandbox/users/{user_id}/share_contact")
async def share_contact(request: web.Request) -> web.Response:
    sandbox, body = sandbox_of(request), await read_body(request)
    message = sandbox.share_contact(user_id_of(request), body.get("text"))
    return web.json_response(message_view(sandbox, message))


@routes.post("/sandbox/users/{user_id}/contact")
async def send_contact(request: web.Request) -> web.Response:
    sandbox, body = sandbox_of(request), await read_body(request)
    chat_id = chat_id_in(body)
    contact = {k: v for k, v in body.items() if k != "chat_id" and v is not None}
    message = sandbox.send_contact(user_id_of(request), contact, chat_id=chat_id)
    return web.json_response(message_view(sandbox, message))


@routes.post("/sandbox/users/{user_id}/block")
async def block(request: web.Request) -> web.Response:
    blocked = bool((await read_body(request)).get("blocked", True))
    sandbox_of(request).block(user_id_of(request), blocked)
    return web.json_response({"blocked": blocked})


# -- groups ------------------------------------------------------------------------------


def group_view(group: Group) -> dict[str, Any]:
    return {
        **group.api(),
        "members": {str(k): v for k, v in group.members.items()},
        "bot_status": group.bot_status,
        "bot_can_post": group.bot_can_post,
    }


@routes.post("/sandbox/groups")
async def create_group(request: web.Request) -> web.Response:
    body = await read_body(request)
    group = sandbox_of(request).add_group(
        str(body["title"]),
        [int(member) for member in body.get("members", [])],
        chat_id=body.get("id"),
        type=str(body.get("type", "group")),
    )
    return web.json_response(group_view(group))


@routes.get("/sandbox/groups")
async def list_groups(request: web.Request) -> web.Response:
    member = request.query.get("member")
    groups = [
        group_view(group)
        for group in sandbox_of(request).groups.values()
        if member is None or group.is_member(int(member))
    ]
    return web.json_response(groups)


@routes.put("/sandbox/groups/{chat_id}/members/{user_id}")
async def add_member(request: web.Request) -> web.Response:
    status = str((await read_body(request)).get("status", "member"))
    chat_id = int(request.match_info["chat_id"])
    sandbox_of(request).set_member(chat_id, user_id_of(request), status)
    return web.json_response(group_view(sandbox_of(request).groups[chat_id]))


@routes.delete("/sandbox/groups/{chat_id}/members/{user_id}")
async def remove_member(request: web.Request) -> web.Response:
    chat_id = int(request.match_info["chat_id"])
    sandbox_of(request).set_member(chat_id, user_id_of(request), None)
    return web.json_response(group_view(sandbox_of(request).groups[chat_id]))


@routes.put("/sandbox/groups/{chat_id}/bot")
async def set_bot_member(request: web.Request) -> web.Response:
    body = await read_body(request)
    group = sandbox_of(request).set_bot_member(
        int(request.match_info["chat_id"]),
        str(body["status"]),
        can_post=bool(body.get("can_post", True)),
    )
    return web.json_response(group_view(group))


# -- chats -------------------------------------------------------------------------------


def chat_view(sandbox: Sandbox, chat_id: int) -> dict[str, Any]:
    """The chat as the control API shows it, with an ``etag`` that changes with it."""
    chat = sandbox.conversation(chat_id)
    view: dict[str, Any] = {
        "chat": chat.api(),
        "messages": [message_view(sandbox, m) for m in chat.messages.values()],
        "reply_keyboard": chat.reply_keyboard,
        "reply_keyboard_markup": chat.reply_keyboard_markup,
        "sent_count": chat.sent_count,
        "actions": chat.actions,
    }
    if isinstance(chat, Chat):
        view.update(user=chat.user.to_api(), blocked=chat.blocked)
    elif isinstance(chat, Group):
        view["members"] = [
            {**sandbox.user(user_id).to_api(), "status": status}
            for user_id, status in chat.members.items()
        ]
    digest = hashlib.sha256(json.dumps(view, sort_keys=True).encode()).hexdigest()
    return {**view, "etag": digest[:16]}


def _chat_id(request: web.Request) -> int:
    return int(request.match_info["chat_id"])


@routes.get("/sandbox/chats/{chat_id}")
async def chat(request: web.Request) -> web.Response:
    """The chat; a long poll when ``after`` (the etag the caller has) and ``wait`` are given."""
    sandbox, chat_id = sandbox_of(request), _chat_id(request)
    after = request.query.get("after")
    await wait_for(request, lambda: chat_view(sandbox, chat_id)["etag"] != after)
    return web.json_response(chat_view(sandbox, chat_id))


@routes.get("/sandbox/chats/{chat_id}/photos/{message_id}")
async def photo(request: web.Request) -> web.StreamResponse:
    chat = sandbox_of(request).conversation(_chat_id(request))
    message = chat.messages.get(int(request.match_info["message_id"]))
    if message is None or message.file is None:
        raise LookupError("no such photo")
    return file_response(message.file)


@routes.post("/sandbox/chats/{chat_id}/messages/{message_id}/redeliver")
async def redeliver(request: web.Request) -> web.Response:
    update_id = sandbox_of(request).redeliver(
        _chat_id(request), int(request.match_info["message_id"])
    )
    return web.json_response({"update_id": update_id})


@routes.get("/sandbox/callbacks/{query_id}")
async def callback(request: web.Request) -> web.Response:
    """A callback query; with ``?wait=<s>``, once the bot answered it (or time ran out)."""
    query = sandbox_of(request).callbacks.get(request.match_info["query_id"])
    if query is None:
        raise LookupError(f"no callback query {request.match_info['query_id']}")
    await wait_for(request, lambda: query.answered)
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
            for c in sandbox_of(request).calls
        ]
    )


@routes.put("/sandbox/webhook/targets")
async def webhook_targets(request: web.Request) -> web.Response:
    urls = (await read_body(request)).get("urls", [])
    if not isinstance(urls, list):
        raise ValueError("urls must be a list of URLs")
    sandbox_of(request).webhook.route_to(urls)
    return web.json_response({"urls": urls})


# -- faults ------------------------------------------------------------------------------


@routes.put("/sandbox/faults/rate_limit")
async def rate_limit(request: web.Request) -> web.Response:
    body = await read_body(request)
    sandbox_of(request).faults.rate_limit(
        int(body.get("global_per_second", 30)), int(body.get("per_chat_per_second", 1))
    )
    return web.json_response({"ok": True})


@routes.post("/sandbox/faults/failures")
async def failures(request: web.Request) -> web.Response:
    body = await read_body(request)
    failure = sandbox_of(request).faults.fail(
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
    sandbox_of(request).faults.clear()
    return web.json_response({"ok": True})
