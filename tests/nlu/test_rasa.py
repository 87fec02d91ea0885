"""Rasa compatibility: the knowledge base exported as Rasa training data, and a Rasa server
choosing topics (NLU_BACKEND=rasa) with the built-in matcher's bands.

The Rasa server is `utils.rasa_standin`, a real loopback HTTP server answering with the parse
result of Rasa's HTTP API; nothing here mocks the HTTP client.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from musofir.bots.nlu_backend import NluBackendError, build_matcher, close_matcher
from musofir.bots.rasa_nlu import RasaMatcher
from musofir.bots.server import build_runtime
from musofir.knowledge import KnowledgeBase
from musofir.nlu import Band, TfidfMatcher, Thresholds
from musofir.nlu.rasa import (
    OUT_OF_SCOPE_INTENT,
    nlu_yaml,
    rasa_example,
    rasa_intent,
    topic_of_intent,
)
from utils.chat import Chat
from utils.live import free_port
from utils.processes import serve_process
from utils.rasa_standin import RasaStandIn, run_rasa_standin

from musofir.settings import Settings

MUSOFIR = [sys.executable, "-m", "musofir"]
RASA_LOG = "musofir.bots.rasa_nlu"
BANDS = Thresholds()
SURE = min(0.99, BANDS.answer + 0.3)  # Rasa's confidence that answers outright
UNSURE = (BANDS.answer + BANDS.suggest) / 2  # offers buttons
LOW = BANDS.suggest / 2  # says it does not know


def clean_env(**extra: str) -> dict[str, str]:
    """Our environment without deployment settings, plus ``extra``."""
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MUSOFIR_", "DATABASE_", "REDIS_", "NLU_", "RASA_"))
    }
    return {**kept, **extra}


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture(scope="module")
def rasa_server() -> Iterator[RasaStandIn]:
    yield from run_rasa_standin()


@pytest.fixture
def rasa(rasa_server: RasaStandIn) -> RasaStandIn:
    """The module's Rasa stand-in with the previous test's scripts, faults and requests gone."""
    rasa_server.clear()
    return rasa_server


@pytest.fixture
async def matcher(rasa: RasaStandIn, knowledge: KnowledgeBase) -> AsyncIterator[RasaMatcher]:
    built = RasaMatcher(rasa.url, timeout_seconds=1.0, topics=knowledge.topics)
    yield built
    await built.aclose()


# -- export-rasa ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`musofir nlu export-rasa DIR` run as an admin would: the folder and what it printed."""
    folder = tmp_path_factory.mktemp("rasa") / "data"  # not there yet: the command makes it
    done = subprocess.run(
        [*MUSOFIR, "nlu", "export-rasa", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
        cwd=folder.parent,
    )
    assert done.returncode == 0, done.stderr
    return folder, done.stdout


def rasa_reads(block: str) -> list[str]:
    """The examples Rasa reads from an ``examples: |`` block: each ``- `` line, stripped."""
    return [line[1:].strip() for line in block.splitlines() if line.startswith("-")]


def test_export_writes_one_intent_per_topic_in_rasa_3_format(
    exported: tuple[Path, str], knowledge: KnowledgeBase
) -> None:
    folder, printed = exported
    data = yaml.safe_load((folder / "nlu.yml").read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    intents = [entry["intent"] for entry in data["nlu"]]
    assert len(intents) == len(set(intents)) == len(knowledge.topics) + 1
    topics = [name for name in intents if name != OUT_OF_SCOPE_INTENT]
    assert {topic_of_intent(name) for name in topics} == set(knowledge.topics)
    assert all("." not in name and "/" not in name for name in intents)
    for entry in data["nlu"]:
        block = entry["examples"]
        assert all(line.startswith("- ") for line in block.splitlines()), entry["intent"]
        examples = rasa_reads(block)
        assert examples and len({e.casefold() for e in examples}) == len(examples)
        assert not any("[" in e or "]" in e or e.startswith("/") for e in examples)
    assert f"{len(knowledge.topics)} topic intents and out_of_scope" in printed
    assert "rasa train nlu" in printed


def test_every_language_of_every_topic_is_trained(
    exported: tuple[Path, str], knowledge: KnowledgeBase
) -> None:
    folder, _ = exported
    data = yaml.safe_load((folder / "nlu.yml").read_text(encoding="utf-8"))
    trained = {
        topic_of_intent(e["intent"]): {x.casefold() for x in rasa_reads(e["examples"])}
        for e in data["nlu"]
    }
    for topic in knowledge.topics.values():
        for language, text in topic.languages.items():
            lines = [rasa_example(t) for t in (text.title, *text.questions)]
            assert any(line and line.casefold() in trained[topic.id] for line in lines), (
                topic.id,
                language,
            )
    payment = knowledge.topics["patent.payment"]
    assert len(payment.languages) >= 5  # several languages share one intent
    assert "как оплатить патент" in trained["patent.payment"]
    # Questions we decline train out_of_scope, so Rasa need not force them onto a topic.
    assert "какая погода будет на выходных" in trained[OUT_OF_SCOPE_INTENT]


def test_the_exported_config_trains_without_pretrained_models(exported: tuple[Path, str]) -> None:
    folder, _ = exported
    config = yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8"))
    names = [step["name"] for step in config["pipeline"]]
    assert names[0] == "WhitespaceTokenizer" and names[-1] == "DIETClassifier"
    assert {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}.items() <= next(
        step.items() for step in config["pipeline"] if step.get("analyzer") == "char_wb"
    )
    assert "FallbackClassifier" not in names  # our own bands decide, as with the built-in one
    assert config["language"] and config["recipe"] == "default.v1"


def test_export_into_a_file_fails_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    done = subprocess.run(
        [*MUSOFIR, "nlu", "export-rasa", str(blocker)],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "cannot export" in done.stderr


def test_intent_names_round_trip_and_ambiguous_ids_are_refused(knowledge: KnowledgeBase) -> None:
    for topic in knowledge.topics:
        assert topic_of_intent(rasa_intent(topic)) == topic
    assert rasa_intent("health.hiv_testing") == "health__hiv_testing"
    for ambiguous in ("health.hiv__testing", "health_.hiv", "out_of_scope"):
        with pytest.raises(ValueError, match="topic id"):
            rasa_intent(ambiguous)


@given(st.lists(st.text(), min_size=1, max_size=6))
def test_any_question_becomes_an_example_rasa_reads_back_unchanged(texts: list[str]) -> None:
    lines = [line for text in texts if (line := rasa_example(text)) is not None]
    data = yaml.safe_load(nlu_yaml({"topic__x": lines} if lines else {}))
    read = rasa_reads(data["nlu"][0]["examples"]) if lines else []
    assert read == lines
    for line in read:
        assert "[" not in line and "]" not in line and not line.startswith(("/", "-"))
        assert any(ch.isalnum() for ch in line)


# -- RasaMatcher against the stand-in -------------------------------------------------------------


async def test_a_confident_intent_answers_its_topic(
    rasa: RasaStandIn, matcher: RasaMatcher
) -> None:
    rasa.answer("как оплатить патент", [("patent__payment", SURE), ("patent__obtain", 0.01)])
    result = await matcher.match("  как  оплатить патент\u200b ")
    assert result.band is Band.ANSWER
    assert result.topic == "patent.payment"
    assert result.language == "ru"
    assert rasa.texts() == ["как оплатить патент"]  # cleaned as the built-in matcher cleans


async def test_a_middle_confidence_suggests_at_most_three_close_topics(
    rasa: RasaStandIn, matcher: RasaMatcher
) -> None:
    rasa.answer(
        "patent",
        [
            ("patent__payment", UNSURE),
            ("patent__obtain", UNSURE * 0.9),
            ("fines__check", UNSURE * 0.7),
            ("housing__rent", UNSURE * 0.65),  # close, but a fourth button is too many
            ("bank__account", UNSURE * 0.3),
        ],
    )
    result = await matcher.match("patent")
    assert result.band is Band.SUGGEST
    assert result.topic is None
    assert result.offered == ("patent.payment", "patent.obtain", "fines.check")
    rasa.answer("patent?", [("patent__payment", UNSURE), ("bank__account", UNSURE * 0.3)])
    assert (await matcher.match("patent?")).offered == (
        "patent.payment",
    )  # far behind: not offered


@pytest.mark.parametrize(
    "ranking",
    [
        [("nlu_fallback", 0.91), ("patent__payment", LOW)],
        [("out_of_scope", 0.8), ("patent__payment", LOW), ("patent__obtain", LOW * 0.9)],
        [],
    ],
    ids=["nlu_fallback", "out_of_scope", "no-intent"],
)
async def test_low_confidence_or_fallback_answers_nothing(
    rasa: RasaStandIn, matcher: RasaMatcher, ranking: list[tuple[str, float]]
) -> None:
    rasa.answer("какая погода завтра", ranking)
    result = await matcher.match("какая погода завтра")
    assert result.band is Band.NONE
    assert result.offered == ()


async def test_intents_that_are_no_topic_are_ignored(
    rasa: RasaStandIn, matcher: RasaMatcher
) -> None:
    rasa.answer("hello", [("greet", 0.99), ("out_of_scope", 0.98), ("patent__payment", SURE)])
    rasa.answer("weather", [("weather__today", 0.97), ("nlu_fallback", 0.5)])
    assert (await matcher.match("hello")).topic == "patent.payment"
    assert (await matcher.match("weather")).band is Band.NONE


async def test_an_answer_without_a_ranking_falls_back_to_its_intent(
    rasa: RasaStandIn, matcher: RasaMatcher
) -> None:
    rasa.reply_raw('{"text": "x", "intent": {"name": "fines__check", "confidence": 0.97}}')
    assert (await matcher.match("штрафы")).topic == "fines.check"


async def test_a_slash_cannot_force_an_intent(rasa: RasaStandIn, matcher: RasaMatcher) -> None:
    """Rasa reads "/intent" as a forced intent; a person's words always go through the model."""
    await matcher.match("/patent__payment")
    assert rasa.texts() == ["patent__payment"]
    assert (await matcher.match(" \u200b ")).band is Band.NONE
    assert len(rasa.requests()) == 1  # nothing to ask about, so Rasa was not asked


@pytest.mark.parametrize("suffix", ["/", "/?token=s3cret"])
async def test_a_path_prefix_trailing_slash_and_token_are_kept(
    knowledge: KnowledgeBase, suffix: str
) -> None:
    with RasaStandIn(prefix="/nlu") as behind_proxy:
        behind_proxy.answer("patent", [("patent__payment", SURE)])
        matcher = RasaMatcher(behind_proxy.url + suffix, topics=knowledge.topics)
        try:
            assert (await matcher.match("patent")).topic == "patent.payment"
        finally:
            await matcher.aclose()
        (request,) = behind_proxy.requests()
        assert request.path == "/nlu/model/parse"
        assert request.query == suffix.partition("?")[2]
        assert "s3cret" not in matcher.where  # logs never show the token


async def test_server_errors_and_garbage_mean_no_match_until_rasa_recovers(
    rasa: RasaStandIn, matcher: RasaMatcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=RASA_LOG)
    rasa.answer("как оплатить патент", [("patent__payment", SURE)])
    rasa.fail(500)
    rasa.fail(503)
    rasa.reply_raw("<html>Bad gateway</html>")
    rasa.reply_raw('{"intent_ranking": "patent__payment"}')
    rasa.reply_raw('{"intent_ranking": [{"name": "patent__payment", "confidence": "high"}]}')
    for _ in range(5):
        assert (await matcher.match("как оплатить патент")).band is Band.NONE
    assert (await matcher.match("как оплатить патент")).topic == "patent.payment"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "HTTP 500" in warnings[0].getMessage()
    assert any("answers again" in r.getMessage() for r in caplog.records)
    assert not any("патент" in r.getMessage() for r in caplog.records)  # never the person's words


async def test_a_slow_rasa_is_given_up_on_time(
    rasa: RasaStandIn, knowledge: KnowledgeBase
) -> None:
    rasa.answer("patent", [("patent__payment", SURE)])
    rasa.slow(3.0)
    matcher = RasaMatcher(rasa.url, timeout_seconds=0.5, topics=knowledge.topics)
    try:
        started = time.monotonic()
        assert (await matcher.match("patent")).band is Band.NONE
        assert time.monotonic() - started < 1.5
        assert (await matcher.match("patent")).topic == "patent.payment"
    finally:
        await matcher.aclose()


async def test_an_unreachable_rasa_means_no_match(knowledge: KnowledgeBase) -> None:
    matcher = RasaMatcher(f"http://127.0.0.1:{free_port()}", topics=knowledge.topics)
    try:
        result = await matcher.match("как оплатить патент", language="ru")
    finally:
        await matcher.aclose()
    assert result.band is Band.NONE and result.language == "ru"


# -- choosing the backend -------------------------------------------------------------------------


def test_the_builtin_matcher_stays_the_default(tmp_path: Path, knowledge: KnowledgeBase) -> None:
    runtime = build_runtime(Settings(data_dir=tmp_path / "data"), memory_state=True)
    try:
        assert isinstance(runtime.engine.services.matcher, TfidfMatcher)
        assert any("built-in matcher" in note for note in runtime.notes)
    finally:
        runtime.storage.close()
    assert isinstance(build_matcher("", None, knowledge), TfidfMatcher)


@pytest.mark.parametrize(
    ("backend", "url", "says"),
    [
        ("rasa", None, "needs RASA_URL"),
        ("rasa", "rasa:5005", "http(s) address"),
        ("spacy", None, "builtin, rasa"),
    ],
)
def test_a_backend_that_cannot_work_is_refused(
    knowledge: KnowledgeBase, backend: str, url: str | None, says: str
) -> None:
    with pytest.raises(NluBackendError, match=says.replace("(", r"\(").replace(")", r"\)")):
        build_matcher(backend, url, knowledge)


def test_serve_refuses_to_start_with_rasa_but_no_address(tmp_path: Path) -> None:
    env = clean_env(NLU_BACKEND="rasa", RASA_URL="", MUSOFIR_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [*MUSOFIR, "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "refusing to start: NLU_BACKEND=rasa needs RASA_URL" in done.stderr


async def test_the_engine_offers_rasas_suggestions_as_buttons(
    rasa: RasaStandIn, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", nlu_backend="rasa", rasa_url=rasa.url)
    runtime = build_runtime(settings, memory_state=True)
    chat = Chat(runtime.engine)
    ranking = [("patent__payment", UNSURE), ("patent__obtain", UNSURE * 0.9)]
    rasa.answer_with(
        lambda _text: [*ranking, ("fines__check", UNSURE * 0.8), ("bank__account", LOW)]
    )
    try:
        await chat.send(payload="lang:ru")
        await chat.send("что-то про документы")
    finally:
        await close_matcher(runtime.engine.services.matcher)
        await runtime.store.close()
        runtime.storage.close()
    topics = [p for p in chat.payloads if p.startswith("topic:")]
    assert topics == ["topic:patent.payment", "topic:patent.obtain", "topic:fines.check"]
    assert any(p.startswith("specialist") for p in chat.payloads)
    assert rasa.texts() == ["что-то про документы"]


def test_the_server_answers_with_the_topic_rasa_chose(rasa: RasaStandIn, tmp_path: Path) -> None:
    """`musofir serve` with NLU_BACKEND=rasa: a web chat question gets the topic Rasa picked,
    one the built-in matcher would never pick for these words."""
    question = "zyx qwv plorf"
    rasa.answer(question, [("health__tuberculosis", SURE), ("patent__payment", 0.01)])
    env = clean_env(NLU_BACKEND="rasa", RASA_URL=rasa.url, MUSOFIR_DATA_DIR=str(tmp_path / "data"))
    with serve_process(env, tmp_path) as server, httpx.Client(base_url=server.url) as client:
        client.get("/chat/api/session")
        post(client, payload="lang:ru")
        post(client, text=question)
        events = client.get("/chat/api/history").json()["events"]
    answer = [e for e in events if e["role"] == "bot"][-1]["message"]
    assert answer["buttons"][0]["payload"] == "helpful:health.tuberculosis"
    assert rasa.texts() == [question]
    log = next(tmp_path.glob("serve-*.log")).read_text(encoding="utf-8")
    assert f"NLU: Rasa at {rasa.url}/model/parse" in log


def post(client: httpx.Client, **body: Any) -> None:
    sent = client.post("/chat/api/messages", json={"id": os.urandom(10).hex(), **body})
    assert sent.status_code == 202, sent.text
