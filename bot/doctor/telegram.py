"""The bot's side of Telegram: the token, how updates arrive, and the operators' chat."""

from __future__ import annotations

import time

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.types import ChatMemberAdministrator, ChatMemberRestricted, User

from bot.config import BotMode, BotSettings
from bot.doctor.checks import Check, count, failed, ok, warning

TIMEOUT = 10
"""Seconds each Bot API call may take."""
RECENT_ERROR_SECONDS = 3600
"""A webhook delivery error younger than this is reported."""
FIND_GROUP_ID = (
    "to find a group's id, open the group in Telegram Web (web.telegram.org): the address "
    "ends in it, such as #-1001234567890; set OPERATOR_CHAT_ID to that number, minus sign "
    "included (a group upgraded to a supergroup gets a new id starting with -100)"
)


def unreachable(error: Exception, settings: BotSettings) -> Check:
    server = settings.bot_api_base_url or "https://api.telegram.org"
    return failed(
        f"cannot reach the Bot API at {server}: {error}",
        "check the network (and BOT_API_BASE_URL, if set), then run this again",
    )


def telegram_error(method: str, error: TelegramAPIError, settings: BotSettings) -> Check:
    """A Bot API call that failed in a way its check does not expect: the network, a server
    error, a flood wait."""
    if isinstance(error, TelegramNetworkError):
        return unreachable(error, settings)
    said = error.message.splitlines()[-1].removeprefix("Original description: ")
    return failed(
        f"Telegram answered {method} with an error ({said})",
        "run this again in a minute; if it lasts, Telegram may be down for this bot",
    )


async def bot_identity(bot: Bot, settings: BotSettings) -> tuple[Check, User | None]:
    """getMe: the token works, the bot's name, whether it joins groups and reads them."""
    try:
        me = await bot.get_me(request_timeout=TIMEOUT)
    except TelegramUnauthorizedError:
        return failed(
            "Telegram refuses BOT_TOKEN (Unauthorized)",
            "copy the token again from @BotFather (/mybots → your bot → API Token); a revoked "
            "token stops working",
        ), None
    except TelegramAPIError as error:
        return telegram_error("getMe", error, settings), None
    privacy = (
        "reads every group message (privacy mode off)"
        if me.can_read_all_group_messages
        else "sees commands and buttons in groups (privacy mode on, all the shop needs)"
    )
    groups = "can be added to groups" if me.can_join_groups else "cannot be added to groups"
    return ok(f"token works: {me.full_name} (@{me.username}), id {me.id}; {groups}, {privacy}"), me


async def updates_route(bot: Bot, settings: BotSettings) -> Check:
    """getWebhookInfo: polling with no webhook in the way, or the webhook Telegram uses is
    WEBHOOK_URL and delivers without recent errors."""
    try:
        info = await bot.get_webhook_info(request_timeout=TIMEOUT)
    except TelegramAPIError as error:
        return telegram_error("getWebhookInfo", error, settings)
    pending = f"{count(info.pending_update_count, 'update')} waiting"
    if settings.bot_mode is BotMode.POLLING:
        if info.url:
            return failed(
                f"BOT_MODE=polling, but a webhook is set ({info.url}): while it is, polling "
                "gets nothing (409 Conflict)",
                "stop whatever set it (another copy of this bot in webhook mode?), then "
                "restart the bot: it deletes the webhook when it starts polling; or set "
                "BOT_MODE=webhook",
            )
        return ok(f"updates by long polling, no webhook in the way; {pending}")
    if not info.url:
        return failed(
            "BOT_MODE=webhook, but no webhook is set: Telegram sends the bot nothing",
            "start the bot: it registers WEBHOOK_URL when it starts",
        )
    if info.url != settings.webhook_url:
        return failed(
            f"Telegram sends updates to {info.url}, not to WEBHOOK_URL ({settings.webhook_url})",
            "restart the bot to register WEBHOOK_URL, and stop whatever registered the other "
            "URL (another deployment with this token?)",
        )
    if info.last_error_date is not None:
        age = time.time() - info.last_error_date.timestamp()
        if age < RECENT_ERROR_SECONDS:
            return warning(
                f"webhook {info.url}: delivery failed {int(age // 60)} min ago "
                f"({info.last_error_message}); {pending}",
                "check that the URL reaches the bot: DNS, the proxy, its TLS certificate, "
                "WEBHOOK_PORT and WEBHOOK_PATH",
            )
    return ok(f"updates by webhook at {info.url}, no recent delivery errors; {pending}")


async def operators_chat(bot: Bot, settings: BotSettings, me: User, chat_id: int | None) -> Check:
    """The chat in OPERATOR_CHAT_ID exists, has the bot, and the bot may post there."""
    if chat_id is None:
        return ok(
            "OPERATOR_CHAT_ID not set: order cards go to each operator's and admin's private "
            "chat with the bot"
        )
    try:
        chat = await bot.get_chat(chat_id, request_timeout=TIMEOUT)
        member = await bot.get_chat_member(chat_id, me.id, request_timeout=TIMEOUT)
    except TelegramForbiddenError as error:
        return failed(
            f"operators' chat {chat_id}: the bot is not in it ({error.message})",
            f"add @{me.username} to the group again (group → Add members)",
        )
    except TelegramBadRequest as error:
        found = f"operators' chat {chat_id}: Telegram knows no such chat for this bot"
        if chat_id > 0:  # a person's id: their private chat with the bot
            return failed(
                f"{found} ({error.message})",
                f"that person must open @{me.username} and press Start first; for a group, "
                f"{FIND_GROUP_ID}",
            )
        return failed(
            f"{found} ({error.message})",
            f"add @{me.username} to the operators' group; {FIND_GROUP_ID}",
        )
    except TelegramAPIError as error:
        return telegram_error("getChat/getChatMember", error, settings)
    name = f"{chat.type} {chat.title or chat.full_name!r}"
    if chat.type == "private":
        return ok(f"operators' chat {chat_id}: a private chat with {chat.full_name}")
    if member.status in ("left", "kicked"):
        return failed(
            f"operators' chat {chat_id} ({name}): the bot is {member.status}",
            f"add @{me.username} to it again",
        )
    if chat.type == "channel":
        if not (isinstance(member, ChatMemberAdministrator) and member.can_post_messages):
            return failed(
                f"operators' chat {chat_id} ({name}): the bot may not post there",
                "make the bot an administrator of the channel allowed to post messages",
            )
    elif isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
        return failed(
            f"operators' chat {chat_id} ({name}): the bot is restricted from sending messages",
            "lift the restriction (group → Members → the bot → Permissions: Send messages)",
        )
    role = {"administrator": "an administrator", "creator": "its creator"}.get(
        member.status, "a member"
    )
    return ok(f"operators' chat {chat_id}: {name}, the bot is {role} and may post there")
