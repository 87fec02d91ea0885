"""The console's alerts page: compose, count the audience, preview, schedule, approve, follow.

Staff and admins send alerts; specialists do not (their console is for cases). With
``MUSOFIR_ALERTS_APPROVAL`` on, an alert waits until a second staff member approves it.

No ``from __future__ import annotations``: FastAPI reads the route functions' annotations.
"""

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from musofir.alerts.book import LANGUAGES, AlertBook, AlertError, Audience
from musofir.alerts.topics import ALERT_TOPICS, CHANNELS
from musofir.storage.models import Alert, StaffRole
from pydantic import BaseModel, ConfigDict, Field

from .app import Console, iso
from .auth import SignedIn
from .guards import Guards

Preview = Callable[[str], dict[str, Any]]
SENDERS = (StaffRole.STAFF, StaffRole.ADMIN)


class AlertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: dict[str, str]
    languages: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    send_at: datetime | None = None  # without an offset: the centre's clock
    content_sid: str | None = Field(default=None, max_length=64)


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=4000)


def _audience(
    languages: list[str], regions: list[str], topics: list[str], channels: list[str]
) -> Audience:
    try:
        return Audience.parse(
            ",".join(languages), ",".join(regions), ",".join(topics), ",".join(channels)
        )
    except ValueError as error:
        raise HTTPException(422, str(error)) from error


def alert_json(alert: Alert, counts: dict[str, int], console: Console) -> dict[str, Any]:
    local = console.hub.hours.local
    return {
        "id": alert.id,
        "status": alert.status,
        "texts": json.loads(alert.texts),
        "languages": alert.languages,
        "regions": alert.regions,
        "topics": alert.topics,
        "channels": alert.channels,
        "content_sid": alert.content_sid,
        "send_at": iso(local(alert.send_at)) if alert.send_at else None,
        "created_by": alert.created_by,
        "approved_by": alert.approved_by,
        "created_at": iso(alert.created_at),
        "audience": alert.audience,
        "counts": counts,
    }


def build_alerts_router(
    console: Console, guards: Guards, book: AlertBook, preview: Preview, *, approval: bool
) -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)
    Who = Annotated[SignedIn, Depends(guards.signed_in)]
    PageWho = Annotated[SignedIn, Depends(guards.page_member)]
    Checked = Annotated[SignedIn, Depends(guards.checked)]
    audit = console.hub.audit

    def sender_only(who: SignedIn) -> None:
        if who.member.role not in SENDERS:
            raise HTTPException(403, "only the centre's staff and admins send alerts")

    @router.get("/alerts")
    async def alerts_page(request: Request, who: PageWho) -> Response:
        if who.member.role not in SENDERS:
            response = guards.render(
                request, "error.html", who, status=403,
                message="Only the centre's staff and admins send alerts.",
            )  # fmt: skip
            response.status_code = 403
            return response
        return guards.render(
            request, "alerts.html", who, page="alerts", languages=list(LANGUAGES),
            topics=list(ALERT_TOPICS), channels=list(CHANNELS), approval=approval,
            timezone=str(console.hub.hours.timezone),
        )  # fmt: skip

    @router.get("/api/alerts")
    async def list_alerts(who: Who) -> dict[str, Any]:
        sender_only(who)

        def read() -> list[dict[str, Any]]:
            return [alert_json(a, book.counts(a.id or 0), console) for a in book.recent(50)]

        return {"alerts": await asyncio.to_thread(read), "approval": approval}

    @router.get("/api/alerts/audience")
    async def audience(
        who: Who,
        languages: Annotated[str, Query(max_length=100)] = "",
        regions: Annotated[str, Query(max_length=2000)] = "",
        topics: Annotated[str, Query(max_length=200)] = "",
        channels: Annotated[str, Query(max_length=100)] = "",
    ) -> dict[str, int]:
        sender_only(who)
        chosen = _audience(
            languages.split(","), regions.split(","), topics.split(","), channels.split(",")
        )
        return {"count": await asyncio.to_thread(book.count, chosen)}

    @router.post("/api/alerts/preview")
    async def preview_text(body: PreviewIn, who: Checked) -> dict[str, Any]:
        sender_only(who)
        return preview(body.text)

    @router.post("/api/alerts")
    async def create(body: AlertIn, who: Checked) -> dict[str, Any]:
        sender_only(who)
        chosen = _audience(body.languages, body.regions, body.topics, body.channels)
        send_at = body.send_at
        if send_at is not None and send_at.tzinfo is None:
            send_at = send_at.replace(tzinfo=console.hub.hours.timezone)

        def make() -> tuple[Alert, int]:
            alert = book.create(
                body.texts, chosen, created_by=who.member.username, send_at=send_at,
                content_sid=body.content_sid or None, needs_approval=approval,
            )  # fmt: skip
            return alert, book.count(chosen)

        try:
            alert, count = await asyncio.to_thread(make)
        except AlertError as error:
            raise HTTPException(422, str(error)) from error
        await audit.arecord(who.member.username, "alert_create", None, f"alert {alert.id}")
        return {"id": alert.id, "audience": count, "status": alert.status}

    @router.get("/api/alerts/{alert_id}")
    async def one(alert_id: int, who: Who) -> dict[str, Any]:
        sender_only(who)
        alert = await asyncio.to_thread(book.get, alert_id)
        if alert is None:
            raise HTTPException(404, "no such alert")
        counts = await asyncio.to_thread(book.counts, alert_id)
        return alert_json(alert, counts, console)

    @router.post("/api/alerts/{alert_id}/approve")
    async def approve(alert_id: int, who: Checked) -> dict[str, Any]:
        sender_only(who)
        try:
            await asyncio.to_thread(book.approve, alert_id, who.member.username)
        except AlertError as error:
            raise HTTPException(409, str(error)) from error
        await audit.arecord(who.member.username, "alert_approve", None, f"alert {alert_id}")
        return {"ok": True}

    @router.post("/api/alerts/{alert_id}/cancel")
    async def cancel(alert_id: int, who: Checked) -> dict[str, Any]:
        sender_only(who)
        alert = await asyncio.to_thread(book.get, alert_id)
        if alert is None:
            raise HTTPException(404, "no such alert")
        if not await asyncio.to_thread(book.cancel, alert_id):
            raise HTTPException(
                409, f"the alert is {alert.status}: only one not yet sending can be cancelled"
            )
        await audit.arecord(who.member.username, "alert_cancel", None, f"alert {alert_id}")
        return {"ok": True}

    return router


__all__ = ["build_alerts_router"]
