"""Run the server with uvicorn, for ``musofir demo`` and ``musofir serve``."""

from __future__ import annotations

import logging
import sys

import uvicorn

from musofir.bots.server import create_app
from musofir.dialogs.i18n import CatalogError
from musofir.knowledge import KnowledgeBaseError
from musofir.knowledge.directory import DirectoryError
from musofir.settings import Settings

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int, memory_state: bool, demo: bool) -> int:
    try:
        app = create_app(settings, memory_state=memory_state)
    except (KnowledgeBaseError, CatalogError, DirectoryError) as error:
        sys.stderr.write(f"musofir: refusing to start: {error}\n")
        return 1
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    if demo:
        where = settings.data_dir.resolve()
        sys.stderr.write(f"musofir demo: data in {where}, conversation state in memory\n")
    print(f"Web chat: http://{shown_host}:{port}/chat", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, lifespan="on")
    return 0


__all__ = ["serve"]
