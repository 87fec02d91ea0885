"""Messages the engine cannot read yet (voice, stickers, photos) and contacts it will not keep."""

from __future__ import annotations

from ..messages import MediaKind
from ..turn import Turn

_KEYS = {
    MediaKind.VOICE: "unsupported.voice",
    MediaKind.AUDIO: "unsupported.voice",
    MediaKind.STICKER: "unsupported.sticker",
    MediaKind.PHOTO: "unsupported.photo",
}


def media(turn: Turn, kind: MediaKind) -> None:
    key = _KEYS.get(kind, "unsupported.other")
    turn.say(turn.t(key), [turn.specialist_button(), turn.menu_button()])


def contact(turn: Turn) -> None:
    turn.say(turn.t("contact.not_stored"), [turn.menu_button()])
