"""How long queued work waits before its next try after a failure."""

from __future__ import annotations

import random
from datetime import timedelta

MAX_BACKOFF = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """A growing wait after ``attempts`` tries (2, 4, 8... seconds, at most ``MAX_BACKOFF``),
    jittered down by up to half so that failures do not retry in step."""
    base = min(MAX_BACKOFF.total_seconds(), 2 ** min(attempts, 10))
    return timedelta(seconds=base * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
