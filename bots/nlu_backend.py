"""Which FAQ matcher the server uses: ``NLU_BACKEND=builtin`` (the default) or ``rasa``.

The choice is checked while the app is built, so a server told to use Rasa without an address
refuses to start with one line saying what to set, rather than answering nobody.
"""

from __future__ import annotations

from musofir.knowledge import KnowledgeBase
from musofir.nlu import FaqMatcher, build_faq_matcher, detect_language

from .rasa_nlu import RasaMatcher

BACKENDS = ("builtin", "rasa")


class NluBackendError(ValueError):
    """NLU_BACKEND or RASA_URL cannot work; the message says what to set."""


def build_matcher(
    settings_backend: str, rasa_url: str | None, knowledge: KnowledgeBase
) -> FaqMatcher:
    backend = (settings_backend or "builtin").strip().lower()
    if backend == "builtin":
        return build_faq_matcher(knowledge)
    if backend != "rasa":
        raise NluBackendError(f"NLU_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if not rasa_url:
        raise NluBackendError(
            "NLU_BACKEND=rasa needs RASA_URL, the Rasa server's address "
            "(e.g. http://rasa:5005, started with `rasa run --enable-api`)"
        )
    try:
        matcher = RasaMatcher(rasa_url, topics=knowledge.topics)
    except ValueError as error:
        raise NluBackendError(str(error)) from error
    detect_language("patent")  # trains the language model now, not on someone's first question
    return matcher


def describe_matcher(matcher: FaqMatcher) -> str:
    """One start-up log line saying which matcher answers questions."""
    if isinstance(matcher, RasaMatcher):
        return (
            f"NLU: Rasa at {matcher.where} (NLU_BACKEND=rasa); while it does not answer within "
            f"{matcher.timeout_seconds:g} s, questions get 'no match' and a specialist"
        )
    return "NLU: the built-in matcher (NLU_BACKEND=builtin)"


async def close_matcher(matcher: FaqMatcher) -> None:
    """Close what the matcher holds open (the Rasa matcher's HTTP connections)."""
    if isinstance(matcher, RasaMatcher):
        await matcher.aclose()


__all__ = ["BACKENDS", "NluBackendError", "build_matcher", "close_matcher", "describe_matcher"]
