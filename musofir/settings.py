"""One settings class: every environment variable Musofir reads, with demo-safe defaults.

Nothing else reads ``os.environ``. Settings are built in the app factory and the CLI, so tests and
``musofir demo`` can pass overrides.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=Path("musofir-data"),
        validation_alias=AliasChoices("MUSOFIR_DATA_DIR", "data_dir"),
        description="Folder for the SQLite file and generated keys; every command uses it.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; empty means SQLite in the data folder.",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "redis_url"),
        description="Redis for conversation state; empty means in-memory state.",
    )
    encryption_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MUSOFIR_ENCRYPTION_KEY", "encryption_key"),
        description="Fernet key that encrypts reply addresses at rest.",
    )
    hash_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MUSOFIR_HASH_KEY", "hash_key"),
        description="Secret for the keyed hash of messenger ids.",
    )
    knowledge_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("MUSOFIR_KNOWLEDGE_DIR", "knowledge_dir"),
        description="Topic files to serve instead of the packaged ones.",
    )
    public_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PUBLIC_URL", "public_url"),
        description="Where the server is reachable from outside, for webhooks and links.",
    )
    cookie_secure: bool = Field(
        default=False,
        validation_alias=AliasChoices("MUSOFIR_COOKIE_SECURE", "cookie_secure"),
        description="Mark the web chat cookie Secure (set it when serving over HTTPS).",
    )

    @field_validator("database_url", "redis_url", "encryption_key", "hash_key", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Plain postgres:// URLs (as hosting panels give them) get the psycopg 3 driver.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{(self.data_dir / 'musofir.db').resolve()}"


__all__ = ["Settings"]
