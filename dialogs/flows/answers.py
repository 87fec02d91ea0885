"""Answers from the knowledge base: a chosen topic, or a typed question through the matcher."""

from __future__ import annotations

from musofir.knowledge import format_sources
from musofir.knowledge.limits import COMFORT_LIMIT
from musofir.nlu import Band, MatchResult

from .. import payloads
from ..learning import keep_quietly
from ..messages import Button
from ..turn import Turn

_RELATED_BUTTONS = 2


def answer_topic(turn: Turn, topic_id: str) -> None:
    """Send a topic's answer in the person's language (or Russian, saying so) with its sources."""
    knowledge = turn.services.knowledge
    found = knowledge.localized(topic_id, turn.language)
    if found is None:
        not_found(turn)
        return
    t = turn.t
    topic = found.topic
    messages = list(found.text.answer)
    if found.is_fallback:
        messages[0] = f"{t('answer.fallback_language')}\n\n{messages[0]}"
    date = topic.reviewed_on.isoformat()
    notes = [t("answer.needs_review", date=date)] if topic.needs_review else []
    notes.append(
        t("answer.sources") + "\n" + format_sources([(s.title, s.url) for s in topic.sources])
    )
    if not topic.needs_review:
        notes.append(t("answer.reviewed", date=date))
    footer = "\n\n".join(notes)
    if len(messages[-1]) + len(footer) + 2 <= COMFORT_LIMIT:
        messages[-1] = f"{messages[-1]}\n\n{footer}"
    else:
        messages.append(footer)
    related = [
        Button(knowledge.title(r, turn.language), payloads.make(payloads.TOPIC, r))
        for r in topic.related
        if r in knowledge.topics
    ][:_RELATED_BUTTONS]
    for message in messages[:-1]:
        turn.say(message)
    where = turn.services.topic_services.get(topic.id)
    buttons = [
        turn.button("button.helpful", payloads.HELPFUL, topic.id),
        *([turn.button("services.where", payloads.SERVICE_KIND, where)] if where else []),
        *related,
        turn.specialist_button(),
        turn.menu_button(),
    ]
    turn.say(messages[-1], buttons)
    turn.conversation.slots["last_topic"] = topic.id


async def answer_question(turn: Turn, text: str, *, learn: bool = True) -> None:
    """Answer a typed question; one the matcher is unsure of is kept for staff (``learn``)."""
    result = await turn.services.matcher.match(
        text, language=turn.conversation.language, hint=turn.inbound.language_hint
    )
    if learn and not (result.band is Band.ANSWER and result.topic):
        await _keep_unanswered(turn, text, result)
    if result.band is Band.ANSWER and result.topic:
        answer_topic(turn, result.topic)
    elif result.band is Band.SUGGEST:
        knowledge = turn.services.knowledge
        buttons = [
            Button(knowledge.title(c, turn.language), payloads.make(payloads.TOPIC, c))
            for c in result.offered
            if c in knowledge.topics
        ]
        turn.say(turn.t("nlu.suggest"), [*buttons, turn.specialist_button(), turn.menu_button()])
    else:
        not_found(turn)


async def _keep_unanswered(turn: Turn, text: str, result: MatchResult) -> None:
    """The text's own language (the matcher's reading of it), not the person's: staff add it to
    that language's examples."""
    best = result.candidates[0] if result.candidates else None
    await keep_quietly(
        turn.services.unanswered,
        text=text,
        language=result.language or turn.language,
        band=result.band.value,
        best_topic=best.topic if best else None,
        score=best.score if best else 0.0,
    )


def not_found(turn: Turn) -> None:
    turn.say(turn.t("nlu.no_match"), [turn.specialist_button(), turn.menu_button()])


def thank(turn: Turn, topic_id: str) -> None:
    turn.conversation.slots["helpful"] = topic_id
    turn.say(turn.t("feedback.thanks"), [turn.menu_button()])
