"""bcrypt hashing, run in a worker thread so the event loop keeps serving.

bcrypt reads at most 72 bytes. A longer password (72 characters can be 288 bytes) is first
reduced to its SHA-256 digest in base64, so every character of it counts. No password
longer than 72 bytes was ever stored another way, so there is nothing to tell apart.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib

import bcrypt

BCRYPT_MAX_BYTES = 72


def _secret(password: str) -> bytes:
    """The bytes bcrypt hashes for ``password``."""
    raw = password.encode()
    if len(raw) <= BCRYPT_MAX_BYTES:
        return raw
    return base64.b64encode(hashlib.sha256(raw).digest())


class PasswordHasher:
    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        # Compared against when an email is unknown, so both failures take the same time.
        self._decoy = bcrypt.hashpw(b"decoy password", bcrypt.gensalt(rounds))

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(self.rounds)
        hashed = await asyncio.to_thread(bcrypt.hashpw, _secret(password), salt)
        return hashed.decode()

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Check ``password`` against ``hashed``; ``None`` burns the same time and fails."""
        target = hashed.encode() if hashed else self._decoy
        matches = await asyncio.to_thread(bcrypt.checkpw, _secret(password), target)
        return matches and hashed is not None
