"""Validated input for promo codes: staff's drafts and edits, a customer's code."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StrictBool, StrictInt, model_validator
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
Amount = Annotated[StrictInt, Field(ge=1, le=MAX_PRICE), WHOLE_NUMBER]
Uses = Annotated[StrictInt, Field(ge=1, le=MAX_USES), WHOLE_NUMBER]
Targets = Annotated[tuple[Id, ...], Field(max_length=MAX_TARGETS)]


class PromoDraft(Command):
    code: Code
    kind: PromoKind
    value: Amount = Field(description="Percent (1-100) for `percent`, minor units for `fixed`.")
    includes_delivery: StrictBool = False
    min_total: Amount | None = None
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    usage_limit: Uses | None = None
    per_customer: Uses | None = None
    first_order_only: StrictBool = False
    category_ids: Targets = ()
    product_ids: Targets = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_terms(self.kind, self.value, self.starts_at, self.ends_at)
        return self


class PromoPatch(Command):
    """Change any terms; ``state`` pauses (``paused``), resumes (``active``) or archives."""

    kind: PromoKind | None = None
    value: Amount | None = None
    includes_delivery: StrictBool | None = None
    min_total: Amount | None = None
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    usage_limit: Uses | None = None
    per_customer: Uses | None = None
    first_order_only: StrictBool | None = None
    category_ids: Targets | None = None
    product_ids: Targets | None = None
    state: PromoState | None = None
    expected_version: Version | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_terms(self.kind, self.value, self.starts_at, self.ends_at)
        return self


def check_terms(
    kind: PromoKind | None, value: int | None, starts: datetime | None, ends: datetime | None
) -> None:
    """A percentage is at most 100; a code ends after it starts."""
    if kind is PromoKind.PERCENT and value is not None and value > 100:
        raise ValueError("a percentage is at most 100")
    if starts is not None and ends is not None and ends <= starts:
        raise ValueError("endsAt must be after startsAt")


class PromoEntry(Command):
    """The code a customer types."""

    code: Code


class PromoQuery(Command):
    include_archived: QueryFlag = False
    page: PageNumber = 1
    limit: PageSize = 50
