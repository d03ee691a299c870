"""Display text: names, descriptions and messages that staff and customers will read.

Spaces (category Zs) around the text are trimmed, and so are line feeds around multi-line
text. What remains must not contain control characters (Cc: NUL, escape, tab, ...),
format characters (Cf: bidi overrides such as U+202E, zero-width spaces, the byte order
mark), surrogates (Cs) or line and paragraph separators (Zl, Zp); multi-line text keeps
the line feed. The zero-width joiners U+200C and U+200D, which Persian, Indic scripts and
emoji sequences need, may stand between visible characters but not at either end. So text
can neither reorder what a reader sees nor hide in invisible characters.

``Printable`` is the pydantic marker that does this. The JSON Schema ``pattern`` it
publishes is built from the same rules, so the document and the check agree; a length
limit counts the text as sent, before trimming, as the schema's ``maxLength`` does.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
JOINERS = frozenset("\u200c\u200d")
BLANK = "Zs"  # spaces
NEWLINE = "\n"
SURROGATES = range(0xD800, 0xE000)  # not characters: no schema can name them, so no pattern does


def _refused(char: str, multiline: bool) -> bool:
    """Not allowed anywhere in the text."""
    if char in JOINERS or (multiline and char == NEWLINE):
        return False
    return unicodedata.category(char) in REFUSED_CATEGORIES


def _trimmed(char: str, multiline: bool) -> bool:
    """Dropped from either end of the text."""
    return unicodedata.category(char) == BLANK or (multiline and char == NEWLINE)


def _invisible(char: str, multiline: bool) -> bool:
    """Not allowed as the first or last character once the text is trimmed."""
    return _refused(char, multiline) or _trimmed(char, multiline) or char in JOINERS


def clean(text: str, *, multiline: bool = False, required: bool = False) -> str:
    """``text`` trimmed if it is fit to show, else a ``ValueError`` saying why (a
    ``PydanticCustomError`` whose type names the problem, for fields)."""
    if bad := next((char for char in text if _refused(char, multiline)), None):
        if bad == NEWLINE:
            raise PydanticCustomError(
                "line_break", f"must not contain line breaks (found U+{ord(bad):04X})"
            )
        raise PydanticCustomError(
            "invisible_character",
            f"must not contain control or invisible formatting characters (found U+{ord(bad):04X})",
        )
    start, end = 0, len(text)
    while start < end and _trimmed(text[start], multiline):
        start += 1
    while end > start and _trimmed(text[end - 1], multiline):
        end -= 1
    trimmed = text[start:end]
    if trimmed and (_invisible(trimmed[0], multiline) or _invisible(trimmed[-1], multiline)):
        raise PydanticCustomError("edge_joiner", "must not start or end with a zero-width joiner")
    if required and not trimmed:
        raise PydanticCustomError("blank", "must not be blank")
    return trimmed


@cache
def named_characters() -> tuple[str, ...]:
    """Every character a rule above names, read once from ``unicodedata``."""
    named, category = REFUSED_CATEGORIES | {BLANK}, unicodedata.category
    found = [chr(code) for code in range(0x110000) if category(chr(code)) in named]
    surrogates = {chr(code) for code in SURROGATES}
    return tuple(sorted({char for char in found if char not in surrogates} | JOINERS))


def _character_class(chars: list[str]) -> str:
    """``chars`` (sorted) as the inside of a regex character class, runs as ranges."""
    parts: list[str] = []
    codes = [ord(char) for char in chars]
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code != previous + 1:
            last = "" if start == previous else f"-{_escape(previous)}"
            parts.append(_escape(start) + last)
            start = code
        previous = code
    return "".join(parts)


def _escape(code: int) -> str:
    # \uXXXX reads the same in ECMA-262, Python and Rust; beyond the BMP only a literal does.
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


@cache
def pattern(*, multiline: bool = False, required: bool = False) -> str:
    """The JSON Schema ``pattern`` of what ``clean`` accepts, built from the same rules."""
    candidates = named_characters()

    def chars(rule: Any) -> str:
        return _character_class([char for char in candidates if rule(char, multiline)])

    trim, refused, invisible = chars(_trimmed), chars(_refused), chars(_invisible)
    text = f"[^{invisible}](?:[^{refused}]*[^{invisible}])?"
    return f"^[{trim}]*{text}[{trim}]*$" if required else f"^[{trim}]*(?:{text}[{trim}]*)?$"


@dataclass(frozen=True)
class Printable:
    """Annotate a ``str`` with this to trim it and refuse what ``clean`` refuses."""

    multiline: bool = False
    required: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._clean, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = pattern(multiline=self.multiline, required=self.required)
        if self.required:
            json_schema["minLength"] = max(1, json_schema.get("minLength", 0))
        return json_schema

    def _clean(self, text: str) -> str:
        return clean(text, multiline=self.multiline, required=self.required)
