// The outbox's rules, with no browser in them (tested with node): which item goes first, which
// failure is tried again by itself, and how long to wait before the next try.

export const RETRY_MIN_MS = 5000;
export const RETRY_MAX_MS = 300000;

// records that declare their photos first (a few KB; the server takes them before the photos);
// then photos; then records queued before photos were declared (the server needs their photos first)
export const rank = (item) => (item.kind === "photo" ? 1 : item.body && item.body.photo_hashes ? 0 : 2);

export const byTurn = (a, b) => rank(a) - rank(b) || a.created_at.localeCompare(b.created_at);

// no answer, or a server that may answer later: tried again by itself; any other 4xx needs a person
export const retryable = (status) => !status || status >= 500 || status === 408 || status === 429;

// the pause before the next try and the one after it: doubling from 5 s to 5 min, ±20 % jitter
// (phones that lost the server together do not all come back in the same second)
export function pause(delay, random = Math.random) {
  return { wait: delay * (0.8 + random() * 0.4), next: Math.min(delay * 2, RETRY_MAX_MS) };
}

// Resumable photo uploads go in pieces sized to the link: about 4–10 s of sending each, so a piece
// that stalls is noticed soon and a fast link is not slowed by round trips.
export const PIECE_MIN = 16 * 1024;
export const PIECE_MAX = 512 * 1024;
export const PIECE_FIRST = 64 * 1024;

export function nextPiece(piece, tookMs) {
  if (tookMs < 4000) return Math.min(piece * 2, PIECE_MAX);
  if (tookMs > 10000) return Math.max(Math.floor(piece / 2), PIECE_MIN);
  return piece;
}

// how long a piece may take before it counts as stalled: 20 s, plus a second per KB (1 KB/s)
export const pieceTimeout = (bytes) => 20000 + Math.ceil(bytes / 1024) * 1000;

// a photo upload gives up (for the outbox's pause) only after this many cuts in a row without a
// byte of progress between them
export const STALLS = 3;
