"""Base classes of what the shop stores and returns.

Documents use the seed's camelCase field names (``userId``, ``totalAmount``, ``createdAt``);
Python code uses snake_case. ``_id`` is read from the database and written out as ``id``.
Money is always an integer amount of minor units (cents) plus an ISO 4217 currency code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from core.base.ids import Id


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Document(Model):
    id: Id = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")
    created_at: datetime
    updated_at: datetime


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(Model, Generic[ItemT]):
    items: tuple[ItemT, ...]
    total: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))
