"""Staff accounts (lawyers, doctors, social workers, front desk, admins) for the console.

Passwords are hashed with argon2id (argon2-cffi, the reference implementation's bindings);
hashes made before it (scrypt) still verify and are rehashed with argon2 at the next login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .models import StaffMember, StaffPublic, StaffRole

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("a password nobody has")
MIN_PASSWORD_LENGTH = 10


class StaffExistsError(ValueError):
    pass


class WeakPasswordError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(engine: Engine, username: str, password: str) -> StaffMember | None:
    """The staff member whose password this is, or None; the time taken does not tell which."""
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.username == username)).first()
        if member is None:
            verify_password(password, _DUMMY_HASH)  # same work as a real check
            return None
        if not verify_password(password, member.password_hash):
            return None
        if member.password_hash.startswith("scrypt$") or _HASHER.check_needs_rehash(
            member.password_hash
        ):
            member.password_hash = _HASHER.hash(password)
            session.add(member)
            session.commit()
            session.refresh(member)
        session.expunge(member)
        return member


def add_staff(
    engine: Engine, *, username: str, display_name: str, role: StaffRole, password: str
) -> StaffPublic:
    member = StaffMember(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
    )
    with Session(engine) as session:
        session.add(member)
        try:
            session.commit()
        except IntegrityError as error:
            raise StaffExistsError(f"a staff member named {username!r} already exists") from error
        return StaffPublic.model_validate(member, from_attributes=True)


def ensure_demo_specialist(engine: Engine, username: str = "demo") -> str:
    """The demo's one specialist (a lawyer) with a fresh random password, returned to print."""
    password = secrets.token_urlsafe(12)
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.username == username)).first()
        if member is None:
            member = StaffMember(
                username=username, display_name="Demo lawyer", role=StaffRole.LAWYER,
                password_hash="",
            )  # fmt: skip
        member.password_hash = hash_password(password)
        session.add(member)
        session.commit()
    return password


def list_staff(engine: Engine) -> list[StaffPublic]:
    with Session(engine) as session:
        members = session.exec(select(StaffMember).order_by(StaffMember.username)).all()
        return [StaffPublic.model_validate(m, from_attributes=True) for m in members]


__all__ = [
    "MIN_PASSWORD_LENGTH",
    "StaffExistsError",
    "WeakPasswordError",
    "add_staff",
    "authenticate",
    "ensure_demo_specialist",
    "hash_password",
    "list_staff",
    "verify_password",
]
