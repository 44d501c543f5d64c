"""How much memory photo decoding may hold at once, across every request of the process.

Each ingest holds an estimate of its peak (decoded bytes x the copies it makes) from the budget;
when the budget is spent, further decodes wait their turn in their worker thread instead of all
unpacking at once (three 250 MB PNGs uploaded together used to take 2.5 GB). After a large decode
the C allocator is asked to give the freed memory back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: memory all decodes together may hold (bytes); one decode larger than this runs alone
BUDGET = 400 * 2**20
#: after releasing at least this much, return freed memory to the system
TRIM_ABOVE = 32 * 2**20


def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


class DecodeBudget:
    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0
        self.waiting = 0  # decodes waiting their turn
        self._cond = threading.Condition()
        self._trim = _malloc_trim()

    @contextmanager
    def hold(self, cost: int) -> Iterator[None]:
        cost = min(cost, self.total)
        with self._cond:
            self.waiting += 1
            self._cond.wait_for(lambda: self.used + cost <= self.total)
            self.waiting -= 1
            self.used += cost
        try:
            yield
        finally:
            with self._cond:
                self.used -= cost
                self._cond.notify_all()
            if cost >= TRIM_ABOVE and self._trim is not None:
                self._trim(0)


DECODES = DecodeBudget(BUDGET)
