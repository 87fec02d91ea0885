"""The server: one FastAPI app that runs the channels, built by an app factory.

Everything that can be wrong with the content (knowledge base, UI catalogs) is checked while the
app is built, so a server with broken content refuses to start with the same messages
``musofir kb check`` prints. Connections are closed in reverse order on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from musofir.dialogs import Catalogs, DialogEngine, MemoryStateStore, Services, StateStore
from musofir.dialogs.i18n import CatalogError
from musofir.dialogs.redis_state import RedisStateStore, connect
from musofir.knowledge import KnowledgeBase
from musofir.knowledge.directory import DirectoryError
from musofir.knowledge.places import Gazetteer
from musofir.knowledge.services_setup import open_directory, topic_links
from musofir.nlu import CommandWords, DangerWords, build_faq_matcher
from musofir.storage import open_storage
from musofir.storage.setup import Storage
from sqlalchemy import text

from musofir import __version__
from musofir.settings import Settings

from .channels import Channels, build_channels
from .delivery.inbox import Inbox, MemoryInbox, RedisInbox
from .delivery.outbox import Outbox
from .delivery.push import Pusher
from .delivery.ratelimit import Limiter, MemoryLimiter, RedisLimiter
from .delivery.receiver import Receiver, ReceiverTimings
from .telegram import routes as telegram_routes
from .telegram.polling import poll_forever
from .telegram.routes import TelegramUpdates
from .twilio import routes as twilio_routes
from .twilio.routes import TwilioWebhooks
from .viber import routes as viber_routes
from .webchat import ChatLog, MemoryChatLog, RedisChatLog, WebChat, build_router

log = logging.getLogger(__name__)


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


def build_services(settings: Settings, storage: Storage) -> Services:
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
        matcher=build_faq_matcher(knowledge),
        commands=CommandWords.load(),
        danger=DangerWords.load(),
        people=storage.people,
        directory=directory,
        gazetteer=cache(Gazetteer.load),
        reports=storage.reports,
        topic_services=topic_links(),
    )


def build_runtime(
    settings: Settings, *, memory_state: bool = False, timings: ReceiverTimings | None = None
) -> Runtime:
    storage = open_storage(settings)
    try:
        services = build_services(settings, storage)
    except Exception:
        storage.close()
        raise
    use_redis = bool(settings.redis_url) and not memory_state
    store: StateStore
    chat_log: ChatLog
    limiter: Limiter
    inbox: Inbox
    if use_redis and settings.redis_url:
        redis = connect(settings.redis_url)  # one pool for state, logs, inbox and rate limits
        store, chat_log = RedisStateStore(redis), RedisChatLog(redis)
        limiter, inbox = RedisLimiter(redis), RedisInbox(redis)
        state_note = "state, dedupe and rate limits: Redis (several processes may share it)"
    else:
        store, chat_log = MemoryStateStore(), MemoryChatLog()
        limiter, inbox = MemoryLimiter(), MemoryInbox()
        state_note = "state, dedupe and rate limits: in memory (run one process only)"
    engine = DialogEngine(services, store)
    webchat = WebChat(engine, chat_log, secure_cookie=settings.cookie_secure)
    channels = build_channels(settings, services.catalogs, store)
    timings = timings or ReceiverTimings(lease_seconds=settings.inbox_lease_seconds)
    outbox = Outbox(store, limiter, rate_scale=settings.rate_limit_scale)
    receiver = Receiver(engine, outbox, inbox, channels.all(), timings)
    pusher = Pusher(engine, outbox, {channel.name: channel for channel in channels.all()})
    notes = (state_note, *channels.notes)
    return Runtime(
        settings, storage, store, chat_log, engine, webchat, channels, receiver, pusher, notes
    )


def include_channels(app: FastAPI, runtime: Runtime) -> TelegramUpdates | None:
    settings, channels, receiver = runtime.settings, runtime.channels, runtime.receiver
    updates = None
    if channels.telegram is not None:
        updates = TelegramUpdates(channels.telegram, receiver)
        app.include_router(telegram_routes.build_router(updates, settings.telegram_webhook_secret))
    twilio_channels = {c.name for c in (channels.whatsapp, channels.sms) if c is not None}
    if twilio_channels and settings.twilio_auth_token:
        webhooks = TwilioWebhooks(settings.twilio_auth_token, settings.public_url)
        app.include_router(
            twilio_routes.build_router(webhooks, receiver, runtime.engine, twilio_channels)
        )
    if channels.viber is not None and settings.viber_auth_token:
        app.include_router(
            viber_routes.build_router(
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
    app = FastAPI(title="Musofir", version=__version__)
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
        background = [asyncio.create_task(runtime.receiver.sweep_forever())]
        if telegram_polling and updates is not None:
            background.append(asyncio.create_task(poll_forever(updates)))
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await runtime.receiver.drain()
            await runtime.channels.close()
            await runtime.chat_log.close()
            await runtime.store.close()
            runtime.storage.close()

    app.router.lifespan_context = lifespan
    app.state.runtime = runtime
    app.include_router(build_router(runtime.webchat))

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


class ChannelError(ValueError):
    """A channel was asked for that its settings do not allow."""


__all__ = ["ChannelError", "Runtime", "app_from_environment", "build_runtime", "create_app"]
