"""First contact and the language menu: every language named in its own script."""

from __future__ import annotations

from musofir.nlu import skeleton

from .. import payloads
from ..i18n import LANGUAGES
from ..messages import Button
from ..turn import Turn
from . import answers, menu

STEP = "choose_language"
_PENDING = "pending_question"

# Names people type instead of tapping, folded to the matching skeleton.
_TYPED_NAMES = {
    "ru": ("русский", "русский язык", "rus", "russkiy", "ruscha", "русча", "rusча", "russian"),
    "uz": ("o'zbekcha", "o'zbek", "uzbek", "узбекский", "ўзбекча", "узбекча", "ozbek tili"),
    "tg": ("тоҷикӣ", "тоджикӣ", "таджикский", "tojiki", "tajik", "точики", "забони тоҷикӣ"),
    "ky": ("кыргызча", "киргизский", "кыргызский", "kyrgyz", "kirgiz", "кыргыз тили"),
    "az": ("azərbaycanca", "азербайджанский", "azeri", "azerbaijani", "azərbaycan dili"),
    "hy": ("հայերեն", "армянский", "armenian", "hayeren"),
    "en": ("english", "английский", "ingliz", "inglizcha", "англисӣ"),
}
_BY_NAME = {skeleton(name): code for code, names in _TYPED_NAMES.items() for name in names}


def ask(turn: Turn, *, pending_question: str | None = None) -> None:
    """Show the language menu; a question typed before choosing is answered right after."""
    catalogs = turn.services.catalogs
    if pending_question:
        turn.conversation.slots[_PENDING] = pending_question[:500]
    turn.conversation.enter(None, STEP)
    prompt = "\n".join(catalogs.text(code, "language.choose") for code in LANGUAGES)
    buttons = [
        Button(catalogs.text(code, "language.name"), payloads.make(payloads.LANGUAGE, code))
        for code in LANGUAGES
    ]
    turn.say(prompt, buttons)


def typed_choice(text: str) -> str | None:
    return _BY_NAME.get(skeleton(text))


async def choose(turn: Turn, code: str) -> None:
    if code not in LANGUAGES:
        ask(turn)
        return
    first_time = turn.conversation.language is None
    turn.conversation.language = code
    turn.conversation.enter(None)
    pending = turn.conversation.slots.pop(_PENDING, None)
    if first_time:
        turn.say(turn.t("welcome.intro"))
    turn.say(turn.t("language.set"))
    if pending:
        await answers.answer_question(turn, str(pending))
    else:
        menu.show(turn)
