"""The console's HTTP routes: sign-in, the pages, the JSON API and the live event stream.

No ``from __future__ import annotations``: FastAPI reads the annotations of the route functions
defined inside ``build_router``.
"""

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from musofir.dialogs.desk import SPECIALIST_ROLES
from musofir.storage.models import StaffMember, StaffRole
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select
from sse_starlette.sse import EventSourceResponse

from ..actions import CaseNotFound, NotAllowed, can_read, readable_roles
from ..visits import SlotView, VisitLine
from .app import STATIC_DIR, Console, iso, summary_json
from .auth import COOKIE, LOGIN_COOKIE, SESSION_HOURS, SignedIn, csrf_matches, throttle_keys
from .guards import Guards, LoginRequired

PING_SECONDS = 15.0
CLOSED_SHOWN_HOURS = 24


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(max_length=16)
    to: str | None = Field(default=None, max_length=64)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(max_length=32)


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(max_length=16)


class SlotsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(max_length=16)
    date: date
    start: time
    count: int = Field(ge=1, le=48)
    minutes: int = Field(ge=5, le=240)
    capacity: int = Field(default=1, ge=1, le=50)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retention_days: int = Field(ge=1, le=3650)


def _slot_json(slot: SlotView, console: Console) -> dict[str, Any]:
    return {
        "id": slot.id,
        "role": slot.role,
        "starts_at": iso(console.hub.hours.local(slot.starts_at)),
        "minutes": slot.minutes,
        "capacity": slot.capacity,
        "booked": slot.booked,
    }


def _visit_json(line: VisitLine, console: Console) -> dict[str, Any]:
    return {
        "visit_id": line.visit_id,
        "slot_id": line.slot_id,
        "role": line.role,
        "starts_at": iso(console.hub.hours.local(line.starts_at)),
        "pseudonym": line.pseudonym,
        "language": line.language,
        "status": line.status,
    }


