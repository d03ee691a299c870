"""What the methods that send and edit messages share: finding the chat and the message,
parsing text, and putting a bot message into a chat the way Telegram checks it."""

import time
from typing import Any

from sandbox.errors import ApiError, bad_request
from sandbox.formatting import parse_text
from sandbox.markup import reply_keyboard
from sandbox.membership import check_can_send
from sandbox.models import Chat, Conversation, Group, Message, Revision
from sandbox.params import Params
from sandbox.state import Sandbox

LENGTH_LIMITS = {"text": 4096, "caption": 1024}
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def target_chat(sandbox: Sandbox, params: Params) -> Conversation:
    """The chat ``chat_id`` names: a user's private chat or a group; "chat not found" else."""
    if "chat_id" not in params:
        raise bad_request("chat_id is empty")
    if (params.get_str("chat_id") or "").startswith("@"):
        raise bad_request("chat not found")
    return sandbox.conversation(params.get_int("chat_id") or 0)


def parse_param(
    params: Params, name: str, *, required: bool
) -> tuple[str | None, list[dict[str, Any]]]:
    """Plain text and entities of the ``text``/``caption`` parameter, checked for length."""
    return parse_value(params.get_str(name), params.get_str("parse_mode"), name, required=required)


def parse_value(
    source: str | None, parse_mode: str | None, name: str, *, required: bool
) -> tuple[str | None, list[dict[str, Any]]]:
    if not source:
        if required:
            raise bad_request("message text is empty")
        return None, []
    text, entities = parse_text(source, parse_mode)
    if required and not text.strip():
        raise bad_request("message text is empty")
    if len(text) > LENGTH_LIMITS[name]:
        raise bad_request(
            "message is too long" if name == "text" else "message caption is too long"
        )
    return text, entities


def send(sandbox: Sandbox, chat: Conversation, **content: Any) -> dict[str, Any]:
    """A new bot message with ``content`` (``text``, ``photo``, ``invoice``...) delivered into
    ``chat``; the Bot API ``Message``."""
    message = Message(0, chat.id, from_bot=True, date=int(time.time()), **content)
    return deliver(sandbox, message)


def deliver(sandbox: Sandbox, message: Message) -> dict[str, Any]:
    """Put a valid bot message into its chat, unless the user blocked the bot or it floods."""
    chat = sandbox.conversation(message.chat_id)
    if isinstance(chat, Chat) and chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if isinstance(chat, Group):
        check_can_send(chat)
    markup = message.reply_markup or {}
    if not isinstance(chat, Chat) and _requests_contact(markup):
        raise bad_request("phone number can be requested in private chats only")
    limiter = sandbox.faults.rate_limiter
    if limiter is not None:
        limiter.check(chat.id)
        limiter.record(chat.id)
    message.message_id = chat.new_message_id()
    chat.messages[message.message_id] = message
    chat.sent_count += 1
    chat.bot_activity.append(message.message_id)
    if "keyboard" in markup:
        chat.reply_keyboard = reply_keyboard(markup)
        chat.reply_keyboard_markup = markup
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = chat.reply_keyboard_markup = None
    sandbox.notify()
    return sandbox.message_api(message)


def message_to_edit(sandbox: Sandbox, params: Params) -> Message:
    """The bot message ``chat_id``/``message_id`` name, as the edit methods check it."""
    if "inline_message_id" in params:
        raise bad_request("the sandbox has no inline messages")
    chat = target_chat(sandbox, params)
    if "message_id" not in params:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(params.get_int("message_id") or 0)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def remember_revision(message: Message) -> None:
    """Keep the message's current content in its history before an edit changes it."""
    message.history.append(
        Revision(
            message.text if message.file is None else message.caption,
            message.entities,
            message.reply_markup,
            message.edit_date or message.date,
            message.photo,
        )
    )


def edited(sandbox: Sandbox, message: Message) -> dict[str, Any]:
    """Mark the message edited now and tell whoever waits; the Bot API ``Message``."""
    message.edit_date = int(time.time())
    sandbox.conversation(message.chat_id).bot_activity.append(message.message_id)
    sandbox.notify()
    return sandbox.message_api(message)


def _requests_contact(markup: dict[str, Any]) -> bool:
    rows = markup.get("keyboard") or []
    return any(isinstance(b, dict) and b.get("request_contact") for row in rows for b in row)
