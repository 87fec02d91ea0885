"""Argument types shared by the ``musofir`` subcommands: each refuses bad input in one line."""

from __future__ import annotations

import argparse
from pathlib import Path


def readable_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value!r} is not a readable file")
    return path


__all__ = ["readable_file"]
