#!/usr/bin/env bash
# Lint: ruff check, ruff format --check and mypy (package `musofir` plus tests/).
# Needs .venv (scripts/test.sh creates it). Runs every tool, exits 1 if any of them failed.
#
# mypy cannot follow setuptools' package-dir mapping (folder bots/ is package musofir.bots, and
# so on, see [tool.setuptools.package-dir]), so we rebuild a symlink tree on every run:
#   .lint/musofir/<entry>  -> musofir/<entry>     for every entry of musofir/
#   .lint/musofir/bots     -> bots/               for every mapped subpackage
#   .lint/tests            -> tests/
# and run mypy from inside .lint: had it run from the repo root, mypy would also see the top
# level folders bots/, storage/, ... as packages `bots`, `storage` (the current directory is
# always on its search path), clashing with test folders of the same names. Paths in mypy's
# messages are mapped back to the real files.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
BIN="$REPO/.venv/bin"
for tool in ruff mypy python; do
    [[ -x "$BIN/$tool" ]] || {
        echo "[lint] $BIN/$tool missing: run bash scripts/test.sh (or pip install -e '.[test]')" >&2
        exit 2
    }
done

rc=0
run() {
    echo "[lint] $*"
    "$@" || rc=1
}

run "$BIN/ruff" check --extend-exclude .lint .
run "$BIN/ruff" format --check --extend-exclude .lint .

# Build .lint/ and print sed expressions that map .lint paths back to real ones.
sed_script="$("$BIN/python" - "$REPO" <<'PY'
import os
import shutil
import sys
import tomllib
from pathlib import Path

repo = Path(sys.argv[1])
with open(repo / "pyproject.toml", "rb") as f:
    package_dir: dict[str, str] = tomllib.load(f)["tool"]["setuptools"]["package-dir"]

lint = repo / ".lint"
lint.mkdir(exist_ok=True)
for name in ("musofir", "tests"):
    p = lint / name
    if p.is_symlink() or p.is_file():
        p.unlink()
    elif p.exists():
        shutil.rmtree(p)

roots = sorted(package_dir.items(), key=lambda kv: kv[0].count("."))
sed = []
for pkg, folder in roots:
    dest = lint.joinpath(*pkg.split("."))
    src = repo / folder
    if dest.is_symlink():  # a parent mapping linked it already; replace with ours
        dest.unlink()
    if pkg.count(".") == 0:
        dest.mkdir(parents=True)
        if src.is_dir():
            for entry in sorted(os.listdir(src)):
                if entry != "__pycache__" and entry.split(".")[0] not in {
                    k.split(".")[-1] for k in package_dir if k.startswith(pkg + ".")
                }:
                    (dest / entry).symlink_to(src / entry)
    else:
        if dest.parent.resolve() != dest.parent.absolute() or not dest.parent.is_dir():
            sys.exit(f"lint.sh: cannot map {pkg}: parent package is not a plain folder in .lint")
        if src.exists():
            dest.symlink_to(src, target_is_directory=True)
    rel = "/".join(pkg.split("."))
    if rel != folder:
        sed.append((rel, folder))
(lint / "tests").symlink_to(repo / "tests", target_is_directory=True)
# Longest first, so musofir/bots/ is rewritten before a bare musofir/ rule could match.
for rel, folder in sorted(sed, key=lambda rf: -len(rf[0])):
    print(f"s|^{rel}/|{folder}/|")
PY
)" || {
    echo "[lint] could not build .lint/" >&2
    exit 2
}

targets=()
for t in musofir tests; do
    if [[ -n "$(find -L ".lint/$t" -name '*.py' -print -quit 2>/dev/null)" ]]; then
        targets+=("$t")
    fi
done
if [[ ${#targets[@]} -eq 0 ]]; then
    echo "[lint] mypy: no Python files yet, skipped" >&2
else
    echo "[lint] mypy ${targets[*]}"
    set +e
    (
        cd .lint &&
            MYPYPATH=tests "$BIN/mypy" --config-file "$REPO/pyproject.toml" \
                --cache-dir "$REPO/.mypy_cache" --explicit-package-bases "${targets[@]}"
    ) 2>&1 | sed -e "${sed_script:-s|^||}"
    mypy_rc=${PIPESTATUS[0]}
    set -e
    [[ $mypy_rc -eq 0 ]] || rc=1
fi

exit "$rc"