def build_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)
    hub, actions = console.hub, console.actions

    guards = Guards(console)
    Who = Annotated[SignedIn, Depends(guards.signed_in)]
    PageWho = Annotated[SignedIn, Depends(guards.page_member)]
    Checked = Annotated[SignedIn, Depends(guards.checked)]

    def specialist_only(who: SignedIn) -> tuple[str, ...]:
        roles = readable_roles(who.member)
        if not roles:
            raise HTTPException(403, "only lawyers, doctors and social workers read cases")
        return roles

    def admin_only(who: SignedIn) -> None:
        if who.member.role is not StaffRole.ADMIN:
            raise HTTPException(403, "only an admin may see this")

    render = guards.render

    async def run(call: Any) -> None:
        try:
            await call
        except CaseNotFound as error:
            raise HTTPException(404, str(error)) from error
        except NotAllowed as error:
            raise HTTPException(403, str(error)) from error
        except ValueError as error:
            raise HTTPException(422, str(error)) from error

    # Sign-in ----------------------------------------------------------------------------------

    @router.get("/login")
    async def login_page(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        response = render(request, "login.html", None, error=None, username="", csrf=token)
        _set_login_cookie(response, token)
        return response

    def _set_login_cookie(response: Response, token: str) -> None:
        response.set_cookie(
            LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
            secure=console.secure_cookie, path="/console",
        )  # fmt: skip

    @router.post("/login")
    async def login(
        request: Request,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=200)],
        csrf_token: Annotated[str, Form(max_length=100)] = "",
        musofir_login: Annotated[str | None, Cookie()] = None,
    ) -> Response:
        if not musofir_login or not csrf_matches(musofir_login, csrf_token):
            raise HTTPException(403, "the form is missing its security token: reload the page")
        address = request.client.host if request.client else "unknown"
        keys = throttle_keys(username, address)

        def again(error: str, status: int) -> Response:
            token = secrets.token_urlsafe(24)
            response = render(
                request, "login.html", None, error=error, username=username, csrf=token
            )
            response.status_code = status
            _set_login_cookie(response, token)
            return response

        wait = await console.throttle.blocked_for(keys)
        if wait:
            minutes = max(1, round(wait / 60))
            return again(f"Too many failed attempts. Try again in {minutes} min.", 429)
        from musofir.storage.staff import authenticate

        member = await asyncio.to_thread(authenticate, hub.engine, username, password)
        if member is None:
            await console.throttle.failed(keys)
            await hub.audit.arecord(username[:64], "login_failed", None, address)
            return again("Wrong name or password.", 401)
        await console.throttle.succeeded(keys)
        token = await asyncio.to_thread(console.sessions.create, member)
        await hub.audit.arecord(member.username, "login")
        response = RedirectResponse("/console", status_code=303)
        response.set_cookie(
            COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="strict",
            secure=console.secure_cookie, path="/console",
        )  # fmt: skip
        response.delete_cookie(LOGIN_COOKIE, path="/console")
        return response

    @router.post("/logout")
    async def logout(
        who: Checked, musofir_console: Annotated[str | None, Cookie()] = None
    ) -> Response:
        if musofir_console:
            await asyncio.to_thread(console.sessions.end, musofir_console)
        await hub.audit.arecord(who.member.username, "logout")
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    # Pages ------------------------------------------------------------------------------------

    @router.get("")
    async def home(request: Request, who: PageWho) -> Response:
        if not readable_roles(who.member):
            target = "/console/admin" if who.member.role is StaffRole.ADMIN else "/console/visits"
            return RedirectResponse(target, status_code=303)
        return render(request, "queue.html", who, page="queue")

    @router.get("/cases/{case_id}")
    async def case_page(request: Request, case_id: int, who: PageWho) -> Response:
        case = await asyncio.to_thread(hub.cases.get, case_id)
        if case is None:
            return _error(request, who, 404, "There is no such case.")
        if not can_read(who.member, case):
            await hub.audit.arecord(who.member.username, "denied", case_id)
            return _error(request, who, 403, "This case belongs to another role.")
        await hub.audit.arecord(who.member.username, "open", case_id)
        return render(request, "case.html", who, page="case", case_id=case_id)

    @router.get("/visits")
    async def visits_page(
        request: Request, who: PageWho, day: Annotated[date | None, Query()] = None
    ) -> Response:
        today = datetime.now(hub.hours.timezone).date()
        return render(request, "visits.html", who, page="visits", day=(day or today).isoformat())

    @router.get("/admin")
    async def admin_page(request: Request, who: PageWho) -> Response:
        if who.member.role is not StaffRole.ADMIN:
            return _error(request, who, 403, "Only an admin may see this page.")
        return render(request, "admin.html", who, page="admin")

    def _error(request: Request, who: SignedIn | None, status: int, message: str) -> Response:
        response = render(request, "error.html", who, status=status, message=message)
        response.status_code = status
        return response

    @router.get("/cases/{case_id}/media/{message_id}")
    async def media(request: Request, case_id: int, message_id: int, who: PageWho) -> Response:
        """A photo, voice note or document the person sent, fetched through the server."""
        case = await asyncio.to_thread(hub.cases.get, case_id)
        if case is None or not can_read(who.member, case):
            return _error(request, who, 404 if case is None else 403, "Not available.")
        found = await asyncio.to_thread(hub.cases.message, case_id, message_id)
        if found is None or not found.media_ref:
            return _error(request, who, 404, "There is no such file in this case.")
        await hub.audit.arecord(who.member.username, "media", case_id, str(message_id))
        try:
            fetched = await console.fetch_media(case.channel, found.media_ref)
        except Exception as error:  # the platform failed or the file is too large
            return _error(request, who, 502, f"The file could not be fetched: {error}"[:200])
        if fetched is None:
            return _error(request, who, 404, "The platform no longer has this file.")
        content, content_type = fetched
        inline = content_type.startswith(("image/", "audio/", "video/")) or (
            content_type == "application/pdf"
        )
        return Response(
            content,
            media_type=content_type,
            headers={
                "Content-Disposition": "inline" if inline else "attachment",
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        path = STATIC_DIR / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return JSONResponse({"detail": "no such file"}, status_code=404)
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    # Cases ------------------------------------------------------------------------------------

    @router.get("/api/me")
    async def me(who: Who) -> dict[str, Any]:
        m = who.member
        return {"username": m.username, "display_name": m.display_name, "role": m.role.value}

    @router.get("/api/queue")
    async def queue(who: Who) -> dict[str, Any]:
        roles = specialist_only(who)
        since = datetime.now(hub.hours.timezone) - timedelta(hours=CLOSED_SHOWN_HOURS)
        cases = await asyncio.to_thread(hub.cases.queue, roles, closed_since=since)
        online = sum([await hub.presence.online(role) for role in roles])
        name = who.member.id
        return {"cases": [summary_json(c, name) for c in cases], "online": online}

    @router.get("/api/cases/{case_id}")
    async def case_detail(case_id: int, who: Who) -> dict[str, Any]:
        try:
            detail = await actions.open(who.member, case_id)
        except CaseNotFound as error:
            raise HTTPException(404, str(error)) from error
        except NotAllowed as error:
            raise HTTPException(403, str(error)) from error
        name = who.member.id
        case = detail.case
        return {
            "case": summary_json(case, name),
            "messages": [
                {
                    "id": m.id,
                    "author": m.author,
                    "staff": m.staff,
                    "text": m.text,
                    "media_kind": m.media_kind,
                    "media_ref": m.media_ref,
                    "media_link": (
                        f"/console/cases/{case_id}/media/{m.id}"
                        if m.media_ref and m.author == "person"
                        else None
                    ),
                    "latitude": m.latitude,
                    "longitude": m.longitude,
                    "delivery": m.delivery,
                    "created_at": iso(m.created_at),
                }
                for m in detail.messages
            ],
            "previous": [summary_json(p, name) for p in detail.previous],
            "can_reply": case.status != "closed" and detail.assignee_id in (None, who.member.id),
        }

    @router.get("/api/cases/{case_id}/suggestions")
    async def suggestions(
        case_id: int, who: Who, q: Annotated[str, Query(max_length=500)] = ""
    ) -> dict[str, Any]:
        case = await asyncio.to_thread(hub.cases.get, case_id)
        if case is None:
            raise HTTPException(404, "no such case")
        if not can_read(who.member, case):
            raise HTTPException(403, "this case belongs to another role")
        return await console.suggestions(case.language, q)

    @router.post("/api/cases/{case_id}/reply")
    async def reply(case_id: int, body: TextIn, who: Checked) -> dict[str, Any]:
        result: dict[str, Any] = {}

        async def send() -> None:
            result["delivery"] = await actions.reply(who.member, case_id, body.text)

        await run(send())
        return result

    @router.post("/api/cases/{case_id}/note")
    async def note(case_id: int, body: TextIn, who: Checked) -> dict[str, Any]:
        await run(actions.note(who.member, case_id, body.text))
        return {"ok": True}

    @router.post("/api/cases/{case_id}/claim")
    async def claim(case_id: int, who: Checked) -> dict[str, Any]:
        await run(actions.claim(who.member, case_id))
        return {"ok": True}

    @router.post("/api/cases/{case_id}/release")
    async def release(case_id: int, who: Checked) -> dict[str, Any]:
        await run(actions.release(who.member, case_id))
        return {"ok": True}

    @router.post("/api/cases/{case_id}/transfer")
    async def transfer(case_id: int, body: TransferIn, who: Checked) -> dict[str, Any]:
        await run(actions.transfer(who.member, case_id, role=body.role, to_username=body.to))
        return {"ok": True}

    @router.post("/api/cases/{case_id}/close")
    async def close(case_id: int, body: CloseIn, who: Checked) -> dict[str, Any]:
        await run(actions.close(who.member, case_id, body.outcome))
        return {"ok": True}

    @router.get("/api/staff")
    async def staff(who: Who, role: Annotated[str, Query(max_length=16)]) -> dict[str, Any]:
        specialist_only(who)
        if role not in SPECIALIST_ROLES:
            raise HTTPException(422, f"unknown role {role!r}")

        def members() -> list[dict[str, str]]:
            with Session(hub.engine) as session:
                rows = session.exec(
                    select(StaffMember).where(StaffMember.role == StaffRole(role))
                ).all()
                return [{"username": m.username, "display_name": m.display_name} for m in rows]

        return {"staff": await asyncio.to_thread(members)}

    @router.get("/api/events")
    async def events(request: Request, who: Who) -> EventSourceResponse:
        roles = set(readable_roles(who.member))
        member = who.member

        async def stream() -> AsyncIterator[dict[str, str]]:
            async with hub.events.subscribe() as queue:
                yield {"event": "ready", "data": "{}"}
                while not await request.is_disconnected():
                    for role in roles:
                        await hub.presence.report(role, member.id or 0)
                    try:
                        event = await asyncio.wait_for(queue.get(), PING_SECONDS)
                    except TimeoutError:
                        continue
                    if event.get("type") == "visits" or event.get("role") in roles:
                        data = {"type": event.get("type"), "case": event.get("case")}
                        yield {"event": "update", "data": json.dumps(data)}

        return EventSourceResponse(stream(), ping=PING_SECONDS)

    # Visits -----------------------------------------------------------------------------------

    @router.get("/api/visits")
    async def visits(who: Who, day: Annotated[date, Query()]) -> dict[str, Any]:
        start = datetime.combine(day, time(0), hub.hours.timezone)
        end = start + timedelta(days=1)
        slots = await asyncio.to_thread(hub.visits.slots, start, end)
        lines = await asyncio.to_thread(hub.visits.day, start, end)
        return {
            "day": day.isoformat(),
            "slots": [_slot_json(s, console) for s in slots],
            "visits": [_visit_json(v, console) for v in lines],
        }

    @router.post("/api/visits/{visit_id}/mark")
    async def mark_visit(visit_id: int, body: MarkIn, who: Checked) -> dict[str, Any]:
        try:
            found = await asyncio.to_thread(hub.visits.mark, visit_id, body.status)
        except ValueError as error:
            raise HTTPException(422, str(error)) from error
        if not found:
            raise HTTPException(404, "no such visit")
        await hub.audit.arecord(who.member.username, "visit_" + body.status, None, str(visit_id))
        await hub.events.publish({"type": "visits", "role": ""})
        return {"ok": True}

    @router.post("/api/slots")
    async def publish_slots(body: SlotsIn, who: Checked) -> dict[str, Any]:
        if body.role not in SPECIALIST_ROLES:
            raise HTTPException(422, f"unknown role {body.role!r}")
        first = datetime.combine(body.date, body.start, hub.hours.timezone)
        created = await asyncio.to_thread(
            hub.visits.publish, body.role, first, count=body.count, minutes=body.minutes,
            capacity=body.capacity,
        )  # fmt: skip
        await hub.audit.arecord(who.member.username, "slots", None, f"{len(created)} {body.role}")
        await hub.events.publish({"type": "visits", "role": ""})
        return {"created": len(created)}

    @router.post("/api/slots/{slot_id}/delete")
    async def delete_slot(slot_id: int, who: Checked) -> dict[str, Any]:
        if not await asyncio.to_thread(hub.visits.remove_slot, slot_id):
            raise HTTPException(409, "people have booked this time; it cannot be removed")
        await hub.events.publish({"type": "visits", "role": ""})
        return {"ok": True}

    # Admin ------------------------------------------------------------------------------------

    @router.get("/api/audit")
    async def audit(who: Who) -> dict[str, Any]:
        admin_only(who)
        lines = await asyncio.to_thread(hub.audit.recent, 500)
        return {
            "entries": [
                {
                    "at": iso(e.at),
                    "staff": e.staff,
                    "action": e.action,
                    "case_id": e.case_id,
                    "detail": e.detail,
                }
                for e in lines
            ]
        }

    @router.get("/api/settings")
    async def get_settings(who: Who) -> dict[str, Any]:
        admin_only(who)
        return {"retention_days": await asyncio.to_thread(hub.settings.retention_days)}

    @router.post("/api/settings")
    async def set_settings(body: SettingsIn, who: Checked) -> dict[str, Any]:
        admin_only(who)
        await asyncio.to_thread(
            hub.settings.set, hub.settings.RETENTION_DAYS, str(body.retention_days)
        )
        await hub.audit.arecord(who.member.username, "retention", None, str(body.retention_days))
        return {"ok": True}

    return router


__all__ = ["LoginRequired", "build_router"]
