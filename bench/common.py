"""What every figure shares: the result row, sizes, timing and percentile helpers."""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Row:
    """One line of the table. `ratio` is Tierflow/baseline (or the figure itself when there is no baseline)."""

    figure: str
    tierflow: str
    baseline: str = "—"
    ratio: float | None = None
    target: str = "reported"
    met: bool | None = None
    note: str = ""
    raw: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)




SIZES = {
    # quick: the same table in well under 90 s; full: the sizes the targets name, under 10 minutes.
    "quick": dict(chains=30, query_recipients=20, http_seconds=2.0, http_clients=16,
                  list_small=1_000, list_large=10_000, list_samples=20,
                  sweep_small=10_000, sweep_large=100_000, sweep_due=100,
                  notifications=3_000, aef_small=10_000, aef_large=20_000,
                  register_small=1_000, register_large=10_000),
    "full": dict(chains=100, query_recipients=20, http_seconds=8.0, http_clients=16,
                 list_small=1_000, list_large=100_000, list_samples=50,
                 sweep_small=100_000, sweep_large=1_000_000, sweep_due=10_000,
                 notifications=10_000, aef_small=10_000, aef_large=100_000,
                 register_small=10_000, register_large=100_000),
}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


class Stopwatch:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def fmt(value: float, unit: str = "") -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


# Peak-memory figures run this in a fresh child process before the measured work: `rss()`, `before` and a thread
# that samples the peak every 2 ms into `peak[0]`; the child calls `stop_sampling()` when the work is done.
RSS_SAMPLER = r"""
PAGE = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE
gc.collect()
before = rss()
peak = [before]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.002)
sampler = threading.Thread(target=sample, daemon=True)
def stop_sampling():
    done.set(); sampler.join()
    peak[0] = max(peak[0], rss())
"""
