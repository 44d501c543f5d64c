// Resumable photo uploads against a fake server that keeps what arrived before a cut, as the real
// one does (server/photos/uploads.py): offsets, cuts, giving up on no progress, stepping aside.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { uploadPhoto, STEPPED_ASIDE } from "../src/upload.js";
import { NetworkError } from "../src/api.js";

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

// cut(n, piece) -> how many bytes of the n-th PATCH arrive before its connection is cut (null: all)
function fakeServer(size, cut = () => null) {
  const server = { held: new Uint8Array(0), patches: 0, gets: 0, wire: 0, offsets: [] };
  globalThis.fetch = async (url, opts) => {
    const u = new URL(url, "http://phone");
    if (opts.method === "GET") {
      server.gets += 1;
      return json(200, { offset: server.held.length, size, complete: false, photo: null });
    }
    const offset = Number(u.searchParams.get("offset"));
    server.offsets.push(offset);
    const piece = new Uint8Array(opts.body);
    const n = server.patches++;
    if (offset > server.held.length) return json(409, { error: "upload_offset", message: "", detail: { offset: server.held.length } });
    const arrives = cut(n, piece) ?? piece.length;
    server.wire += arrives;
    const fresh = piece.subarray(server.held.length - offset, arrives); // a resent overlap is skipped
    if (fresh.length > 0) {
      const next = new Uint8Array(server.held.length + fresh.length);
      next.set(server.held);
      next.set(fresh, server.held.length);
      server.held = next;
    }
    if (arrives < piece.length) throw new TypeError("Failed to fetch"); // the connection was cut
    const complete = server.held.length === size;
    return json(200, { offset: server.held.length, size, complete, photo: complete ? { uuid: "p" } : null });
  };
  return server;
}

const photo = (size) => {
  const bytes = new Uint8Array(size).map((_, i) => (i * 7) % 251);
  return { bytes: bytes.buffer, sha256: "ab".repeat(32), query: { site_id: 1 } };
};

test("cut in the middle of every other piece, the photo still arrives whole and nothing is sent twice", async () => {
  const p = photo(300 * 1024);
  const server = fakeServer(p.bytes.byteLength, (n, piece) => (n % 2 === 1 ? Math.floor(piece.length / 2) : null));
  const seen = [];
  const out = await uploadPhoto("u1", p, (sent, size) => seen.push([sent, size]));
  assert.deepEqual(out, { uuid: "p" });
  assert.deepEqual(server.held, new Uint8Array(p.bytes));
  assert.equal(server.wire, p.bytes.byteLength); // each byte on the wire once: the phone resumed at the server's offset
  assert.ok(server.gets >= 1); // after a cut it asked where the upload stood
  assert.deepEqual(seen.at(-1), [p.bytes.byteLength, p.bytes.byteLength]);
  assert.ok(seen.every(([a], i) => i === 0 || a >= seen[i - 1][0])); // progress never goes back
});

test("three cuts in a row with no byte of progress: it gives up for the outbox's pause", async () => {
  const p = photo(1536 * 1024); // more than one piece, whatever size the link has grown them to
  const server = fakeServer(p.bytes.byteLength, (n) => (n === 0 ? null : 0));
  await assert.rejects(uploadPhoto("u2", p), NetworkError);
  assert.ok(server.held.length > 0 && server.held.length < p.bytes.byteLength); // what arrived stays for later
  const kept = server.held.length;
  const again = fakeServer(p.bytes.byteLength); // the link is back; the server still holds the start
  again.held = server.held;
  await uploadPhoto("u2", p);
  assert.equal(again.offsets[0], kept); // resumed where it stood, not from 0
  assert.deepEqual(again.held, new Uint8Array(p.bytes));
});

test("a visit record queued meanwhile goes first: the upload steps aside between pieces and resumes later", async () => {
  const p = photo(1536 * 1024);
  const server = fakeServer(p.bytes.byteLength);
  let urgent = true;
  const first = await uploadPhoto("u3", p, () => {}, () => urgent);
  assert.equal(first, STEPPED_ASIDE);
  const sent = server.held.length;
  assert.ok(sent > 0 && sent < p.bytes.byteLength);
  urgent = false;
  assert.deepEqual(await uploadPhoto("u3", p, () => {}, () => urgent), { uuid: "p" });
  assert.equal(server.wire, p.bytes.byteLength);
  assert.ok(server.offsets.includes(sent));
});

test("the server lost the partial upload (409 upload_offset with its offset): the phone starts again from there", async () => {
  const p = photo(1536 * 1024);
  const server = fakeServer(p.bytes.byteLength);
  const patch = globalThis.fetch;
  globalThis.fetch = async (url, opts) => {
    const res = await patch(url, opts);
    if (server.patches === 1) server.held = new Uint8Array(0); // swept after the first piece (or the disk was replaced)
    return res;
  };
  assert.deepEqual(await uploadPhoto("u4", p), { uuid: "p" });
  assert.equal(server.offsets.filter((o) => o === 0).length, 2); // told 0 by the 409, it sent the start again
  assert.deepEqual(server.held, new Uint8Array(p.bytes));
});
