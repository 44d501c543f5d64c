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
