// What the server will flag about a photo, told at capture: taken before the visit began (a gallery
// photo), taken long before it was added, or far from the site; and an arrival from a photo's EXIF.
// No DOM: unit-tested in node. The margins are the server's (photos/service.py).

export const VISIT_MARGIN_MS = 30 * 60 * 1000; // VISIT_MARGIN: before the visit's start
export const TIME_TOLERANCE_MS = 2 * 3600 * 1000; // TIME_TOLERANCE: camera time against the moment it was added
export const FAR_M = 500; // DUCHA_PHOTO_RADIUS_M

// The camera's local time with its offset (none: China time, as the server assumes) as a Date, or null.
export function exifInstant(exif) {
  if (!exif || !exif.taken) return null;
  const at = new Date(`${exif.taken}${exif.offset || "+08:00"}`);
  return Number.isNaN(at.getTime()) ? null : at;
}

// [{kind: "old", taken: Date} | {kind: "far", m}] for a photo just added.
// since: the visit's start (ISO) for a visit's photo, null for a rectification photo; now: Date.
export function photoWarnings(record, { since = null, now = new Date() } = {}) {
  const out = [];
  const taken = exifInstant(record.exif);
  if (taken) {
    const floor = since ? new Date(since).getTime() - VISIT_MARGIN_MS : now.getTime() - TIME_TOLERANCE_MS;
    if (taken.getTime() < floor) out.push({ kind: "old", taken });
  }
  if (record.distance_m != null && record.distance_m > FAR_M) out.push({ kind: "far", m: record.distance_m });
  return out;
}

// 到达现场 from a photo just taken at the scene: its EXIF position and time. {arrival} or {error}:
// no_gps, no_time, stale (taken more than the tolerance ago), future (the camera's clock is ahead).
export function exifArrival(exif, now = new Date()) {
  if (!exif || exif.lat == null || exif.lon == null) return { error: "no_gps" };
  const taken = exifInstant(exif);
  if (!taken) return { error: "no_time" };
  if (taken.getTime() < now.getTime() - TIME_TOLERANCE_MS) return { error: "stale", taken };
  if (taken.getTime() > now.getTime() + TIME_TOLERANCE_MS) return { error: "future", taken };
  return { arrival: { at: new Date(Math.min(taken.getTime(), now.getTime())).toISOString(), lat: exif.lat, lon: exif.lon, source: "exif", coord_system: "wgs84" } };
}
