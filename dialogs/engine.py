"""The dialog engine: one channel-neutral pipeline from an inbound message to the replies.

Per message, in this order (the order is the point):
1. take the person's lock *before* loading state, so their messages are handled one at a time
   and in arrival order, while different people run concurrently;
2. a message with a reply journal was routed before but its delivery was cut short (a crash, a
   platform down): deliver the journalled replies, never route it again; a message already
   handled is skipped (platforms redeliver webhooks; the platform's id is the dedupe key);
3. load state, route the turn, and on any error reply kindly instead of going silent;
4. write state and the reply journal together, hand the replies to ``deliver``, and only then
   mark the message handled and drop the journal. A crash anywhere before that point means the
   platform's retry (or the inbox sweeper) finishes the delivery; nothing is lost or decided twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from musofir.nlu import clean

from . import json_text
from .messages import Inbound, Outbound
from .router import route
from .script import in_persons_script
from .state import Conversation, StateStore
from .turn import Services, Turn, remember_options
from .wire import outbound_from_json, outbound_to_json

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
"""Longer messages are cut here: no question needs more, and it bounds the work per message."""

JOURNAL_TTL_SECONDS = 7 * 24 * 3600

resuming: ContextVar[bool] = ContextVar("resuming", default=False)
"""True while ``deliver`` replays a journal: only then can parts be marked sent already."""


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What a channel learnt while delivering; ``unreachable`` is a permanent failure's reason."""

    unreachable: str | None = None
    keep: tuple[tuple[str, str, int], ...] = ()  # values to write as the turn ends


Deliver = Callable[[Sequence[Outbound]], Awaitable[DeliveryOutcome | None]]
ForgetHook = Callable[[Inbound, str], Awaitable[None]]
UnreachableHook = Callable[[str, str], Awaitable[None]]
AnswerFirst = Callable[[str], Awaitable[list[Outbound] | None]]


