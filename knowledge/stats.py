"""Coverage of the knowledge base: what an editor checks before calling the content complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .base import KnowledgeBase

MIN_EXAMPLES = {"ru": 8}
"""Example questions a topic needs per language; every other language needs ``DEFAULT_MIN``."""

DEFAULT_MIN_EXAMPLES = 6


def min_examples(language: str) -> int:
    return MIN_EXAMPLES.get(language, DEFAULT_MIN_EXAMPLES)


@dataclass(frozen=True, slots=True)
class TopicRow:
    id: str
    category: str
    examples: dict[str, int]  # language -> example questions; absent means no answer
    needs_review: bool
    reviewed_on: date


@dataclass(frozen=True, slots=True)
class Coverage:
    languages: tuple[str, ...]
    rows: list[TopicRow]
    missing_ids: list[str]  # in the catalog, with no file yet

    @property
    def needing_review(self) -> int:
        return sum(r.needs_review for r in self.rows)

    @property
    def oldest_review(self) -> date | None:
        return min((r.reviewed_on for r in self.rows), default=None)

    def short_cells(self, required: tuple[str, ...]) -> list[str]:
        """Required cells without an answer or with too few examples, as ``id/lang (n)``."""
        return [
            f"{row.id}/{lang} ({row.examples.get(lang, 0)})"
            for row in self.rows
            for lang in required
            if row.examples.get(lang, 0) < min_examples(lang)
        ]


def coverage(knowledge: KnowledgeBase) -> Coverage:
    catalog = knowledge.catalog
    languages = catalog.required_languages + catalog.welcome_languages
    rows = [
        TopicRow(
            id=topic.id,
            category=topic.category,
            examples={lang: len(text.questions) for lang, text in topic.languages.items()},
            needs_review=topic.needs_review,
            reviewed_on=topic.reviewed_on,
        )
        for topic in sorted(knowledge.topics.values(), key=lambda t: t.id)
    ]
    missing = [topic_id for topic_id in catalog.entries if topic_id not in knowledge.topics]
    return Coverage(languages, rows, missing)


def render_table(report: Coverage, required: tuple[str, ...]) -> str:
    """Topics × languages with the number of example questions; '—' where there is no answer."""
    width = max([len(r.id) for r in report.rows] + [5])
    header = (
        f"{'topic':{width}}  " + "  ".join(f"{lang:>3}" for lang in report.languages) + "  review"
    )
    lines = [header, "-" * len(header)]
    for row in report.rows:
        cells = []
        for lang in report.languages:
            count = row.examples.get(lang)
            mark = "—" if count is None else str(count)
            thin = lang in required and (count or 0) < min_examples(lang)
            cells.append(f"{mark + ('!' if thin else ''):>3}")
        review = f"needs review ({row.reviewed_on})" if row.needs_review else str(row.reviewed_on)
        lines.append(f"{row.id:{width}}  " + "  ".join(cells) + f"  {review}")
    lines.append("-" * len(header))
    totals = [sum(1 for r in report.rows if lang in r.examples) for lang in report.languages]
    lines.append(f"{'answers':{width}}  " + "  ".join(f"{n:>3}" for n in totals))
    oldest = report.oldest_review.isoformat() if report.oldest_review else "none"
    lines.append(
        f"{len(report.rows)} topics; {report.needing_review} need review; oldest review {oldest}"
    )
    if report.missing_ids:
        lines.append(
            f"missing topics ({len(report.missing_ids)}): {', '.join(report.missing_ids)}"
        )
    short = report.short_cells(required)
    if short:
        lines.append(f"too few examples or no answer ({len(short)}): {', '.join(short)}")
    lines.append("numbers are example questions; ! marks fewer than needed (ru 8, others 6)")
    return "\n".join(lines)


__all__ = ["Coverage", "TopicRow", "coverage", "min_examples", "render_table"]
