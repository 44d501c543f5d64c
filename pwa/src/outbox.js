// The outbox: what waits to reach the server. No DOM; it emits "change" and "auth" events.
// An item leaves only when the server's answer names its UUID; an error keeps it, shown, with its
// message; nothing expires. Visit records and rectifications go first (a few KB; they declare their
// photos' SHA-256, so the server takes them before the photos arrive), then the photos.
// While the phone is online, a drain that left items to retry (no answer, a 5xx, 408, 429) runs
// again by itself after a growing pause (5 s, 10 s, … 5 min); one that needs a person (another 4xx)
// waits for 立即同步.
import * as store from "./store.js";
import { request, NetworkError, ApiError } from "./api.js";
import { t } from "./messages.js";
import { RETRY_MIN_MS, byTurn, pause, retryable } from "./retry.js";
import { STEPPED_ASIDE, uploadPhoto } from "./upload.js";

let retryTimer = null;
let retryDelay = RETRY_MIN_MS;
export const events = new EventTarget();
let running = null;
const progress = new Map(); // outbox key → { sent, size } of the photo being uploaded

const emit = (type, detail) => events.dispatchEvent(new CustomEvent(type, { detail }));

// Items belong to the user who made them: another person logged in on the same phone never
// uploads them under their own name.
let owner = null;
export const setOwner = (userId) => { owner = userId; };

export async function enqueue(tx, item) {
  // tx: a transaction over at least "outbox" (store.together), so the item and its data land together
  await tx.objectStore("outbox").put({
    key: `${item.kind}:${item.uuid}`, attempts: 0, last_error: "", last_tried: null,
    created_at: new Date().toISOString(), user_id: owner, ...item,
  });
}

export async function pending() {
  const items = await store.all("outbox");
  return items.sort(byTurn);
}

async function send(item) {
  if (item.kind === "photo") {
    const photo = await store.get("photos", item.uuid);
    if (!photo) throw new ApiError(0, { message: t.photoLost });
    const report = (sent, size) => {
      progress.set(item.key, { sent, size });
      emit("change");
    };
    try {
      // a visit record queued during a long upload goes first: the photo steps aside between pieces
      const urgent = () => running !== null && running.again;
      const answer = await uploadPhoto(item.uuid, { ...photo, resumed: item.attempts > 0 }, report, urgent);
      if (answer === STEPPED_ASIDE) return answer;
      return answer && String(answer.uuid).toLowerCase() === item.uuid;
    } finally {
      progress.delete(item.key);
    }
  }
  if (item.kind === "inspection") {
    const answer = await request("PUT", `/api/inspections/${item.uuid}`, { json: item.body });
    return answer && String(answer.uuid).toLowerCase() === item.uuid ? answer : false;
  }
  if (item.kind === "rectification") {
    const answer = await request("POST", `/api/issues/${item.issue_id}/rectifications`, { json: item.body });
    return answer && (answer.rounds || []).some((r) => String(r.uuid).toLowerCase() === item.uuid) ? answer : false;
  }
  throw new ApiError(0, { message: `unknown outbox item ${item.kind}` });
}

async function acknowledged(item, answer) {
  await store.together(["outbox", "photos", "drafts", "issues"], async (tx) => {
    await tx.objectStore("outbox").delete(item.key);
    if (item.kind === "photo") {
      const photo = await tx.objectStore("photos").get(item.uuid);
      if (photo) { photo.synced = true; photo.bytes = null; await tx.objectStore("photos").put(photo); }
    } else if (item.kind === "inspection") {
      const draft = await tx.objectStore("drafts").get(item.uuid);
      if (draft) {
        draft.state = "synced";
        draft.server = { revision: answer.revision, issues: answer.issues.length, distance: answer.arrival_distance_m, at: new Date().toISOString() };
        await tx.objectStore("drafts").put(draft);
      }
    } else if (item.kind === "rectification") {
      await tx.objectStore("issues").put({ ...answer, cached_at: new Date().toISOString() });
    }
  });
}

