// A photo to the server in resumable pieces (PATCH /api/photo-uploads/<uuid>?offset=…): the server
// keeps every byte that arrived, even from a piece whose connection was cut, so after a cut the
// phone asks where the upload stands and sends only the rest. Giving up is decided by progress,
// not total time: a 317 KB photo over 4 KB/s that is cut every 30 s still arrives.
import { request, NetworkError, ApiError } from "./api.js";
import { PIECE_FIRST, STALLS, nextPiece, pieceTimeout } from "./retry.js";

let lastPiece = PIECE_FIRST; // the piece size the link took last
let lastRate = null; // bytes per second the link carried on the last piece (null: not measured yet)
export const linkRate = () => lastRate;
const begun = new Set(); // uploads this page has sent bytes of: a retry asks where they stand

// returned when the upload stepped aside between two pieces for something more urgent (a visit
// record queued meanwhile): the bytes sent so far stay on the server, the upload resumes later
export const STEPPED_ASIDE = Symbol("stepped aside");

export async function uploadPhoto(uuid, photo, onProgress = () => {}, stepAside = () => false) {
  const bytes = photo.bytes;
  const size = bytes.byteLength;
  const q = new URLSearchParams({ sha256: photo.sha256, size: String(size) });
  for (const [k, v] of Object.entries(photo.query || {})) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  const where = () => request("GET", `/api/photo-uploads/${uuid}?sha256=${photo.sha256}&size=${size}`, { timeoutMs: 30000 });
  // a first try starts at 0 without asking; a retry asks where the server stands
  let state = photo.resumed || begun.has(uuid) ? await where() : { offset: 0, complete: false };
  begun.add(uuid);
  let piece = lastPiece;
  let stalls = 0;
  while (!state.complete) {
    if (state.offset > 0 && stepAside()) return STEPPED_ASIDE;
    const offset = state.offset;
    onProgress(offset, size);
    const end = Math.min(size, offset + piece);
    const started = Date.now();
    try {
      q.set("offset", String(offset));
      state = await request("PATCH", `/api/photo-uploads/${uuid}?${q}`, {
        body: bytes.slice(offset, end), contentType: "application/octet-stream", timeoutMs: pieceTimeout(end - offset),
      });
      const took = Date.now() - started;
      if (end - offset >= 16 * 1024 && took > 0) lastRate = ((end - offset) * 1000) / took;
      piece = lastPiece = nextPiece(piece, took);
      stalls = 0;
    } catch (err) {
      if (err instanceof ApiError && (err.code === "upload_offset" || err.code === "upload_busy") && err.detail) {
        state = { offset: err.detail.offset, complete: false };
        if (err.code === "upload_busy") await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      if (!(err instanceof NetworkError)) throw err;
      // cut or stalled: whatever arrived is on the server; go on from there while it moves
      piece = lastPiece = nextPiece(piece, Infinity);
      let now;
      try { now = await where(); } catch (again) { if (++stalls >= STALLS) throw again; continue; }
      stalls = now.offset > offset ? 0 : stalls + 1;
      if (stalls >= STALLS) throw err;
      state = now;
    }
  }
  begun.delete(uuid);
  onProgress(size, size);
  return state.photo;
}
