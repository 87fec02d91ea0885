"""Staff accounts (lawyers, doctors, social workers, admins) for the specialists' console.

Passwords are hashed with scrypt from the standard library: memory-hard, and no extra dependency
for the one place we hash passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .models import StaffMember, StaffPublic, StaffRole

_N, _R, _P = 2**14, 8, 1


class StaffExistsError(ValueError):
    pass


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


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


def list_staff(engine: Engine) -> list[StaffPublic]:
    with Session(engine) as session:
        members = session.exec(select(StaffMember).order_by(StaffMember.username)).all()
        return [StaffPublic.model_validate(m, from_attributes=True) for m in members]


__all__ = ["StaffExistsError", "add_staff", "hash_password", "list_staff", "verify_password"]
