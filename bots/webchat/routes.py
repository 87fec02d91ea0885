"""HTTP routes of the web chat: the page, its strings, the conversation log and its live stream.

No ``from __future__ import annotations`` here: FastAPI reads the dependency annotations of the
route functions, which are defined inside ``build_router`` and so must be evaluated eagerly.
"""

import json
import secrets
from collections.abc import AsyncIterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, Header, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from musofir.dialogs import LANGUAGES, DialogEngine, Inbound, Outbound
from sse_starlette.sse import EventSourceResponse

from . import adapter
from .log import ChatLog

COOKIE = "musofir_chat"
COOKIE_MAX_AGE = 90 * 24 * 3600
STATIC_DIR = Path(str(resources.files("musofir.bots.webchat") / "static"))
STREAM_WAIT_SECONDS = 15.0


class WebChat:
    """The web chat channel: owns its log and talks to the engine through the adapter contract."""

    def __init__(self, engine: DialogEngine, log: ChatLog, *, secure_cookie: bool) -> None:
        self.engine = engine
        self.log = log
        self.secure_cookie = secure_cookie
        self._erased: set[str] = set()
        engine.on_forget(self._erase)

    async def _erase(self, inbound: Inbound, user_key: str) -> None:
        if inbound.channel == adapter.CHANNEL:
            await self.log.erase(user_key)
            self._erased.add(user_key)  # so the erasing tap itself is not logged again

    def log_key(self, session: str) -> str:
        return self.engine.user_key(self._inbound(session, "", ""))

    @staticmethod
    def _inbound(session: str, message_id: str, text: str) -> Inbound:
        return Inbound(adapter.CHANNEL, session, session, message_id, text=text)

    async def handle(self, inbound: Inbound, echo: dict[str, Any] | None) -> None:
        key = self.engine.user_key(inbound)

        async def deliver(replies: Sequence[Outbound]) -> None:
            erased = key in self._erased
            self._erased.discard(key)
            if echo is not None and not erased:
                await self.log.append(key, "user", echo)
            for index, reply in enumerate(replies):
                rendered = adapter.render(reply)
                if erased and index == 0:
                    rendered["reset"] = True  # the page clears what it still shows
                await self.log.append(key, "bot", rendered)

        await self.engine.handle(inbound, deliver)

    async def start(self, session: str) -> None:
        """Greet a new session once: the start message id makes a second greeting a duplicate."""
        await self.handle(self._inbound(session, f"start-{session[:32]}", "/start"), None)

    async def push(self, session: str, reply: Outbound) -> None:
        """A message the server starts (a specialist's reply, an alert)."""
        await self.log.append(self.log_key(session), "bot", adapter.render(reply))


def _preferred_language(accept_language: str | None) -> str:
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "ru"


def build_router(chat: WebChat) -> APIRouter:
    router = APIRouter(prefix="/chat", tags=["webchat"])
    catalogs = chat.engine.services.catalogs

    def session_of(
        response: Response, musofir_chat: Annotated[str | None, Cookie()] = None
    ) -> str:
        if musofir_chat and 20 <= len(musofir_chat) <= 64 and musofir_chat.isascii():
            return musofir_chat
        session = secrets.token_urlsafe(24)
        response.set_cookie(
            COOKIE,
            session,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=chat.secure_cookie,
            path="/chat",
        )
        return session

    Session = Annotated[str, Depends(session_of)]

    @router.get("", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    @router.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        path = STATIC_DIR / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return JSONResponse({"detail": "no such file"}, status_code=404)
        return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})

    @router.get("/api/strings")
    async def strings(
        lang: Annotated[str | None, Query(max_length=8)] = None,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> dict[str, str]:
        language = lang if lang in LANGUAGES else _preferred_language(accept_language)
        table = catalogs.messages[language]
        return {k: catalogs.text(language, k) for k in table if k.startswith("web.")}

    @router.get("/api/session")
    async def session(session: Session) -> dict[str, Any]:
        key = chat.log_key(session)
        if not await chat.log.since(key, None):
            await chat.start(session)
        conversation = await chat.engine.store.load(key)
        return {"session": session[:8], "language": conversation.language}

    @router.get("/api/history")
    async def history(session: Session) -> dict[str, Any]:
        events = await chat.log.since(chat.log_key(session), None)
        return {"events": [e.to_json() for e in events]}

    @router.post("/api/messages", status_code=202)
    async def post_message(
        message: adapter.MessageIn,
        session: Session,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        hint = _preferred_language(accept_language) if accept_language else None
        inbound = adapter.parse(message, session, hint)
        await chat.handle(inbound, adapter.echo(message))
        return {"accepted": True, "id": message.id}

    @router.get("/api/events")
    async def events(
        request: Request,
        session: Session,
        after: Annotated[str | None, Query(max_length=40)] = None,
        last_event_id: Annotated[str | None, Header()] = None,
    ) -> EventSourceResponse:
        key = chat.log_key(session)

        async def stream() -> AsyncIterator[dict[str, str]]:
            cursor = last_event_id or after
            while not await request.is_disconnected():
                for event in await chat.log.wait(key, cursor, STREAM_WAIT_SECONDS):
                    cursor = event.id
                    yield {
                        "event": "message",
                        "id": event.id,
                        "data": json.dumps(event.to_json(), ensure_ascii=False),
                    }

        return EventSourceResponse(stream(), ping=20, headers={"Cache-Control": "no-store"})

    return router


__all__ = ["WebChat", "build_router"]
