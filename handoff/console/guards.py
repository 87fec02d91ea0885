"""Who is asking: the console's session and CSRF checks, as FastAPI dependencies.

No ``from __future__ import annotations``: FastAPI reads these functions' annotations.
"""

from typing import Annotated, Any

from fastapi import Cookie, Depends, HTTPException, Request
from fastapi.responses import Response

from .app import Console
from .auth import SignedIn, csrf_matches


class LoginRequired(Exception):
    """A page asked for without a session: the handler redirects to the login page."""


class Guards:
    def __init__(self, console: Console) -> None:
        self.console = console

        async def signed_in(
            musofir_console: Annotated[str | None, Cookie()] = None,
        ) -> SignedIn:
            found = await console.sessions.afind(musofir_console)
            if found is None:
                raise HTTPException(401, "sign in first")
            return found

        async def page_member(
            musofir_console: Annotated[str | None, Cookie()] = None,
        ) -> SignedIn:
            found = await console.sessions.afind(musofir_console)
            if found is None:
                raise LoginRequired()
            return found

        async def checked(
            request: Request, who: Annotated[SignedIn, Depends(signed_in)]
        ) -> SignedIn:
            """Every state-changing request carries the session's CSRF token."""
            given = request.headers.get("x-csrf-token")
            if given is None and request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                given = str((await request.form()).get("csrf_token") or "")
            if not csrf_matches(who.csrf, given):
                raise HTTPException(403, "the form is missing its security token: reload the page")
            return who

        # Used as ``Annotated[SignedIn, Depends(guards.signed_in)]`` in the routes.
        self.signed_in = signed_in
        self.page_member = page_member
        self.checked = checked

    def render(self, request: Request, name: str, who: SignedIn | None, **extra: Any) -> Response:
        context = self.console.page_context(member=who.member if who else None)
        context["csrf"] = who.csrf if who else ""
        context.update(extra)
        return self.console.templates.TemplateResponse(request, name, context)


__all__ = ["Guards", "LoginRequired"]
