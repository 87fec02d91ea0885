"""Console sign-in: sessions, CSRF tokens and throttled failed logins.

A session is a random token in an HttpOnly, SameSite=Strict cookie scoped to ``/console``; the
database keeps only its SHA-256, so a leaked database opens no session. Each session has its
own CSRF token that every POST must carry (header ``X-CSRF-Token`` or form field
``csrf_token``). The login form, having no session yet, uses a double-submit cookie.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from musofir.storage.models import ConsoleSession, StaffMember
from redis.asyncio import Redis
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

COOKIE = "musofir_console"
LOGIN_COOKIE = "musofir_login"
SESSION_HOURS = 12
FAILURES_ALLOWED = 5
FAILURE_WINDOW_SECONDS = 15 * 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    member: StaffMember
    csrf: str


class Sessions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, member: StaffMember) -> str:
        token = secrets.token_urlsafe(32)
        with Session(self.engine) as session:
            now = datetime.now(UTC)
            session.exec(delete(ConsoleSession).where(col(ConsoleSession.expires_at) < now))
            session.add(
                ConsoleSession(
                    token_hash=_digest(token),
                    staff_id=member.id or 0,
                    csrf_token=secrets.token_urlsafe(24),
                    expires_at=now + timedelta(hours=SESSION_HOURS),
                )
            )
            session.commit()
        return token

    def find(self, token: str | None) -> SignedIn | None:
        if not token or len(token) > 100:
            return None
        with Session(self.engine) as session:
            row = session.exec(
                select(ConsoleSession, StaffMember)
                .join(StaffMember, col(StaffMember.id) == col(ConsoleSession.staff_id))
                .where(ConsoleSession.token_hash == _digest(token))
            ).first()
            if row is None:
                return None
            found, member = row
            if found.expires_at < datetime.now(UTC):
                return None
            session.expunge(member)
            return SignedIn(member, found.csrf_token)

    async def afind(self, token: str | None) -> SignedIn | None:
        return await asyncio.to_thread(self.find, token)

    def end(self, token: str) -> None:
        with Session(self.engine) as session:
            session.exec(
                delete(ConsoleSession).where(col(ConsoleSession.token_hash) == _digest(token))
            )
            session.commit()


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


class LoginThrottle:
    """Failed logins counted per account and per address; past the limit, wait out the window.

    In memory for one process; with Redis, shared by every process.
    """

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}

    async def blocked_for(self, keys: tuple[str, ...]) -> int:
        """Seconds until another try is allowed (0: allowed now)."""
        now = time.time()
        wait = 0
        for key in keys:
            recent = [t for t in self._failures.get(key, []) if t > now - FAILURE_WINDOW_SECONDS]
            self._failures[key] = recent
            if len(recent) >= FAILURES_ALLOWED:
                wait = max(wait, int(recent[0] + FAILURE_WINDOW_SECONDS - now) + 1)
        return wait

    async def failed(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            self._failures.setdefault(key, []).append(time.time())

    async def succeeded(self, keys: tuple[str, ...]) -> None:
        self._failures.pop(keys[0], None)  # the account's count; the address keeps its own


class RedisLoginThrottle(LoginThrottle):
    def __init__(self, redis: Redis) -> None:
        super().__init__()
        self.redis = redis

    async def blocked_for(self, keys: tuple[str, ...]) -> int:
        wait = 0
        for key in keys:
            name = f"console:login-failures:{key}"
            count = int(await self.redis.get(name) or 0)
            if count >= FAILURES_ALLOWED:
                wait = max(wait, int(await self.redis.ttl(name)) or 1)
        return wait

    async def failed(self, keys: tuple[str, ...]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in keys:
                name = f"console:login-failures:{key}"
                pipe.incr(name)
                pipe.expire(name, FAILURE_WINDOW_SECONDS, nx=True)
            await pipe.execute()

    async def succeeded(self, keys: tuple[str, ...]) -> None:
        await self.redis.delete(f"console:login-failures:{keys[0]}")


def throttle_keys(username: str, address: str) -> tuple[str, ...]:
    return (f"user:{username.casefold()[:64]}", f"addr:{address}")


__all__ = [
    "COOKIE",
    "LOGIN_COOKIE",
    "SESSION_HOURS",
    "LoginThrottle",
    "RedisLoginThrottle",
    "Sessions",
    "SignedIn",
    "csrf_matches",
    "throttle_keys",
]
