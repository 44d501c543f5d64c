"""The clock: Shanghai dates, and the test clocks a process can be started on."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.lib import clock, crash


def test_today_is_the_shanghai_date_when_utc_is_still_yesterday():
    clock.freeze(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 Jan in Shanghai
    assert clock.today() == date(2027, 1, 1)
    clock.freeze(datetime(2028, 2, 28, 16, 0, tzinfo=UTC))
    assert clock.today() == date(2028, 2, 29)


def test_a_started_clock_reads_the_instant_then_runs_on():
    clock.start_at(datetime(2026, 11, 18, 10, 0, tzinfo=clock.SHANGHAI))
    first = clock.now()
    assert timedelta(0) <= first - datetime(2026, 11, 18, 2, 0, tzinfo=UTC) < timedelta(seconds=5)
    assert clock.now() >= first
    clock.freeze(None)  # back on the real time
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)


@pytest.mark.parametrize("value", ["2026-11-18 10:00", "tomorrow", ""])
def test_a_test_clock_without_a_zone_or_unreadable_is_refused(value):
    with pytest.raises(SystemExit) as exc:
        clock.use_test_clock(value)
    assert "DUCHA_TEST_CLOCK" in str(exc.value)


def test_the_test_clock_is_announced(caplog):
    clock.use_test_clock("2026-11-18T10:00:00+08:00")
    assert clock.today() == date(2026, 11, 18)
    assert "DUCHA_TEST_CLOCK is set" in caplog.text


def test_an_unknown_crash_point_is_refused():
    with pytest.raises(SystemExit) as exc:
        crash.check("somewhere")
    assert "inspection-before-commit" in str(exc.value)
