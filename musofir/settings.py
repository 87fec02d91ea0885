"""One settings class: every environment variable Musofir reads, with demo-safe defaults.

Nothing else reads ``os.environ``. Settings are built in the app factory and the CLI, so tests and
``musofir demo`` can pass overrides.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
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
    nlu_backend: str = Field(
        default="builtin",
        validation_alias=AliasChoices("NLU_BACKEND", "nlu_backend"),
        description="Who picks the topic of a question: builtin (default) or rasa.",
    )
    rasa_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RASA_URL", "rasa_url"),
        description="The Rasa server (rasa run --enable-api) when NLU_BACKEND=rasa.",
    )

    # Messenger channels. A channel without its credentials is off; the start-up log says so.
    # Each *_API_BASE replaces the platform's own base address (tests point them at stand-ins).
    telegram_bot_token: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "telegram_bot_token")
    )
    telegram_webhook_secret: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_WEBHOOK_SECRET", "telegram_webhook_secret"),
        description="Telegram sends it back in X-Telegram-Bot-Api-Secret-Token on every update.",
    )
    telegram_api_base: str = Field(
        default="https://api.telegram.org",
        validation_alias=AliasChoices("TELEGRAM_API_BASE", "telegram_api_base"),
    )
    twilio_account_sid: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "twilio_account_sid")
    )
    twilio_auth_token: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "twilio_auth_token")
    )
    twilio_whatsapp_from: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TWILIO_WHATSAPP_FROM", "twilio_whatsapp_from"),
        description="The WhatsApp sender, e.g. whatsapp:+14155238886.",
    )
    twilio_sms_from: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_SMS_FROM", "twilio_sms_from")
    )
    twilio_api_base: str = Field(
        default="https://api.twilio.com",
        validation_alias=AliasChoices("TWILIO_API_BASE", "twilio_api_base"),
    )
    viber_auth_token: str | None = Field(
        default=None, validation_alias=AliasChoices("VIBER_AUTH_TOKEN", "viber_auth_token")
    )
    viber_bot_name: str = Field(
        default="Musofir", validation_alias=AliasChoices("VIBER_BOT_NAME", "viber_bot_name")
    )
    viber_api_base: str = Field(
        default="https://chatapi.viber.com/pa",
        validation_alias=AliasChoices("VIBER_API_BASE", "viber_api_base"),
    )

    inbox_lease_seconds: float = Field(
        default=15.0,
        gt=0,
        validation_alias=AliasChoices("MUSOFIR_INBOX_LEASE_SECONDS", "inbox_lease_seconds"),
        description="How soon another process finishes an update whose process died.",
    )

    rate_limit_scale: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices("MUSOFIR_RATE_LIMIT_SCALE", "rate_limit_scale"),
        description="Multiplies the platforms' rate limits; only benchmarks against stand-ins "
        "raise it, to measure Musofir rather than Telegram's 30 messages a second.",
    )

    # The help centre: its time zone and working hours per role (OpenStreetMap style, as service
    # cards use), where visitors come, and how long closed cases are kept.
    centre_timezone: str = Field(
        default="Europe/Moscow",
        validation_alias=AliasChoices("MUSOFIR_CENTRE_TIMEZONE", "centre_timezone"),
    )
    hours_lawyer: str = Field(
        default="Mo-Fr 09:00-18:00",
        validation_alias=AliasChoices("MUSOFIR_HOURS_LAWYER", "hours_lawyer"),
    )
    hours_doctor: str = Field(
        default="Mo-Fr 09:00-18:00",
        validation_alias=AliasChoices("MUSOFIR_HOURS_DOCTOR", "hours_doctor"),
    )
    hours_social_worker: str = Field(
        default="Mo-Fr 09:00-18:00",
        validation_alias=AliasChoices("MUSOFIR_HOURS_SOCIAL_WORKER", "hours_social_worker"),
    )
    centre_name: str = Field(
        default="Musofir help centre (sample)",
        validation_alias=AliasChoices("MUSOFIR_CENTRE_NAME", "centre_name"),
    )
    centre_address: str = Field(
        default="Sample address: set MUSOFIR_CENTRE_ADDRESS",
        validation_alias=AliasChoices("MUSOFIR_CENTRE_ADDRESS", "centre_address"),
        description="Shown on the visit card; the default says it is a sample.",
    )
    centre_latitude: float = Field(
        default=55.7558,
        ge=-90,
        le=90,
        validation_alias=AliasChoices("MUSOFIR_CENTRE_LATITUDE", "centre_latitude"),
    )
    centre_longitude: float = Field(
        default=37.6173,
        ge=-180,
        le=180,
        validation_alias=AliasChoices("MUSOFIR_CENTRE_LONGITUDE", "centre_longitude"),
    )
    retention_days: int = Field(
        default=180,
        ge=1,
        validation_alias=AliasChoices("MUSOFIR_RETENTION_DAYS", "retention_days"),
        description="Closed cases are deleted after this many days; an admin may change it.",
    )

    reminder_days: str = Field(
        default="patent=3,registration=7,appointment=1",
        validation_alias=AliasChoices("MUSOFIR_REMINDER_DAYS", "reminder_days"),
        description="How many days before each kind of deadline a reminder comes.",
    )
    alerts_approval: bool = Field(
        default=False,
        validation_alias=AliasChoices("MUSOFIR_ALERTS_APPROVAL", "alerts_approval"),
        description="A second staff member must approve each alert before it is sent.",
    )

    @field_validator(
        "database_url",
        "redis_url",
        "encryption_key",
        "hash_key",
        "public_url",
        "telegram_bot_token",
        "telegram_webhook_secret",
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_whatsapp_from",
        "twilio_sms_from",
        "viber_auth_token",
        "rasa_url",
        mode="before",
    )
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

    @property
    def reminder_days_before(self) -> dict[str, int]:
        """``patent=3,registration=7`` → {"patent": 3, "registration": 7}; refused if malformed."""
        days: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in self.reminder_days.split(","))):
            kind, sep, number = part.partition("=")
            if not sep or not number.strip().isdigit() or int(number) > 60:
                raise ValueError(
                    f"MUSOFIR_REMINDER_DAYS: {part!r} should be like patent=3 (0 to 60 days)"
                )
            days[kind.strip()] = int(number)
        return days

    @property
    def centre_is_sample(self) -> bool:
        """The visit card says "sample" until a real address is configured."""
        return self.centre_address == type(self).model_fields["centre_address"].default

    @field_validator("telegram_api_base", "twilio_api_base", "viber_api_base", "public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator(
        "telegram_api_base",
        "twilio_api_base",
        "viber_api_base",
        "viber_bot_name",
        "centre_timezone",
        "hours_lawyer",
        "hours_doctor",
        "hours_social_worker",
        "centre_name",
        "centre_address",
        "nlu_backend",
        mode="before",
    )
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        if value in ("", None):
            return cls.model_fields[info.field_name or ""].default
        return value


__all__ = ["Settings"]
