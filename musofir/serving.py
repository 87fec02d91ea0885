"""Run the server with uvicorn, for ``musofir demo`` and ``musofir serve``."""

from __future__ import annotations

import logging
import sys
from contextlib import suppress

import uvicorn
from uvicorn.supervisors import Multiprocess

from musofir.alerts.reminders import ReminderError
from musofir.bots.nlu_backend import NluBackendError
from musofir.bots.server import ChannelError, create_app
from musofir.bots.twilio.content import ContentError
from musofir.dialogs.i18n import CatalogError
from musofir.knowledge import KnowledgeBaseError
from musofir.knowledge.directory import DirectoryError
from musofir.knowledge.hours import HoursError
from musofir.settings import Settings
from musofir.storage.staff import ensure_demo_specialist
from musofir.worker_socket import worker_socket

log = logging.getLogger(__name__)


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    memory_state: bool,
    demo: bool,
    telegram_polling: bool = False,
    workers: int = 1,
) -> int:
    if workers > 1 and not settings.redis_url:
        sys.stderr.write("musofir: --workers above 1 needs REDIS_URL (state is shared there)\n")
        return 2
    if workers > 1 and telegram_polling:
        sys.stderr.write("musofir: --telegram-polling runs in one process: use --workers 1\n")
        return 2
    try:
        app = create_app(settings, memory_state=memory_state, telegram_polling=telegram_polling)
    except (
        KnowledgeBaseError,
        CatalogError,
        DirectoryError,
        ChannelError,
        ContentError,
        HoursError,
        ReminderError,
        NluBackendError,
    ) as error:
        sys.stderr.write(f"musofir: refusing to start: {error}\n")
        return 1
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    login = None
    if demo:
        where = settings.data_dir.resolve()
        sys.stderr.write(f"musofir demo: data in {where}, conversation state in memory\n")
        login = ensure_demo_specialist(app.state.runtime.storage.engine)
    print(f"Web chat: http://{shown_host}:{port}/chat", flush=True)
    if login:
        print(
            f"Console:  http://{shown_host}:{port}/console (user demo, password {login})",
            flush=True,
        )
    if workers > 1:
        return _serve_workers(host, port, workers)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, lifespan="on")
    return 0


def _serve_workers(host: str, port: int, workers: int) -> int:
    """uvicorn's supervisor (it restarts a worker that dies), each worker on its own socket.

    Each worker builds its own app from the same environment (checked above).
    """
    config = uvicorn.Config(
        "musofir.bots.server:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        lifespan="on",
    )
    try:
        placeholder = worker_socket(host, port)
    except OSError as error:
        sys.stderr.write(f"musofir: cannot listen on {host}:{port}: {error}\n")
        return 1
    log.info("%d workers on http://%s:%d, each with its own socket", workers, host, port)
    with suppress(KeyboardInterrupt):  # Ctrl+C: the supervisor has stopped the workers
        Multiprocess(config, sockets=[placeholder]).run()
    return 0


__all__ = ["serve"]
