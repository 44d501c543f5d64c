"""Where and when a photo was taken, judged against its site and its visit."""

from datetime import UTC, datetime

import pytest

from server.lib.geo import wgs84_to_gcj02
from server.photos.evidence import SHANGHAI, assess_location, camera_time

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


SITE = (35.0265, 111.0070)


def north_of_site(metres: float) -> tuple[float, float]:
    return SITE[0] + metres / 111_195, SITE[1]


def test_a_photo_inside_the_radius_is_near():
    distance, far = assess_location(*north_of_site(120), None, *SITE, 500)
    assert distance == pytest.approx(120, abs=1) and not far


def test_a_photo_beyond_the_radius_is_far():
    distance, far = assess_location(*north_of_site(800), 10, *SITE, 500)
    assert distance == pytest.approx(800, abs=1) and far


def test_a_poor_fix_widens_the_radius_to_its_accuracy():
    assert not assess_location(*north_of_site(800), 1000, *SITE, 500)[1]
    assert assess_location(*north_of_site(800), 700, *SITE, 500)[1]


@pytest.mark.parametrize("accuracy", [None, 0, -5, float("nan")])
def test_missing_or_nonsense_accuracy_counts_as_none(accuracy):
    assert assess_location(*north_of_site(600), accuracy, *SITE, 500)[1]


def test_a_gcj02_position_left_unconverted_looks_hundreds_of_metres_off():
    # why positions must be converted on the way in (PITFALLS: coordinates in China)
    distance, far = assess_location(*wgs84_to_gcj02(*SITE), None, *SITE, 50)
    assert 100 < distance < 700 and far




def test_exif_time_without_offset_is_read_as_beijing_time():
    taken = datetime(2026, 3, 1, 10, 0)  # camera clock, no zone
    assert camera_time(taken) == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert camera_time(taken).tzinfo is SHANGHAI


def test_offset_time_original_is_used_when_the_camera_wrote_one():
    taken = datetime(2026, 3, 1, 10, 0)
    assert camera_time(taken, "+00:00") == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert camera_time(taken, "-05:30") == datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
    assert camera_time(taken, "junk") == camera_time(taken)
