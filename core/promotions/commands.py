"""Validated input for promo codes: staff's drafts and edits, a customer's code."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from core.base.commands import Command, PageNumber, PageSize, Version
from core.base.fields import WHOLE_NUMBER, QueryFlag, Timestamp
from core.base.ids import Id
from core.catalog.commands import MAX_PRICE
from core.promotions.models import PromoKind, PromoState

MAX_CODE_LENGTH = 32
CODE = re.compile(rf"[A-Za-z0-9]{{1,{MAX_CODE_LENGTH}}}")
MAX_TARGETS = 200
MAX_USES = 10_000_000


def _code(value: str) -> str:
    """A code as stored and compared: trimmed, upper case (``summer10`` is ``SUMMER10``)."""
    if not CODE.fullmatch(value := value.strip()):
        raise PydanticCustomError(
            "promo_code", f"must be 1 to {MAX_CODE_LENGTH} letters (A-Z) or digits"
        )
    return value.upper()


Code = Annotated[
    str,
    AfterValidator(_code),
    Field(
        json_schema_extra={"pattern": rf"^ *[A-Za-z0-9]{{1,{MAX_CODE_LENGTH}}} *$"},
        description="Letters and digits; case does not matter (stored in upper case).",
    ),
]


def _text(value: object) -> object:
    """A moment is an RFC 3339 string in a body too, never a number of seconds."""
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "must be an RFC 3339 date-time string")
    return value


Moment = Annotated[Timestamp, BeforeValidator(_text)]
PERCENT_AT_MOST_100: JsonDict = {
    "if": {"properties": {"kind": {"const": "percent"}}, "required": ["kind"]},
    "then": {"properties": {"value": {"maximum": 100}}},
}
"""The schema's word for the rule ``_percent`` checks."""
Amount = Annotated[StrictInt, Field(ge=1, le=MAX_PRICE), WHOLE_NUMBER]
Uses = Annotated[StrictInt, Field(ge=1, le=MAX_USES), WHOLE_NUMBER]
Targets = Annotated[tuple[Id, ...], Field(max_length=MAX_TARGETS)]


class PromoDraft(Command):
    model_config = ConfigDict(json_schema_extra=PERCENT_AT_MOST_100)

    code: Code
    kind: PromoKind
    value: Amount = Field(description="Percent (1-100) for `percent`, minor units for `fixed`.")
    includes_delivery: StrictBool = False
    min_total: Amount | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    usage_limit: Uses | None = None
    per_customer: Uses | None = None
    first_order_only: StrictBool = False
    category_ids: Targets = ()
    product_ids: Targets = ()

    @model_validator(mode="after")
    def _percent(self) -> Self:
        if self.kind is PromoKind.PERCENT and self.value is not None and self.value > 100:
            raise ValueError("a percentage is at most 100")
        return self


class PromoPatch(Command):
    """Change any terms; ``state`` pauses (``paused``), resumes (``active``) or archives."""

    model_config = ConfigDict(json_schema_extra=PERCENT_AT_MOST_100)

    kind: PromoKind | None = None
    value: Amount | None = None
    includes_delivery: StrictBool | None = None
    min_total: Amount | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    usage_limit: Uses | None = None
    per_customer: Uses | None = None
    first_order_only: StrictBool | None = None
    category_ids: Targets | None = None
    product_ids: Targets | None = None
    state: PromoState | None = None
    expected_version: Version | None = None

    @model_validator(mode="after")
    def _percent(self) -> Self:
        if self.kind is PromoKind.PERCENT and self.value is not None and self.value > 100:
            raise ValueError("a percentage is at most 100")
        return self


def check_terms(
    kind: PromoKind, value: int, starts: datetime | None, ends: datetime | None
) -> str | None:
    """What is wrong with a code's terms taken together, if anything (a percentage past
    100 after a patch of one of the two, an end before the start)."""
    if kind is PromoKind.PERCENT and value > 100:
        return "a percentage is at most 100"
    if starts is not None and ends is not None and ends <= starts:
        return "it would end before it starts"
    return None


class PromoEntry(Command):
    """The code a customer types."""

    code: Code


class PromoQuery(Command):
    include_archived: QueryFlag = False
    page: PageNumber = 1
    limit: PageSize = 50
