"""The root router: which flow a message goes to, decided in one place, first match wins.

The order matters and is the product's safety policy:
1. words of danger are answered before anything else, in every flow (a handoff included);
2. a specialist's answers held back by WhatsApp's window go out with the person's next message;
3. a pressed button (or its number typed on a text-only channel) means exactly what it says;
4. command words (menu, help, language, start, forget, end, stop) work everywhere;
5. during a live handoff everything else goes to the specialist and the bot stays quiet;
6. without a chosen language we ask for one, keeping the question for afterwards;
7. a flow waiting for input (a town, a line for the specialist) gets the next message;
8. a short message asking for a human starts a handoff;
9. what cannot be read gets a kind reply; everything else is a question for the knowledge base.
"""

from __future__ import annotations

from musofir.nlu import Command, clean, detect_language

from . import payloads
from .flows import alerts, answers, forget, handoff, language, menu, safety, unreadable, visits
from .flows import services as nearby
from .script import note_script
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
    note_script(conversation, text)
    danger_language = services.danger.detect(text)
    if danger_language:
        safety.warn(turn, danger_language)
    if conversation.slots.get(handoff.WAITING_SLOT):
        await handoff.deliver_waiting(turn)

    payload = inbound.button_payload or _chosen_option(conversation, text)
    if payload:
        await on_payload(turn, payload)
        return

    command = services.commands.detect(text)
    if command:
        await on_command(turn, command)
        return

    if conversation.flow == handoff.FLOW and conversation.step == handoff.STEP_LIVE:
        await handoff.live_message(turn, urgent=bool(danger_language))
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
    if conversation.flow == handoff.FLOW and conversation.step == handoff.STEP_DESCRIBE:
        await handoff.describe(turn, text)
        return
    if conversation.flow == alerts.FLOW and conversation.step == alerts.AWAIT_REGION and text:
        await alerts.region_given(turn, text)
        return
    if conversation.flow == alerts.FLOW and conversation.step == alerts.AWAIT_DATE and text:
        await alerts.date_typed(turn, text)
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
    elif not danger_language and (role := services.specialists.detect(text)):
        handoff.start(turn, None if role == "any" else role)
    elif danger_language:
        # After the emergency reply, add an answer only when one clearly fits.
        result = await services.matcher.match(
            text, language=conversation.language, hint=inbound.language_hint
        )
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
        handoff.start(turn, argument or None)
    elif kind == payloads.SKIP:
        await skip(turn)
    elif kind == payloads.END:
        await handoff.end(turn)
    elif kind == payloads.RESUME:
        handoff.start(turn)
    elif kind == payloads.RATE:
        await handoff.rate(turn, argument)
    elif kind == payloads.VISITS:
        await visits.start(turn)
    elif kind == payloads.VISIT_ROLE:
        if argument:
            await visits.show_times(turn, argument)
        else:
            visits.choose_role(turn)
    elif kind == payloads.BOOK:
        await visits.book(turn, argument)
    elif kind == payloads.CANCEL_VISIT:
        await visits.cancel(turn, argument)
    elif kind == payloads.ALERTS:
        await alerts.show(turn)
    elif kind == payloads.SUB_TOPIC:
        await alerts.toggle(turn, argument)
    elif kind == payloads.SUB_REGION:
        alerts.ask_region(turn)
    elif kind == payloads.REMINDERS:
        await alerts.reminders(turn)
    elif kind == payloads.REMINDER_ADD:
        alerts.ask_date(turn, argument)
    elif kind == payloads.REMINDER_MONTH:
        alerts.show_days(turn, argument)
    elif kind == payloads.REMINDER_DAY:
        await alerts.date_chosen(turn, argument)
    elif kind == payloads.REMINDER_CANCEL:
        await alerts.cancel(turn, argument)
    elif kind == payloads.CHOOSE_LANGUAGE:
        language.ask(turn)
    elif kind == payloads.HELP:
        show_help(turn)
    else:
        menu.show(turn)


async def skip(turn: Turn) -> None:
    conversation = turn.conversation
    if conversation.flow == handoff.FLOW and conversation.step == handoff.STEP_DESCRIBE:
        await handoff.describe(turn, "")
    else:
        menu.show(turn)


async def on_command(turn: Turn, command: Command) -> None:
    conversation = turn.conversation
    live = handoff.CASE_SLOT in conversation.slots
    if command is Command.STOP:
        await stop(turn)
    elif command is Command.END:
        await handoff.end(turn)
    elif command is Command.MENU and live and conversation.language is not None:
        handoff.pause(turn)
    elif command is Command.FORGET:
        if conversation.language is None:
            conversation.language = detect_language(turn.text)
        forget.ask(turn)
    elif command is Command.LANGUAGE or conversation.language is None:
        language.ask(turn)
    elif command is Command.HELP:
        show_help(turn)
    else:
        menu.show(turn)


async def stop(turn: Turn) -> None:
    """Stop words end everything at once, whatever flow the person is in."""
    await turn.services.alerts.stop(turn.user_key)
    case_id = turn.conversation.slots.get(handoff.CASE_SLOT)
    if case_id is not None:
        await turn.services.desk.end_by_person(int(case_id), turn.user_key)
        handoff.closed(turn.conversation)
    turn.conversation.enter(None)
    turn.say(turn.t("stop.done"))


def show_help(turn: Turn) -> None:
    turn.say(turn.t("help.text"), [turn.menu_button(), turn.specialist_button()])


__all__ = ["route"]
