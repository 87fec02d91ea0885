"""People are stored pseudonymously, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from musofir.storage import open_storage
from musofir.storage.models import StaffRole
from musofir.storage.setup import Storage
from musofir.storage.staff import StaffExistsError, add_staff, list_staff, verify_password
from sqlalchemy import inspect, text

from musofir.settings import Settings

CHAT_ID = "998901234567"


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    opened = open_storage(Settings(data_dir=tmp_path, database_url=url))
    yield opened
    opened.close()


def raw_rows(storage: Storage) -> str:
    with storage.engine.connect() as connection:
        return repr(connection.execute(text("select * from person")).fetchall())


def test_migrations_create_the_tables(storage: Storage) -> None:
    tables = set(inspect(storage.engine).get_table_names())
    assert {"person", "staff_member", "alembic_version"} <= tables


async def test_a_person_gets_a_short_pseudonym_and_no_raw_id_is_stored(storage: Storage) -> None:
    people = storage.people
    key = people.key_for("whatsapp", CHAT_ID)
    pseudonym = await people.remember(key=key, channel="whatsapp", reply_to=CHAT_ID, language="uz")
    assert re.fullmatch(r"Guest-[2-9A-HJ-NP-Z]{4}", pseudonym)
    assert CHAT_ID not in raw_rows(storage)
    assert people.reply_address(key) == ("whatsapp", CHAT_ID)
    public = people.public(key)
    assert public is not None and public.model_dump() == {"pseudonym": pseudonym, "language": "uz"}


async def test_the_same_person_keeps_their_pseudonym(storage: Storage) -> None:
    people = storage.people
    key = people.key_for("telegram", "42")
    first = await people.remember(key=key, channel="telegram", reply_to="42", language="ru")
    again = await people.remember(key=key, channel="telegram", reply_to="42", language="tg")
    assert first == again
    assert people.public(key) is not None and people.public(key).language == "tg"  # type: ignore[union-attr]


async def test_the_keyed_hash_differs_by_channel_and_secret(
    storage: Storage, tmp_path: Path
) -> None:
    people = storage.people
    assert people.key_for("telegram", "42") != people.key_for("viber", "42")
    other = open_storage(Settings(data_dir=tmp_path / "other"))
    assert other.people.key_for("telegram", "42") != people.key_for("telegram", "42")
    other.close()


async def test_forget_erases_the_row(storage: Storage) -> None:
    people = storage.people
    key = people.key_for("sms", CHAT_ID)
    await people.remember(key=key, channel="sms", reply_to=CHAT_ID, language="ky")
    await people.forget(key)
    assert people.public(key) is None
    assert raw_rows(storage) == "[]"


def test_staff_accounts_store_only_a_password_hash(storage: Storage) -> None:
    member = add_staff(
        storage.engine, username="lawyer1", display_name="Dilnoza", role=StaffRole.LAWYER,
        password="correct horse battery",
    )  # fmt: skip
    assert member.role is StaffRole.LAWYER
    with storage.engine.connect() as connection:
        stored = connection.execute(text("select password_hash from staff_member")).scalar_one()
    assert "correct horse" not in stored
    assert verify_password("correct horse battery", stored)
    assert not verify_password("wrong", stored)
    with pytest.raises(StaffExistsError):
        add_staff(
            storage.engine,
            username="lawyer1",
            display_name="x",
            role=StaffRole.DOCTOR,
            password="p" * 12,
        )
    assert [m.username for m in list_staff(storage.engine)] == ["lawyer1"]


def test_migrations_are_idempotent_across_restarts(tmp_path: Path) -> None:
    for _ in range(2):
        opened = open_storage(Settings(data_dir=tmp_path))
        opened.close()


def test_without_keys_in_the_environment_keys_are_created_privately(tmp_path: Path) -> None:
    opened = open_storage(Settings(data_dir=tmp_path))
    opened.close()
    for name in ("hash.key", "encryption.key"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0


def test_a_bad_encryption_key_is_refused_with_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"Fernet\.generate_key"):
        open_storage(Settings(data_dir=tmp_path, encryption_key="changethis"))
