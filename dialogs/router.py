"""The root router: which flow a message goes to, decided in one place, first match wins.

The order matters and is the product's safety policy:
1. words of danger are answered before anything else, in every flow;
2. a pressed button (or its number typed on a text-only channel) means exactly what it says;
3. command words (menu, help, language, start, forget) work everywhere;
4. without a chosen language we ask for one, keeping the question for afterwards;
5. a flow waiting for input (a town, a confirmation) gets the next message;
6. what cannot be read gets a kind reply; everything else is a question for the knowledge base.
"""

from __future__ import annotations

from musofir.nlu import Command, clean, detect_language

from . import payloads
from .flows import answers, forget, language, later, menu, safety, unreadable
from .flows import services as nearby
from .state import Conversation
from .turn import Turn


def _chosen_option(conversation: Conversation, text: str) -> str | None:
    """The payload of a shown button, when the whole message is its number or its title.

    Numbers serve text-only channels; titles serve keyboards that send the button's text
    (Telegram's reply keyboard next to a "share location" button).
    """
    if text.isdigit() and 1 <= int(text) <= len(conversation.options):
        return conversation.options[int(text) - 1].payload
    folded = text.casefold()
    for option in conversation.options if text else ():
        if clean(option.title).casefold() == folded:
            return option.payload
    return None


async def route(turn: Turn) -> None:
    inbound, conversation, services = turn.inbound, turn.conversation, turn.services
    text = turn.text
    danger_language = services.danger.detect(text)
    if danger_language:
        safety.warn(turn, danger_language)

    payload = inbound.button_payload or _chosen_option(conversation, text)
    if payload:
        await on_payload(turn, payload)
        return

    command = services.commands.detect(text)
    if command:
        await on_command(turn, command)
        return

    typed_language = language.typed_choice(text) if text else None
    if typed_language:
        await language.choose(turn, typed_language)
        return

    if conversation.language is None:
        language.ask(turn, pending_question=text or None)
        return

    if conversation.step == nearby.AWAIT_PLACE and inbound.location is not None:
        nearby.location_given(turn, inbound.location)
        return
    if conversation.step == nearby.AWAIT_PLACE and text:
        nearby.town_given(turn, text)
        return
    if conversation.step is not None:
        conversation.enter(None)  # a typed message leaves an unanswered step

    if inbound.location is not None:
        nearby.start(turn, location=inbound.location)
    elif inbound.contact is not None:
        unreadable.contact(turn)
    elif inbound.media is not None and not text:
        unreadable.media(turn, inbound.media.kind)
    elif not text:
        if not danger_language:
            turn.say(turn.t("nlu.empty"), [turn.menu_button()])
    elif danger_language:
        # After the emergency reply, add an answer only when one clearly fits.
        result = services.matcher.match(text, language=conversation.language)
        if result.topic:
            answers.answer_topic(turn, result.topic)
    else:
        await answers.answer_question(turn, text)


async def on_payload(turn: Turn, payload: str) -> None:
    kind, argument = payloads.split(payload)
    conversation = turn.conversation
    if kind == payloads.LANGUAGE:
        await language.choose(turn, argument)
        return
    if conversation.language is None:
        language.ask(turn)
        return
    if payload == payloads.FORGET_YES:
        if conversation.step == forget.STEP:
            await forget.confirm(turn)
        else:
            menu.show(turn)  # a stale confirmation button erases nothing
    elif payload == payloads.FORGET_NO:
        forget.cancel(turn)
    elif kind == payloads.CATEGORY:
        menu.show_category(turn, argument)
    elif kind == payloads.TOPIC:
        answers.answer_topic(turn, argument)
    elif kind == payloads.HELPFUL:
        answers.thank(turn, argument)
    elif kind == payloads.SERVICES:
        nearby.start(turn)
    elif kind == payloads.SHARE_LOCATION:
        nearby.ask_again(turn)
    elif kind == payloads.SERVICE_KIND:
        nearby.choose_kind(turn, argument)
    elif kind == payloads.MORE_SERVICES:
        nearby.more(turn)
    elif kind == payloads.PLACE:
        nearby.place_payload(turn, argument)
    elif kind == payloads.REPORT:
        nearby.ask_report(turn, argument)
    elif kind == payloads.REPORTED:
        await nearby.reported(turn, argument)
    elif kind == payloads.SPECIALIST:
        later.specialist(turn)
    elif kind == payloads.ALERTS:
        later.alerts(turn)
    elif kind == payloads.CHOOSE_LANGUAGE:
        language.ask(turn)
    elif kind == payloads.HELP:
        show_help(turn)
    else:
        menu.show(turn)


async def on_command(turn: Turn, command: Command) -> None:
    conversation = turn.conversation
    if command is Command.FORGET:
        if conversation.language is None:
            conversation.language = detect_language(turn.text)
        forget.ask(turn)
    elif command is Command.LANGUAGE or conversation.language is None:
        language.ask(turn)
    elif command is Command.HELP:
        show_help(turn)
    else:
        menu.show(turn)


def show_help(turn: Turn) -> None:
    turn.say(turn.t("help.text"), [turn.menu_button(), turn.specialist_button()])


__all__ = ["route"]
