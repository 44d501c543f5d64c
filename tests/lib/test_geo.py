"""Distances and the Chinese map datums (GCJ-02, BD-09) around Yuncheng."""

import math

import pytest

from server.lib.errors import Invalid
from server.lib.geo import (
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    to_wgs84,
    validate_lat_lon,
    wgs84_to_gcj02,
)

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


YUNCHENG = (35.0265, 111.0070)  # 盐湖区, roughly
SITES = [YUNCHENG, (34.6940, 110.6940), (35.6160, 111.2250), (35.4620, 110.7090), (39.9042, 116.4074)]


def test_one_degree_of_latitude_is_about_111_km():
    assert haversine_m(35.0, 111.0, 36.0, 111.0) == pytest.approx(111_195, rel=1e-3)


def test_one_degree_of_longitude_shrinks_with_latitude():
    assert haversine_m(35.0, 111.0, 35.0, 112.0) == pytest.approx(111_195 * math.cos(math.radians(35)), rel=2e-3)


def test_distance_is_symmetric_and_zero_at_the_same_point():
    a, b = YUNCHENG, (35.03, 111.02)
    assert haversine_m(*a, *b) == pytest.approx(haversine_m(*b, *a))
    assert haversine_m(*a, *a) == 0


def test_antipodes_are_half_the_earth_around():
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * 6_371_008.8, rel=1e-9)


def test_gcj02_offset_in_yuncheng_is_hundreds_of_metres():
    g = wgs84_to_gcj02(*YUNCHENG)
    assert 100 < haversine_m(*YUNCHENG, *g) < 700
    assert g[1] > YUNCHENG[1]  # shifted east, as on every Chinese map


@pytest.mark.parametrize("lat, lon", SITES)
def test_gcj02_round_trip_is_under_half_a_metre(lat, lon):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
    assert haversine_m(lat, lon, *back) < 0.5


@pytest.mark.parametrize("lat, lon", SITES)
def test_bd09_round_trip_is_under_half_a_metre(lat, lon):
    bd = gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))
    assert 300 < haversine_m(lat, lon, *bd) < 2000  # Baidu adds its own offset on top
    assert haversine_m(lat, lon, *to_wgs84(*bd, "bd09")) < 0.5
    assert haversine_m(*wgs84_to_gcj02(lat, lon), *bd09_to_gcj02(*bd)) < 0.5


def test_to_wgs84_converts_a_map_position_back_to_the_gps_one():
    g = wgs84_to_gcj02(*YUNCHENG)
    assert haversine_m(*YUNCHENG, *to_wgs84(*g, "gcj02")) < 0.5
    assert to_wgs84(*YUNCHENG, "wgs84") == YUNCHENG


def test_outside_china_nothing_is_shifted():
    tuscany = (43.4674, 11.8851)  # where DSCN0010 was taken
    assert out_of_china(*tuscany) and not out_of_china(*YUNCHENG)
    assert wgs84_to_gcj02(*tuscany) == tuscany and gcj02_to_wgs84(*tuscany) == tuscany


@pytest.mark.parametrize("lat, lon", [(float("nan"), 111.0), (35.0, float("nan")), (float("inf"), 0.0),
                                      (0.0, float("-inf")), (91, 111), (-90.5, 111), (35, 181), (35, -180.1),
                                      ("35", 111), (None, 111), (True, 111)])
def test_invalid_coordinates_are_refused_in_chinese(lat, lon):
    with pytest.raises(Invalid) as exc:
        validate_lat_lon(lat, lon)
    assert exc.value.code == "bad_coordinates" and "坐标无效" in exc.value.message
    with pytest.raises(Invalid):
        to_wgs84(lat, lon, "gcj02")


def test_edges_of_the_range_are_valid():
    for lat, lon in [(90, 180), (-90, -180), (0, 0)]:
        validate_lat_lon(lat, lon)


def test_an_unknown_coordinate_system_is_refused():
    with pytest.raises(Invalid) as exc:
        to_wgs84(*YUNCHENG, "mercator")  # type: ignore[arg-type]
    assert exc.value.code == "bad_coordinates"
