"""Subscribers written straight into the database, for alert tests with thousands of people."""

from __future__ import annotations

from dataclasses import dataclass

from musofir.storage.models import Person, Subscription
from musofir.storage.privacy import new_pseudonym
from musofir.storage.setup import Storage
from sqlmodel import Session


@dataclass(frozen=True)
class Recipient:
    channel: str  # telegram, whatsapp, viber, sms, webchat
    user_id: str  # the platform's id (a Telegram chat id, whatsapp:+7..., a Viber id)
    language: str = "ru"
    topics: str = "law"
    region: str | None = None


def add_subscribers(storage: Storage, recipients: list[Recipient]) -> list[str]:
    """Record each person as the engine would, subscribed; returns their keys, in order."""
    people = storage.people
    keys = []
    with Session(storage.engine) as session:
        for n, r in enumerate(recipients):
            key = people.key_for(r.channel, r.user_id)
            keys.append(key)
            session.add(
                Person(
                    key_hash=key,
                    pseudonym=f"{new_pseudonym(4)}{n}"[:16],
                    channel=r.channel,
                    reply_to_sealed=people.sealer.seal(r.user_id),
                    language=r.language,
                )
            )
            session.add(Subscription(person_key=key, topics=r.topics, region=r.region))
            if n % 1000 == 999:
                session.commit()
        session.commit()
    return keys


__all__ = ["Recipient", "add_subscribers"]
