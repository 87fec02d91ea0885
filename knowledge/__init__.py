"""The knowledge base: topic files an NGO editor keeps, their validation and lookup."""

from .base import KnowledgeBase, KnowledgeBaseError, LocalizedTopic, default_topics_dir
from .catalog import TopicCatalog
from .limits import PLATFORM_LIMITS, format_sources
from .model import Source, Topic, TopicText
from .validate import Problem, Severity

__all__ = [
    "PLATFORM_LIMITS",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LocalizedTopic",
    "Problem",
    "Severity",
    "Source",
    "Topic",
    "TopicCatalog",
    "TopicText",
    "default_topics_dir",
    "format_sources",
]
