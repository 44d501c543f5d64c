// Warnings at capture and the arrival from a photo's EXIF, with the server's margins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exifInstant, photoWarnings, exifArrival } from "../src/photocheck.js";

const NOW = new Date("2026-12-01T02:00:00Z"); // 10:00 in Shanghai

test("camera time is China time unless the photo says its offset", () => {
  assert.equal(exifInstant({ taken: "2026-12-01T10:00:00" }).toISOString(), "2026-12-01T02:00:00.000Z");
  assert.equal(exifInstant({ taken: "2026-12-01T10:00:00", offset: "+00:00" }).toISOString(), "2026-12-01T10:00:00.000Z");
  assert.equal(exifInstant({ taken: null }), null);
  assert.equal(exifInstant({ taken: "garbage" }), null);
});

test("a gallery photo from before the visit began is flagged; one within 30 minutes of the start is not", () => {
  const since = "2026-12-01T01:30:00Z"; // 09:30
  const at = (taken) => photoWarnings({ exif: { taken }, distance_m: 20 }, { since, now: NOW });
  assert.deepEqual(at("2026-12-01T09:05:00"), []);
  const old = at("2024-11-02T10:31:00");
  assert.equal(old.length, 1);
  assert.equal(old[0].kind, "old");
  assert.equal(old[0].taken.toISOString(), "2024-11-02T02:31:00.000Z");
  assert.equal(at("2026-12-01T08:59:00")[0].kind, "old");
});

test("a rectification photo is old when taken more than 2 hours before it was added", () => {
  const at = (taken) => photoWarnings({ exif: { taken }, distance_m: null }, { now: NOW });
  assert.deepEqual(at("2026-12-01T08:30:00"), []);
  assert.equal(at("2026-12-01T07:59:00")[0].kind, "old");
  assert.deepEqual(photoWarnings({ exif: { taken: null }, distance_m: null }, { now: NOW }), []); // no time: nothing to say
});

test("far from the site beyond 500 m", () => {
  assert.deepEqual(photoWarnings({ exif: {}, distance_m: 500 }, { now: NOW }), []);
  assert.deepEqual(photoWarnings({ exif: {}, distance_m: 1834 }, { now: NOW }), [{ kind: "far", m: 1834 }]);
});

test("an arrival from a photo needs its position and a time within 2 hours of now", () => {
  const exif = { lat: 35.02, lon: 111.0, taken: "2026-12-01T09:40:00", offset: null };
  assert.deepEqual(exifArrival(exif, NOW), { arrival: { at: "2026-12-01T01:40:00.000Z", lat: 35.02, lon: 111.0, source: "exif", coord_system: "wgs84" } });
  assert.equal(exifArrival({ ...exif, lat: null, lon: null }, NOW).error, "no_gps");
  assert.equal(exifArrival({ ...exif, taken: null }, NOW).error, "no_time");
  assert.equal(exifArrival({ ...exif, taken: "2026-11-30T09:40:00" }, NOW).error, "stale");
  assert.equal(exifArrival({ ...exif, taken: "2026-12-01T13:00:00" }, NOW).error, "future");
  // a camera a few minutes ahead: the arrival is now, never in the future
  assert.equal(exifArrival({ ...exif, taken: "2026-12-01T10:05:00" }, NOW).arrival.at, NOW.toISOString());
});
