"""Send a turn's replies through a platform: rate limited, retried with backoff, never twice.

Each call of a turn has a mark (``sent:<channel>:<message id>:<n>``) written once the platform
accepted it. When a delivery is resumed (after a crash, a 5xx run or a redelivered update), the
calls already marked are skipped, so the person sees each message once and in order.
A ``PermanentFailure`` stops the turn and is reported back to be recorded against the person;
a ``TemporaryFailure`` that outlives the retries propagates, so the update stays in the inbox.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from musofir.dialogs import DeliveryOutcome, Outbound, StateStore, json_text
from musofir.dialogs.engine import resuming

from .channel import Channel, PlatformRequest
from .errors import PermanentFailure, Rejected, RetryAfter, TemporaryFailure
from .ratelimit import Limit, Limiter, Rate

log = logging.getLogger(__name__)

MARK_TTL_SECONDS = 7 * 24 * 3600
INLINE_TTL_SECONDS = 24 * 3600


@dataclass
class InlineSlot:
    """The webhook response still waiting: the turn's last call may ride in it (Telegram).

    The request handler closes the slot when its time budget runs out; from then on every call
    goes through the API. Single-threaded asyncio makes check-then-take safe without a lock.
    """

    open: bool = True
    body: dict[str, object] | None = field(default=None)

    def close(self) -> None:
        self.open = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    first_backoff_seconds: float = 0.5
    max_retry_after_seconds: float = 60.0  # longer waits leave the update to the inbox sweeper


STEADY_SHARE = 0.9


class Outbox:
    def __init__(
        self,
        store: StateStore,
        limiter: Limiter,
        policy: RetryPolicy | None = None,
        *,
        rate_scale: float = 1.0,
        steady: bool = False,
    ) -> None:
        """``steady``: no bursts, and a tenth below the rate, so that any one-second window
        stays under the platform's rate even when sends arrive a few milliseconds unevenly.
        Broadcasts send steadily; replies to people who wrote may burst, as platforms allow."""
        self.store = store
        self.limiter = limiter
        self.policy = policy or RetryPolicy()
        self.rate_scale = rate_scale
        self.steady = steady

    def _limits(self, channel: Channel, user_key: str) -> list[Limit]:
        scale = self.rate_scale
        if self.steady:
            return [
                (key, Rate(rate.per_second * scale * STEADY_SHARE, 1))
                for key, rate in channel.limits(user_key)
            ]
        return [
            (key, Rate(rate.per_second * scale, max(rate.burst, int(rate.burst * scale))))
            for key, rate in channel.limits(user_key)
        ]

    async def deliver(
        self,
        channel: Channel,
        *,
        chat_id: str,
        user_key: str,
        message_key: str,
        replies: Sequence[Outbound],
        inline: InlineSlot | None = None,
    ) -> DeliveryOutcome:
        requests = channel.render(chat_id, user_key, replies)
        marks = [f"sent:{message_key}:{n}" for n in range(len(requests))]
        already = await self.store.are_done(marks) if resuming.get() else [False] * len(marks)
        keep: tuple[tuple[str, str, int], ...] = ()
        for index, request in enumerate(requests):
            if already[index]:
                continue
            await self.limiter.wait(self._limits(channel, user_key))
            is_last = index == len(requests) - 1
            if is_last and inline is not None and inline.open:
                body = channel.to_inline(request)
                if body is not None:
                    inline.body = body
                    # If the response is lost, the platform redelivers the update: resend then.
                    # Written as the turn ends, with the dedupe mark, in the same round trip.
                    keep = ((f"inline:{message_key}", json_text.dumps(body), INLINE_TTL_SECONDS),)
                    break
            try:
                await self.send(channel, request)
            except PermanentFailure as failure:
                log.info("%s: permanent failure: %s", channel.name, failure.reason)
                return DeliveryOutcome(unreachable=failure.reason, keep=keep)
            except Rejected as rejected:
                log.error("%s refused a %s call: %s", channel.name, request.method, rejected)
            if request.keep is not None:
                await self.store.put_value(*request.keep, MARK_TTL_SECONDS)
            await self.store.mark_done(marks[index], MARK_TTL_SECONDS)
        return DeliveryOutcome(keep=keep)

    async def resend_inline(self, channel: Channel, message_key: str) -> bool:
        """A redelivered update whose reply rode in a response: that response was likely lost."""
        body = await self.store.take_value(f"inline:{message_key}")
        request = channel.from_inline(json_text.loads(body)) if body is not None else None
        if request is None:
            return False
        await self.send(channel, request)
        return True

    async def send(self, channel: Channel, request: PlatformRequest) -> None:
        """One call with retries: 429 waits as told, 5xx and time-outs back off exponentially."""
        policy = self.policy
        for attempt in range(policy.attempts):
            try:
                await channel.send(request)
                return
            except RetryAfter as slow_down:
                if slow_down.seconds > policy.max_retry_after_seconds or (
                    attempt == policy.attempts - 1
                ):
                    raise TemporaryFailure(f"rate limited for {slow_down.seconds:g} s") from None
                log.warning("%s asks to wait %.1f s", channel.name, slow_down.seconds)
                await asyncio.sleep(slow_down.seconds)
            except TemporaryFailure as failure:
                if attempt == policy.attempts - 1:
                    raise
                delay = policy.first_backoff_seconds * 2**attempt * random.uniform(0.8, 1.2)
                log.warning("%s failed (%s); retrying in %.1f s", channel.name, failure, delay)
                await asyncio.sleep(delay)


__all__ = ["InlineSlot", "Outbox", "RetryPolicy"]
