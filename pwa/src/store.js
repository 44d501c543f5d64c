// IndexedDB only: drafts, photos, the outbox, and the data cached for offline use.
// Photos are ArrayBuffers, never Blobs (Safari has failed to store Blobs in IndexedDB).
import { openDB } from "idb";

const NAME = "ducha";
let dbPromise = null;

function open() {
  if (!dbPromise) {
    dbPromise = openDB(NAME, 2, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore("meta");
          db.createObjectStore("sites", { keyPath: "id" });
          db.createObjectStore("templates", { keyPath: "ref" });
          db.createObjectStore("drafts", { keyPath: "uuid" });
          db.createObjectStore("photos", { keyPath: "uuid" });
          db.createObjectStore("outbox", { keyPath: "key" });
          db.createObjectStore("issues", { keyPath: "id" });
        }
        // 2: thumbnails of the evidence of the issues in the inbox, for offline viewing
        if (oldVersion < 2) db.createObjectStore("thumbs", { keyPath: "uuid" });
      },
      terminated() { dbPromise = null; }, // iOS may close the connection under memory pressure
    });
  }
  return dbPromise;
}

async function withRetry(fn) {
  try {
    return await fn(await open());
  } catch (err) {
    if (err && (err.name === "InvalidStateError" || err.name === "UnknownError")) {
      dbPromise = null; // reopen once and retry
      return fn(await open());
    }
    throw err;
  }
}

export const get = (store, key) => withRetry((db) => db.get(store, key));
export const all = (store) => withRetry((db) => db.getAll(store));
export const put = (store, value, key) => withRetry((db) => db.put(store, value, key));
export const del = (store, key) => withRetry((db) => db.delete(store, key));
export const clear = (store) => withRetry((db) => db.clear(store));

export const meta = {
  get: (key) => get("meta", key),
  set: (key, value) => put("meta", value, key),
};

export async function replaceAll(store, values) {
  return withRetry(async (db) => {
    const tx = db.transaction(store, "readwrite");
    await tx.store.clear();
    for (const v of values) await tx.store.put(v);
    await tx.done;
  });
}

// Several writes that stand or fall together (a photo and its outbox entry, say).
export async function together(stores, fn) {
  return withRetry(async (db) => {
    const tx = db.transaction(stores, "readwrite");
    await fn(tx);
    await tx.done;
  });
}

// Everything the user made that the server has not acknowledged: for the export file.
export async function unsynced() {
  const outbox = await all("outbox");
  const photos = await all("photos");
  const drafts = await all("drafts");
  return { outbox, drafts: drafts.filter((d) => d.state !== "synced"), photos: photos.filter((p) => !p.synced) };
}
