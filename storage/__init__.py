"""Storage: the database, its migrations, and the privacy primitives around people's data.

A top-level package of its own because people (dialogs), cases (handoff) and subscriptions
(alerts) all live in one database, and none of those packages should own it.
"""

from .database import make_engine, migrate
from .models import Person, PersonPublic, StaffMember, StaffPublic, StaffRole
from .people import PersonDirectory
from .privacy import KeyedHasher, Sealer, load_or_create_key, new_pseudonym
from .setup import open_storage
from .unanswered import UnansweredQuestions

__all__ = [
    "KeyedHasher",
    "Person",
    "PersonDirectory",
    "PersonPublic",
    "Sealer",
    "StaffMember",
    "StaffPublic",
    "StaffRole",
    "UnansweredQuestions",
    "load_or_create_key",
    "make_engine",
    "migrate",
    "new_pseudonym",
    "open_storage",
]
