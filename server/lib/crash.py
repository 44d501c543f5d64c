"""Crash points for the crash tests: ``DUCHA_TEST_CRASH_AT=NAME`` kills the process (SIGKILL, as a
power cut or the OOM killer would) the moment it reaches the point of that name, so each case of
"killed before / after the commit" is tested on purpose, not left to where a random kill lands.

The points: ``inspection-before-commit`` (every row of a submit written, not committed),
``inspection-after-commit`` (committed, the answer not yet sent), ``photo-before-commit`` (the
files stored, the row not committed), ``ledger-mid-render`` (a queue worker that has just put
a ledger chunk in the store, the ledger's file not written). Empty (the default): never. Tests only; warned about at start-up.
"""

from __future__ import annotations

import logging
import os
import signal

POINTS = ("inspection-before-commit", "inspection-after-commit", "photo-before-commit", "ledger-mid-render")


def check(value: str) -> None:
    """At start-up: a crash point must be one of POINTS, and it is announced loudly."""
    if value not in POINTS:
        raise SystemExit(f"DUCHA_TEST_CRASH_AT 只能是 {', '.join(POINTS)}: {value!r}")
    logging.getLogger("ducha").warning("!!! DUCHA_TEST_CRASH_AT=%s: this process kills itself there. For tests only. !!!", value)


def point(name: str) -> None:
    """Die here if this is the configured crash point."""
    from server.settings import get_settings

    if get_settings().test_crash_at == name:
        os.kill(os.getpid(), signal.SIGKILL)
