"""The privacy primitives: a keyed hash for messenger ids, encryption for reply addresses.

Both secrets come from the environment. Without them a key is created in the data folder with a
warning, so a demo works at once and a deployment is told to set real secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger(__name__)

PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud by staff


def load_or_create_key(value: str | None, path: Path, *, env_name: str, fernet: bool) -> bytes:
    """The key from the environment, else from ``path``, else a new one saved there (0600)."""
    if value:
        return value.encode()
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key() if fernet else base64.urlsafe_b64encode(secrets.token_bytes(32))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    log.warning(
        "%s is not set: created a key in %s; set %s in production", env_name, path, env_name
    )
    return key


@dataclass(frozen=True, slots=True)
class KeyedHasher:
    secret: bytes

    def __call__(self, channel: str, user_id: str) -> str:
        message = f"{channel}\x00{user_id}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Sealer:
    """Encrypts what we must keep to reply (a chat id, a phone number) and nothing else."""

    fernet: Fernet

    @classmethod
    def from_key(cls, key: bytes) -> Sealer:
        try:
            return cls(Fernet(key))
        except ValueError as error:
            raise ValueError(
                "MUSOFIR_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64 bytes); make one "
                "with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from error

    def seal(self, plain: str) -> str:
        return self.fernet.encrypt(plain.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise ValueError("cannot decrypt: the encryption key has changed") from error


def new_pseudonym(length: int = 4) -> str:
    return "Guest-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(length))


__all__ = ["KeyedHasher", "Sealer", "load_or_create_key", "new_pseudonym"]
