"""A broadcast's text as Telegram will show it, as safe HTML for the back office's preview.

The bot sends every message with ``parse_mode=HTML`` (``bot/bootstrap.py``): a formatted
broadcast is Telegram HTML sent as it is, a plain one is escaped first and so shows
exactly as typed. Telegram refuses a message whose HTML it cannot parse ("can't parse
entities"), so this reads it as strictly as Telegram does (the tags and entities of the
Bot API's "HTML style", balanced; the standard library's ``HTMLParser`` reads it) and
says what is wrong; what it accepts is written again with only harmless tags and
attributes, every character of text escaped.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from markupsafe import Markup, escape

NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
"""The only named entities Telegram knows (numeric ones are all allowed)."""
_SHOWN_AS = {
    "b": "strong",
    "strong": "strong",
    "i": "em",
    "em": "em",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
"""Telegram's tags with a plain HTML twin; ``a``, spoilers and custom emoji are below."""
LINK_SCHEMES = ("http", "https", "tg", "mailto")


class CannotParse(ValueError):
    """Telegram would refuse the text: its HTML cannot be parsed."""


def preview(text: str, formatted: bool) -> Markup:
    """``text`` as the customer will see it; ``CannotParse`` if Telegram would refuse it."""
    if not formatted:
        return escape(text)
    reader = _Reader()
    reader.feed(text)
    reader.close()
    if reader.open_tags:
        raise CannotParse(f"<{reader.open_tags[-1][0]}> is never closed")
    return Markup("".join(reader.out))  # noqa: S704 - every piece was escaped or is ours


class _Reader(HTMLParser):
    """Telegram's HTML, written again as safe HTML; strict where Telegram is."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # so a stray '&' reaches handle_data
        self.out: list[str] = []
        self.open_tags: list[tuple[str, str]] = []  # (Telegram's tag, the HTML that closes it)

    def _where(self) -> str:
        line, column = self.getpos()
        return f"line {line}, character {column + 1}"

    def handle_data(self, data: str) -> None:
        for char, fix in (("<", "&lt;"), ("&", "&amp;")):
            if char in data:
                raise CannotParse(f"a '{char}' near {self._where()} is not markup; write {fix}")
        self.out.append(str(escape(data)))

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            raise CannotParse(f"Telegram does not know the entity &{name}; ({self._where()})")
        self.out.append(str(escape(NAMED_ENTITIES[name])))

    def handle_charref(self, name: str) -> None:
        try:
            char = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
        except (ValueError, OverflowError):
            raise CannotParse(f"&#{name}; is no character ({self._where()})") from None
        self.out.append(str(escape(char)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        opening, closing = self._tag(tag, {name: value or "" for name, value in attrs})
        self.out.append(opening)
        self.open_tags.append((tag, closing))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise CannotParse(f"Telegram does not support the tag <{tag}/> ({self._where()})")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1][0] != tag:
            expected = f"</{self.open_tags[-1][0]}>" if self.open_tags else "no end tag"
            raise CannotParse(
                f"</{tag}> ({self._where()}) does not close anything; expected {expected}"
            )
        self.out.append(self.open_tags.pop()[1])

    def unknown_decl(self, data: str) -> None:
        raise CannotParse(f"Telegram does not support <![{data}]> ({self._where()})")

    def handle_comment(self, data: str) -> None:
        raise CannotParse(f"Telegram does not support comments ({self._where()})")

    def handle_decl(self, decl: str) -> None:
        raise CannotParse(f"Telegram does not support <!{decl}> ({self._where()})")

    def handle_pi(self, data: str) -> None:
        raise CannotParse(f"Telegram does not support <?{data}> ({self._where()})")

    def _tag(self, name: str, attrs: dict[str, str]) -> tuple[str, str]:
        """The HTML that opens and closes Telegram's tag ``name``."""
        if name in _SHOWN_AS:
            shown = _SHOWN_AS[name]
            return f"<{shown}>", f"</{shown}>"
        if name == "tg-spoiler" or (name == "span" and attrs.get("class") == "tg-spoiler"):
            return '<span class="spoiler">', "</span>"
        if name == "tg-emoji":
            return "<span>", "</span>"  # a custom emoji shows its fallback emoji (the text)
        if name == "a":
            href = attrs.get("href", "")
            if urlsplit(href).scheme.lower() in LINK_SCHEMES:
                return f'<a href="{escape(href)}" rel="noopener noreferrer nofollow">', "</a>"
            return '<span class="link">', "</span>"
        raise CannotParse(f"Telegram does not support the tag <{name}> ({self._where()})")
