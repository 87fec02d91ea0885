"""`musofir kb check` names every problem with its file and line; the server refuses the same."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from musofir.bots.server import create_app
from musofir.knowledge import KnowledgeBase, KnowledgeBaseError, Severity, default_topics_dir

from musofir.settings import Settings

GOOD = """\
id: patent.payment
category: legal
reviewed_on: 2026-11-22
needs_review: true
sources:
  - title: Tax Code of the Russian Federation, article 227.1
    url: https://www.consultant.ru/document/cons_doc_LAW_28165/
related: [patent.obtain]
languages:
{languages}
"""

LANGUAGE = """\
  {code}:
    title: Paying for the patent
    answer: {answer}
    questions:
      - how to pay patent
"""


def topic_text(
    codes: tuple[str, ...] = ("ru", "uz", "tg", "ky", "en"), answer: str = "Pay monthly."
) -> str:
    languages = "".join(LANGUAGE.format(code=c, answer=answer) for c in codes)
    return GOOD.format(languages=languages.rstrip("\n"))


def check(folder: Path) -> list[str]:
    _, problems = KnowledgeBase.check(folder)
    return [str(p) for p in problems if p.severity is Severity.ERROR]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_knowledge_base_has_no_errors() -> None:
    assert check(default_topics_dir()) == []


def test_a_good_file_passes(tmp_path: Path) -> None:
    write(tmp_path, "patent.payment.yaml", topic_text())
    assert check(tmp_path) == []


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "patent.payment.yaml",
        topic_text().replace("category: legal", "category: [legal"),
    )
    errors = check(tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:")
    assert "not valid YAML" in errors[0]


def test_missing_required_languages_are_listed_at_the_languages_line(tmp_path: Path) -> None:
    path = write(tmp_path, "patent.payment.yaml", topic_text(codes=("ru", "en")))
    assert check(tmp_path) == [f"{path}:9: error: missing required language(s): uz, tg, ky"]


def test_unknown_category_names_the_known_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path, "patent.payment.yaml", topic_text().replace("category: legal", "category: visa")
    )
    errors = check(tmp_path)
    assert (
        f"{path}:2: error: unknown category 'visa'; use one of: legal, work, health, social"
        in errors
    )


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    write(tmp_path, "patent.payment.yaml", topic_text())
    second = write(tmp_path, "z-copy.yaml", topic_text())
    errors = check(tmp_path)
    assert any(
        e.startswith(f"{second}:1: error: duplicate id 'patent.payment', already used in")
        for e in errors
    )


@pytest.mark.parametrize(
    ("length", "platform"), [(1700, "whatsapp"), (4200, "telegram"), (7100, "viber")]
)
def test_a_message_over_a_platform_limit_names_the_platform(
    tmp_path: Path, length: int, platform: str
) -> None:
    write(tmp_path, "patent.payment.yaml", topic_text(answer="x" * length))
    errors = check(tmp_path)
    assert any(f"over {platform}'s limit" in e and ":12: error: ru message 1" in e for e in errors)


def test_a_long_but_allowed_message_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "patent.payment.yaml", topic_text(answer="x" * 1000))
    _, problems = KnowledgeBase.check(tmp_path)
    assert problems and all(p.severity is Severity.WARNING for p in problems)


def test_schema_errors_point_at_the_field(tmp_path: Path) -> None:
    text = topic_text().replace("reviewed_on: 2026-11-22", "reviewed_on: last week")
    text = text.replace("needs_review: true", "needs_review: true\nreviewer: somebody")
    path = write(tmp_path, "patent.payment.yaml", text)
    errors = check(tmp_path)
    assert any(e.startswith(f"{path}:3: error: reviewed_on") for e in errors)
    assert any(e.startswith(f"{path}:5: error: reviewer") for e in errors)


def test_unknown_ids_and_related_links_are_errors(tmp_path: Path) -> None:
    text = topic_text().replace("id: patent.payment", "id: patent.paymnet")
    text = text.replace("related: [patent.obtain]", "related: [patent.obtian]")
    path = write(tmp_path, "patent.paymnet.yaml", text)
    errors = check(tmp_path)
    assert any("unknown topic id 'patent.paymnet'" in e for e in errors)
    assert f"{path}:8: error: related topic 'patent.obtian' does not exist" in errors


def test_a_file_named_differently_from_its_id(tmp_path: Path) -> None:
    write(tmp_path, "payment.yaml", topic_text())
    assert any("named payment.yaml but its id is patent.payment" in e for e in check(tmp_path))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "musofir", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_kb_check_exits_1_and_prints_each_error(tmp_path: Path) -> None:
    broken = tmp_path / "topics"
    broken.mkdir()
    path = write(broken, "patent.payment.yaml", topic_text(codes=("ru",)))
    result = run_cli("kb", "check", "--dir", str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{path}:9: error: missing required language(s): uz, tg, ky, en" in result.stderr
    assert result.stdout == ""


def test_kb_check_passes_on_the_shipped_topics(tmp_path: Path) -> None:
    result = run_cli("kb", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr


def test_the_server_refuses_to_start_with_the_same_messages(tmp_path: Path) -> None:
    broken = tmp_path / "topics"
    shutil.copytree(default_topics_dir(), broken)
    path = write(broken, "patent.payment.yaml", topic_text(codes=("ru",)))
    expected = f"{path}:9: error: missing required language(s): uz, tg, ky, en"
    with pytest.raises(KnowledgeBaseError) as refused:
        create_app(Settings(data_dir=tmp_path / "data", knowledge_dir=broken))
    assert expected in str(refused.value)

    result = subprocess.run(
        [sys.executable, "-m", "musofir", "demo", "--port", "1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={"PATH": "/usr/bin:/bin", "MUSOFIR_KNOWLEDGE_DIR": str(broken)},
    )  # fmt: skip
    assert result.returncode == 1
    assert "refusing to start" in result.stderr and expected in result.stderr


def test_an_id_without_a_dot_is_valid_like_citizenship(tmp_path: Path) -> None:
    text = topic_text().replace("id: patent.payment", "id: citizenship")
    text = text.replace("related: [patent.obtain]", "related: [residence.permits]")
    write(tmp_path, "citizenship.yaml", text)
    assert check(tmp_path) == []
