"""``musofir ask`` and ``musofir nlu eval``: the FAQ matcher measured from the command line."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from musofir.knowledge import KnowledgeBase
from musofir.nlu import MatchResult, TfidfMatcher, Thresholds, build_faq_matcher


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


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


@dataclass(frozen=True, slots=True)
class _Case:
    text: str
    topic: str | None  # None: out of scope
    language: str | None  # as labelled; the detected one when the file does not say


def _read_cases(path: Path) -> list[_Case]:
    cases: list[_Case] = []
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
        language = row.get("language")
        if language is not None and not isinstance(language, str):
            raise EvalFileError(f'{path}:{number}: "language" must be a language code')
        cases.append(_Case(row["text"], topic, language))
    if not cases:
        raise EvalFileError(f"{path}: no cases in the file")
    return cases


def _summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Top-1: the right topic shown first (answered, or first of the "Did you mean" buttons).
    Answered: the right topic answered outright. Rejection: off-topic questions given no topic.
    """
    in_scope = [i for i in items if i["expected"] is not None]
    out_of_scope = [i for i in items if i["expected"] is None]
    labelled = [i for i in items if i["language"] is not None]
    return {
        "n": len(items),
        "in_scope_accuracy": _ratio(
            sum(i["predicted"] == i["expected"] and i["band"] != "none" for i in in_scope),
            len(in_scope),
        ),
        "answered_accuracy": _ratio(
            sum(i["predicted"] == i["expected"] and i["band"] == "answer" for i in in_scope),
            len(in_scope),
        ),
        "wrong_answers": _ratio(
            sum(i["predicted"] != i["expected"] and i["band"] == "answer" for i in in_scope),
            len(in_scope),
        ),
        "out_of_scope_rejection": _ratio(
            sum(i["band"] == "none" for i in out_of_scope), len(out_of_scope)
        ),
        "language_accuracy": _ratio(
            sum(i["detected_language"] == i["language"] for i in labelled), len(labelled)
        ),
    }


def _item(case: _Case, result: MatchResult) -> dict[str, Any]:
    return {
        "text": case.text,
        "expected": case.topic,
        "language": case.language,
        "detected_language": result.language,
        "predicted": result.candidates[0].topic if result.candidates else None,
        "confidence": round(result.confidence, 4),
        "band": result.band.value,
    }


def evaluate_file(
    path: Path, *, knowledge_dir: Path | None, thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """Measure the built-in matcher on a labelled file, overall and per labelled language."""
    cases = _read_cases(path)
    _knowledge, matcher = _load(knowledge_dir)
    if thresholds is not None:
        matcher = replace(matcher, thresholds=thresholds)
    items = [_item(case, matcher.match_now(case.text)) for case in cases]
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_language[item["language"] or item["detected_language"] or "unknown"].append(item)
    thresholds_used = matcher.thresholds
    return {
        **_summary(items),
        "thresholds": {"answer": thresholds_used.answer, "suggest": thresholds_used.suggest},
        "by_language": {lang: _summary(group) for lang, group in sorted(by_language.items())},
        "items": items,
    }


def sweep_file(path: Path, *, knowledge_dir: Path | None) -> list[dict[str, Any]]:
    """The summary at a range of thresholds: how the bands were chosen."""
    rows = []
    for answer in (0.3, 0.4, 0.5, 0.55, 0.6, 0.7):
        for suggest in (0.2, 0.3, 0.4):
            if suggest > answer:
                continue
            report = evaluate_file(
                path, knowledge_dir=knowledge_dir, thresholds=Thresholds(answer, suggest)
            )
            worst = min(
                (v["in_scope_accuracy"] or 0.0 for v in report["by_language"].values()),
                default=0.0,
            )
            rows.append(
                {
                    "answer": answer,
                    "suggest": suggest,
                    **{k: report[k] for k in _SWEPT},
                    "worst_language": worst,
                }
            )
    return rows


_SWEPT = ("in_scope_accuracy", "answered_accuracy", "wrong_answers", "out_of_scope_rejection")


__all__ = ["EvalFileError", "answer_for", "evaluate_file", "sweep_file"]