// A visit the server refused for its content goes back to its draft, editable, with every problem
// the server named; the outbox entry goes (it would be refused again). Sent again, it keeps its UUID:
// the server wrote nothing, and the photos that went up meanwhile join it.
async function returned(item, err) {
  const problems = Array.isArray(err.detail) && err.detail.length
    ? err.detail.map((d) => ({ template: d.template || "", item: d.item || "", code: d.code || err.code || "", message: d.message || err.message }))
    : [{ template: "", item: "", code: err.code || "", message: err.message }];
  await store.together(["outbox", "drafts"], async (tx) => {
    await tx.objectStore("outbox").delete(item.key);
    const draft = await tx.objectStore("drafts").get(item.uuid);
    if (draft) {
      draft.state = "returned";
      draft.returned = { at: new Date().toISOString(), code: err.code || "", problems };
      await tx.objectStore("drafts").put(draft);
    }
  });
}

// visits of this user the server sent back, waiting to be mended
export async function returnedVisits() {
  return (await store.all("drafts")).filter((d) => d.state === "returned" && (owner === null || d.inspector_id === owner));
}

async function drainOnce() {
  const items = (await pending()).filter((i) => i.user_id === owner);
  let reached = false, failed = 0, again = 0;
  for (const item of items) {
    const tried = { ...item, attempts: item.attempts + 1, last_tried: new Date().toISOString() };
    try {
      const answer = await send(item);
      reached = true;
      if (answer === STEPPED_ASIDE) break; // drained again at once, in the new order
      if (answer) {
        await acknowledged(item, answer);
      } else {
        failed++;
        again++;
        await store.put("outbox", { ...tried, last_error: t.notAcknowledged });
      }
    } catch (err) {
      if (err instanceof NetworkError) {
        // the phone's network is up but the server does not answer: say so, not "no network"
        await store.put("outbox", { ...tried, last_error: navigator.onLine ? t.serverUnreachable : t.offline, last_status: null });
        failed++;
        again++;
        break; // the rest would fail the same way
      }
      reached = true;
      failed++;
      const status = err instanceof ApiError && err.status ? err.status : null;
      if (item.kind === "inspection" && status === 422) {
        // refused for what it says, nothing written: back to the inspector to mend (退回修改)
        await returned(item, err);
        emit("change");
        continue;
      }
      if (retryable(status)) again++;
      const message = status && !err.message.includes(`(${status})`) ? `${err.message} (${status})` : err.message;
      await store.put("outbox", { ...tried, last_error: message, last_status: status });
      if (status === 401) { emit("auth"); break; }
    }
    emit("change");
  }
  // 已同步 means everything had arrived: not merely that the server was reached
  // … and nothing sent back waits to be mended
  const stuck = (await returnedVisits()).length;
  if (failed === 0 && !stuck && (reached || (items.length === 0 && navigator.onLine))) await store.meta.set("lastSync", new Date().toISOString());
  await store.meta.set("lastDrain", { at: new Date().toISOString(), failed, reached, again });
  emit("change");
  return again;
}

function scheduleRetry(again) {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (!again) {
    retryDelay = RETRY_MIN_MS;
    return;
  }
  if (!navigator.onLine) return; // the "online" event drains
  const { wait, next } = pause(retryDelay);
  retryDelay = next;
  retryTimer = setTimeout(() => { retryTimer = null; drain(); }, wait);
  emit("change");
}

export const nextRetry = () => retryTimer !== null;

const exclusive = (work) => (navigator.locks && navigator.locks.request
  ? navigator.locks.request("ducha-outbox", work)
  : work());

// One drain at a time; a call during a drain waits for it and then runs again.
export function drain() {
  if (running) {
    running.again = true;
    return running.promise;
  }
  const state = { again: false, promise: null };
  running = state;
  state.promise = (async () => {
    let again = 0;
    try {
      // one tab at a time (Web Locks): two tabs never upload the same photo at once
      await exclusive(async () => {
        do { state.again = false; again = await drainOnce(); } while (state.again);
      });
    } finally {
      scheduleRetry(again);
      running = null;
      emit("change");
    }
  })();
  emit("change");
  return state.promise;
}

export const isRunning = () => running !== null;

export async function status() {
  const items = await pending();
  for (const i of items) {
    if (i.user_id !== owner) i.last_error = t.otherUser;
    i.progress = progress.get(i.key) || null;
  }
  const returned = await returnedVisits();
  return {
    pending: items.length,
    returned,
    errors: items.filter((i) => i.last_error && i.last_error !== t.offline).length + returned.length,
    lastSync: await store.meta.get("lastSync"),
    running: isRunning(),
    items,
  };
}
