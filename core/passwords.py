"""bcrypt hashing, run in a worker thread so the event loop keeps serving."""

from __future__ import annotations

import asyncio

import bcrypt


class PasswordHasher:
    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        # Compared against when an email is unknown, so both failures take the same time.
        self._decoy = bcrypt.hashpw(b"decoy password", bcrypt.gensalt(rounds))

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(self.rounds)
        hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)
        return hashed.decode()

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Check ``password`` against ``hashed``; ``None`` burns the same time and fails."""
        candidate = password.encode()[:72]
        target = hashed.encode() if hashed else self._decoy
        matches = await asyncio.to_thread(bcrypt.checkpw, candidate, target)
        return matches and hashed is not None
