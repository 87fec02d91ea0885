"""NLU speed and size: time per query in-process, build time and memory.

Two indexes: the real knowledge base, and a synthetic one of 2,000 topics x 7 languages x 10
examples built from the real examples' words. Prints p50/p99 per query, build time (from
nothing, and read back from the on-disk cache), the process's peak memory, and a fresh
``musofir ask`` start-up (everything loaded, one answer) with an empty cache and with one.

    .venv/bin/python bench/nlu.py [--queries N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from musofir.knowledge import KnowledgeBase
from musofir.nlu import Example, TfidfMatcher, build_faq_matcher, knowledge_index
from musofir.nlu.knowledge_index import examples_of

DEV_SET = Path(__file__).resolve().parents[1] / "tests" / "nlu" / "dev.jsonl"


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    return f"p50 {p50:.3f} ms  p99 {p99:.3f} ms"


def time_queries(matcher: TfidfMatcher, questions: list[str], count: int) -> list[float]:
    times = []
    for n in range(count):
        text = questions[n % len(questions)]
        start = time.perf_counter()
        matcher.match_now(text)
        times.append(time.perf_counter() - start)
    return times


def synthetic(real: list[Example], topics: int = 2000, per_language: int = 10) -> list[Example]:
    rng = random.Random(7)
    by_language: dict[str, list[str]] = {}
    for example in real:
        by_language.setdefault(example.language, []).extend(example.text.split())
    found = []
    for topic in range(topics):
        for language, vocabulary in sorted(by_language.items()):
            for _ in range(per_language):
                words = rng.sample(vocabulary, rng.randint(3, 8))
                found.append(Example(f"synthetic.{topic}", language, " ".join(words)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=5000)
    args = parser.parse_args()
    questions = [json.loads(line)["text"] for line in DEV_SET.read_text("utf-8").splitlines()]
    knowledge = KnowledgeBase.load()
    cache = tempfile.mkdtemp(prefix="musofir-bench-cache-")
    os.environ["MUSOFIR_CACHE_DIR"] = cache

    start = time.perf_counter()
    build_faq_matcher(knowledge)
    print(
        f"real knowledge base: {len(examples_of(knowledge))} examples, "
        f"built in {time.perf_counter() - start:.2f} s"
    )
    knowledge_index._built.clear()  # as a restart would be
    start = time.perf_counter()
    real = build_faq_matcher(knowledge)
    print(f"  read back from the cache in {time.perf_counter() - start:.2f} s")
    time_queries(real, questions, 200)  # warm up
    print("  per query: " + percentiles(time_queries(real, questions, args.queries)))

    examples = synthetic(examples_of(knowledge))
    start = time.perf_counter()
    big = TfidfMatcher.build(examples, reader=real.reader)
    print(f"synthetic: {len(examples)} examples, built in {time.perf_counter() - start:.2f} s")
    time_queries(big, questions, 50)
    print("  per query: " + percentiles(time_queries(big, questions, args.queries // 5)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (both indexes): {peak:.0f} MB")

    command = [sys.executable, "-m", "musofir", "ask", "как оплатить патент", "--json"]
    for label, folder in (("empty cache", tempfile.mkdtemp()), ("cached", cache)):
        start = time.perf_counter()
        env = {**os.environ, "MUSOFIR_CACHE_DIR": folder}
        subprocess.run(command, check=True, capture_output=True, env=env)
        took = time.perf_counter() - start
        print(f"start-up, fresh `musofir ask` (load, build, answer), {label}: {took:.2f} s")


if __name__ == "__main__":
    main()
