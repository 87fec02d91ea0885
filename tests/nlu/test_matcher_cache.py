"""A restart reads the built matcher back from disk and answers exactly as a fresh build does."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from musofir.knowledge import KnowledgeBase
from musofir.nlu import TfidfMatcher, build_faq_matcher, knowledge_index
from musofir.nlu.cache import load_matcher, save_matcher

DEV_SET = Path(__file__).with_name("dev.jsonl")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MUSOFIR_CACHE_DIR", str(folder))
    knowledge_index._built.clear()  # this process's copy: the test is about the disk
    return folder


def _answers(matcher: TfidfMatcher) -> list[tuple[str | None, str, tuple[str, ...]]]:
    lines = [json.loads(line) for line in DEV_SET.read_text("utf-8").splitlines()]
    found = []
    for line in lines:
        result = matcher.match_now(line["text"])
        found.append((result.language, result.band.value, result.offered))
    return found


def test_a_restart_reads_the_index_back_and_answers_every_question_the_same(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = KnowledgeBase.load()
    built = build_faq_matcher(knowledge)
    assert [p.suffix for p in cache.iterdir()] == [".npz"]

    knowledge_index._built.clear()  # as a new process would be
    monkeypatch.setattr(TfidfMatcher, "build", _no_build)
    read_back = build_faq_matcher(knowledge)

    assert read_back is not built
    assert _answers(read_back) == _answers(built)


def _no_build(*_args: object, **_kwargs: object) -> TfidfMatcher:
    raise AssertionError("the matcher was built again although it was cached")


def test_a_damaged_cache_file_is_built_afresh_and_replaced(
    cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    knowledge = KnowledgeBase.load()
    build_faq_matcher(knowledge)
    (stored,) = cache.iterdir()
    stored.write_bytes(b"not a numpy archive")
    knowledge_index._built.clear()

    with caplog.at_level(logging.WARNING):
        matcher = build_faq_matcher(knowledge)

    assert "could not be read" in caplog.text
    assert matcher.match_now("как оплатить патент").topic == "patent.payment"
    assert stored.read_bytes().startswith(b"PK")  # a fresh archive took its place


def test_another_knowledge_base_gets_its_own_file_and_the_old_one_goes(cache: Path) -> None:
    matcher = build_faq_matcher(KnowledgeBase.load())
    (first,) = cache.iterdir()

    save_matcher("another knowledge base", matcher)

    (second,) = cache.iterdir()
    assert second != first
    assert load_matcher("yet another one") is None


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSOFIR_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    knowledge_index._built.clear()

    build_faq_matcher(KnowledgeBase.load())

    assert list(tmp_path.iterdir()) == []


def test_a_fresh_process_answers_from_the_cache(cache: Path) -> None:
    """The command line a person or a server start runs, twice: the second reads the cache."""
    command = [sys.executable, "-m", "musofir", "ask", "kak oplatit patent", "--json"]
    env = {**os.environ, "MUSOFIR_CACHE_DIR": str(cache)}
    answers = [
        json.loads(subprocess.run(command, check=True, capture_output=True, env=env).stdout)
        for _ in range(2)
    ]
    assert answers[0]["topic"] == answers[1]["topic"] == "patent.payment"
    assert answers[0]["confidence"] == answers[1]["confidence"]
    assert len(list(cache.iterdir())) == 1
