"""Domain exceptions every package shares. Each entrypoint maps them to its own kind of
error in one place."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Self

from pydantic_core import PydanticCustomError


class DomainError(Exception):
    """A rule of the shop said no.

    ``code`` is stable: the API's problem type. ``reason`` is as stable, and finer where one
    code covers several refusals (``no-such-order`` is a ``not-found``): an entrypoint that
    words refusals itself (the bot, in its readers' languages) keys its texts by it, never
    by ``message``, which is core's English for the API's problem details and the logs.
    ``REASONS`` lists every reason this very class is raised with: its code unless it says
    otherwise, none for a class only raised through its subclasses.
    """

    code = "domain-error"
    REASONS: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "REASONS" not in cls.__dict__:
            cls.REASONS = (cls.code,)

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or (self.REASONS[0] if self.REASONS else self.code)


def every_reason() -> set[str]:
    """The reason of every refusal core can raise (of its classes imported so far)."""

    def family(cls: type[DomainError]) -> Iterator[type[DomainError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from family(sub)

    core = [cls for cls in family(DomainError) if cls.__module__.startswith("core.")]
    return {reason for cls in core for reason in cls.REASONS}


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its path in the input, what is wrong with it in English, and the
    same as a stable ``kind`` (pydantic's error type, such as ``string_too_short``, or
    core's own, such as ``phone``) with the values it names (``{"max_length": 72}``)."""

    loc: tuple[str | int, ...]
    message: str
    kind: str = "invalid"
    context: Mapping[str, object] = field(default_factory=dict)


def field_error(loc: tuple[str | int, ...], exc: ValueError) -> FieldError:
    """``exc`` as the problem of the field at ``loc``: its kind is the type of a
    ``PydanticCustomError`` (core's validators raise those), else ``invalid``."""
    kind = exc.type if isinstance(exc, PydanticCustomError) else "invalid"
    return FieldError(loc, str(exc), kind)


class InvalidInput(DomainError):
    """Some fields are wrong (``errors``, one per field), or the input as a whole."""

    code = "invalid-input"

    def __init__(self, message: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class Reason(StrEnum):
    """The reasons of one kind of refusal: each member's value is the stable reason, and
    ``message`` what people read (``MEMBER = "reason", "Message."``)."""

    message: str

    def __new__(cls, value: str, message: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        return member


class Missing(Reason):
    """What a ``NotFound`` did not find."""

    PRODUCT = "no-such-product", "No such product."
    ORDER = "no-such-order", "No such order."
    USER = "no-such-user", "No such user."
    CATEGORY = "no-such-category", "No such category."
    BROADCAST = "no-such-broadcast", "No such broadcast."
    CART_LINE = "not-in-cart", "This product is not in your cart."
    PHOTO = "no-photo", "This product has no photo."
    KEY = "no-such-key", "No such key in this product's pool."
    GOODS = "no-goods", "This order has no digital goods sent yet."
    GOODS_FILE = "no-goods-file", "This product has no file."
    PROMO = "no-such-promo", "No such promo code."
    VARIANT = "no-such-variant", "This product has no such option."
    PRODUCT_PHOTO = "no-such-photo", "The product has no such photo."


class NotFound(DomainError):
    code = "not-found"
    REASONS = tuple(Missing)

    def __init__(self, what: Missing) -> None:
        super().__init__(what.message, what.value)
        self.what = what


class Conflict(DomainError):
    code = "conflict"
    REASONS: ClassVar[tuple[str, ...]] = ()


class VersionConflict(Conflict):
    code = "version-conflict"

    def __init__(self, what: str) -> None:
        super().__init__(f"The {what} was changed by someone else; reload it and try again.")


class Forbidden(DomainError):
    code = "forbidden"

    def __init__(self, message: str = "Your role may not do this.") -> None:
        super().__init__(message)
