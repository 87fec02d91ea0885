"""The people the bot talks to, kept pseudonymous: the engine's ``UserDirectory`` on the database.

Database calls are synchronous (SQLModel sessions) and short; they run in a worker thread so the
event loop keeps serving other people meanwhile.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from .models import Person, PersonPublic
from .privacy import KeyedHasher, Sealer, new_pseudonym

_PSEUDONYM_TRIES = 8


class PersonDirectory:
    def __init__(self, engine: Engine, hasher: KeyedHasher, sealer: Sealer) -> None:
        self.engine = engine
        self.hasher = hasher
        self.sealer = sealer

    def key_for(self, channel: str, user_id: str) -> str:
        return self.hasher(channel, user_id)

    async def remember(
        self, *, key: str, channel: str, reply_to: str, language: str | None
    ) -> str:
        return await asyncio.to_thread(self._remember, key, channel, reply_to, language)

    async def forget(self, key: str) -> None:
        await asyncio.to_thread(self._forget, key)

    async def set_unreachable(self, key: str, reason: str | None) -> None:
        await asyncio.to_thread(self._set_unreachable, key, reason)

    def _set_unreachable(self, key: str, reason: str | None) -> None:
        with Session(self.engine) as session:
            person = session.exec(select(Person).where(Person.key_hash == key)).first()
            if person is None:
                return  # not recorded yet (no language chosen): nothing to mark
            person.unreachable_reason = reason
            person.unreachable_at = datetime.now(UTC) if reason else None
            session.add(person)
            session.commit()

    def public(self, key: str) -> PersonPublic | None:
        """The firewall: what a console may show about a person."""
        with Session(self.engine) as session:
            person = session.exec(select(Person).where(Person.key_hash == key)).first()
            return PersonPublic.model_validate(person, from_attributes=True) if person else None

    def unreachable_reason(self, key: str) -> str | None:
        """Why messages to the person fail for good, if they do (alerts skip them)."""
        with Session(self.engine) as session:
            person = session.exec(select(Person).where(Person.key_hash == key)).first()
            return person.unreachable_reason if person else None

    def reply_address(self, key: str) -> tuple[str, str] | None:
        """The channel and the decrypted chat id, for messages the server starts."""
        with Session(self.engine) as session:
            person = session.exec(select(Person).where(Person.key_hash == key)).first()
            return (person.channel, self.sealer.open(person.reply_to_sealed)) if person else None

    def _remember(self, key: str, channel: str, reply_to: str, language: str | None) -> str:
        for attempt in range(_PSEUDONYM_TRIES):
            with Session(self.engine) as session:
                person = session.exec(select(Person).where(Person.key_hash == key)).first()
                if person is None:
                    # Collisions are rare with 32^4 names; a longer name after a few tries.
                    person = Person(
                        key_hash=key,
                        pseudonym=new_pseudonym(4 if attempt < 4 else 6),
                        channel=channel,
                        reply_to_sealed=self.sealer.seal(reply_to),
                        language=language,
                    )
                else:
                    if self.sealer.open(person.reply_to_sealed) != reply_to:
                        person.reply_to_sealed = self.sealer.seal(reply_to)
                    person.language = language
                    person.last_seen_at = datetime.now(UTC)
                session.add(person)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()  # a pseudonym clash, or the same person added at once
                    continue
                return person.pseudonym
        raise RuntimeError("could not record the person after several tries")

    def _forget(self, key: str) -> None:
        with Session(self.engine) as session:
            session.exec(delete(Person).where(col(Person.key_hash) == key))
            session.commit()


__all__ = ["PersonDirectory"]
