"""`musofir services` as centre staff use it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from musofir.knowledge.directory import COLUMNS

MUSOFIR = [sys.executable, "-m", "musofir"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MUSOFIR_", "DATABASE_", "REDIS_"))
    }
    return subprocess.run(
        [*MUSOFIR, *args], capture_output=True, text=True, cwd=cwd, timeout=120, env=env
    )


def row(**values: str) -> dict[str, str]:
    base = {
        "id": "kzn-real-legal", "category": "legal_aid", "name_ru": "Юридическая клиника",
        "address": "ул. Примерная, 1", "latitude": "55.7960", "longitude": "49.1060",
        "hours": "Mo-Fr 10:00-18:00", "timezone": "Europe/Moscow", "free": "true",
        "anonymous": "true", "no_documents": "true", "languages": "ru uz",
        "verified_on": (date.today() - timedelta(days=10)).isoformat(),
        "source": "https://example.org/official-page", "sample": "false",
    }  # fmt: skip
    return {**base, **values}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_is_all_or_nothing_with_errors_by_row(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "kazan-real.csv", [
        row(),
        row(id="kzn-2", latitude="155"),
        row(id="kzn-3", category="sauna"),
        row(id="kzn-4", hours="always"),
        row(id="kzn-5", source="", verified_on=""),
    ])  # fmt: skip
    result = run("services", "import", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{bad}: row 3: latitude 155.0 is out of range" in result.stderr
    assert f"{bad}: row 4: unknown category 'sauna'" in result.stderr
    assert (
        f"{bad}: row 5: " in result.stderr
        and f"{bad}: row 6: a real entry needs source" in result.stderr
    )
    assert "nothing was imported" in result.stderr
    assert not (tmp_path / "musofir-data" / "services").exists()
    near = json.loads(run("services", "near", "55.796", "49.106", "--json", cwd=tmp_path).stdout)
    assert "kzn-real-legal" not in [r["id"] for r in near]


def test_an_imported_directory_is_what_near_answers_from(tmp_path: Path) -> None:
    good = write_csv(
        tmp_path / "kazan-real.csv", [row(), row(id="kzn-sample", sample="true", source="")]
    )
    result = run("services", "import", str(good), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported 2 services (1 samples)" in result.stderr
    assert "checking rows" in result.stderr  # the progress bar, on standard error

    near = json.loads(
        run("services", "near", "55.7960", "49.1060", "--category", "legal_aid", "--limit", "3",
            "--json", cwd=tmp_path).stdout
    )  # fmt: skip
    assert [r["id"] for r in near][:1] == ["kzn-real-legal"]
    assert set(near[0]) >= {"id", "name", "category", "distance_km", "open_now"}
    assert near[0]["distance_km"] < 0.01
    assert [r["distance_km"] for r in near] == sorted(r["distance_km"] for r in near)

    everything = json.loads(
        run("services", "near", "55.7960", "49.1060", "--json", cwd=tmp_path).stdout
    )
    assert len({r["category"] for r in everything}) > 1  # no --category: every kind


def test_an_id_already_used_in_another_file_is_refused(tmp_path: Path) -> None:
    taken = write_csv(tmp_path / "mine.csv", [row(id="sample-kazan-legal-aid-1")])
    result = run("services", "import", str(taken), cwd=tmp_path)
    assert result.returncode == 1
    assert "duplicate id 'sample-kazan-legal-aid-1'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("95", "10"), "coordinates out of range"),
        (("0", "0"), "0, 0 are a missing location"),
        (("55", "49", "--category", "sauna"), "invalid choice: 'sauna'"),
        (("55", "49", "--limit", "0"), "at least 1"),
    ],
)
def test_near_refuses_bad_input_in_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("services", "near", *args, "--json", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_stale_lists_cards_nobody_verified_for_six_months(tmp_path: Path) -> None:
    old = write_csv(tmp_path / "old.csv", [
        row(id="checked-recently", verified_on=(date.today() - timedelta(days=30)).isoformat()),
        row(id="checked-long-ago", verified_on=(date.today() - timedelta(days=200)).isoformat()),
    ])  # fmt: skip
    assert run("services", "import", str(old), "--quiet", cwd=tmp_path).returncode == 0
    stale = json.loads(run("services", "stale", "--json", cwd=tmp_path).stdout)
    ids = {r["id"] for r in stale}
    assert "checked-long-ago" in ids and "checked-recently" not in ids
    assert "sample-kazan-testing-1" in ids  # samples were never verified


async def test_staff_see_reports_per_service_most_reported_first(tmp_path: Path) -> None:
    from musofir.storage import open_storage

    from musofir.settings import Settings

    storage = open_storage(Settings(data_dir=tmp_path / "musofir-data"))
    for service_id, reason in [
        ("sample-kazan-testing-1", "closed"),
        ("sample-kazan-testing-2", "asked_documents"),
        ("sample-kazan-testing-2", "asked_documents"),
        ("sample-kazan-testing-2", "moved"),
    ]:
        await storage.reports.report(service_id=service_id, reason=reason, language="uz")
    storage.close()
    result = run("services", "reports", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [(r["service_id"], r["reasons"]) for r in reports] == [
        ("sample-kazan-testing-2", {"asked_documents": 2, "moved": 1}),
        ("sample-kazan-testing-1", {"closed": 1}),
    ]
