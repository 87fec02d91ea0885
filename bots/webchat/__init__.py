"""The web chat channel: a mobile-first page for people without the messenger apps."""

from .log import ChatLog, LogEvent, MemoryChatLog, RedisChatLog
from .routes import WebChat, build_router

__all__ = ["ChatLog", "LogEvent", "MemoryChatLog", "RedisChatLog", "WebChat", "build_router"]
