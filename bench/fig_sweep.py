"""Deadline sweep: escalating the same number of due stages among many more open ones.

Seeded open stages (bulk), `due` of them overdue; `escalate_overdue_stages(now=…)` is timed. The
baseline is the same number due among a tenth of the open stages, measured first in the same run.
"""
from __future__ import annotations

import time
from datetime import datetime

from apps.authorizations.escalation import escalate_overdue_stages


def sweep_seconds(now: datetime, expected: int) -> float:
    start = time.perf_counter()
    result = escalate_overdue_stages(now=now)
    seconds = time.perf_counter() - start
    if result.total != expected:
        raise RuntimeError(f"the sweep escalated {result.total} stages, {expected} were due")
    return seconds
