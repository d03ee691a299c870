"""Parse modes: turn a bot's marked-up text into Telegram's plain text plus entities.

Only what a test needs to catch real mistakes: HTML is parsed strictly (unknown tags, unescaped
``<`` or ``&``, unbalanced tags fail like Telegram's "can't parse entities"); MarkdownV2 only has
its reserved characters checked. Entity offsets are in UTF-16 code units, as in the Bot API.
"""

import re
from typing import Any

from sandbox.errors import bad_request

_TAG = re.compile(
    r"<(/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR = re.compile(r"([\w-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_MARKDOWN_RESERVED = re.compile(r"(?<!\\)((?:\\\\)*)([#+\-={}.!])")
_COMMAND = re.compile(r"(?<!\S)/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{5,32})?")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and entities Telegram would store for ``text`` sent with ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        _check_markdown_v2(text)
        return re.sub(r"\\(.)", r"\1", text), []
    if mode in ("", "markdown"):
        return text, []
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities for the /commands in a user's text."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    ]


def _cant_parse(reason: str) -> Exception:
    return bad_request(f"can't parse entities: {reason}")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    length = 0
    open_tags: list[tuple[str, int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == "<":
            match = _TAG.match(source, pos)
            if match is None:
                raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(source, pos)}")
            closing, name = match[1] == "/", match[2].lower()
            if closing:
                if not open_tags or open_tags[-1][0] != name:
                    expected = f'"</{open_tags[-1][0]}>"' if open_tags else "no end tag"
                    raise _cant_parse(
                        f"Unmatched end tag at byte offset {_byte_offset(source, pos)}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                _, start, entity = open_tags.pop()
                if length > start:
                    entities.append({**entity, "offset": start, "length": length - start})
            else:
                open_tags.append((name, length, _html_entity(source, pos, name, match[3])))
            pos = match.end()
            continue
        if char == "&":
            match = _ENTITY.match(source, pos)
            if match is None:
                raise _cant_parse(
                    "Can't find end of the entity starting at byte offset "
                    f"{_byte_offset(source, pos)}"
                )
            ref = match[1]
            if ref in _NAMED:
                char = _NAMED[ref]
            else:
                char = chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:]))
            pos = match.end()
        else:
            pos += 1
        out.append(char)
        length += utf16_len(char)
    if open_tags:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(source: str, pos: int, name: str, raw_attrs: str) -> dict[str, Any]:
    kind = _HTML_TAGS.get(name)
    attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR.finditer(raw_attrs)}
    if kind is None or (name == "span" and attrs.get("class") != "tg-spoiler"):
        raise _cant_parse(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, pos)}'
        )
    entity: dict[str, Any] = {"type": kind}
    if name == "a":
        entity["url"] = attrs.get("href", "")
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def _check_markdown_v2(text: str) -> None:
    match = _MARKDOWN_RESERVED.search(text)
    if match is not None:
        raise _cant_parse(
            f"Character '{match[2]}' is reserved and must be escaped with the preceding '\\'"
        )
