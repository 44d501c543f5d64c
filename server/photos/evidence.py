"""Is a photo evidence of the visit? Where it was taken against the site, and in which time zone.

Plain functions, no database. Positions are WGS-84 (convert with ``server.lib.geo.to_wgs84`` first).

Time: EXIF DateTimeOriginal is the camera's local clock with no zone. When the camera also wrote
OffsetTimeOriginal (most phones since ~2017) that offset is used; otherwise the time is read as
Asia/Shanghai, which is where these sites are and what phones sold in China are set to. A camera
whose clock is wrong, or set to another zone, shows up as "outside" - a flag for a person to look
at, never a verdict.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

from server.lib.clock import SHANGHAI
from server.lib.geo import haversine_m

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def assess_location(
    photo_lat: float, photo_lon: float, accuracy_m: float | None, site_lat: float, site_lon: float, radius_m: float
) -> tuple[float, bool]:
    """(distance in metres, far) of a photo from its site.

    Far means farther than the site's radius; the radius is widened to the fix's reported accuracy
    (a 95% radius from the browser), so a poor fix is never called far for its own error.
    """
    distance = haversine_m(photo_lat, photo_lon, site_lat, site_lon)
    accuracy = accuracy_m if accuracy_m is not None and math.isfinite(accuracy_m) and accuracy_m > 0 else 0.0
    return distance, distance > max(radius_m, accuracy)


def camera_time(taken_at: datetime, offset: str | None = None) -> datetime:
    """An EXIF time made aware: ``offset`` ("+08:00", OffsetTimeOriginal) if given, else Asia/Shanghai.
    An already aware time is returned as it is."""
    if taken_at.tzinfo is not None:
        return taken_at
    m = _OFFSET.match(offset or "")
    if m is None:
        return taken_at.replace(tzinfo=SHANGHAI)
    minutes = int(m[2]) * 60 + int(m[3])
    return taken_at.replace(tzinfo=timezone(timedelta(minutes=-minutes if m[1] == "-" else minutes)))
