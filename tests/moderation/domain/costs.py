"""What hostile input costs, measured so the verdict does not depend on how busy the machine
is: the fastest of a few runs, and the cost of a long input compared with the cost of a short
one made the same way in the same moment (linear stays linear on a loaded machine; a quadratic
blow-up does not hide). An absolute ceiling stays as a backstop; absolute speed is measured in
`bench/`, not here."""

from __future__ import annotations

import time
from collections.abc import Callable

#: Far above what any of these inputs costs on an idle machine (a few milliseconds), far below
#: what a quadratic path costs on 50 KB (seconds).
CEILING_MS = 60.0
#: Timer noise and interpreter warm-up, in milliseconds, allowed on top of linear growth.
SLACK_MS = 5.0


def fastest_ms(work: Callable[[str], object], text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        work(text)
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best


def assert_linear(work: Callable[[str], object], make: Callable[[int], str], n: int,
                  base: int = 5_000, factor: float = 4.0, ceiling_ms: float = CEILING_MS) -> None:
    """`work(make(n))` costs at most `factor` times linear growth from `work(make(base))`, and
    less than `ceiling_ms` (the backstop)."""
    small = fastest_ms(work, make(base))
    large = fastest_ms(work, make(n))
    assert large <= factor * (n / base) * small + SLACK_MS, (large, small)
    assert large < ceiling_ms, large
