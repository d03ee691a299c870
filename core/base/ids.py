"""ObjectId as a pydantic type: accepted as a 24-hex string, serialised as one."""

from __future__ import annotations

import re
from typing import Annotated, Any

from bson import ObjectId
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from core.base.errors import InvalidInput, field_error

ID_PATTERN = "[0-9a-f]{24}"  # as ids are written out: lower case


def _to_object_id(value: Any) -> ObjectId:
    if isinstance(value, ObjectId):
        return value
    if isinstance(value, str) and re.fullmatch(ID_PATTERN, value):
        return ObjectId(value)
    raise PydanticCustomError("object_id", "must be a 24-character hexadecimal id")


Id = Annotated[
    ObjectId,
    PlainValidator(_to_object_id),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": f"^{ID_PATTERN}$"}),
]


def parse_id(value: object, field: str = "id") -> ObjectId:
    """An id from untrusted input, or ``InvalidInput`` naming ``field``."""
    try:
        return _to_object_id(value)
    except ValueError as exc:
        raise InvalidInput("Invalid id.", [field_error((field,), exc)]) from None
