"""The Bot API over HTTP: :func:`handle_request` answers ``/bot<token>/<method>`` in Telegram's
shape, checks the token and applies injected failures; this module also holds the core methods
(updates, webhooks, text messages, edits, callback queries, commands). Payments, media and chat
information live in :mod:`sandbox.invoices`, :mod:`sandbox.media` and :mod:`sandbox.chat_info`;
every method is registered in :mod:`sandbox.registry`.
"""

import json
import re
from typing import Any

from aiohttp import web

from sandbox import chat_info, invoices, media
from sandbox.errors import ApiError, bad_request
from sandbox.markup import validate_markup
from sandbox.models import ApiCall, Chat
from sandbox.params import Params, read_params
from sandbox.registry import METHODS, SANDBOX_KEY, api_method
from sandbox.sending import (
    NOT_MODIFIED,
    edited,
    message_to_edit,
    parse_param,
    remember_revision,
    send,
    target_chat,
)
from sandbox.state import Sandbox

EXTENSIONS = (chat_info, invoices, media)
"""Modules whose methods register themselves when imported."""

_ANSWER_LIMIT = 200
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)


async def execute(
    sandbox: Sandbox, method: str, params: Params, content_type: str
) -> tuple[int, dict[str, Any]]:
    """Run one Bot API call and log it: the HTTP status and Telegram's response body."""
    handler = METHODS.get(method.lower())
    try:
        if handler is None:
            raise ApiError(404, "Not Found")
        status, body = 200, {"ok": True, "result": await handler(sandbox, params)}
    except ApiError as error:
        status, body = error.code, error.to_api()
    sandbox.calls.append(
        ApiCall(method, params.values, content_type, status, body.get("description"))
    )
    return status, body


async def handle_request(request: web.Request) -> web.StreamResponse:
    """``POST|GET /bot<token>/<method>``."""
    sandbox = request.app[SANDBOX_KEY]
    method = request.match_info["method"]
    if request.match_info["token"] != sandbox.token:
        return _respond(ApiError(401, "Unauthorized").to_api(), 401)
    try:
        params = await read_params(request)
    except ApiError as error:
        return _respond(error.to_api(), error.code)
    failure = sandbox.faults.take_failure(method.lower()) if method.lower() in METHODS else None
    if failure is None or failure.after:
        status, body = await execute(sandbox, method, params, request.content_type)
        if failure is None:
            return _respond(body, status)
    else:
        sandbox.calls.append(
            ApiCall(method, params.values, request.content_type, failure.status, "injected")
        )
    if failure.drop and request.transport is not None:
        request.transport.abort()
    return _respond(failure.error().to_api(), failure.status)


def _respond(body: dict[str, Any], status: int) -> web.Response:
    return web.json_response(body, status=status)


# -- getting updates ---------------------------------------------------------------------


