"""Display text: names, descriptions and messages that staff and customers will read.

Spaces (category Zs, and the blank Braille pattern U+2800) around the text are trimmed,
and so are line feeds around multi-line text; inside it, more than two blank lines in a row
are shortened to two. What remains must not contain control characters (Cc: NUL, escape,
tab, ...), format characters (Cf: bidi overrides such as U+202E, zero-width spaces, the
byte order mark), surrogates (Cs), line and paragraph separators (Zl, Zp), the Hangul
fillers that are letters showing nothing (U+115F, U+1160, U+3164, U+FFA0) or
noncharacters (U+FFFF, U+FDD0, ...); multi-line text keeps the line feed. The zero-width
joiners U+200C and U+200D, which Persian, Indic scripts and emoji sequences need, may
stand between visible characters but not at either end, and a combining mark (accents,
categories Mn, Mc, Me) needs a character before it to sit on. So text can neither reorder
what a reader sees nor hide in invisible characters, and what a person could type is
kept.

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
FILLERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers: letters that show nothing
NONCHARACTERS = frozenset(
    [chr(code) for code in range(0xFDD0, 0xFDF0)]
    + [chr(plane + end) for plane in range(0, 0x110000, 0x10000) for end in (0xFFFE, 0xFFFF)]
)
JOINERS = frozenset("\u200c\u200d")
MARKS = frozenset({"Mn", "Mc", "Me"})  # combining: each sits on the character before it
BLANK = "Zs"  # spaces
BRAILLE_BLANK = "\u2800"  # a Braille cell without dots: a space that is not category Zs
NEWLINE = "\n"
MOST_BLANK_LINES = 2
SURROGATES = range(0xD800, 0xE000)  # not characters: no schema can name them, so no pattern does


def _refused(char: str, multiline: bool) -> bool:
    """Not allowed anywhere in the text."""
    if char in JOINERS or (multiline and char == NEWLINE):
        return False
    return (
        unicodedata.category(char) in REFUSED_CATEGORIES or char in FILLERS or char in NONCHARACTERS
    )


def _trimmed(char: str, multiline: bool) -> bool:
    """Dropped from either end of the text."""
    blank = unicodedata.category(char) == BLANK or char == BRAILLE_BLANK
    return blank or (multiline and char == NEWLINE)


def _invisible(char: str, multiline: bool) -> bool:
    """Not allowed as the last character once the text is trimmed."""
    return _refused(char, multiline) or _trimmed(char, multiline) or char in JOINERS


def _unfit_first(char: str, multiline: bool) -> bool:
    """Not allowed as the first character once the text is trimmed."""
    return _invisible(char, multiline) or unicodedata.category(char) in MARKS


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
    if trimmed and _unfit_first(trimmed[0], multiline):
        raise PydanticCustomError(
            "leading_mark", "must not start with a combining mark (an accent needs a letter)"
        )
    if required and not trimmed:
        raise PydanticCustomError("blank", "must not be blank")
    return _fewer_blank_lines(trimmed) if multiline else trimmed


def _fewer_blank_lines(text: str) -> str:
    """``text`` with each run of more than ``MOST_BLANK_LINES`` blank lines shortened."""
    kept: list[str] = []
    blank_run = 0
    for line in text.split(NEWLINE):
        blank_run = blank_run + 1 if all(_trimmed(char, False) for char in line) else 0
        if blank_run <= MOST_BLANK_LINES:
            kept.append(line)
    return NEWLINE.join(kept)


@cache
def named_characters() -> tuple[str, ...]:
    """Every character a rule above names, read once from ``unicodedata``."""
    named, category = REFUSED_CATEGORIES | MARKS | {BLANK}, unicodedata.category
    found = [chr(code) for code in range(0x110000) if category(chr(code)) in named]
    surrogates = {chr(code) for code in SURROGATES}
    others = JOINERS | FILLERS | NONCHARACTERS | {BRAILLE_BLANK}
    return tuple(sorted({char for char in found if char not in surrogates} | others))


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
    first = chars(_unfit_first)
    text = f"[^{first}](?:[^{refused}]*[^{invisible}])?"
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
