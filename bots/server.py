"""The server: one FastAPI app that runs the channels, built by an app factory.

Everything that can be wrong with the content (knowledge base, UI catalogs) is checked while the
app is built, so a server with broken content refuses to start with the same messages
``musofir kb check`` prints. Connections are closed in reverse order on shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
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

from musofir import __version__
from musofir.settings import Settings

from .webchat import ChatLog, MemoryChatLog, RedisChatLog, WebChat, build_router

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Runtime:
    """What the app holds for its lifetime; tests reach the engine and the web chat through it."""

    settings: Settings
    storage: Storage
    store: StateStore
    chat_log: ChatLog
    engine: DialogEngine
    webchat: WebChat


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


def build_runtime(settings: Settings, *, memory_state: bool = False) -> Runtime:
    storage = open_storage(settings)
    try:
        services = build_services(settings, storage)
    except Exception:
        storage.close()
        raise
    use_redis = bool(settings.redis_url) and not memory_state
    store: StateStore
    chat_log: ChatLog
    if use_redis and settings.redis_url:
        redis = connect(settings.redis_url)  # one pool for the state and the chat logs
        store, chat_log = RedisStateStore(redis), RedisChatLog(redis)
    else:
        store, chat_log = MemoryStateStore(), MemoryChatLog()
    engine = DialogEngine(services, store)
    webchat = WebChat(engine, chat_log, secure_cookie=settings.cookie_secure)
    return Runtime(settings, storage, store, chat_log, engine, webchat)


def create_app(settings: Settings | None = None, *, memory_state: bool = False) -> FastAPI:
    runtime = build_runtime(settings or Settings(), memory_state=memory_state)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        log.info(
            "musofir %s serving %d topics",
            __version__,
            len(runtime.engine.services.knowledge.topics),
        )
        try:
            yield
        finally:
            await runtime.chat_log.close()
            await runtime.store.close()
            runtime.storage.close()

    app = FastAPI(title="Musofir", version=__version__, lifespan=lifespan)
    app.state.runtime = runtime
    app.include_router(build_router(runtime.webchat))

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/chat")

    @app.get("/healthz", tags=["ops"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


__all__ = ["Runtime", "build_runtime", "create_app"]
