"""One turn of a conversation: the message, the person's state, and the replies being built."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from musofir.knowledge import KnowledgeBase
from musofir.knowledge.directory import ServiceDirectory
from musofir.knowledge.places import Gazetteer
from musofir.nlu import CommandWords, DangerWords, FaqMatcher, SpecialistWords

from . import payloads
from .desk import HelpDesk
from .directory import ReportSink, UserDirectory
from .i18n import Catalogs, Translator
from .learning import UnansweredSink
from .messages import Button, Inbound, Location, Outbound, Venue
from .state import Conversation, Option
from .subscriptions import AlertDesk


@dataclass(frozen=True, slots=True)
class Services:
    """Everything flows may use, built once by the app and shared by every turn."""

    catalogs: Catalogs
    knowledge: KnowledgeBase
    matcher: FaqMatcher
    commands: CommandWords
    danger: DangerWords
    people: UserDirectory
    directory: ServiceDirectory
    gazetteer: Callable[[], Gazetteer]  # loaded on first use: most turns never need a town
    reports: ReportSink
    topic_services: dict[str, str]  # topic id -> the kind of service to offer after its answer
    specialists: SpecialistWords  # typed requests for a human ("юрист", "odam bilan...")
    desk: HelpDesk  # cases for specialists, and visits to the centre
    alerts: AlertDesk  # subscriptions and personal reminders
    unanswered: UnansweredSink  # questions below the threshold, for staff to teach the bot


@dataclass
class Turn:
    inbound: Inbound
    conversation: Conversation
    services: Services
    user_key: str
    text: str = ""  # the inbound text, cleaned
    replies: list[Outbound] = field(default_factory=list)
    forgotten: bool = False  # set when the person erased their data in this turn

    @property
    def t(self) -> Translator:
        return Translator(self.services.catalogs, self.conversation.language)

    @property
    def language(self) -> str:
        return self.t.language

    def say(
        self,
        text: str,
        buttons: Sequence[Button] = (),
        *,
        location: Location | None = None,
        venue: Venue | None = None,
    ) -> None:
        self.replies.append(
            Outbound(
                text=text,
                buttons=tuple(buttons),
                location=location,
                venue=venue,
                language=self.conversation.language,
            )
        )

    def button(self, key: str, kind: str, argument: str | None = None) -> Button:
        """A button whose title is the UI string ``key`` in the person's language."""
        return Button(self.t(key), payloads.make(kind, argument))

    def menu_button(self) -> Button:
        return self.button("button.menu", payloads.MENU)

    def specialist_button(self) -> Button:
        return self.button("button.specialist", payloads.SPECIALIST)


def remember_options(conversation: Conversation, replies: Sequence[Outbound]) -> None:
    """Keep the last message's buttons so "2" typed on SMS picks the second one."""
    for reply in reversed(replies):
        if reply.buttons:
            conversation.options = [Option(b.title, b.payload) for b in reply.buttons]
            return


__all__ = ["Services", "Turn", "remember_options"]
