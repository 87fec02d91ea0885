"""The dialog engine: one channel-neutral pipeline from an inbound message to the replies.

Per message, in this order (the order is the point):
1. take the person's lock *before* loading state, so their messages are handled one at a time
   and in arrival order, while different people run concurrently;
2. skip a message already handled (platforms redeliver webhooks; the id is the dedupe key);
3. load state, route the turn, and on any error reply kindly instead of going silent;
4. write state through, then hand the replies to ``deliver``, and only then mark the message
   handled: a crash before that point means the platform's retry is handled again, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from musofir.nlu import clean

from .messages import Inbound, Outbound
from .router import route
from .state import StateStore
from .turn import Services, Turn, remember_options

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
"""Longer messages are cut here: no question needs more, and it bounds the work per message."""

Deliver = Callable[[Sequence[Outbound]], Awaitable[None]]
ForgetHook = Callable[[Inbound, str], Awaitable[None]]


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

    def on_forget(self, hook: ForgetHook) -> None:
        """Run ``hook(inbound, user_key)`` when a person erases their data (channels keep logs)."""
        self._forget_hooks.append(hook)

    def user_key(self, inbound: Inbound) -> str:
        return self.services.people.key_for(inbound.channel, inbound.user_id)

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> list[Outbound]:
        key = self.user_key(inbound)
        message_key = f"{inbound.channel}:{inbound.message_id}"
        async with self.store.lock(key):
            if await self.store.is_done(message_key):
                log.info("duplicate message %s skipped", message_key)
                return []
            turn = Turn(
                inbound=inbound,
                conversation=await self.store.load(key),
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
            await self._persist(turn, language_before)
            if deliver is not None:
                await deliver(turn.replies)
            await self.store.mark_done(message_key, self.dedupe_ttl_seconds)
            return turn.replies

    async def _persist(self, turn: Turn, language_before: str | None) -> None:
        if turn.forgotten:
            await self.store.delete(turn.user_key)
            for hook in self._forget_hooks:
                await hook(turn.inbound, turn.user_key)
            return
        conversation = turn.conversation
        conversation.turns += 1
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
        await self.store.save(turn.user_key, conversation)


__all__ = ["Deliver", "DialogEngine", "ForgetHook"]
