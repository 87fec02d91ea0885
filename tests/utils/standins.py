"""Loopback stand-ins for the Telegram, Twilio and Viber APIs: record calls, inject faults.

One Starlette app runs under uvicorn in a background thread (like `utils.live`), with a prefix per
platform so the app's base-URL settings can point at it:

    telegram_base  http://127.0.0.1:{port}/telegram   aiogram: TelegramAPIServer.from_base(base)
    twilio_base    http://127.0.0.1:{port}/twilio     twilio: client.api.base_url = base
    viber_base     http://127.0.0.1:{port}/viber/pa   {viber_base}/send_message etc.

Every request becomes a `Call`. Tests read calls from the main thread while the server appends
from its own thread, so all shared state sits behind one `threading.Lock`, held only briefly.
The server is also the far end of a wrk benchmark: no per-request logging, no heavy work.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import email.parser
import email.policy
import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from utils.loopback import LoopbackServer

PLATFORMS = ("telegram", "twilio", "viber")

TELEGRAM_TOKEN = "123:TEST"
TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_AUTH_TOKEN = "twilio-test-token"
VIBER_TOKEN = "viber-test-token"

TELEGRAM_BOT = {
    "id": 123,
    "is_bot": True,
    "first_name": "Musofir",
    "username": "musofir_test_bot",
}
_TELEGRAM_TRUE = frozenset(
    m.lower()
    for m in (
        "answerCallbackQuery",
        "setWebhook",
        "deleteWebhook",
        "setMyCommands",
        "deleteMyCommands",
        "sendChatAction",
        "deleteMessage",
        "setChatMenuButton",
        "logOut",
        "close",
    )
)
_TELEGRAM_GET_UPDATES = "getupdates"
# What a person typed stays text even when it looks like JSON ("[1] Toshkent").
_TELEGRAM_FREE_TEXT = frozenset({"text", "caption", "title", "address", "question", "query"})
_LONG_POLL_CAP = 2.0  # seconds; keeps test teardown quick however long the app asks to wait
_TWILIO_MULTI = frozenset({"PersistentAction", "MediaUrl"})  # always lists, as they may repeat
_TWILIO_ERRORS = {
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}
_TWILIO_MESSAGES = {
    21211: "Invalid 'To' Phone Number",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To'"
    " number",
    21610: "Attempt to send to unsubscribed recipient",
    63016: "Failed to send freeform message because you are outside the allowed window. If you"
    " are using WhatsApp, please use a Message Template.",
}
_VIBER_STATUS = {
    1: "invalidUrl",
    2: "invalidAuthToken",
    3: "badData",
    4: "missingData",
    5: "receiverNotRegistered",
    6: "notSubscribed",
    7: "publicAccountBlocked",
    8: "publicAccountNotFound",
    9: "publicAccountSuspended",
    10: "webhookNotSet",
    11: "receiverNoSuitableDevice",
    12: "tooManyRequests",
    13: "apiVersionNotSupported",
    14: "incompatibleWithVersion",
}
_VIBER_EVENTS = [
    "delivered",
    "seen",
    "failed",
    "subscribed",
    "unsubscribed",
    "conversation_started",
]


@dataclass(frozen=True)
class Call:
    """One request as the stand-in understood it.

    `method`: the Telegram method name, "Messages" for Twilio, the Viber endpoint name.
    `status`: the HTTP status answered. `ok` is False also for Viber's HTTP-200 failures
    (`{"status": 6, ...}`), which `status` alone cannot show. `at`: `time.monotonic()` when
    answered, so retry spacing can be measured.
    """

    platform: str
    method: str
    params: dict[str, Any]
    status: int
    at: float
    ok: bool = True

    @property
    def sent(self) -> bool:
        """A message the platform accepted for delivery."""
        if not self.ok:
            return False
        method = self.method.lower()
        if self.platform == "telegram":
            return method.startswith("send") and method != "sendchataction"
        if self.platform == "twilio":
            return self.status == 201
        return method == "send_message"


@dataclass
class _Fault:
    method: str | None
    times: int
    status: int = 0
    delay: float = 0.0
    retry_after: int | None = None
    code: int | None = None
    description: str | None = None

    def matches(self, method: str) -> bool:
        if self.method is None:
            # An unfiltered fault must not vanish into a polling loop's next getUpdates.
            return method.lower() != _TELEGRAM_GET_UPDATES
        return self.method.lower() == method.lower()


@dataclass
class _Faults:
    failures: dict[str, deque[_Fault]] = field(
        default_factory=lambda: {p: deque() for p in PLATFORMS}
    )
    delays: dict[str, deque[_Fault]] = field(
        default_factory=lambda: {p: deque() for p in PLATFORMS}
    )


class StandIns(LoopbackServer):
    """The three fake platform APIs on one loopback port; use as a context manager."""

    name = "platform stand-ins"
    backlog = 1024

    def __init__(
        self,
        *,
        port: int = 0,
        telegram_tokens: set[str] | None = None,
        twilio_account_sid: str = TWILIO_ACCOUNT_SID,
        twilio_auth_token: str = TWILIO_AUTH_TOKEN,
        viber_token: str = VIBER_TOKEN,
        max_calls: int | None = None,
    ) -> None:
        """`max_calls` bounds the record for long benchmark runs (oldest calls are dropped)."""
        self.telegram_tokens: set[str] = (
            set(telegram_tokens) if telegram_tokens is not None else {TELEGRAM_TOKEN}
        )
        self.twilio_account_sid = twilio_account_sid
        self.twilio_auth_token = twilio_auth_token
        self.viber_token = viber_token
        self.port = port
        self._lock = threading.Lock()
        self._calls: deque[Call] = deque(maxlen=max_calls)
        self._sent_counts: dict[str, int] = {}
        self._faults = _Faults()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._telegram_webhook = ""
        self._viber_webhook = ""
        self._message_ids = itertools.count(1)
        self._viber_tokens = itertools.count(5_000_000_000_000_000_001)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Mount(
                    "/telegram",
                    routes=[
                        Route("/bot{token}/{method}", self._telegram, methods=["GET", "POST"]),
                        Route("/file/bot{token}/{path:path}", self._telegram_file),
                    ],
                ),
                Mount(
                    "/twilio",
                    routes=[
                        Route(
                            "/2010-04-01/Accounts/{account_sid}/Messages.json",
                            self._twilio,
                            methods=["POST"],
                        )
                    ],
                ),
                Mount("/viber/pa", routes=[Route("/{endpoint}", self._viber, methods=["POST"])]),
            ]
        )

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def telegram_base(self) -> str:
        return f"{self.url}/telegram"

    @property
    def twilio_base(self) -> str:
        return f"{self.url}/twilio"

    @property
    def viber_base(self) -> str:
        return f"{self.url}/viber/pa"

    # -- what tests read ---------------------------------------------------------------------

    def calls(self, platform: str | None = None, method: str | None = None) -> list[Call]:
        """A copy of the record, optionally only one platform and method (case-insensitive)."""
        with self._lock:
            recorded = list(self._calls)
        return _filter(recorded, platform, method)

    def sent(self, platform: str) -> list[Call]:
        """Messages the platform accepted: Telegram send*, Twilio 201, Viber status 0."""
        return [c for c in self.calls(platform) if c.sent]

    def sent_count(self, platform: str) -> int:
        """How many messages the platform accepted since the start, even beyond ``max_calls``."""
        with self._lock:
            return self._sent_counts.get(platform, 0)

    def clear(self) -> None:
        """Forget calls, pending faults and queued Telegram updates."""
        with self._lock:
            self._calls.clear()
            self._faults = _Faults()
            self._updates.clear()

    def wait_for(
        self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0
    ) -> list[Call]:
        """Block until `predicate(all calls)` holds; for sync tests (it blocks the thread)."""
        deadline = time.monotonic() + timeout
        while True:
            recorded = self.calls()
            if predicate(recorded):
                return recorded
            if time.monotonic() > deadline:
                raise AssertionError(_timed_out(timeout, recorded))
            time.sleep(0.02)

    async def wait_for_async(
        self,
        predicate: Callable[[list[Call]], bool],
        timeout: float = 10.0,  # noqa: ASYNC109  (as wait_for; the error lists the calls)
    ) -> list[Call]:
        """`wait_for` for async tests whose app runs on the test's own event loop."""
        deadline = time.monotonic() + timeout
        while True:
            recorded = self.calls()
            if predicate(recorded):
                return recorded
            if time.monotonic() > deadline:
                raise AssertionError(_timed_out(timeout, recorded))
            await asyncio.sleep(0.02)

    def wait_sent(self, platform: str, count: int, timeout: float = 10.0) -> list[Call]:
        """The first `count` messages sent on `platform`, waiting for them if needed."""
        self.wait_for(lambda calls: _count_sent(calls, platform) >= count, timeout)
        return self.sent(platform)[:count]

    async def wait_sent_async(
        self,
        platform: str,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109  (as wait_sent)
    ) -> list[Call]:
        await self.wait_for_async(lambda calls: _count_sent(calls, platform) >= count, timeout)
        return self.sent(platform)[:count]

    # -- what tests arrange ------------------------------------------------------------------

    def queue_telegram_update(self, update: dict[str, Any]) -> int:
        """Queue an Update for getUpdates; an `update_id` is assigned if missing. Returns it."""
        with self._lock:
            update = dict(update)
            update_id = int(update.setdefault("update_id", self._next_update_id))
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._updates.append(update)
        return update_id

    def fail_next(
        self,
        platform: str,
        *,
        status: int,
        times: int = 1,
        method: str | None = None,
        retry_after: int | None = None,
        code: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next `times` matching calls fail in the platform's own error shape.

        Without `method`, any call matches except Telegram's getUpdates (a polling loop would
        swallow the fault at a random moment); name `method="getUpdates"` to fail polls.
        Viber with `status=200` answers `{"status": code, ...}` (code defaults to 12,
        tooManyRequests); other Viber statuses are bare HTTP errors.
        """
        _check_platform(platform)
        fault = _Fault(method, times, status, 0.0, retry_after, code, description)
        with self._lock:
            self._faults.failures[platform].append(fault)

    def slow_next(
        self, platform: str, seconds: float, times: int = 1, method: str | None = None
    ) -> None:
        """Delay the next `times` matching calls by `seconds` before answering."""
        _check_platform(platform)
        with self._lock:
            self._faults.delays[platform].append(_Fault(method, times, delay=seconds))

    # -- shared request handling -------------------------------------------------------------

    def _take(self, queue: deque[_Fault], method: str) -> _Fault | None:
        for fault in queue:
            if fault.matches(method):
                fault.times -= 1
                if fault.times <= 0:
                    queue.remove(fault)
                return fault
        return None

    async def _faults_for(self, platform: str, method: str) -> _Fault | None:
        """Apply a pending delay and return a pending failure, if any matches."""
        with self._lock:
            delay = self._take(self._faults.delays[platform], method)
            failure = self._take(self._faults.failures[platform], method)
        if delay is not None and delay.delay > 0:
            await asyncio.sleep(delay.delay)
        return failure

    def _record(
        self,
        platform: str,
        method: str,
        params: dict[str, Any],
        response: Response,
        ok: bool | None = None,
    ) -> Response:
        status = response.status_code
        call = Call(
            platform,
            method,
            params,
            status,
            time.monotonic(),
            ok=(200 <= status < 300) if ok is None else ok,
        )
        with self._lock:
            self._calls.append(call)
            if call.sent:
                self._sent_counts[platform] = self._sent_counts.get(platform, 0) + 1
        return response

    # -- Telegram ----------------------------------------------------------------------------

    async def _telegram(self, request: Request) -> Response:
        token = request.path_params["token"]
        method = request.path_params["method"]
        params = _attach_files(_decode_json_values(await _telegram_params(request)))
        if token not in self.telegram_tokens:
            error = _telegram_error(401, "Unauthorized")
            return self._record("telegram", method, params, error)
        failure = await self._faults_for("telegram", method)
        if failure is not None:
            return self._record("telegram", method, params, _telegram_fault(failure))
        result = await self._telegram_result(method, params)
        return self._record(
            "telegram", method, params, JSONResponse({"ok": True, "result": result})
        )

    async def _telegram_file(self, request: Request) -> Response:
        """A file's bytes, as Telegram serves them to a bot: ``file_<path>`` in plain bytes."""
        if request.path_params["token"] not in self.telegram_tokens:
            return Response(status_code=401)
        path = str(request.path_params["path"])
        self._record("telegram", "file", {"path": path}, Response(status_code=200))
        return Response(f"file {path}".encode(), media_type="application/octet-stream")

    async def _telegram_result(self, method: str, params: dict[str, Any]) -> Any:
        name = method.lower()
        if name == _TELEGRAM_GET_UPDATES:
            return await self._get_updates(params)
        if name == "getme":
            return TELEGRAM_BOT
        if name == "getwebhookinfo":
            with self._lock:
                pending = len(self._updates)
                url = self._telegram_webhook
            return {"url": url, "has_custom_certificate": False, "pending_update_count": pending}
        if name in ("setwebhook", "deletewebhook"):
            with self._lock:
                self._telegram_webhook = str(params.get("url", "")) if name == "setwebhook" else ""
            return True
        if name in _TELEGRAM_TRUE:
            return True
        if name == "getfile":
            file_id = str(params.get("file_id", ""))
            return {"file_id": file_id, "file_unique_id": file_id[:16], "file_path": file_id}
        if name == "sendmediagroup":
            media = params.get("media")
            count = len(media) if isinstance(media, list) else 1
            return [self._telegram_message(method, params) for _ in range(count)]
        if name.startswith("edit"):
            if "inline_message_id" in params:
                return True
            return self._telegram_message(method, params, _as_int(params.get("message_id")))
        if name.startswith("send") or name in ("forwardmessage", "copymessage"):
            if name == "copymessage":
                return {"message_id": next(self._message_ids)}
            return self._telegram_message(method, params)
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long poll: what is queued from `offset` on, or wait up to min(timeout, 2) s for it."""
        offset = _as_int(params.get("offset"))
        limit = _as_int(params.get("limit")) or 100
        wait = min(float(params.get("timeout") or 0), _LONG_POLL_CAP)
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                if offset:  # Telegram forgets updates below the offset: they are confirmed.
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    def _telegram_message(
        self, method: str, params: dict[str, Any], message_id: int | None = None
    ) -> dict[str, Any]:
        """A Message aiogram validates, echoing what was sent."""
        message: dict[str, Any] = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": _telegram_chat(params.get("chat_id")),
            "from": TELEGRAM_BOT,
        }
        name = method.lower()
        if "text" in params and name in ("sendmessage", "editmessagetext"):
            message["text"] = str(params["text"])
        if "caption" in params:
            message["caption"] = str(params["caption"])
        if "latitude" in params and "longitude" in params:
            location = {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
            }
            message["location"] = location
            if name == "sendvenue":
                message["venue"] = {
                    "location": location,
                    "title": str(params.get("title", "")),
                    "address": str(params.get("address", "")),
                }
        if name == "sendcontact":
            contact = {
                "phone_number": str(params.get("phone_number", "")),
                "first_name": str(params.get("first_name", "")),
            }
            if "last_name" in params:
                contact["last_name"] = str(params["last_name"])
            message["contact"] = contact
        if name == "sendphoto":
            file_id = f"photo-{message['message_id']}"
            message["photo"] = [
                {"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1}
            ]
        if name == "senddocument":
            file_id = f"document-{message['message_id']}"
            message["document"] = {"file_id": file_id, "file_unique_id": file_id}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    # -- Twilio ------------------------------------------------------------------------------

    async def _twilio(self, request: Request) -> Response:
        account_sid = request.path_params["account_sid"]
        params = _twilio_params(await request.body())
        expected = (self.twilio_account_sid, self.twilio_auth_token)
        if account_sid != self.twilio_account_sid or _basic_auth(request) != expected:
            return self._record("twilio", "Messages", params, _twilio_error(401))
        failure = await self._faults_for("twilio", "Messages")
        if failure is not None:
            error = _twilio_error(
                failure.status, failure.code, failure.description, failure.retry_after
            )
            return self._record("twilio", "Messages", params, error)
        if not params.get("To"):
            error = _twilio_error(400, 21604, "A 'To' phone number is required.")
            return self._record("twilio", "Messages", params, error)
        if not any(params.get(key) for key in ("Body", "ContentSid", "MediaUrl")):
            error = _twilio_error(400, 21602, "Message body is required.")
            return self._record("twilio", "Messages", params, error)
        message = _twilio_message(account_sid, params)
        return self._record("twilio", "Messages", params, JSONResponse(message, status_code=201))

    # -- Viber -------------------------------------------------------------------------------

    async def _viber(self, request: Request) -> Response:
        endpoint = request.path_params["endpoint"]
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        params: dict[str, Any] = body if isinstance(body, dict) else {}
        if request.headers.get("X-Viber-Auth-Token") != self.viber_token:
            return self._viber_answer(endpoint, params, 2)
        failure = await self._faults_for("viber", endpoint)
        if failure is not None:
            if failure.status != 200:
                error = PlainTextResponse(
                    failure.description or _phrase(failure.status),
                    status_code=failure.status,
                    headers=_retry_after(failure.retry_after),
                )
                return self._record("viber", endpoint, params, error)
            return self._viber_answer(
                endpoint, params, failure.code or 12, failure.description, failure.retry_after
            )
        if body is None or not isinstance(body, dict):
            return self._viber_answer(endpoint, params, 3)
        if endpoint == "send_message":
            missing = _viber_missing(params)
            if missing:
                return self._viber_answer(endpoint, params, 3, f"badData: missing {missing}")
            return self._viber_answer(
                endpoint,
                params,
                0,
                extra={"message_token": next(self._viber_tokens), "chat_hostname": "SN-CHAT-01_"},
            )
        if endpoint == "set_webhook":
            events = params.get("event_types") or _VIBER_EVENTS
            with self._lock:
                self._viber_webhook = str(params.get("url", ""))
            return self._viber_answer(endpoint, params, 0, extra={"event_types": events})
        if endpoint == "get_account_info":
            with self._lock:
                webhook = self._viber_webhook
            return self._viber_answer(endpoint, params, 0, extra=_viber_account(webhook))
        return self._viber_answer(endpoint, params, 0)

    def _viber_answer(
        self,
        endpoint: str,
        params: dict[str, Any],
        status: int,
        message: str | None = None,
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Response:
        """Viber answers HTTP 200 whatever happened; the outcome is in `status`."""
        body: dict[str, Any] = {
            "status": status,
            "status_message": message or ("ok" if status == 0 else _VIBER_STATUS.get(status, "")),
            **(extra or {}),
        }
        response = JSONResponse(body, headers=_retry_after(retry_after))
        return self._record("viber", endpoint, params, response, ok=status == 0)


def run_standins(**options: Any) -> Iterator[StandIns]:
    """Serve the stand-ins for a fixture: `yield from run_standins()`. Options go to StandIns."""
    with StandIns(**options) as standins:
        yield standins


# -- helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    name: str
    value: Any


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")


def _filter(calls: list[Call], platform: str | None, method: str | None) -> list[Call]:
    wanted = method.lower() if method is not None else None
    return [
        c
        for c in calls
        if (platform is None or c.platform == platform)
        and (wanted is None or c.method.lower() == wanted)
    ]


def _count_sent(calls: list[Call], platform: str) -> int:
    return sum(1 for c in calls if c.platform == platform and c.sent)


def _timed_out(timeout: float, calls: list[Call]) -> str:
    shown = calls[-40:]
    lines = [
        f"  {c.platform} {c.method} {c.status}{'' if c.ok else ' !ok'} {c.params}" for c in shown
    ]
    more = f" (last {len(shown)} of {len(calls)})" if len(calls) > len(shown) else ""
    return f"condition not met within {timeout} s; calls{more}:\n" + (
        "\n".join(lines) or "  (none)"
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _retry_after(seconds: int | None) -> dict[str, str]:
    return {"Retry-After": str(seconds)} if seconds is not None else {}


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


async def _telegram_params(request: Request) -> dict[str, Any]:
    """Query string, then the body: JSON, urlencoded (aiogram without files) or multipart.

    python-multipart is not installed, so Starlette's `request.form()` is not an option.
    """
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            decoded = json.loads(body)
        except ValueError:
            return params
        if isinstance(decoded, dict):
            params.update(decoded)
    elif content_type.startswith("multipart/form-data"):
        params.update((p.name, p.value) for p in _multipart(content_type, body))
    else:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


def _multipart(content_type: str, body: bytes) -> list[_Part]:
    """Fields of a multipart/form-data body; a file becomes {filename, content_type, size}."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts: list[_Part] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            value: Any = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "size": len(data),
            }
        else:
            value = data.decode(part.get_content_charset() or "utf-8", errors="replace")
        parts.append(_Part(name, value))
    return parts


