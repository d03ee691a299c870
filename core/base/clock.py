"""The one place that reads the time, so that every timestamp is timezone-aware UTC."""

from datetime import UTC, datetime


def now() -> datetime:
    """The current time in UTC, truncated to milliseconds as BSON stores it."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
