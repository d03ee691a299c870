"""Validated input for core services: the base command and the fields every package shares.

Unknown fields are rejected, so a body cannot smuggle in ``role``, ``userId`` or ``status``.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from core.base.errors import FieldError, InvalidInput
from core.base.fields import (
    MAX_SAFE_INTEGER,
    QUERY_NUMBER,
    WHOLE_NUMBER,
)
from core.base.text import Printable

MAX_PAGE_SIZE = 100


Name = Annotated[str, StringConstraints(max_length=100), Printable(required=True)]


Version = Annotated[StrictInt, Field(ge=0, le=MAX_SAFE_INTEGER), WHOLE_NUMBER]


TelegramId = Annotated[StrictInt, Field(gt=0, le=MAX_SAFE_INTEGER), WHOLE_NUMBER]


PageNumber = Annotated[int, Field(ge=1, le=100_000), QUERY_NUMBER]


PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE), QUERY_NUMBER]


class Command(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


CommandT = TypeVar("CommandT", bound=Command)


def parse(command: type[CommandT], data: Any) -> CommandT:
    """Validate untrusted ``data`` into ``command`` or raise ``InvalidInput``."""
    try:
        return command.model_validate(data)
    except ValidationError as exc:
        errors = [
            FieldError(tuple(e["loc"]), e["msg"], e["type"], _plain(e.get("ctx", {})))
            for e in exc.errors()
        ]
        raise InvalidInput("The request has invalid fields.", errors) from None


def _plain(context: dict[str, Any]) -> dict[str, object]:
    """The values an error names (``max_length``: 72), without the exception it wraps."""
    return {k: v for k, v in context.items() if isinstance(v, int | float | str)}


class HistoryQuery(Command):
    page: PageNumber = 1
    limit: PageSize = 20
