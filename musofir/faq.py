"""``musofir ask`` and ``musofir nlu eval``: the FAQ matcher measured from the command line."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from musofir.knowledge import KnowledgeBase
from musofir.nlu import Band, MatchResult, TfidfMatcher, build_faq_matcher


class EvalFileError(ValueError):
    """The evaluation file is not what ``nlu eval`` reads; the message names the line."""


def _load(knowledge_dir: Path | None) -> tuple[KnowledgeBase, TfidfMatcher]:
    knowledge = KnowledgeBase.load(knowledge_dir)
    return knowledge, build_faq_matcher(knowledge)


def answer_for(text: str, *, language: str | None, knowledge_dir: Path | None) -> dict[str, Any]:
    knowledge, matcher = _load(knowledge_dir)
    result = matcher.match_now(text, language=language)
    answer = None
    if result.topic:
        found = knowledge.localized(result.topic, result.language)
        answer = "\n\n".join(found.text.answer) if found else None
    return {
        "language": result.language,
        "topic": result.topic,
        "confidence": round(result.confidence, 4),
        "answer": answer,
    }


def _predicted(result: MatchResult) -> str | None:
    offered = result.offered
    return offered[0] if offered else None


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate_file(path: Path, *, knowledge_dir: Path | None) -> dict[str, Any]:
    cases: list[tuple[str, str | None]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvalFileError(f"{path}:{number}: not JSON ({error.msg})") from error
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise EvalFileError(f'{path}:{number}: each line needs a string "text"')
        topic = row.get("topic")
        if topic is not None and not isinstance(topic, str):
            raise EvalFileError(f'{path}:{number}: "topic" must be a topic id or null')
        cases.append((row["text"], topic))
    if not cases:
        raise EvalFileError(f"{path}: no cases in the file")
    _knowledge, matcher = _load(knowledge_dir)
    items: list[dict[str, Any]] = []
    per_language: dict[str, list[bool]] = defaultdict(list)
    for text, expected in cases:
        result = matcher.match_now(text)
        predicted = _predicted(result)
        answered = result.topic
        correct = answered == expected if expected is not None else result.band is Band.NONE
        per_language[result.language or "unknown"].append(correct)
        items.append(
            {
                "text": text,
                "expected": expected,
                "predicted": predicted,
                "confidence": round(result.confidence, 4),
                "band": result.band.value,
            }
        )
    in_scope = [i for i in items if i["expected"] is not None]
    out_of_scope = [i for i in items if i["expected"] is None]
    top1 = sum(
        (i["predicted"] == i["expected"] and i["band"] == "answer")
        if i["expected"] is not None
        else i["band"] == "none"
        for i in items
    )
    return {
        "n": len(items),
        "top1_accuracy": _ratio(top1, len(items)),
        "in_scope_accuracy": _ratio(
            sum(i["predicted"] == i["expected"] and i["band"] == "answer" for i in in_scope),
            len(in_scope),
        ),
        "out_of_scope_rejection": _ratio(
            sum(i["band"] == "none" for i in out_of_scope), len(out_of_scope)
        ),
        "by_language": {
            language: {"n": len(marks), "top1_accuracy": _ratio(sum(marks), len(marks))}
            for language, marks in sorted(per_language.items())
        },
        "items": items,
    }


__all__ = ["EvalFileError", "answer_for", "evaluate_file"]
