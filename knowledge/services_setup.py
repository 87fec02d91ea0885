"""Open the service directory: the packaged sample files plus what staff imported."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from .directory import CATEGORIES, RowError, ServiceDirectory, load_files


def packaged_services_dir() -> Path:
    return Path(str(resources.files("musofir.knowledge") / "services"))


def service_files(*folders: Path | None) -> list[Path]:
    """CSV files of the folders in order; a later file with the same name replaces an earlier."""
    chosen: dict[str, Path] = {}
    for folder in folders:
        if folder and folder.is_dir():
            for path in sorted(folder.glob("*.csv")):
                chosen[path.name] = path
    return list(chosen.values())


def open_directory(imported: Path | None, today: date) -> tuple[ServiceDirectory, list[RowError]]:
    services, errors = load_files(service_files(packaged_services_dir(), imported), today)
    return ServiceDirectory(services), errors


def topic_links() -> dict[str, str]:
    path = packaged_services_dir() / "topic-links.yaml"
    links = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = {t: c for t, c in links.items() if c not in CATEGORIES}
    if unknown:
        raise ValueError(f"{path}: unknown service categories {unknown}")
    return {str(t): str(c) for t, c in links.items()}


__all__ = ["open_directory", "packaged_services_dir", "service_files", "topic_links"]
