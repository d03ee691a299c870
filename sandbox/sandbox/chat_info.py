"""getChat and getChatMember, for private chats, groups and channels (the bot's own
membership: :mod:`sandbox.membership`)."""

from typing import Any

from sandbox.errors import bad_request
from sandbox.membership import administrator_rights, bot_member, check_access
from sandbox.models import Group
from sandbox.params import Params
from sandbox.registry import api_method
from sandbox.sending import target_chat
from sandbox.state import Sandbox

_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


@api_method("getChat")
async def get_chat(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    """The chat as a ``ChatFullInfo``."""
    chat = target_chat(sandbox, params)
    if isinstance(chat, Group):
        check_access(chat)
    return {
        **chat.api(),
        "accent_color_id": abs(chat.id) % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": _NO_GIFTS,
    }


@api_method("getChatMember")
async def get_chat_member(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    """A ``ChatMember``: its status in a group ("creator", "administrator", "member", "left"),
    or "member" for the user of a private chat; the bot's own as the group has it (403 when
    the bot is out of the group, as for getChat)."""
    chat = target_chat(sandbox, params)
    if isinstance(chat, Group):
        check_access(chat)
    user_id = params.get_int("user_id") or 0
    if user_id <= 0:
        raise bad_request("invalid user_id specified")
    if user_id == sandbox.bot.id:
        if isinstance(chat, Group):
            return bot_member(chat, sandbox.bot)
        return {"user": sandbox.bot.to_api(), "status": "member"}
    if user_id not in sandbox.chats:
        raise bad_request("user not found")
    user = sandbox.user(user_id)
    if isinstance(chat, Group):
        status = chat.members.get(user_id, "left")
    else:
        status = "member" if chat.is_member(user_id) else "left"
    member: dict[str, Any] = {"user": user.to_api(), "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(administrator_rights())
    return member
