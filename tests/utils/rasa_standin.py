"""A loopback stand-in for a Rasa 3.x server's ``POST /model/parse``: scripted answers, faults.

Runs like `utils.standins`: a Starlette app under uvicorn in a background thread, bound before
the thread starts. Answers follow the ParseResult of Rasa's HTTP API spec
(``docs/static/spec/rasa.yml``: ``text``, ``intent``, ``intent_ranking``, ``entities``) with the
fields a 3.x DIET model adds (``id`` on each intent, ``text_tokens``). The test scripts the
ranking per text (or with a function); a text nobody scripted gets ``nlu_fallback``, as a model
that knows nothing about it would. Every request is recorded; faults (an HTTP status, a raw
body, a delay) apply to the next requests.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from utils.loopback import LoopbackServer

Ranking = Sequence[tuple[str, float]]
Script = Callable[[str], Ranking]

UNSCRIPTED: Ranking = (("nlu_fallback", 1.0),)
RASA_VERSION = "3.6.21"


@dataclass(frozen=True)
class Parsed:
    """One ``/model/parse`` request: its JSON body's text and the status answered."""

    text: str
    status: int
    path: str
    query: str


@dataclass
class _Fault:
    times: int
    status: int = 200
    body: str | None = None
    delay: float = 0.0


def parse_result(text: str, ranking: Ranking) -> dict[str, Any]:
    """Rasa's answer for ``text``: the ranking sorted by confidence, its first entry as intent."""
    ordered = sorted(ranking, key=lambda pair: -pair[1])
    intents = [
        {"id": zlib.crc32(name.encode()), "name": name, "confidence": confidence}
        for name, confidence in ordered
    ]
    return {
        "text": text,
        "intent": intents[0] if intents else {"name": None, "confidence": 0.0},
        "entities": [],
        "text_tokens": [[m.start(), m.end()] for m in re.finditer(r"\S+", text)],
        "intent_ranking": intents,
    }


def _error(status: int, reason: str, message: str) -> JSONResponse:
    """Rasa's error body (``components/schemas/Error`` in its spec)."""
    body = {
        "version": RASA_VERSION,
        "status": "failure",
        "message": message,
        "reason": reason,
        "code": status,
    }
    return JSONResponse(body, status_code=status)


class RasaStandIn(LoopbackServer):
    """A fake Rasa server on a loopback port; use as a context manager.

    ``prefix`` mounts the API under a path, as behind a reverse proxy (``/nlu/model/parse``).
    """

    name = "Rasa stand-in"

    def __init__(self, *, prefix: str = "") -> None:
        self.prefix = prefix.rstrip("/")
        self.port = 0
        self._lock = threading.Lock()
        self._answers: dict[str, Ranking] = {}
        self._script: Script | None = None
        self._faults: deque[_Fault] = deque()
        self._requests: list[Parsed] = []
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route(f"{self.prefix}/model/parse", self._parse, methods=["POST"]),
                Route(f"{self.prefix}/", self._hello, methods=["GET"]),
            ]
        )

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """What RASA_URL would be set to."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    # -- what tests script and read ------------------------------------------------------------

    def answer(self, text: str, ranking: Ranking) -> None:
        """Answer ``text`` (exactly as posted) with this intent ranking."""
        with self._lock:
            self._answers[text] = tuple(ranking)

    def answer_with(self, script: Script | None) -> None:
        """Rank every unscripted text with ``script`` (None: back to ``nlu_fallback``)."""
        with self._lock:
            self._script = script

    def fail(self, status: int = 500, *, times: int = 1) -> None:
        """The next ``times`` requests get ``status`` with Rasa's error body."""
        with self._lock:
            self._faults.append(_Fault(times, status=status))

    def reply_raw(self, body: str, *, status: int = 200, times: int = 1) -> None:
        """The next ``times`` requests get ``body`` as it is (not JSON, or another shape)."""
        with self._lock:
            self._faults.append(_Fault(times, status=status, body=body))

    def slow(self, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` requests are answered (correctly) after ``seconds``."""
        with self._lock:
            self._faults.append(_Fault(times, delay=seconds))

    def requests(self) -> list[Parsed]:
        with self._lock:
            return list(self._requests)

    def texts(self) -> list[str]:
        return [r.text for r in self.requests()]

    def clear(self) -> None:
        """Forget requests, scripts and faults (between tests)."""
        with self._lock:
            self._answers.clear()
            self._script = None
            self._faults.clear()
            self._requests.clear()

    # -- the server side -----------------------------------------------------------------------

    async def _hello(self, _request: Request) -> Response:
        return Response(f"Hello from Rasa: {RASA_VERSION}", media_type="text/plain")

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self._faults.popleft()
            return fault

    def _ranking(self, text: str) -> Ranking:
        with self._lock:
            scripted, script = self._answers.get(text), self._script
        if scripted is not None:
            return scripted
        return script(text) if script is not None else UNSCRIPTED

    def _record(self, request: Request, text: str, status: int) -> None:
        parsed = Parsed(text, status, request.url.path, request.url.query)
        with self._lock:
            self._requests.append(parsed)

    async def _parse(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            self._record(request, "", 400)
            return _error(400, "BadRequest", "No text message defined in request_body.")
        fault = self._next_fault()
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and (fault.status != 200 or fault.body is not None):
            self._record(request, text, fault.status)
            if fault.body is not None:
                return Response(fault.body, status_code=fault.status, media_type="text/plain")
            return _error(fault.status, "ParsingError", "An unexpected error occurred.")
        self._record(request, text, 200)
        return JSONResponse(parse_result(text, self._ranking(text)))


def run_rasa_standin(**options: Any) -> Iterator[RasaStandIn]:
    """Serve the stand-in for a fixture: `yield from run_rasa_standin()`."""
    with RasaStandIn(**options) as standin:
        yield standin


__all__ = ["UNSCRIPTED", "Parsed", "RasaStandIn", "parse_result", "run_rasa_standin"]
