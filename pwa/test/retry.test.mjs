// The outbox's order and retry rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { byTurn, pause, retryable, RETRY_MIN_MS, RETRY_MAX_MS } from "../src/retry.js";

test("the small visit record goes before its photos; old records without declared photos after them", () => {
  const items = [
    { kind: "photo", created_at: "2026-11-18T01:00:00Z", key: "p1" },
    { kind: "inspection", body: {}, created_at: "2026-11-18T00:00:00Z", key: "old" },
    { kind: "inspection", body: { photo_hashes: {} }, created_at: "2026-11-18T02:00:00Z", key: "v" },
    { kind: "rectification", body: { photo_hashes: {} }, created_at: "2026-11-18T01:30:00Z", key: "r" },
    { kind: "photo", created_at: "2026-11-18T00:30:00Z", key: "p0" },
  ];
  assert.deepEqual(items.sort(byTurn).map((i) => i.key), ["r", "v", "p0", "p1", "old"]);
});

test("what is tried again by itself", () => {
  for (const status of [null, 0, 500, 502, 503, 504, 408, 429]) assert.equal(retryable(status), true, String(status));
  for (const status of [400, 401, 403, 404, 409, 413, 422]) assert.equal(retryable(status), false, String(status));
});

test("the pause doubles from 5 s to 5 min, with ±20 % jitter", () => {
  let delay = RETRY_MIN_MS;
  const waits = [];
  for (let n = 0; n < 10; n++) {
    const { wait, next } = pause(delay, () => 0.5);
    waits.push(wait);
    delay = next;
  }
  assert.deepEqual(waits, [5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000, 300000, 300000]);
  assert.equal(pause(10000, () => 0).wait, 8000);
  assert.equal(pause(10000, () => 0.999999).wait > 11999, true);
  assert.equal(pause(RETRY_MAX_MS, () => 0.5).next, RETRY_MAX_MS);
});
