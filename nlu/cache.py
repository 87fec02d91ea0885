"""The built matcher kept on disk between starts, so a restart answers in about a second.

Building the matcher from the knowledge base (training the language model, indexing every
example, fitting the calibration) takes about two seconds on a small machine; reading it back
takes a tenth of that. The file is named by a hash of everything the build depends on: the
examples, the declined questions, and the source and word lists of this package, so a changed
topic or a new release builds afresh and never reads a stale index. It holds plain arrays
(``numpy.savez``, read with ``allow_pickle=False``): a file someone slipped into the cache
folder can at worst fail to load, never run code. Any trouble reading or writing it means
building as before, never an error.

The folder is ``MUSOFIR_CACHE_DIR``, else ``$XDG_CACHE_HOME/musofir``, else
``~/.cache/musofir``; ``MUSOFIR_CACHE_DIR=off`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

import numpy as np

from .matcher import TfidfMatcher, Thresholds

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
_PREFIX = "matcher-"
_FORMAT = 2  # the arrays' layout (2: examples and centroids in one matrix); part of the name


def cache_dir() -> Path | None:
    chosen = os.environ.get("MUSOFIR_CACHE_DIR", "").strip()
    if chosen.casefold() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "musofir"


@cache
def code_version() -> str:
    """A hash of this package's code and word lists: a new release never reads an old index.

    Read once per process: the code does not change under a running process.
    """
    digest = hashlib.sha256()
    for path in sorted([*_PACKAGE.glob("*.py"), *_PACKAGE.glob("lexicon/*.yaml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_for(fingerprint: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = hashlib.sha256(f"{fingerprint}:{code_version()}:{_FORMAT}".encode()).hexdigest()[:32]
    return folder / f"{_PREFIX}{key}.npz"


def load_matcher(fingerprint: str, thresholds: Thresholds | None = None) -> TfidfMatcher | None:
    """The matcher built earlier from the same inputs, or None."""
    path = _file_for(fingerprint)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            return TfidfMatcher.from_arrays(dict(stored), thresholds)
    except Exception as error:  # a damaged or foreign file means building afresh
        log.warning("the cached matcher %s could not be read (%s); building it", path, error)
        return None


def save_matcher(fingerprint: str, matcher: TfidfMatcher) -> None:
    """Write the matcher for the next start; older files of this cache go."""
    path = _file_for(fingerprint)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a process starting meanwhile never reads half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            np.savez(out, **matcher.to_arrays())  # type: ignore[arg-type]
        os.replace(out.name, path)
        for older in path.parent.glob(f"{_PREFIX}*.npz"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError as error:
        log.info("the matcher could not be cached in %s (%s)", path.parent, error)


__all__ = ["cache_dir", "code_version", "load_matcher", "save_matcher"]
