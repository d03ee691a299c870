"""What the ``new_user`` and ``new_product`` fixtures hand out: makers of rows through core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.models import Product, User

NewUser = Callable[..., Awaitable[User]]
"""``await new_user(name=..., password=..., email=...)``: a registered customer."""
NewProduct = Callable[..., Awaitable[Product]]
"""``await new_product(name=..., price=..., stock=..., **draft)``: a product in the catalog."""
