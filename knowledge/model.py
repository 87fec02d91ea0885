"""The shape of a knowledge-base topic, as an NGO editor writes it in one YAML file."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _one_or_many(value: object) -> object:
    """An answer is one message or a list of messages; one string becomes a list of one."""
    return [value] if isinstance(value, str) else value


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]


class Source(BaseModel):
    """An official page or law the answer rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


class TopicText(BaseModel):
    """A topic in one language: the button title, the answer and examples of how people ask."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=60)]
    answer: Annotated[list[Text], BeforeValidator(_one_or_many), Field(min_length=1)]
    questions: list[Text] = Field(default_factory=list)


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
    category: str
    reviewed_on: date
    needs_review: bool
    sources: list[Source] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)
    languages: dict[str, TopicText] = Field(min_length=1)


__all__ = ["Source", "Topic", "TopicText"]
