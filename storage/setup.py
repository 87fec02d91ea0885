"""Open the storage the way every command does: one data folder, one database, one set of keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from musofir.settings import Settings

from .database import make_engine, migrate
from .people import PersonDirectory
from .privacy import KeyedHasher, Sealer, load_or_create_key
from .reports import ServiceReports
from .unanswered import UnansweredQuestions


@dataclass(frozen=True, slots=True)
class Storage:
    engine: Engine
    people: PersonDirectory
    reports: ServiceReports
    unanswered: UnansweredQuestions

    def close(self) -> None:
        self.engine.dispose()


def open_storage(settings: Settings) -> Storage:
    """Create the engine, migrate to the newest schema, and load or create the keys."""
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    hash_key = load_or_create_key(
        settings.hash_key,
        settings.data_dir / "hash.key",
        env_name="MUSOFIR_HASH_KEY",
        fernet=False,
    )
    encryption_key = load_or_create_key(
        settings.encryption_key,
        settings.data_dir / "encryption.key",
        env_name="MUSOFIR_ENCRYPTION_KEY",
        fernet=True,
    )
    people = PersonDirectory(engine, KeyedHasher(hash_key), Sealer.from_key(encryption_key))
    return Storage(engine, people, ServiceReports(engine), UnansweredQuestions(engine))


__all__ = ["Storage", "open_storage"]
