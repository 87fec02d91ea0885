"""A first language guess from script and tell-tale letters and words.

Short chat messages defeat statistical detectors trained on prose, and none we could install
covers Uzbek, Tajik and Kyrgyz together; this heuristic is the baseline the NLU issue replaces.
The person's chosen language and the platform's hint are priors, used only when the text itself
says nothing.
"""

from __future__ import annotations

from .normalize import words

_TAJIK_LETTERS = set("ҳҷӣӯ")
_KYRGYZ_LETTERS = set("ңөү")
_UZBEK_CYRILLIC_LETTERS = set("ўқғҳ")
_AZERI_LETTERS = set("əğış")

_MARKER_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(" ".join(lines).split())
    for lang, lines in {
        "uz": (
            "qanday qayerda qachon nima kerak mumkin menga men bilan uchun qilish qilsam",
            "ishlash ish pul hujjat hujjatlar olish yordam kasal shifokor qanaqa nimaga qayer",
            "қандай қаерда қачон нима керак мумкин менга учун қилиш ҳужжат ёрдам",
        ),
        "tg": (
            "чи чӣ тавр куҷо кучо кай ман ба барои кор дар мекунам карда мешавад намешавад",
            "гирифтан додан пул ҳуҷҷат хуччат духтур кумак кӯмак бояд аст мумкин",
        ),
        "ky": (
            "кантип кайда качан эмне керек мага мен менин үчүн учун иштөө акча документ",
            "жардам дарыгер алуу болот барбы",
        ),
        "az": ("necə harada nə vaxt mənə lazımdır üçün iş pul sənəd kömək həkim",),
        "en": (
            "how what where when can i my the is do to get need help with for a an lost",
            "pay work doctor police",
        ),
        "ru": (
            "как где когда что можно мне нужно надо мой моя меня у на в не для это",
            "kak gde kogda chto mozhno mne nuzhno nado",
        ),
    }.items()
}


def detect_language(text: str, *, prior: str | None = None) -> str | None:
    """Our best guess among ru, uz, tg, ky, az, hy, en; ``prior`` breaks ties and fills silence."""
    letters = {ch for ch in text.casefold() if ch.isalpha()}
    if not letters:
        return prior
    if any("\u0531" <= ch <= "\u058f" for ch in letters):
        return "hy"
    if letters & _TAJIK_LETTERS:
        return "tg"
    if letters & _KYRGYZ_LETTERS:
        return "ky"
    if letters & _UZBEK_CYRILLIC_LETTERS:
        return "uz"
    if letters & _AZERI_LETTERS:
        return "az"
    tokens = set(words(text))
    scores = {lang: len(tokens & vocabulary) for lang, vocabulary in _MARKER_WORDS.items()}
    cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in letters)
    if "o'" in text.casefold().replace("‘", "'") or "g'" in text.casefold().replace("‘", "'"):
        scores["uz"] += 2
    best = max(scores.values())
    if best == 0:
        if prior:
            return prior
        return "ru" if cyrillic else "en"
    leaders = [lang for lang, score in scores.items() if score == best]
    if prior in leaders:
        return prior
    if cyrillic and "en" in leaders:
        leaders.remove("en")
    return leaders[0] if leaders else prior


__all__ = ["detect_language"]
