"""Faults a test can switch on: flood limits and injected server failures.

Blocking is per chat (:attr:`sandbox.models.Chat.blocked`); everything else lives here.
"""

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.errors import ApiError

Clock = Callable[[], float]


class RateLimiter:
    """Sliding one-second windows: at most ``global_per_second`` sends for the whole bot and
    ``per_chat_per_second`` per chat (Telegram's documented 30/s and 1/s)."""

    def __init__(self, global_per_second: int, per_chat_per_second: int, clock: Clock) -> None:
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self._clock = clock
        self._all: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def check(self, chat_id: int) -> None:
        """Raise 429 when one more send to ``chat_id`` would exceed a limit."""
        now = self._clock()
        for window, limit in (
            (self._all, self.global_per_second),
            (self._per_chat.setdefault(chat_id, deque()), self.per_chat_per_second),
        ):
            while window and window[0] <= now - 1:
                window.popleft()
            if len(window) >= limit:
                retry_after = max(1, math.ceil(window[0] + 1 - now))
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def record(self, chat_id: int) -> None:
        now = self._clock()
        self._all.append(now)
        self._per_chat.setdefault(chat_id, deque()).append(now)


@dataclass
class Failure:
    """Calls to fail: the next ``count`` matching calls, or every one until ``until``.

    ``status`` is the HTTP error (500, 502, or 429 with ``retry_after``); ``drop`` closes the
    connection without an answer instead. With ``after=True`` the method runs first (the
    message is really sent) and only the answer is lost, like a timeout after Telegram
    accepted the request.
    """

    status: int = 500
    retry_after: int = 1
    """Seconds a 429 asks the bot to wait."""
    drop: bool = False
    after: bool = False
    count: int | None = None
    until: float | None = None
    methods: frozenset[str] | None = None
    """Lower-case method names; None means every method but getUpdates."""

    def active(self, now: float) -> bool:
        return (self.count is None or self.count > 0) and (self.until is None or now < self.until)

    def matches(self, method: str) -> bool:
        return method != "getupdates" if self.methods is None else method in self.methods

    def error(self) -> ApiError:
        if self.status == 429:
            return ApiError(
                429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after
            )
        return ApiError(self.status, {502: "Bad Gateway"}.get(self.status, "Internal Server Error"))


class Faults:
    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self.rate_limiter: RateLimiter | None = None
        self.failures: list[Failure] = []

    def rate_limit(self, global_per_second: int = 30, per_chat_per_second: int = 1) -> None:
        """Answer 429 with ``retry_after`` to sends beyond these rates."""
        self.rate_limiter = RateLimiter(global_per_second, per_chat_per_second, self.clock)

    def fail(
        self,
        count: int | None = 1,
        *,
        seconds: float | None = None,
        status: int = 500,
        retry_after: int = 1,
        drop: bool = False,
        after: bool = False,
        methods: list[str] | None = None,
    ) -> Failure:
        """Fail the next ``count`` calls, or (``count=None``) all calls for ``seconds``."""
        until = None if seconds is None else self.clock() + seconds
        failure = Failure(
            status=status,
            retry_after=retry_after,
            drop=drop,
            after=after,
            count=count if seconds is None else None,
            until=until,
            methods=None if methods is None else frozenset(m.lower() for m in methods),
        )
        self.failures.append(failure)
        return failure

    def take_failure(self, method: str) -> Failure | None:
        """The failure the call of ``method`` (lower case) must suffer, consuming one count."""
        now = self.clock()
        self.failures = [f for f in self.failures if f.active(now)]
        failure = next((f for f in self.failures if f.matches(method)), None)
        if failure is not None and failure.count is not None:
            failure.count -= 1
        return failure

    def clear(self) -> None:
        self.rate_limiter = None
        self.failures.clear()
