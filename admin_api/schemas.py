"""Request and response bodies that only the HTTP API has; the rest come from ``core``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, StrictBool, StringConstraints, model_validator

from core.accounts.commands import Password
from core.accounts.models import User
from core.base.commands import Command, Name
from core.base.fields import given
from core.base.models import Model


class ProfileChanges(Command):
    """Change the name, the password (confirming the current one), whether a cart left
    untouched earns a reminder, or several at once."""

    name: Name | None = None
    old_password: Annotated[str, StringConstraints(max_length=72)] | None = None
    new_password: Password | None = None
    cart_reminders: StrictBool | None = None

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [given("name"), given("newPassword"), given("cartReminders")]}
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.name is None and self.new_password is None and self.cart_reminders is None:
            raise ValueError("give name, newPassword, cartReminders or several")
        return self


class Session(Model):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a scheme name)
    expires_at: datetime
    user: User


class Health(Model):
    status: Literal["ok", "ready"]
