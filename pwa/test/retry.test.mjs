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

test("photo pieces follow the link: bigger when quick, smaller when slow or cut, within bounds", async () => {
  const { nextPiece, pieceTimeout, PIECE_MIN, PIECE_MAX, PIECE_FIRST } = await import("../src/retry.js");
  assert.equal(nextPiece(PIECE_FIRST, 1000), PIECE_FIRST * 2);
  assert.equal(nextPiece(PIECE_FIRST, 6000), PIECE_FIRST);
  assert.equal(nextPiece(PIECE_FIRST, 16000), PIECE_FIRST / 2);
  assert.equal(nextPiece(PIECE_FIRST, Infinity), PIECE_FIRST / 2); // a cut
  let piece = PIECE_FIRST;
  for (let i = 0; i < 20; i++) piece = nextPiece(piece, Infinity);
  assert.equal(piece, PIECE_MIN);
  for (let i = 0; i < 20; i++) piece = nextPiece(piece, 10);
  assert.equal(piece, PIECE_MAX);
  // a 64 KB piece at 4 KB/s takes 16 s: within its timeout; at 1 KB/s it is a stall
  assert.ok(pieceTimeout(64 * 1024) > 16000 && pieceTimeout(64 * 1024) < 64000 + 20000 + 1);
});
