"""The one channel-neutral dialog engine: message contract, state, flows and UI strings.

Nothing here imports a messenger SDK or an HTTP client; adapters in ``bots`` translate.
"""

from .directory import UserDirectory
from .engine import DeliveryOutcome, DialogEngine
from .i18n import LANGUAGES, Catalogs, Translator
from .messages import Button, Contact, Inbound, Location, Media, MediaKind, Outbound, Venue
from .state import Conversation, MemoryStateStore, StateStore
from .turn import Services

__all__ = [
    "LANGUAGES",
    "Button",
    "Catalogs",
    "Contact",
    "Conversation",
    "DeliveryOutcome",
    "DialogEngine",
    "Inbound",
    "Location",
    "Media",
    "MediaKind",
    "MemoryStateStore",
    "Outbound",
    "Services",
    "StateStore",
    "Translator",
    "UserDirectory",
    "Venue",
]
