"""The FAQ matcher as a Rasa server: ``POST {RASA_URL}/model/parse``, ranking mapped to topics.

It lives in ``bots`` because it talks HTTP, which the engine packages never do; the mapping
itself is ``musofir.nlu.rasa``. A Rasa server that is down, slow or confused must not stop the
help desk: every failure becomes "no match" (the person is offered a specialist), logged once
when it starts and once when Rasa answers again, never with the person's words.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import httpx
from musofir.nlu import Band, MatchResult, Thresholds, clean, detect_language
from musofir.nlu.normalize import MAX_MATCH_CHARS
from musofir.nlu.rasa import intents_of, result_from_parse

log = logging.getLogger(__name__)


def parse_endpoint(url: str) -> httpx.URL:
    """``{url}/model/parse``, keeping a path prefix and a query (Rasa's ``?token=``).

    Raises ValueError when ``url`` is no http(s) address with a host.
    """
    try:
        base = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise ValueError(f"RASA_URL {url!r} is not a URL: {error}") from error
    if base.scheme not in ("http", "https") or not base.host:
        raise ValueError(
            f"RASA_URL must be an http(s) address such as http://rasa:5005, not {url!r}"
        )
    return base.copy_with(path=base.path.rstrip("/") + "/model/parse")


class RasaMatcher:
    """``FaqMatcher`` backed by a Rasa server, banded like the built-in matcher.

    ``topics`` are the topic ids served: intents that name none of them are ignored.
    ``timeout_seconds`` bounds the whole request, so a person waits at most that long for Rasa.
    A ``client`` passed in stays the caller's to close; one made here is closed by ``aclose``.
    """

    def __init__(
        self,
        url: str,
        thresholds: Thresholds | None = None,
        timeout_seconds: float = 2.0,
        client: httpx.AsyncClient | None = None,
        *,
        topics: Iterable[str],
    ) -> None:
        self.endpoint = parse_endpoint(url)
        self.thresholds = thresholds or Thresholds()
        self.timeout_seconds = timeout_seconds
        self._intents = intents_of(topics)
        self._client = client or httpx.AsyncClient(timeout=timeout_seconds)
        self._owns_client = client is None
        self._failing = False

    @property
    def where(self) -> str:
        """The endpoint for logs: without a query or user info, which may hold credentials."""
        return str(self.endpoint.copy_with(userinfo=b"", query=None))

    async def match(
        self, text: str, *, language: str | None = None, hint: str | None = None
    ) -> MatchResult:
        detected = detect_language(text, prior=language, hint=hint)
        # Rasa reads a message starting with "/" as a forced intent: a person's words must go
        # through the model. Only the start of a long message is matched, as built in.
        question = clean(text)[:MAX_MATCH_CHARS].lstrip("/ ")
        if not question:
            return MatchResult(detected, Band.NONE)
        try:
            async with asyncio.timeout(self.timeout_seconds):
                response = await self._client.post(
                    self.endpoint, json={"text": question}, timeout=self.timeout_seconds
                )
            response.raise_for_status()
            result = result_from_parse(response.json(), self._intents, self.thresholds, detected)
        except (httpx.HTTPError, TimeoutError, ValueError) as error:
            self._failed(error)
            return MatchResult(detected, Band.NONE)
        if self._failing:
            self._failing = False
            log.info("Rasa at %s answers again", self.where)
        return result

    def _failed(self, error: Exception) -> None:
        if isinstance(error, httpx.HTTPStatusError):
            reason = f"HTTP {error.response.status_code}"
        elif isinstance(error, TimeoutError | httpx.TimeoutException):
            reason = f"no answer within {self.timeout_seconds:g} s"
        elif isinstance(error, ValueError):  # RasaParseError, or not JSON at all
            reason = f"an answer that is not a parse result ({error})"
        else:
            reason = type(error).__name__
        level = logging.DEBUG if self._failing else logging.WARNING
        log.log(
            level, "Rasa at %s: %s; answering 'no match' until it recovers", self.where, reason
        )
        self._failing = True

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


__all__ = ["RasaMatcher", "parse_endpoint"]
