// The outbox: what waits to reach the server. No DOM; it emits "change" and "auth" events.
// An item leaves only when the server's answer names its UUID; an error keeps it, shown, with its
// message; nothing expires. Photos go first, then inspections and rectifications.
import * as store from "./store.js";
import { request, NetworkError, ApiError } from "./api.js";
import { t } from "./messages.js";

const ORDER = { photo: 0, inspection: 1, rectification: 2 };
export const events = new EventTarget();
let running = null;

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
  return items.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.created_at.localeCompare(b.created_at));
}

async function send(item) {
  if (item.kind === "photo") {
    const photo = await store.get("photos", item.uuid);
    if (!photo) throw new ApiError(0, { message: t.photoLost });
    const q = new URLSearchParams({ sha256: photo.sha256 });
    for (const [k, v] of Object.entries(photo.query || {})) if (v !== null && v !== undefined && v !== "") q.set(k, v);
    const answer = await request("PUT", `/api/photos/${item.uuid}?${q}`, { body: photo.bytes, contentType: "image/jpeg" });
    return answer && String(answer.uuid).toLowerCase() === item.uuid;
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

async function drainOnce() {
  const items = (await pending()).filter((i) => i.user_id === owner);
  let reached = false, failed = 0;
  for (const item of items) {
    const tried = { ...item, attempts: item.attempts + 1, last_tried: new Date().toISOString() };
    try {
      const answer = await send(item);
      reached = true;
      if (answer) {
        await acknowledged(item, answer);
      } else {
        failed++;
        await store.put("outbox", { ...tried, last_error: t.notAcknowledged });
      }
    } catch (err) {
      if (err instanceof NetworkError) {
        await store.put("outbox", { ...tried, last_error: t.offline });
        failed++;
        break; // no network: the rest would fail the same way
      }
      reached = true;
      failed++;
      const status = err instanceof ApiError && err.status ? ` (${err.status})` : "";
      await store.put("outbox", { ...tried, last_error: `${err.message}${status}`, last_status: err.status || null });
      if (err.status === 401) { emit("auth"); break; }
    }
    emit("change");
  }
  if (reached || (items.length === 0 && navigator.onLine)) await store.meta.set("lastSync", new Date().toISOString());
  await store.meta.set("lastDrain", { at: new Date().toISOString(), failed, reached });
  emit("change");
}

// One drain at a time; a call during a drain waits for it and then runs again.
export function drain() {
  if (running) {
    running.again = true;
    return running.promise;
  }
  const state = { again: false, promise: null };
  running = state;
  state.promise = (async () => {
    try {
      do { state.again = false; await drainOnce(); } while (state.again);
    } finally {
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
  for (const i of items) if (i.user_id !== owner) i.last_error = t.otherUser;
  return {
    pending: items.length,
    errors: items.filter((i) => i.last_error && i.last_error !== t.offline).length,
    lastSync: await store.meta.get("lastSync"),
    running: isRunning(),
    items,
  };
}
