"""Posted forms into core's commands, and core's refusals back onto the form's fields.

A form's inputs are named as the API's JSON fields (``lowStockThreshold``), so a
``FieldError`` of core (located by those names) lands next to the input it is about.
Numbers typed into a form are text: ``whole_number`` and ``amount`` read them, and what
they cannot read is the field's error, kept in ``Filled.errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.base.commands import CommandT, parse
from core.base.errors import InvalidInput
from core.base.money import exponent, minor_units

GENERAL = ""
"""The key of an error about the form as a whole, not one field."""


@dataclass
class Filled:
    """What a form said, as a command's input, and the fields it got wrong so far."""

    form: Mapping[str, Any]
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        value = self.form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def take_text(self, name: str, *, empty_is_none: bool = False) -> None:
        value = self.text(name)
        self.values[name] = None if empty_is_none and not value else value

    def take_whole_number(self, name: str, *, optional: bool = False) -> None:
        """``optional``: an empty field is ``None`` (none, or in a patch: cleared)."""
        value = self.text(name)
        if not value and optional:
            self.values[name] = None
            return
        try:
            self.values[name] = int(value)
        except ValueError:
            self.values[name] = value
            self.errors[name] = "Enter a whole number, such as 12."

    def take_amount(self, name: str, currency: str) -> None:
        """An amount of ``currency`` typed as people write it (``4.50``), in minor units."""
        value = self.text(name)
        try:
            self.values[name] = minor_units(value, currency)
        except ValueError:
            self.values[name] = value
            digits = exponent(currency)
            example = "12" if digits == 0 else "12." + "5".ljust(digits, "0")
            self.errors[name] = f"Enter an amount in {currency}, such as {example}."

    def command(self, command: type[CommandT]) -> CommandT:
        """The values as ``command``, or ``InvalidInput`` (with this form's own errors)."""
        parsed = parse(command, self.values)
        if self.errors:
            raise InvalidInput("The form has invalid fields.")
        return parsed

    def refused(self, exc: InvalidInput) -> dict[str, str]:
        """Core's field errors by input name, under the ones the form found itself."""
        found: dict[str, str] = {}
        for error in exc.errors:
            name = str(error.loc[0]) if error.loc else GENERAL
            found.setdefault(name, _sentence(error.message))
        if not found:
            found[GENERAL] = exc.message
        return found | self.errors


def _sentence(message: str) -> str:
    message = message.removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
