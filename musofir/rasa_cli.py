"""``musofir nlu export-rasa DIR``: the knowledge base as Rasa NLU training data.

The counts printed are read back from the written file, so they are what Rasa will see.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from musofir.output import emit_json
from musofir.settings import Settings


def cmd_export_rasa(args: argparse.Namespace) -> int:
    from musofir.knowledge import KnowledgeBase
    from musofir.nlu.rasa import OUT_OF_SCOPE_INTENT, export_rasa

    knowledge = KnowledgeBase.load(Settings().knowledge_dir)
    out_dir: Path = args.dir
    try:
        nlu = export_rasa(knowledge, out_dir)
    except (OSError, ValueError) as error:
        sys.stderr.write(f"musofir: cannot export to {out_dir}: {error}\n")
        return 1
    written = yaml.safe_load(nlu.read_text(encoding="utf-8"))["nlu"]
    examples = sum(len(entry["examples"].splitlines()) for entry in written)
    topics = sum(entry["intent"] != OUT_OF_SCOPE_INTENT for entry in written)
    languages = sorted({lang for t in knowledge.topics.values() for lang in t.languages})
    report: dict[str, Any] = {
        "files": [str(nlu), str(out_dir / "config.yml")],
        "intents": len(written),
        "topics": topics,
        "examples": examples,
        "languages": languages,
    }
    if args.json:
        emit_json(report)
    else:
        print(f"wrote {' and '.join(report['files'])}")
        print(
            f"{topics} topic intents and {OUT_OF_SCOPE_INTENT}, {examples} examples "
            f"in {', '.join(languages)}"
        )
        print(f"train: rasa train nlu --data {nlu} --config {out_dir / 'config.yml'} --out models")
    return 0


def register(nlu_commands: Any) -> None:
    """Add ``export-rasa`` to the subcommands of ``musofir nlu``."""
    export = nlu_commands.add_parser(
        "export-rasa", help="write the topics as Rasa training data (nlu.yml, config.yml)"
    )
    export.add_argument("dir", type=Path, help="folder to write into (made if missing)")
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=cmd_export_rasa)


__all__ = ["cmd_export_rasa", "register"]