def _decode_json_values(params: dict[str, Any]) -> dict[str, Any]:
    """aiogram sends reply_markup and the like as JSON text inside the form: decode those."""
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key not in _TELEGRAM_FREE_TEXT and isinstance(value, str) and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        decoded[key] = value
    return decoded


def _attach_files(params: dict[str, Any]) -> dict[str, Any]:
    """Put each uploaded file where aiogram referenced it ("attach://<random key>")."""
    files = {k: v for k, v in params.items() if isinstance(v, dict) and "filename" in v}
    if not files:
        return params
    used: set[str] = set()

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("attach://"):
            key = value.removeprefix("attach://")
            if key in files:
                used.add(key)
                return files[key]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    resolved = {k: resolve(v) for k, v in params.items() if k not in files}
    resolved.update((k, v) for k, v in files.items() if k not in used)
    return resolved


def _telegram_chat(chat_id: Any) -> dict[str, Any]:
    try:
        return {"id": int(chat_id), "type": "private"}
    except (TypeError, ValueError):
        username = str(chat_id or "").lstrip("@") or "channel"
        return {"id": -1_000_000_000_001, "type": "channel", "username": username}


def _telegram_error(
    status: int,
    description: str,
    retry_after: int | None = None,
    error_code: int | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error_code or status,
        "description": description,
    }
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, status_code=status)


