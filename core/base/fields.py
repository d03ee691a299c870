"""Field types for commands, each read exactly as its JSON Schema says.

A client generated from the API's OpenAPI document sends what these schemas allow, so
validation must accept all of it and nothing else: ``3.0`` is a JSON integer, a query
string's ``0.5`` is not a date, and an email domain for special use is refused by both.
"""

from __future__ import annotations

import re
from typing import Annotated

import email_validator
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

MAX_SAFE_INTEGER = 2**53 - 1  # exact in JSON everywhere, and fits a 64-bit database integer
MAX_EMAIL_LENGTH = 254
SHOP_CURRENCY_MARK = "x-shop-currency"  # the API's document names the shop's currency here
DELIVERY_METHOD_MARK = "x-delivery-method"  # ... and the codes of its delivery methods here
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _any_case(word: str) -> str:
    return "".join(f"[{char.lower()}{char.upper()}]" for char in word)


# email-validator refuses these top-level domains (RFC 6761 and others); the schema says so
SPECIAL_USE = "|".join(_any_case(name) for name in sorted(email_validator.SPECIAL_USE_DOMAIN_NAMES))
EMAIL_SCHEMA: JsonDict = {
    "type": "string",
    "format": "email",
    "maxLength": MAX_EMAIL_LENGTH,
    # an unquoted local part of at most 64 characters; labels of at most 63 between dots;
    # a top-level domain that starts with a letter and is not one for special use
    "pattern": (
        r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+"
        rf"(?!(?:{SPECIAL_USE})$)[A-Za-z][A-Za-z0-9-]{{0,62}}$"
    ),
    "description": "Domains for special use, such as `.test` or `.local`, are refused.",
}


def _whole_number(value: object) -> object:
    """JSON Schema counts ``3.0`` as an integer, so it is one; ``"3"`` and ``true`` are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _query_number(value: object) -> object:
    """A query string's integer: decimal digits only (no ``_``, spaces or fractions)."""
    if isinstance(value, str) and not re.fullmatch(r"[+-]?[0-9]+", value):
        raise ValueError("must be a whole number")
    return value


def _query_flag(value: object) -> object:
    """A query string's boolean, as JSON writes it: ``true`` or ``false``."""
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError("must be true or false")
        return value == "true"
    return value


def _timestamp(value: object) -> object:
    """A date-time as RFC 3339 writes it; numbers are not taken for epoch seconds."""
    if isinstance(value, str) and not RFC_3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2025-01-31T09:00:00Z")
    return value


def _email_address(value: str) -> str:
    """An address as email-validator reads it: no display name, no spaces around, lower case."""
    try:
        address = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        reason = {"reason": str(exc)}
        raise PydanticCustomError(
            "email", "value is not a valid email address: {reason}", reason
        ) from None
    return address.normalized.lower()


# Put after the bounds (``Annotated[StrictInt, Field(ge=0), WHOLE_NUMBER]``), so that the
# JSON Schema keeps them as ``minimum`` and ``maximum``.
WHOLE_NUMBER = BeforeValidator(_whole_number)
QUERY_NUMBER = BeforeValidator(_query_number)
QueryFlag = Annotated[StrictBool, BeforeValidator(_query_flag)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp)]
Email = Annotated[
    str,
    StringConstraints(max_length=MAX_EMAIL_LENGTH),
    AfterValidator(_email_address),
    WithJsonSchema(EMAIL_SCHEMA),
]
ShopCurrency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(json_schema_extra={SHOP_CURRENCY_MARK: True}),
]


def given(field: str) -> JsonDict:
    """JSON Schema: ``field`` is present and not null (for a command's cross-field rules)."""
    return {"required": [field], "properties": {field: {"not": {"type": "null"}}}}
