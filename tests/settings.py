"""Settings of the shops that tests open, in process and in child processes."""

from __future__ import annotations

import uuid
from typing import Any

from core.config import CoreSettings

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256"
ADDRESS = "192.0.2.1"
"""The client address of registrations and logins made through core in tests."""

DELIVERY_METHODS: list[dict[str, Any]] = [
    {"code": "pickup", "title": "Pickup", "info": "12 Market St, 9 to 6"},
    {"code": "courier", "title": "Courier", "fee": 500, "needsAddress": True},
]
"""Delivery methods for the tests of a shop that delivers (``core_overrides``)."""


def make_settings(**overrides: Any) -> CoreSettings:
    """Test settings: a unique database, cheap bcrypt, no env files."""
    values: dict[str, Any] = {
        "jwt_secret": TEST_SECRET,
        "bcrypt_rounds": 4,
        "mongodb_database": f"test_{uuid.uuid4().hex[:16]}",
        **overrides,
    }
    return CoreSettings(_env_file=None, **values)
