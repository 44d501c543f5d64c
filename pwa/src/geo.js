// Positions: the browser's fix, and distances on the sphere (WGS-84, as the server stores).

export function distanceM(lat1, lon1, lat2, lon2) {
  const R = 6371008.8, rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

// {lat, lon, accuracy_m, at} or {error}; never throws, never waits more than timeoutMs.
export function position(timeoutMs = 15000) {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) return resolve({ error: "unsupported" });
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy), at: new Date().toISOString() }),
      (err) => resolve({ error: err.code === 1 ? "denied" : "unavailable" }),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 },
    );
  });
}

export function formatDistance(m) {
  if (m == null) return "";
  return m >= 1000 ? `${(m / 1000).toFixed(1)} 公里` : `${Math.round(m)} 米`;
}
