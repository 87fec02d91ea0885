"""Nearest services in a synthetic directory of 100,000 across Russia.

    .venv/bin/python bench/services_nearest.py [--services 100000] [--queries 20000]

Services are scattered around the gazetteer's towns (weighted by population), as real ones are;
queries come from random towns too. Prints build time, p50/p99 of nearest-5 with a category
filter (and without), and the memory the directory takes (RSS before and after building).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from datetime import date

from musofir.knowledge.directory import CATEGORIES, Service, ServiceDirectory
from musofir.knowledge.hours import parse_hours, zone
from musofir.knowledge.places import Gazetteer


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(count: int, gazetteer: Gazetteer, rng: random.Random) -> list[Service]:
    towns = gazetteer.places
    weights = [max(p.population, 1) ** 0.6 for p in towns]
    hours, tz = parse_hours("Mo-Fr 09:00-18:00; Sa 10:00-14:00"), zone("Europe/Moscow")
    chosen = rng.choices(towns, weights=weights, k=count)
    return [
        Service(
            id=f"s{n}",
            category=rng.choice(CATEGORIES),
            names={"ru": f"Служба {n}"},
            address="—",
            latitude=town.latitude + rng.gauss(0, 0.08),
            longitude=town.longitude + rng.gauss(0, 0.12),
            phone="",
            hours=hours,
            timezone=tz,
            free=True,
            anonymous=False,
            no_documents=False,
            languages=("ru",),
            website="",
            verified_on=date(2026, 1, 1),
            source="https://example.org",
            sample=False,
        )
        for n, town in enumerate(chosen)
    ]


def timed(queries: list[tuple[float, float, str | None]], directory: ServiceDirectory) -> str:
    samples = []
    for latitude, longitude, category in queries:
        started = time.perf_counter()
        directory.near(latitude, longitude, category=category, limit=5)
        samples.append(time.perf_counter() - started)
    samples.sort()
    p50 = statistics.median(samples) * 1e3
    p99 = samples[int(len(samples) * 0.99) - 1] * 1e3
    return f"p50={p50:.3f} ms p99={p99:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(7)
    gazetteer = Gazetteer.load()
    services = synthetic(args.services, gazetteer, rng)
    before = rss_mib()
    started = time.perf_counter()
    directory = ServiceDirectory(services)
    build = time.perf_counter() - started
    after = rss_mib()
    towns = rng.choices(gazetteer.places, k=args.queries)
    with_category = [
        (t.latitude + rng.gauss(0, 0.05), t.longitude + rng.gauss(0, 0.05), rng.choice(CATEGORIES))
        for t in towns
    ]
    anything = [(lat, lon, None) for lat, lon, _ in with_category]
    print(
        f"services={args.services:,} build={build * 1000:.0f} ms "
        f"index memory≈{after - before:.1f} MiB"
    )
    print(
        f"nearest-5 with a category: {timed(with_category, directory)} ({args.queries:,} queries)"
    )
    print(f"nearest-5 of any kind:      {timed(anything, directory)}")


if __name__ == "__main__":
    main()
