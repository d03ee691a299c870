"""Validated input for broadcasts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict, JsonValue

from core.base.commands import Command
from core.base.ids import Id
from core.base.text import Printable
from core.sales.models import OrderStatus

MAX_LISTED_IDS = 1_000  # a longer list would not fit in a request body of the default size


MessageText = Annotated[
    str, StringConstraints(max_length=4096), Printable(multiline=True, required=True)
]


class SegmentKind(StrEnum):
    ALL_CUSTOMERS = "all"
    ORDER_STATUS = "order_status"
    ORDERS = "orders"
    USERS = "users"


SEGMENT_NEEDS: dict[SegmentKind, str | None] = {
    SegmentKind.ALL_CUSTOMERS: None,
    SegmentKind.ORDER_STATUS: "status",
    SegmentKind.ORDERS: "order_ids",
    SegmentKind.USERS: "user_ids",
}


SEGMENT_CHOICES = ("status", "order_ids", "user_ids")


IdList = Annotated[list[Id], Field(min_length=1, max_length=MAX_LISTED_IDS)]


def _segment_kinds() -> list[JsonValue]:
    """JSON Schema: each kind of segment with the one field it needs, and no other."""
    kinds: list[JsonValue] = []
    for kind, needs in SEGMENT_NEEDS.items():
        properties: JsonDict = {to_camel(name): {"type": "null"} for name in SEGMENT_CHOICES}
        properties["kind"] = {"const": kind.value}
        required: list[JsonValue] = []
        if needs:
            properties[to_camel(needs)] = {"not": {"type": "null"}}
            required.append(to_camel(needs))
        kinds.append({"properties": properties, "required": required})
    return kinds


class Segment(Command):
    """Who a broadcast goes to: every customer, customers with an order in ``status``, or
    the customers of explicit ``order_ids`` or ``user_ids``."""

    kind: SegmentKind
    status: OrderStatus | None = None
    order_ids: IdList | None = None
    user_ids: IdList | None = None

    model_config = ConfigDict(json_schema_extra={"oneOf": _segment_kinds()})

    @model_validator(mode="after")
    def _has_what_its_kind_needs(self) -> Self:
        needs = SEGMENT_NEEDS[self.kind]
        given = {name for name in SEGMENT_CHOICES if getattr(self, name) is not None}
        if given != ({needs} if needs else set()):
            wanted = to_camel(needs) if needs else "nothing else"
            raise ValueError(f"a segment of kind {self.kind.value!r} takes {wanted}")
        return self


class BroadcastDraft(Command):
    text: MessageText
    segment: Segment
    formatted: StrictBool = Field(
        default=False,
        description="The text is Telegram HTML (<b>, <i>, <a href>...), sent as it is; "
        "otherwise it is shown exactly as typed.",
    )
