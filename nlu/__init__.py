"""Language, script and meaning: what a person wrote, in which language, about which topic."""

from .language import detect_language
from .knowledge_index import build_faq_matcher, examples_of
from .lexicon import Command, CommandWords, DangerWords
from .matcher import Band, Candidate, Example, FaqMatcher, MatchResult, TfidfMatcher, Thresholds
from .normalize import clean, fold, skeleton, words

__all__ = [
    "Band",
    "Candidate",
    "Command",
    "CommandWords",
    "DangerWords",
    "Example",
    "FaqMatcher",
    "MatchResult",
    "TfidfMatcher",
    "build_faq_matcher",
    "examples_of",
    "Thresholds",
    "clean",
    "detect_language",
    "fold",
    "skeleton",
    "words",
]