@api_method("getMe")
async def get_me(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    return {
        **sandbox.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not sandbox.group_privacy,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("getUpdates")
async def get_updates(sandbox: Sandbox, params: Params) -> list[dict[str, Any]]:
    limit = params.get_int("limit") or 100
    return await sandbox.get_updates(
        params.get_int("offset"),
        min(max(limit, 1), 100),
        params.get_int("timeout") or 0,
        params.get_json("allowed_updates"),
    )


@api_method("setWebhook")
async def set_webhook(sandbox: Sandbox, params: Params) -> bool:
    url = params.get_str("url") or ""
    if not url:
        return await delete_webhook(sandbox, params)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTP(S) URL must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if params.get_bool("drop_pending_updates"):
        sandbox.updates.clear()
    if "allowed_updates" in params:
        sandbox.allowed_updates = params.get_json("allowed_updates")

    async def on_reply(reply: Params) -> object:
        return await execute(sandbox, str(reply.values.pop("method")), reply, "webhook reply")

    await sandbox.webhook.start(url, secret, on_reply)
    return True


@api_method("deleteWebhook")
async def delete_webhook(sandbox: Sandbox, params: Params) -> bool:
    if params.get_bool("drop_pending_updates"):
        sandbox.updates.clear()
    await sandbox.webhook.stop()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    return sandbox.webhook.info()


@api_method("logOut")
@api_method("close")
async def log_out(sandbox: Sandbox, params: Params) -> bool:
    return True


# -- sending -----------------------------------------------------------------------------


@api_method("sendMessage")
async def send_message(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    chat = target_chat(sandbox, params)
    text, entities = parse_param(params, "text", required=True)
    markup = validate_markup(params.get_json("reply_markup"))
    return send(
        sandbox,
        chat,
        text=text,
        entities=entities,
        source=params.get_str("text"),
        parse_mode=params.get_str("parse_mode"),
        reply_markup=markup,
    )


@api_method("sendChatAction")
async def send_chat_action(sandbox: Sandbox, params: Params) -> bool:
    chat = target_chat(sandbox, params)
    action = params.get_str("action")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    if isinstance(chat, Chat) and chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    chat.actions.append(action)
    sandbox.notify()
    return True


# -- changing sent messages --------------------------------------------------------------


@api_method("editMessageText")
async def edit_message_text(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    return _edit(sandbox, params, "text")


@api_method("editMessageCaption")
async def edit_message_caption(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    return _edit(sandbox, params, "caption")


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    return _edit(sandbox, params, None)


@api_method("deleteMessage")
async def delete_message(sandbox: Sandbox, params: Params) -> bool:
    chat = target_chat(sandbox, params)
    message = chat.messages.get(params.get_int("message_id") or 0)
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    message.deleted = True
    chat.bot_activity.append(message.message_id)
    sandbox.notify()
    return True


def _edit(sandbox: Sandbox, params: Params, field: str | None) -> dict[str, Any]:
    """editMessageText/Caption (``field``) or editMessageReplyMarkup (``field`` None).

    As in Telegram, leaving out ``reply_markup`` removes the inline keyboard.
    """
    message = message_to_edit(sandbox, params)
    markup = validate_markup(params.get_json("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    if message.invoice is not None:
        invoices.check_pay_button(markup)
    current = message.text if message.file is None else message.caption
    text, entities = current, message.entities
    if field is not None:
        if message.invoice is not None or field != ("text" if message.file is None else "caption"):
            raise bad_request(f"there is no {field} in the message to edit")
        text, entities = parse_param(params, field, required=field == "text")
    if (text, entities, markup) == (current, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    remember_revision(message)
    if message.file is None:
        message.text = text
    else:
        message.caption = text
    if field is not None:
        message.source, message.parse_mode = params.get_str(field), params.get_str("parse_mode")
    message.entities, message.reply_markup = entities, markup
    return edited(sandbox, message)


# -- callback queries and commands -------------------------------------------------------


@api_method("answerCallbackQuery")
async def answer_callback_query(sandbox: Sandbox, params: Params) -> bool:
    query = sandbox.callbacks.get(params.get_str("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get_str("text")
    if text is not None and len(text) > _ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.text, query.show_alert, query.url = (
        text,
        params.get_bool("show_alert"),
        params.get_str("url"),
    )
    sandbox.notify()
    return True


@api_method("setMyCommands")
async def set_my_commands(sandbox: Sandbox, params: Params) -> bool:
    commands = params.get_json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    for command in commands:
        if not _COMMAND.match(str(command.get("command", "")).lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    sandbox.commands[_command_key(params)] = commands
    return True


@api_method("getMyCommands")
async def get_my_commands(sandbox: Sandbox, params: Params) -> list[dict[str, Any]]:
    return sandbox.commands.get(_command_key(params), [])


@api_method("deleteMyCommands")
async def delete_my_commands(sandbox: Sandbox, params: Params) -> bool:
    sandbox.commands.pop(_command_key(params), None)
    return True


def _command_key(params: Params) -> tuple[str, str]:
    scope = params.get_json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get_str("language_code") or ""