def _telegram_fault(fault: _Fault) -> JSONResponse:
    retry_after = fault.retry_after
    if fault.status == 429:
        retry_after = 1 if retry_after is None else retry_after
        default = f"Too Many Requests: retry after {retry_after}"
    elif fault.status == 403:
        default = "Forbidden: bot was blocked by the user"
    elif fault.status >= 500:
        default = "Bad Gateway"
    else:
        default = _phrase(fault.status)
    return _telegram_error(
        fault.status,
        fault.description or default,
        retry_after if fault.status == 429 else None,
        fault.code,
    )


def _twilio_params(body: bytes) -> dict[str, Any]:
    """Form fields; PersistentAction and MediaUrl are always lists, other repeats become lists."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        if key in _TWILIO_MULTI:
            params.setdefault(key, []).append(value)
        elif key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params


def _basic_auth(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _twilio_error(
    status: int,
    code: int | None = None,
    message: str | None = None,
    retry_after: int | None = None,
) -> JSONResponse:
    """Twilio's legacy error JSON, which twilio-python turns into TwilioRestException(code)."""
    default_code, default_message = _TWILIO_ERRORS.get(status, (20000 + status, _phrase(status)))
    code = code or default_code
    body = {
        "code": code,
        "message": message or _TWILIO_MESSAGES.get(code) or default_message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(body, status_code=status, headers=_retry_after(retry_after))


def _segments(body: str) -> int:
    if not body:
        return 1
    single, multi = (160, 153) if body.isascii() else (70, 67)
    return 1 if len(body) <= single else -(-len(body) // multi)


def _twilio_message(account_sid: str, params: dict[str, Any]) -> dict[str, Any]:
    """The Message resource as Twilio answers a create: queued, counts as strings."""
    sid = "SM" + uuid.uuid4().hex
    now = format_datetime(datetime.now(UTC))
    body = str(params.get("Body", ""))
    uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": params.get("From"),
        "messaging_service_sid": params.get("MessagingServiceSid"),
        "num_media": str(len(params.get("MediaUrl", []))),
        "num_segments": str(_segments(body)),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": params.get("To"),
        "uri": f"{uri}.json",
    }


def _viber_missing(params: dict[str, Any]) -> str | None:
    sender = params.get("sender")
    if not params.get("receiver"):
        return "receiver"
    if not params.get("type"):
        return "type"
    if not isinstance(sender, dict) or not sender.get("name"):
        return "sender.name"
    if params["type"] == "text" and not params.get("text"):
        return "text"
    return None


def _viber_account(webhook: str) -> dict[str, Any]:
    return {
        "id": "pa:5000000000000000000",
        "name": "Musofir",
        "uri": "musofir",
        "icon": "https://example.invalid/musofir.png",
        "background": "https://example.invalid/background.png",
        "category": "Travel",
        "subcategory": "Travel Services",
        "location": {"lon": 69.2401, "lat": 41.2995},
        "country": "UZ",
        "webhook": webhook,
        "event_types": _VIBER_EVENTS,
        "subscribers_count": 0,
        "members": [],
    }


__all__ = [
    "PLATFORMS",
    "TELEGRAM_BOT",
    "TELEGRAM_TOKEN",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "VIBER_TOKEN",
    "Call",
    "StandIns",
    "run_standins",
]
