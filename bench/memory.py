"""Script memory benchmark: what embedding a script costs, and a "similar scripts" scan over a big workspace.

    .venv/bin/python bench/memory.py [--scripts 5000]

Embedding: the model's first load, then a 30 s script and a 10-minute one (the model reads at most 8 windows of
256 tokens). Scan: as `scripts.memory.similar_scripts` does it once the vectors are read from the database
(bytes to arrays, one matrix product, the best 5), over `--scripts` random unit vectors.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mediakit.text.embeddings import DIMENSION, embed, from_bytes, nearest, to_bytes

SHORT = "Welcome back. Today we bake sourdough bread at home, from the starter to the crust. " * 4
LONG = (Path(__file__).parent / "scripts" / "long.txt").read_text() * 6


def timed(action, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripts", type=int, default=5000)
    count = parser.parse_args().scripts

    load = timed(lambda: embed("warm up"), 1)[0]
    short = timed(lambda: embed(SHORT), 10)
    long = timed(lambda: embed(LONG), 3)
    rng = np.random.default_rng(0)
    stored = [to_bytes(vector / np.linalg.norm(vector)) for vector in rng.normal(size=(count, DIMENSION))]
    query = embed(SHORT)
    scan = timed(lambda: nearest(query, [from_bytes(data) for data in stored], 5), 10)

    print(f"{'what':<44} {'median':>10}")
    print(f"{'model load + first text':<44} {load * 1000:>8.0f} ms")
    print(f"{f'a {len(SHORT.split())}-word script':<44} {statistics.median(short) * 1000:>8.0f} ms")
    print(f"{f'a {len(LONG.split())}-word script (8 windows at most)':<44} {statistics.median(long) * 1000:>8.0f} ms")
    print(f"{f'scan of {count} vectors, best 5':<44} {statistics.median(scan) * 1000:>8.1f} ms")


if __name__ == "__main__":
    main()
