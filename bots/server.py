"""The server: one FastAPI app that runs the channels, built by an app factory.

Everything that can be wrong with the content (knowledge base, UI catalogs) is checked while the
app is built, so a server with broken content refuses to start with the same messages
``musofir kb check`` prints. Connections are closed in reverse order on shutdown.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from musofir.alerts.book import AlertBook
from musofir.alerts.desk import AlertsDesk
from musofir.alerts.local import run_locally
from musofir.alerts.reminders import ReminderBook, ReminderError
from musofir.alerts.subscriptions import SubscriptionBook
from musofir.alerts.worker import SendAlert, SendReminder
from musofir.dialogs import (
    Catalogs,
    DialogEngine,
    MemoryStateStore,
    Outbound,
    Services,
    StateStore,
)
from musofir.dialogs.desk import HelpDesk
from musofir.dialogs.i18n import CatalogError
from musofir.dialogs.redis_state import RedisStateStore, connect
from musofir.dialogs.subscriptions import AlertDesk
from musofir.handoff.actions import ConsoleActions
from musofir.handoff.console import routes as console_routes
from musofir.handoff.console.alerts_routes import build_alerts_router
from musofir.handoff.console.app import Console
from musofir.handoff.console.auth import LoginThrottle, RedisLoginThrottle
from musofir.handoff.console.guards import Guards
from musofir.handoff.desk import Desk
from musofir.handoff.hub import HandoffHub
from musofir.handoff.upkeep import keep_up
from musofir.knowledge import KnowledgeBase
from musofir.knowledge.directory import DirectoryError
from musofir.knowledge.places import Gazetteer
from musofir.knowledge.services_setup import open_directory, topic_links
from musofir.nlu import CommandWords, DangerWords, SpecialistWords
from musofir.storage import open_storage
from musofir.storage.setup import Storage
from sqlalchemy import text

from musofir import __version__
from musofir.settings import Settings

from . import media
from .alert_senders import alert_senders
from .channels import Channels, build_channels
from .delivery.dispatch import WebhookApp
from .delivery.inbox import Inbox, MemoryInbox, RedisInbox
from .delivery.outbox import Outbox
from .delivery.push import WHATSAPP_WINDOW_REASON as WHATSAPP_WINDOW
from .delivery.push import Pusher, PushResult, WindowRule
from .delivery.ratelimit import Limiter, MemoryLimiter, RedisLimiter
from .delivery.receiver import Receiver, ReceiverTimings
from .nlu_backend import build_matcher, close_matcher, describe_matcher
from .preview import preview
from .telegram import routes as telegram_routes
from .telegram.polling import poll_forever
from .telegram.routes import TelegramUpdates
from .twilio import routes as twilio_routes
from .twilio.routes import TwilioWebhooks
from .viber import routes as viber_routes
from .webchat import ChatLog, MemoryChatLog, RedisChatLog, WebChat, build_router
from .webchat.adapter import CHANNEL as WEBCHAT

log = logging.getLogger(__name__)


@cache
def settle_garbage_collector() -> None:
    """Move everything loaded at start-up (the knowledge base, the matcher, the routes) out of
    the collector's sight, and let it run less often; once per process.

    Each webhook allocates short-lived objects by the thousand; with the default threshold the
    collector ran every few requests and walked the whole start-up heap (about 5% of a busy
    server's time, measured with perf). Frozen objects are never freed, so this is done for the
    first app of a process only (tests build many).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


@dataclass(frozen=True, slots=True)
class Runtime:
    """What the app holds for its lifetime; tests reach the engine and the channels through it."""

    settings: Settings
    storage: Storage
    store: StateStore
    chat_log: ChatLog
    engine: DialogEngine
    webchat: WebChat
    channels: Channels
    receiver: Receiver
    pusher: Pusher  # messages the server starts: specialists' replies, alerts, reminders
    notes: tuple[str, ...]  # what the start-up log says about channels and state
    hub: HandoffHub
    console: Console
    push: ServerPush  # the pusher, or the web chat's log for people on the web chat


def build_services(
    settings: Settings, storage: Storage, desk: HelpDesk, alerts: AlertDesk
) -> Services:
    directory, errors = open_directory(settings.data_dir / "services", date.today())
    if errors:
        raise DirectoryError(errors)
    catalogs = Catalogs.load()
    problems = catalogs.problems()
    if problems:
        raise CatalogError("the UI catalogs have problems:\n" + "\n".join(problems))
    knowledge = KnowledgeBase.load(settings.knowledge_dir)
    return Services(
        catalogs=catalogs,
        knowledge=knowledge,
        matcher=build_matcher(settings.nlu_backend, settings.rasa_url, knowledge),
        commands=CommandWords.load(),
        danger=DangerWords.load(),
        people=storage.people,
        directory=directory,
        gazetteer=cache(Gazetteer.load),
        reports=storage.reports,
        topic_services=topic_links(),
        specialists=SpecialistWords.load(),
        desk=desk,
        alerts=alerts,
        unanswered=storage.unanswered,
    )


def build_runtime(
    settings: Settings,
    *,
    memory_state: bool = False,
    timings: ReceiverTimings | None = None,
    steady_rates: bool = False,
) -> Runtime:
    """``steady_rates``: the alert worker paces its sends without bursts (see ``Outbox``)."""
    storage = open_storage(settings)
    use_redis = bool(settings.redis_url) and not memory_state
    # One pool for state, logs, inbox, rate limits and console events.
    redis = connect(settings.redis_url) if use_redis and settings.redis_url else None
    try:
        hub = HandoffHub.build(settings, storage.engine, redis)
        subscriptions = SubscriptionBook(storage.engine)
        try:
            reminders = ReminderBook(storage.engine, settings.reminder_days_before)
        except ValueError as error:
            raise ReminderError(str(error)) from error
        alerts = AlertsDesk(subscriptions, reminders)
        services = build_services(settings, storage, Desk(hub), alerts)
    except Exception:
        storage.close()
        raise
    store: StateStore
    chat_log: ChatLog
    limiter: Limiter
    inbox: Inbox
    throttle: LoginThrottle
    if redis is not None:
        store, chat_log = RedisStateStore(redis), RedisChatLog(redis)
        throttle = RedisLoginThrottle(redis)
        limiter, inbox = RedisLimiter(redis), RedisInbox(redis)
        state_note = "state, dedupe and rate limits: Redis (several processes may share it)"
    else:
        store, chat_log = MemoryStateStore(), MemoryChatLog()
        limiter, inbox = MemoryLimiter(), MemoryInbox()
        throttle = LoginThrottle()
        state_note = "state, dedupe and rate limits: in memory (run one process only)"
    engine = DialogEngine(services, store)

    async def opted_out(user_key: str, reason: str) -> None:
        """Blocked, unsubscribed or STOP on a platform: every alert and reminder stops, and an
        open talk with a specialist ends (WhatsApp's window closing is no opt-out)."""
        if reason == WHATSAPP_WINDOW:
            return
        await alerts.stop(user_key)
        case = await asyncio.to_thread(hub.cases.open_case_of, user_key)
        if case is not None:
            await services.desk.end_by_person(case.id or 0, user_key)

    engine.on_unreachable(opted_out)
    webchat = WebChat(engine, chat_log, secure_cookie=settings.cookie_secure)
    channels = build_channels(settings, services.catalogs, store)
    timings = timings or ReceiverTimings(lease_seconds=settings.inbox_lease_seconds)
    outbox = Outbox(store, limiter, rate_scale=settings.rate_limit_scale, steady=steady_rates)
    receiver = Receiver(engine, outbox, inbox, channels.all(), timings)
    pusher = Pusher(engine, outbox, {channel.name: channel for channel in channels.all()})
    notes = (state_note, describe_matcher(services.matcher), *channels.notes)

    async def push(
        user_key: str,
        replies: Sequence[Outbound],
        outside_window: WindowRule | None = None,
        address: tuple[str, str] | None = None,
    ) -> str:
        """Messages the server starts, on the person's channel (the web chat included).

        ``address`` (channel, chat id) saves the lookup when the caller read it already.
        """
        if address is None:
            address = await asyncio.to_thread(storage.people.reply_address, user_key)
        if address is not None and address[0] == WEBCHAT:
            for reply in replies:
                await webchat.push(address[1], reply)
            return PushResult.SENT.value
        result = await pusher.push(
            user_key, replies, outside_window=outside_window, address=address
        )
        return result.value

    async def fetch_media(channel: str, reference: str) -> tuple[bytes, str] | None:
        fetched = await media.fetch(settings, channels, channel, reference)
        return (fetched.content, fetched.content_type) if fetched else None

    actions = ConsoleActions(hub, engine, push)
    console = Console(
        hub, actions, engine, throttle, secure_cookie=settings.cookie_secure,
        fetch_media=fetch_media,
    )  # fmt: skip
    return Runtime(
        settings, storage, store, chat_log, engine, webchat, channels, receiver, pusher, notes,
        hub, console, push,
    )  # fmt: skip


def runtime_senders(runtime: Runtime) -> tuple[SendAlert, SendReminder]:
    """The alert and reminder senders on this runtime's channels and limits."""
    whatsapp = runtime.channels.whatsapp
    return alert_senders(
        runtime.push,
        runtime.storage.people,
        SubscriptionBook(runtime.storage.engine),
        runtime.engine.services.catalogs,
        whatsapp.templates.reminder if whatsapp is not None else None,
    )


def include_channels(app: WebhookApp, runtime: Runtime) -> TelegramUpdates | None:
    """The messenger webhooks, answered ahead of FastAPI (see ``delivery.dispatch``)."""
    settings, channels, receiver = runtime.settings, runtime.channels, runtime.receiver
    updates = None
    if channels.telegram is not None:
        updates = TelegramUpdates(channels.telegram, receiver)
        app.add_webhooks(telegram_routes.build_webhooks(updates, settings.telegram_webhook_secret))
    twilio_channels = {c.name for c in (channels.whatsapp, channels.sms) if c is not None}
    if twilio_channels and settings.twilio_auth_token:
        webhooks = TwilioWebhooks(settings.twilio_auth_token, settings.public_url)
        app.add_webhooks(
            twilio_routes.build_webhooks(webhooks, receiver, runtime.engine, twilio_channels)
        )
    if channels.viber is not None and settings.viber_auth_token:
        app.add_webhooks(
            viber_routes.build_webhooks(
                channels.viber, receiver, runtime.engine, settings.viber_auth_token
            )
        )
    return updates


async def readiness(runtime: Runtime) -> dict[str, str]:
    """Ask the database and Redis; raise if either does not answer."""

    def database() -> None:
        with runtime.storage.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    await asyncio.wait_for(asyncio.to_thread(database), 5)
    await asyncio.wait_for(runtime.store.ping(), 5)
    redis = "ok" if isinstance(runtime.store, RedisStateStore) else "not used"
    return {"status": "ready", "database": "ok", "redis": redis}


def create_app(
    settings: Settings | None = None,
    *,
    memory_state: bool = False,
    telegram_polling: bool = False,
    timings: ReceiverTimings | None = None,
) -> FastAPI:
    runtime = build_runtime(settings or Settings(), memory_state=memory_state, timings=timings)
    app = WebhookApp(title="Musofir", version=__version__)
    updates = include_channels(app, runtime)
    if telegram_polling and updates is None:
        raise ChannelError("--telegram-polling needs TELEGRAM_BOT_TOKEN")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        log.info(
            "musofir %s serving %d topics",
            __version__,
            len(runtime.engine.services.knowledge.topics),
        )
        for note in runtime.notes:
            log.info("%s", note)
        settle_garbage_collector()
        background = [
            asyncio.create_task(runtime.receiver.sweep_forever()),
            asyncio.create_task(
                keep_up(
                    runtime.hub, runtime.push, runtime.engine.services.catalogs,
                    runtime.storage.people,
                )
            ),
        ]  # fmt: skip
        if telegram_polling and updates is not None:
            background.append(asyncio.create_task(poll_forever(updates)))
        if not isinstance(runtime.store, RedisStateStore):
            # One process, no queue: the server sends alerts and reminders itself.
            send_alert, remind = runtime_senders(runtime)
            engine = runtime.storage.engine
            background.append(
                asyncio.create_task(
                    run_locally(AlertBook(engine), ReminderBook(engine), send_alert, remind)
                )
            )
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await runtime.receiver.drain()
            await runtime.channels.close()
            await runtime.hub.events.close()
            await runtime.chat_log.close()
            await runtime.store.close()
            await close_matcher(runtime.engine.services.matcher)
            await runtime.storage.unanswered.flush()  # the counts of the last half second
            runtime.storage.close()

    app.router.lifespan_context = lifespan
    app.state.runtime = runtime
    app.include_router(build_router(runtime.webchat))
    app.include_router(console_routes.build_router(runtime.console))
    app.include_router(
        build_alerts_router(
            runtime.console,
            Guards(runtime.console),
            AlertBook(runtime.storage.engine),
            preview,
            approval=runtime.settings.alerts_approval,
        )
    )

    @app.exception_handler(console_routes.LoginRequired)
    async def to_login(_request: Request, _error: Exception) -> RedirectResponse:
        return RedirectResponse("/console/login", status_code=303)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/chat")

    @app.get("/healthz", tags=["ops"])
    async def health() -> dict[str, str]:
        """The process is up (it may still wait for the database or Redis: see /readyz)."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["ops"])
    async def ready() -> JSONResponse:
        """The database and Redis answer; 503 with the reason otherwise."""
        try:
            return JSONResponse(await readiness(runtime))
        except Exception as error:
            log.warning("not ready: %s", error)
            reason = f"{type(error).__name__}: {error}"[:300]
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)

    return app


def app_from_environment() -> FastAPI:
    """The app factory ``musofir serve --workers N`` hands to uvicorn, one per worker."""
    return create_app(Settings())


class ServerPush(Protocol):
    async def __call__(
        self,
        user_key: str,
        replies: Sequence[Outbound],
        outside_window: WindowRule | None = None,
        address: tuple[str, str] | None = None,
    ) -> str: ...


class ChannelError(ValueError):
    """A channel was asked for that its settings do not allow."""


__all__ = ["ChannelError", "Runtime", "app_from_environment", "build_runtime", "create_app"]
