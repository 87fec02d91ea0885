"""What every webhook route shares: JSON bodies with reasons for 400, and 503 during an outage."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from .body import read_body
from .outage import is_outage

log = logging.getLogger(__name__)

Model = TypeVar("Model", bound=BaseModel)


def parse_json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise HTTPException(400, f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return data


def validated(model: type[Model], data: dict[str, Any], what: str, **options: Any) -> Model:
    """``model`` from a platform's JSON, or 400 naming the first field that is wrong."""
    try:
        return model.model_validate(data, **options)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise HTTPException(400, f"not {what}: {where}: {first['msg']}") from None


async def guarded(work: Callable[[], Awaitable[Response]]) -> Response:
    """Run a webhook's work; an outage of the database or Redis is a 503 so it is sent again."""
    try:
        return await work()
    except HTTPException:
        raise
    except Exception as error:
        if is_outage(error):
            log.warning("webhook refused during an outage: %s", error)
            return JSONResponse({"detail": "temporarily unavailable"}, status_code=503)
        raise


__all__ = ["guarded", "parse_json_object", "read_body", "validated"]
