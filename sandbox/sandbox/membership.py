"""The bot's own place in a group, supergroup or channel: whether getChat and getChatMember
may look at it, and whether the bot may post there, with Telegram's answers when not.

A bot removed from a chat gets 403 "Forbidden: bot was kicked from the supergroup chat" (or
"group chat", "channel chat"); one that left, 403 "Forbidden: bot is not a member of the ...
chat". A member restricted from writing gets 400 "Bad Request: not enough rights to send text
messages to the chat"; in a channel only an administrator allowed to post messages may post,
else 400 "Bad Request: need administrator rights in the channel chat".
"""

from typing import Any

from sandbox.errors import ApiError, bad_request
from sandbox.models import Group, User

BOT_STATUSES = ("member", "administrator", "restricted", "left", "kicked")
_ALLOWED = {
    "group": ("member", "administrator", "left", "kicked"),
    "supergroup": BOT_STATUSES,
    # Bots join channels only as administrators.
    "channel": ("administrator", "left", "kicked"),
}
_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)
_MEMBER_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)
"""A restricted member's rights, all withheld from the bot here."""


def check_status(group: Group, status: str) -> None:
    """``ValueError`` unless the bot can have ``status`` in a chat of this type."""
    if status not in _ALLOWED[group.type]:
        raise ValueError(
            f"a bot cannot be {status!r} in a {group.type}; one of {_ALLOWED[group.type]}"
        )


def check_access(group: Group) -> None:
    """403 unless the bot is in the chat (getChat, getChatMember, sending)."""
    kind = f"{group.type} chat"
    if group.bot_status == "kicked":
        raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
    if group.bot_status == "left":
        raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")


def check_can_send(group: Group) -> None:
    """Telegram's answer when the bot may not post into the chat."""
    check_access(group)
    if group.type == "channel" and not group.bot_can_post:
        raise bad_request("need administrator rights in the channel chat")
    if group.bot_status == "restricted":
        raise bad_request("not enough rights to send text messages to the chat")


def administrator_rights() -> dict[str, bool]:
    """An administrator's rights: every one, neither anonymous nor editable by the bot."""
    return {name: name not in ("is_anonymous", "can_be_edited") for name in _ADMIN_RIGHTS}


def bot_member(group: Group, bot: User) -> dict[str, Any]:
    """The bot's ``ChatMember`` in the chat."""
    member: dict[str, Any] = {"user": bot.to_api(), "status": group.bot_status}
    if group.bot_status == "administrator":
        member.update(administrator_rights())
        if group.type == "channel":
            member.update(
                can_post_messages=group.bot_can_post,
                can_edit_messages=group.bot_can_post,
            )
        else:
            member["can_pin_messages"] = True
    elif group.bot_status == "restricted":
        member.update(
            {"is_member": True, "until_date": 0},
            **dict.fromkeys(_MEMBER_RIGHTS, False),
        )
    return member
