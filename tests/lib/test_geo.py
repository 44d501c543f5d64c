"""Distances and the GCJ-02 conversion."""

import pytest

from server.lib.errors import Invalid
from server.lib.geo import gcj02_to_wgs84, haversine_m, to_wgs84, wgs84_to_gcj02


def test_one_degree_of_latitude_is_about_111_km():
    assert haversine_m(35.0, 111.0, 36.0, 111.0) == pytest.approx(111_195, rel=1e-3)


def test_same_point_is_zero():
    assert haversine_m(35.03, 111.01, 35.03, 111.01) == 0


def test_gcj02_offset_in_yuncheng_is_hundreds_of_metres():
    lat, lon = 35.027, 111.007
    g = wgs84_to_gcj02(lat, lon)
    assert 100 < haversine_m(lat, lon, *g) < 700


def test_gcj02_round_trip_is_under_half_a_metre():
    for lat, lon in [(35.027, 111.007), (34.694, 110.694), (35.616, 111.225), (39.9, 116.4)]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
        assert haversine_m(lat, lon, *back) < 0.5


def test_outside_china_is_unchanged():
    assert wgs84_to_gcj02(43.4674, 11.8851) == (43.4674, 11.8851)


@pytest.mark.parametrize("lat, lon", [(float("nan"), 111.0), (91, 111), (35, 181), (float("inf"), 0)])
def test_invalid_coordinates_are_refused(lat, lon):
    with pytest.raises(Invalid) as exc:
        to_wgs84(lat, lon)
    assert exc.value.code == "bad_coordinates"
