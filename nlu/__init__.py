"""Language, script and meaning: what a person wrote, in which language, about which topic."""

from .knowledge_index import build_faq_matcher, examples_of
from .language import detect_language
from .lexicon import Command, CommandWords, DangerWords, SpecialistWords
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
    "SpecialistWords",
    "TfidfMatcher",
    "Thresholds",
    "build_faq_matcher",
    "clean",
    "detect_language",
    "examples_of",
    "fold",
    "skeleton",
    "words",
]
