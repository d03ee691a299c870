"""Reply markup: validated like Telegram validates it, and read back as buttons."""

from dataclasses import dataclass
from typing import Any

from sandbox.errors import bad_request

_CALLBACK_DATA_LIMIT = 64
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES = ("http://", "https://", "tg://")


@dataclass(frozen=True)
class Button:
    """One inline button: its label and what pressing it does."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        return f"[{self.text}]"


def validate_markup(markup: Any) -> dict[str, Any] | None:
    """Check a ``reply_markup`` object; returns it unchanged, or raises a 400 ApiError."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _unparsable()
    if "inline_keyboard" in markup:
        for button in _rows(markup["inline_keyboard"]):
            _validate_inline_button(button)
    elif "keyboard" in markup:
        for button in _rows(markup["keyboard"]):
            if not (isinstance(button, str) or (isinstance(button, dict) and "text" in button)):
                raise bad_request('can\'t parse keyboard button: field "text" must be present')
    elif markup.get("remove_keyboard") is not True and markup.get("force_reply") is not True:
        raise _unparsable()
    return markup


def inline_buttons(markup: dict[str, Any] | None) -> list[list[Button]]:
    """The inline keyboard of a markup as rows of buttons (empty for other markups)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row]
        for row in markup["inline_keyboard"]
    ]


def reply_keyboard(markup: dict[str, Any]) -> list[list[str]]:
    return [
        [b if isinstance(b, str) else b["text"] for b in row] for row in markup.get("keyboard", [])
    ]


def _unparsable() -> Exception:
    return bad_request("can't parse reply keyboard markup JSON object")


def _rows(rows: Any) -> list[Any]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    return [button for row in rows for button in row]


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if len(actions) != 1:
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must have exactly one "
            "optional field"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= _CALLBACK_DATA_LIMIT:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not str(url).startswith(_URL_SCHEMES):
        raise bad_request("BUTTON_URL_INVALID")