class DialogEngine:
    def __init__(
        self,
        services: Services,
        store: StateStore,
        *,
        dedupe_ttl_seconds: int = 7 * 24 * 3600,
    ) -> None:
        self.services = services
        self.store = store
        self.dedupe_ttl_seconds = dedupe_ttl_seconds
        self._forget_hooks: list[ForgetHook] = []
        self._unreachable_hooks: list[UnreachableHook] = []

    def on_forget(self, hook: ForgetHook) -> None:
        """Run ``hook(inbound, user_key)`` when a person erases their data (channels keep logs)."""
        self._forget_hooks.append(hook)

    def on_unreachable(self, hook: UnreachableHook) -> None:
        """Run ``hook(user_key, reason)`` when a person blocks us or unsubscribes on a platform."""
        self._unreachable_hooks.append(hook)

    def user_key(self, inbound: Inbound) -> str:
        return self.services.people.key_for(inbound.channel, inbound.user_id)

    def user_key_for(self, channel: str, user_id: str) -> str:
        return self.services.people.key_for(channel, user_id)

    async def handle(
        self,
        inbound: Inbound,
        deliver: Deliver | None = None,
        *,
        answer_first: AnswerFirst | None = None,
        key: str | None = None,
    ) -> list[Outbound]:
        """Handle one message; ``answer_first`` lets a channel answer it without routing.

        SMS uses it for "MORE": the rest of a long answer belongs to the channel, not a flow.
        ``key`` is the person's ``user_key`` when the caller has worked it out already.
        """
        key = key or self.user_key(inbound)
        message_key = f"{inbound.channel}:{inbound.message_id}"
        journal_name = f"journal:{message_key}"
        async with self.store.turn(
            key, message_key, journal_name, self.dedupe_ttl_seconds
        ) as record:
            journal = record.journal
            resuming.set(journal is not None)
            if journal is not None:
                log.info("finishing the delivery of %s", message_key)
                replies = [outbound_from_json(item) for item in json_text.loads(journal)]
            elif record.done:
                log.info("duplicate message %s skipped", message_key)
                return []
            else:
                early = await answer_first(key) if answer_first is not None else None
                if early is not None:
                    replies = early
                    journal = json_text.dumps([outbound_to_json(reply) for reply in replies])
                    await self.store.put_value(journal_name, journal, JOURNAL_TTL_SECONDS)
                else:
                    replies = await self._turn(inbound, key, record.conversation, journal_name)
            if deliver is not None:
                outcome = await deliver(replies)
                if outcome is not None:
                    record.keep.extend(outcome.keep)
                    if outcome.unreachable:
                        await self._set_unreachable(key, outcome.unreachable)
            record.finished = True
            return replies

    async def _turn(
        self, inbound: Inbound, key: str, conversation: Conversation, journal_name: str
    ) -> list[Outbound]:
        turn = Turn(
            inbound=inbound,
            conversation=conversation,
            services=self.services,
            user_key=key,
            text=clean(inbound.text[: MAX_TEXT_CHARS * 2])[:MAX_TEXT_CHARS],
        )
        language_before = turn.conversation.language
        try:
            await route(turn)
        except Exception:
            log.exception("turn failed on %s", inbound.channel)
            turn.replies = [Outbound(text=turn.t("error.generic"), language=turn.language)]
        turn.replies = in_persons_script(turn.replies, turn.conversation)
        journal = json_text.dumps([outbound_to_json(reply) for reply in turn.replies])
        await self._persist(turn, language_before, (journal_name, journal, JOURNAL_TTL_SECONDS))
        return turn.replies

    async def set_reachable(
        self,
        channel: str,
        user_id: str,
        reachable: bool,
        reason: str,
        *,
        key: str | None = None,
    ) -> None:
        """Record a platform event about a person (Viber's subscribed / unsubscribed).

        ``key`` names the person directly when the server, not the platform, learnt it.
        """
        key = key or self.services.people.key_for(channel, user_id)
        async with self.store.lock(key):
            if reachable:
                conversation = await self.store.load(key)
                if conversation.unreachable:
                    conversation.unreachable = None
                    await self.store.save(key, conversation)
                    await self.services.people.set_unreachable(key, None)
            else:
                await self._set_unreachable(key, reason)

    async def amend(self, key: str, change: Callable[[Conversation], None]) -> None:
        """Change a person's state from outside a turn (a specialist closed their case).

        Under the person's lock, so it cannot interleave with a turn of theirs.
        """
        async with self.store.lock(key):
            conversation = await self.store.load(key)
            change(conversation)
            await self.store.save(key, conversation)

    async def _set_unreachable(self, key: str, reason: str) -> None:
        """Remember a permanent delivery failure, so nothing keeps sending into the void."""
        conversation = await self.store.load(key)
        conversation.unreachable = reason
        await self.store.save(key, conversation)
        await self.services.people.set_unreachable(key, reason)
        log.info("a person is unreachable: %s", reason)
        for hook in self._unreachable_hooks:
            await hook(key, reason)

    async def _persist(
        self, turn: Turn, language_before: str | None, journal: tuple[str, str, int]
    ) -> None:
        if turn.forgotten:
            await self.store.delete(turn.user_key)
            await self.store.put_value(*journal)
            for hook in self._forget_hooks:
                await hook(turn.inbound, turn.user_key)
            return
        conversation = turn.conversation
        conversation.turns += 1
        conversation.last_inbound_at = turn.inbound.received_at.timestamp()
        if conversation.unreachable:  # they wrote again: they unblocked us or resubscribed
            conversation.unreachable = None
            await self.services.people.set_unreachable(turn.user_key, None)
        remember_options(conversation, turn.replies)
        # A person is recorded once they choose a language (one write for a newcomer), and again
        # only when it changes: the language is what alerts and specialists need to reach them.
        needs_record = conversation.pseudonym is None or conversation.language != language_before
        if conversation.language is not None and needs_record:
            conversation.pseudonym = await self.services.people.remember(
                key=turn.user_key,
                channel=turn.inbound.channel,
                reply_to=turn.inbound.chat_id,
                language=conversation.language,
            )
        await self.store.save_turn(turn.user_key, conversation, journal)


__all__ = ["AnswerFirst", "Deliver", "DeliveryOutcome", "DialogEngine", "ForgetHook"]
