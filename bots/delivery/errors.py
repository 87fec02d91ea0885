"""How a platform call can fail, in the three kinds the outbox treats differently."""

from __future__ import annotations


class SendError(Exception):
    """A platform call that did not deliver; ``reason`` is short and safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryAfter(SendError):
    """The platform asked us to slow down (HTTP 429): wait this long, then send again."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(reason)
        self.seconds = seconds


class TemporaryFailure(SendError):
    """5xx, a time-out or a dropped connection: worth retrying with backoff."""


class PermanentFailure(SendError):
    """The person cannot be reached this way (blocked the bot, unsubscribed, outside the window).

    Recorded against the person and never retried.
    """


class Rejected(SendError):
    """The platform refused this one message (bad request): retrying would fail the same way."""


__all__ = ["PermanentFailure", "Rejected", "RetryAfter", "SendError", "TemporaryFailure"]
