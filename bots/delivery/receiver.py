"""From a verified webhook update to delivered replies, holding on through crashes and outages.

A webhook handler calls ``receive``: the update is recorded and leased in the inbox, then
handled inside the request for up to ``budget_seconds`` (so the reply can ride in the response
where the platform allows it, and so a quick answer costs no background bookkeeping). Past the
budget the request returns 2xx and the work carries on; if the process dies, the lease expires and
a sweeper finishes it. Failures that outlive the outbox's retries leave the update in the inbox
for another attempt later; after ``max_attempts`` it is dropped with an error in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from musofir.dialogs import DeliveryOutcome, DialogEngine, Inbound, Outbound, json_text
from musofir.dialogs.wire import inbound_from_json, inbound_to_json

from .channel import Channel
from .errors import SendError
from .inbox import Inbox
from .outage import Outage, is_outage
from .outbox import InlineSlot, Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReceiverTimings:
    budget_seconds: float = 4.0  # well inside every platform's webhook time-out
    lease_seconds: float = 15.0  # renewed while an attempt runs; a dead holder's ends soon
    retry_pause_seconds: float = 30.0
    sweep_seconds: float = 5.0
    max_attempts: int = 20


class Receiver:
    def __init__(
        self,
        engine: DialogEngine,
        outbox: Outbox,
        inbox: Inbox,
        channels: Sequence[Channel],
        timings: ReceiverTimings | None = None,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.inbox = inbox
        self.channels = {channel.name: channel for channel in channels}
        self.timings = timings or ReceiverTimings()
        self._running: set[asyncio.Task[Any]] = set()

    async def receive(self, inbound: Inbound, *, inline: bool = False) -> dict[str, Any] | None:
        """Handle one update; return the call that rides in the webhook response, if any.

        Raises only when the inbox cannot record the update (Redis or the database down): the
        caller answers 503 so the platform delivers the update again.
        """
        channel = self.channels[inbound.channel]
        message_key = f"{inbound.channel}:{inbound.message_id}"
        entry = json_text.dumps(inbound_to_json(inbound))
        if not await self.inbox.hold(message_key, entry, self.timings.lease_seconds):
            log.info("%s is being handled elsewhere", message_key)
            return None
        slot = InlineSlot() if inline else None
        task = asyncio.create_task(self._attempt(channel, inbound, message_key, slot))
        self._track(task)
        try:
            await asyncio.wait_for(asyncio.shield(task), self.timings.budget_seconds)
        except TimeoutError:
            log.info("%s carries on after the webhook answered", message_key)
        if slot is not None:
            slot.close()
            return slot.body
        return None

    async def _attempt(
        self, channel: Channel, inbound: Inbound, message_key: str, slot: InlineSlot | None
    ) -> None:
        """One try at an update. The inbox keeps what is unfinished; only ``Outage`` escapes."""
        user_key = self.engine.user_key(inbound)

        async def deliver(replies: Sequence[Outbound]) -> DeliveryOutcome:
            return await self.outbox.deliver(
                channel,
                chat_id=inbound.chat_id,
                user_key=user_key,
                message_key=message_key,
                replies=replies,
                inline=slot,
            )

        renewal = _LeaseRenewal(self.inbox, message_key, self.timings.lease_seconds)
        try:
            replies = await self.engine.handle(
                inbound, deliver, answer_first=channel.answer_first(inbound), key=user_key
            )
            if not replies:  # a redelivery: its reply may have ridden in a lost response
                await self.outbox.resend_inline(channel, message_key)
            await self.inbox.remove(message_key)
        except SendError as failure:
            await self._retry_later(message_key, f"{channel.name}: {failure.reason}")
        except Exception as error:
            if is_outage(error):
                log.warning("%s waits for the database or Redis: %s", message_key, error)
                await self._retry_later(message_key, "an outage")
                raise Outage(str(error)) from error
            log.exception("handling %s failed", message_key)
            await self._retry_later(message_key, "an error")
        finally:
            renewal.cancel()

    async def _retry_later(self, message_key: str, why: str) -> None:
        try:
            failures = await self.inbox.retry_later(message_key, self.timings.retry_pause_seconds)
            if failures >= self.timings.max_attempts:
                await self.inbox.remove(message_key)
                log.error("gave up on %s after %d attempts (%s)", message_key, failures, why)
            else:
                log.warning("%s will be tried again (%s, attempt %d)", message_key, why, failures)
        except Exception:
            log.exception(
                "could not keep %s for later; the platform's redelivery will", message_key
            )

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("an update was left in the inbox: %s", task.exception())

    async def sweep(self) -> int:
        """Finish updates whose lease ran out (holder died, or a pause after a failure)."""
        finished = 0
        for message_key, entry in await self.inbox.pending():
            if not await self.inbox.lease(message_key, self.timings.lease_seconds):
                continue
            try:
                inbound = inbound_from_json(json_text.loads(entry))
                channel = self.channels[inbound.channel]
            except (ValueError, KeyError, TypeError):
                log.error("dropping an unreadable inbox entry %s", message_key)
                await self.inbox.remove(message_key)
                continue
            log.info("finishing %s from the inbox", message_key)
            try:
                await self._attempt(channel, inbound, message_key, None)
            except Outage:
                return finished  # try the rest once the outage is over
            finished += 1
        return finished

    async def sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("the inbox sweep failed; trying again shortly")
            await asyncio.sleep(self.timings.sweep_seconds)

    async def drain(self, timeout_seconds: float = 10.0) -> None:
        """On shutdown, let running updates finish; the inbox keeps any that do not."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout_seconds)


class _LeaseRenewal:
    """Renews a lease while an attempt runs, so only a dead holder's lease runs out.

    A timer rather than a task per update: nearly every attempt ends long before the first
    renewal is due, and a timer that never fires costs next to nothing.
    """

    def __init__(self, inbox: Inbox, message_key: str, lease_seconds: float) -> None:
        self.inbox = inbox
        self.message_key = message_key
        self.lease_seconds = lease_seconds
        self._loop = asyncio.get_running_loop()
        self._renewing: asyncio.Task[None] | None = None
        self._timer = self._loop.call_later(lease_seconds / 3, self._due)

    def _due(self) -> None:
        self._renewing = self._loop.create_task(self._renew())
        self._timer = self._loop.call_later(self.lease_seconds / 3, self._due)

    async def _renew(self) -> None:
        try:
            await self.inbox.renew(self.message_key, self.lease_seconds)
        except Exception as error:  # an outage: the attempt itself will notice
            log.info("could not renew the lease of %s: %s", self.message_key, error)

    def cancel(self) -> None:
        self._timer.cancel()
        if self._renewing is not None:
            self._renewing.cancel()


__all__ = ["Receiver", "ReceiverTimings"]
