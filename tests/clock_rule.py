"""Which tests run again at the awkward instants (``make test`` runs the server-side suite under
Debian's faketime at 23:50 on 31 Dec in Shanghai and 00:30 on 1 Mar 2028), decided by one rule:

- A test marked ``own_clock`` sets every clock it reads (``clock.freeze`` / ``clock.start_at``, or
  the ``clock_start`` fixture): its world starts on a fixed clock (FIXED_START), it never sees the
  real time, so faketime changes nothing for it and the instant runs leave it out (``--instants``).
- Every other test may read the real clock and runs at every instant.
- The rule is enforced on every run: a test marked ``own_clock`` that reads the real clock anyway
  (``server.lib.clock.now()`` with no clock set, after clearing it, or a module of such tests that
  calls ``datetime.now()``, ``date.today()`` or ``time.time()`` itself) fails, saying where. So no
  test escapes both: what can depend on the real clock is in the instant runs.

The browser tests (tests/pwa) live on their server's fixed clock (BROWSER_CLOCK) and are left out
of the instant runs as a folder.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

MARK = "own_clock"
#: where an ``own_clock`` test's clock starts (and runs on from) until the test sets its own
FIXED_START = datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
#: a direct read of the real clock in a test module (not through server.lib.clock)
DIRECT = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")


def addoption(parser) -> None:
    parser.addoption("--instants", action="store_true",
                     help="the awkward-instant run: leave out the tests marked own_clock (they never read the real clock)")


def configure(config) -> None:
    config.addinivalue_line("markers", f"{MARK}: the test sets every clock it reads; the awkward-instant runs leave it out")


def owns_clock(item) -> bool:
    return item.get_closest_marker(MARK) is not None


def _direct_reads(path: Path) -> list[str]:
    return [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(path.read_text().splitlines(), 1)
            if DIRECT.search(line) and not line.lstrip().startswith("#")]


def modify(config, items) -> None:
    """Refuse an ``own_clock`` mark on a module that reads the real clock itself; with
    ``--instants``, leave out the tests that own their clock."""
    checked: dict[Path, list[str]] = {}
    for item in items:
        if owns_clock(item):
            path = Path(item.fspath)
            if path not in checked:
                checked[path] = _direct_reads(path)
            if checked[path]:
                raise pytest.UsageError(f"{item.nodeid} is marked {MARK} but its module reads the real clock itself "
                                        f"({checked[path][0]}): read it through server.lib.clock, or drop the mark")
    if config.getoption("--instants"):
        kept = [i for i in items if not owns_clock(i)]
        gone = [i for i in items if owns_clock(i)]
        if gone:
            config.hook.pytest_deselected(items=gone)
        items[:] = kept


class RealReads:
    """While a test runs (an ``own_clock`` one, or any under the probe): where it read the real
    clock, if it did; ``only_in_call``: only reads made by the test's body count (the probe)."""

    def __init__(self, only_in_call: bool = False) -> None:
        self.where: list[str] = []
        self.only_in_call = only_in_call

    def __call__(self) -> None:
        if self.only_in_call and not in_call:
            return
        if len(self.where) < 3:
            frames = [f for f in traceback.extract_stack()[:-2] if "/server/lib/clock.py" not in f.filename]
            self.where.append(" <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames[-4:])))


in_call = False  # the test's body is running (not its fixtures)

#: DUCHA_CLOCK_PROBE=file: record, for each test not marked, where its body read the real clock
PROBE = os.environ.get("DUCHA_CLOCK_PROBE")


def record(nodeid: str, reads: RealReads) -> None:
    with open(PROBE, "a") as f:
        f.write(json.dumps({"test": nodeid, "reads": reads.where}, ensure_ascii=False) + "\n")
