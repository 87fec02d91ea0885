"""Cases and their messages in the database: the one place that reads and writes them.

Every change that two people (or two processes) could race on is a conditional UPDATE, so a
case is claimed by one specialist only and a closed case stays closed. Methods are synchronous
(SQLModel sessions, short); callers on the event loop run them in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from musofir.storage.models import Case, CaseMessage, Person, StaffMember, Visit
from sqlalchemy import ColumnElement, Engine, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

OPEN_STATUSES = ("queued", "claimed")


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A line of the queue: what a specialist sees before opening a case."""

    id: int
    role: str
    language: str
    channel: str
    region: str | None
    pseudonym: str
    summary: str
    status: str
    assignee: str | None
    assignee_id: int | None
    created_at: datetime
    last_person_at: datetime | None
    unread: int
    waiting_window: bool
    urgent: bool
    expected_by: datetime | None
    outcome: str | None
    rating: int | None
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Forwarded:
    """A person's message reached an open case: its role, and the new message's id (None when
    it was recorded before: a platform's redelivery)."""

    role: str
    message_id: int | None


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    author: str
    staff: str | None
    text: str
    media_kind: str | None
    media_ref: str | None
    latitude: float | None
    longitude: float | None
    delivery: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: CaseSummary
    person_key: str
    assignee_id: int | None
    messages: list[MessageView]
    previous: list[CaseSummary]


def _now() -> datetime:
    return datetime.now(UTC)


class CaseStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # The person's side ------------------------------------------------------------------------

    def open_case_of(self, person_key: str) -> Case | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.exec(
                select(Case)
                .where(Case.person_key == person_key, col(Case.status).in_(OPEN_STATUSES))
                .order_by(col(Case.id).desc())
            ).first()

    def open_case(
        self,
        *,
        person_key: str,
        role: str,
        language: str,
        channel: str,
        region: str | None,
        summary: str,
        expected_by: datetime | None,
    ) -> tuple[Case, bool]:
        """A new case, or the person's open one (one case at a time); True when it is new."""
        existing = self.open_case_of(person_key)
        if existing is not None:
            return existing, False
        case = Case(
            person_key=person_key,
            role=role,
            language=language,
            channel=channel,
            region=region,
            summary=summary[:300],
            expected_by=expected_by,
            last_person_at=_now() if summary else None,
            unread=1 if summary else 0,
        )
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(case)
            session.commit()
            session.refresh(case)
            if summary:
                session.add(CaseMessage(case_id=case.id or 0, author="person", text=summary))
                session.commit()
            session.expunge(case)
        return case, True

    def add_person_message(
        self,
        case_id: int,
        *,
        source_key: str,
        text: str,
        media_kind: str | None = None,
        media_ref: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        urgent: bool = False,
    ) -> Forwarded | None:
        """Record the message; None when the case is closed (or gone)."""
        with Session(self.engine, expire_on_commit=False) as session:
            case = session.get(Case, case_id)
            if case is None or case.status not in OPEN_STATUSES:
                return None
            role = case.role
            message = CaseMessage(
                case_id=case_id,
                author="person",
                text=text[:8000],
                media_kind=media_kind,
                media_ref=(media_ref or None) and media_ref[:1000],
                latitude=latitude,
                longitude=longitude,
                source_key=source_key,
            )
            session.add(message)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                return Forwarded(role, None)  # the same platform message, replayed after a crash
            marks: dict[str, object] = {"urgent": True} if urgent else {}
            session.execute(
                update(Case)
                .where(col(Case.id) == case_id)
                .values(unread=Case.unread + 1, last_person_at=_now(), **marks)
            )
            session.commit()
            return Forwarded(role, message.id)

    def end_by_person(self, case_id: int, person_key: str) -> str | None:
        """The case's role when the person's "end" closed it; None when it was closed before."""
        return self._close(case_id, "ended_by_person", person_key=person_key)

    def rate(self, case_id: int, person_key: str, rating: int) -> str | None:
        """The case's role when the rating was kept; None otherwise."""
        if not 1 <= rating <= 5:
            return None
        with Session(self.engine, expire_on_commit=False) as session:
            rated = session.execute(
                update(Case)
                .where(
                    col(Case.id) == case_id,
                    col(Case.person_key) == person_key,
                    col(Case.status) == "closed",
                )
                .values(rating=rating)
                .returning(col(Case.role))
            ).scalar_one_or_none()
            session.commit()
            return rated

    def take_waiting(self, person_key: str, turn_key: str) -> list[tuple[int, str, str]]:
        """(case id, role, text) of replies held back for the person, oldest first."""
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(CaseMessage, Case)
                .join(Case, col(Case.id) == col(CaseMessage.case_id))
                .where(
                    Case.person_key == person_key,
                    CaseMessage.author == "staff",
                    or_(
                        col(CaseMessage.delivery) == "waiting",
                        col(CaseMessage.delivered_with) == turn_key,
                    ),
                )
                .order_by(col(CaseMessage.id))
            ).all()
            taken = []
            for message, case in rows:
                message.delivery, message.delivered_with = "sent", turn_key
                session.add(message)
                taken.append((case.id or 0, case.role, message.text))
            for case_id in {case.id for _, case in rows}:
                session.execute(
                    update(Case).where(col(Case.id) == case_id).values(waiting_window=False)
                )
            session.commit()
            return taken

    # The specialist's side --------------------------------------------------------------------

    def claim(self, case_id: int, staff_id: int) -> bool:
        with Session(self.engine, expire_on_commit=False) as session:
            result = session.execute(
                update(Case)
                .where(
                    col(Case.id) == case_id,
                    or_(col(Case.status) == "queued", col(Case.assignee_id) == staff_id),
                    col(Case.status) != "closed",
                )
                .values(status="claimed", assignee_id=staff_id, claimed_at=_now())
            )
            session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, case_id: int, staff_id: int) -> bool:
        with Session(self.engine, expire_on_commit=False) as session:
            result = session.execute(
                update(Case)
                .where(
                    col(Case.id) == case_id,
                    col(Case.assignee_id) == staff_id,
                    col(Case.status) == "claimed",
                )
                .values(status="queued", assignee_id=None)
            )
            session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def transfer(self, case_id: int, *, role: str, staff_id: int | None) -> bool:
        """Hand the case to another role's queue, or straight to one person of that role."""
        values: dict[str, object] = {"role": role, "assignee_id": staff_id}
        values["status"] = "claimed" if staff_id else "queued"
        with Session(self.engine, expire_on_commit=False) as session:
            result = session.execute(
                update(Case)
                .where(col(Case.id) == case_id, col(Case.status) != "closed")
                .values(**values)
            )
            session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def close(self, case_id: int, outcome: str) -> bool:
        return self._close(case_id, outcome) is not None

    def _close(self, case_id: int, outcome: str, *, person_key: str | None = None) -> str | None:
        """Close an open case; its role (for the console's event), or None if it was closed."""
        conditions = [col(Case.id) == case_id, col(Case.status) != "closed"]
        if person_key is not None:
            conditions.append(col(Case.person_key) == person_key)
        with Session(self.engine, expire_on_commit=False) as session:
            closed = session.execute(
                update(Case)
                .where(*conditions)
                .values(status="closed", closed_at=_now(), outcome=outcome[:32])
                .returning(col(Case.role))
            ).scalar_one_or_none()
            session.commit()
            return closed

    def add_staff_message(
        self, case_id: int, staff_id: int, text: str, *, note: bool = False
    ) -> int:
        with Session(self.engine, expire_on_commit=False) as session:
            message = CaseMessage(
                case_id=case_id,
                author="note" if note else "staff",
                staff_id=staff_id,
                text=text[:8000],
                delivery=None if note else "sending",
            )
            session.add(message)
            session.commit()
            return message.id or 0

    def set_delivery(self, message_id: int, delivery: str) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            session.execute(
                update(CaseMessage)
                .where(col(CaseMessage.id) == message_id)
                .values(delivery=delivery)
            )
            if delivery == "waiting":
                case_id = select(CaseMessage.case_id).where(col(CaseMessage.id) == message_id)
                session.execute(
                    update(Case)
                    .where(col(Case.id) == case_id.scalar_subquery())
                    .values(waiting_window=True)
                )
            session.commit()

    def message(self, case_id: int, message_id: int) -> CaseMessage | None:
        """One message of one case (a media link names both)."""
        with Session(self.engine, expire_on_commit=False) as session:
            found = session.get(CaseMessage, message_id)
            return found if found is not None and found.case_id == case_id else None

    def mark_read(self, case_id: int) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            session.execute(update(Case).where(col(Case.id) == case_id).values(unread=0))
            session.commit()

    # Reading ----------------------------------------------------------------------------------

    def get(self, case_id: int) -> Case | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(Case, case_id)

    def queue(
        self, roles: tuple[str, ...], *, closed_since: datetime | None = None
    ) -> list[CaseSummary]:
        """Open cases of these roles, urgent and oldest first; closed ones since a moment."""
        status: ColumnElement[bool] = col(Case.status).in_(OPEN_STATUSES)
        if closed_since is not None:
            status = or_(status, col(Case.closed_at) >= closed_since)
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                self._summary_query()
                .where(col(Case.role).in_(roles), status)
                .order_by(col(Case.urgent).desc(), col(Case.created_at))
            ).all()
            return [self._summary(*row) for row in rows]

    def detail(self, case_id: int) -> CaseDetail | None:
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.exec(self._summary_query().where(col(Case.id) == case_id)).first()
            if row is None:
                return None
            case = row[0]
            messages = session.exec(
                select(CaseMessage, StaffMember.display_name)
                .join(StaffMember, isouter=True)
                .where(CaseMessage.case_id == case_id)
                .order_by(col(CaseMessage.id))
            ).all()
            previous = session.exec(
                self._summary_query()
                .where(Case.person_key == case.person_key, col(Case.id) != case_id)
                .order_by(col(Case.id).desc())
                .limit(20)
            ).all()
            return CaseDetail(
                case=self._summary(*row),
                person_key=case.person_key,
                assignee_id=case.assignee_id,
                messages=[
                    MessageView(
                        id=m.id or 0,
                        author=m.author,
                        staff=name,
                        text=m.text,
                        media_kind=m.media_kind,
                        media_ref=m.media_ref,
                        latitude=m.latitude,
                        longitude=m.longitude,
                        delivery=m.delivery,
                        created_at=m.created_at,
                    )
                    for m, name in messages
                ],
                previous=[self._summary(*p) for p in previous],
            )

    def position(self, case: Case) -> int:
        """1 + the open, unclaimed cases of the same role that came before (urgent ones first)."""
        with Session(self.engine, expire_on_commit=False) as session:
            ahead = session.exec(
                select(func.count())
                .select_from(Case)
                .where(
                    Case.role == case.role,
                    Case.status == "queued",
                    col(Case.id) != case.id,
                    or_(col(Case.created_at) < case.created_at, col(Case.urgent)),
                )
            ).one()
            return int(ahead) + 1

    def typical_wait_minutes(self, role: str) -> float | None:
        """The mean time from opening to claiming over the role's last 20 claimed cases."""
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(Case.created_at, Case.claimed_at)
                .where(Case.role == role, col(Case.claimed_at).is_not(None))
                .order_by(col(Case.claimed_at).desc())
                .limit(20)
            ).all()
        waits = [(claimed - created).total_seconds() / 60 for created, claimed in rows if claimed]
        return sum(waits) / len(waits) if waits else None

    # Erasing ----------------------------------------------------------------------------------

    def forget(self, person_key: str) -> int:
        """Delete every case, message and visit of the person; the number of cases deleted."""
        with Session(self.engine, expire_on_commit=False) as session:
            ids = session.exec(select(Case.id).where(Case.person_key == person_key)).all()
            self._delete_cases(session, [i for i in ids if i is not None])
            session.exec(delete(Visit).where(col(Visit.person_key) == person_key))
            session.commit()
            return len(ids)

    def purge_closed(self, older_than: timedelta) -> int:
        """Delete cases closed longer ago than ``older_than``, with their messages."""
        cutoff = _now() - older_than
        with Session(self.engine, expire_on_commit=False) as session:
            ids = session.exec(
                select(Case.id).where(Case.status == "closed", col(Case.closed_at) < cutoff)
            ).all()
            self._delete_cases(session, [i for i in ids if i is not None])
            session.commit()
            return len(ids)

    @staticmethod
    def _delete_cases(session: Session, ids: list[int]) -> None:
        if ids:
            session.exec(delete(CaseMessage).where(col(CaseMessage.case_id).in_(ids)))
            session.exec(delete(Case).where(col(Case.id).in_(ids)))

    @staticmethod
    def _summary_query():  # type: ignore[no-untyped-def]
        return (
            select(Case, Person.pseudonym, StaffMember.display_name)
            .join(Person, col(Person.key_hash) == col(Case.person_key), isouter=True)
            .join(StaffMember, col(StaffMember.id) == col(Case.assignee_id), isouter=True)
        )

    @staticmethod
    def _summary(case: Case, pseudonym: str | None, assignee: str | None) -> CaseSummary:
        return CaseSummary(
            id=case.id or 0,
            role=case.role,
            language=case.language,
            channel=case.channel,
            region=case.region,
            pseudonym=pseudonym or "Guest-?",
            summary=case.summary,
            status=case.status,
            assignee=assignee,
            assignee_id=case.assignee_id,
            created_at=case.created_at,
            last_person_at=case.last_person_at,
            unread=case.unread,
            waiting_window=case.waiting_window,
            urgent=case.urgent,
            expected_by=case.expected_by,
            outcome=case.outcome,
            rating=case.rating,
            closed_at=case.closed_at,
        )


__all__ = [
    "OPEN_STATUSES",
    "CaseDetail",
    "CaseStore",
    "CaseSummary",
    "Forwarded",
    "MessageView",
]
