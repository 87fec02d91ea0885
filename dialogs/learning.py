"""Learning from use: questions the matcher was unsure of are kept for staff to review.

The storage package implements the sink on the database; the engine hands it the question's text,
its language and the matcher's best guess, and never who asked. Keeping is a side duty: a slow
or failing database must not delay or break the reply. The sink only counts in memory and
writes in batches later (``storage/unanswered.py``), so nothing waits on the database here;
``keep_quietly`` logs only the kind of an error (its message could carry the question's text).
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class UnansweredSink(Protocol):
    async def keep(
        self,
        *,
        text: str,
        language: str,
        band: str,
        best_topic: str | None,
        score: float,
    ) -> None:
        """Count one asking of a question the bot could not answer; who asked is not passed."""
        ...


async def keep_quietly(
    sink: UnansweredSink,
    *,
    text: str,
    language: str,
    band: str,
    best_topic: str | None,
    score: float,
) -> None:
    """Keep the question; if that fails, log and go on."""
    try:
        await sink.keep(
            text=text, language=language, band=band, best_topic=best_topic, score=score
        )
    except Exception as error:  # the reply matters more than the record
        log.warning("an unanswered question was not kept: %s", type(error).__name__)


__all__ = ["UnansweredSink", "keep_quietly"]
