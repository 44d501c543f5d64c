// The sync status everyone sees, and the sync screen: each queued item with its error, storage,
// and the last-resort export of everything not yet on the server.
import * as store from "../store.js";
import { status, drain, events } from "../outbox.js";
import { t, formatTime, formatBytes } from "../messages.js";
import { h, mount, fill, toast } from "./dom.js";
import { installCard } from "../install.js";

let barTurn = 0;

export async function renderSyncBar() {
  const bar = document.getElementById("syncbar");
  // renders overlap (a route change and a drain's events): only the latest may paint, or a
  // status read before the drain finished could leave "待同步 1 项" on the bar afterwards
  const turn = ++barTurn;
  const s = await status();
  if (turn !== barTurn) return;
  const online = navigator.onLine;
  bar.className = `syncbar ${s.errors ? "error" : s.pending ? "pending" : "ok"}`;
  fill(bar, 
    h("a.grow", { href: "#/sync" },
      h("span.dot", { class: online ? "on" : "off" }), online ? t.online : t.offlineBadge, " · ",
      h("b#pending-count", s.pending ? t.pending(s.pending) : t.allSynced),
      s.returned.length ? h("span.err", ` · ${t.returnedCount(s.returned.length)}`) : null,
      s.errors - s.returned.length ? h("span.err", ` · ${t.syncErrors(s.errors - s.returned.length)}`) : null,
      h("small", ` · ${s.lastSync ? t.lastSync(formatTime(s.lastSync)) : t.neverSynced}`)),
    h("button#sync-now", { type: "button", disabled: s.running, onclick: syncTapped }, s.running ? t.syncing : t.syncNow));
  // what sticks below it (a visit's progress) sits at its height, which wraps at 360 px
  document.documentElement.style.setProperty("--syncbar-h", `${bar.offsetHeight}px`);
}

// each item live: uploading 40 % (with a bar), failed and why, or waiting its turn
function itemState(i) {
  if (i.progress) {
    const pct = Math.floor((100 * i.progress.sent) / Math.max(1, i.progress.size));
    return h("div.upload-progress",
      h("progress", { max: String(i.progress.size), value: String(i.progress.sent), "aria-label": t.uploading(pct, "", "") }),
      h("small", t.uploading(pct, formatBytes(i.progress.sent), formatBytes(i.progress.size))));
  }
  if (i.last_error) return h("p.item-error", `${t.error}：${i.last_error}`);
  return h("small.muted", ` · ${t.waiting}`);
}

export async function syncScreen() {
  const s = await status();
  const items = s.items.map((i) => h("div.row.outbox-item", { "data-kind": i.kind },
    h("span.grow", h("b", t.outboxItem[i.kind] || i.kind), ` ${i.label || ""}`,
      h("small", ` ${formatTime(i.created_at)}${i.attempts ? ` · ${t.attempts(i.attempts)}` : ""}`),
      itemState(i))));
  mount(h("div.sync", h("header.screen-head", h("a.back", { href: "#/", "aria-label": t.back }, "‹"), h("h1", t.sync)),
    h("section.card", h("h2", s.pending ? t.pending(s.pending) : t.allSynced),
      h("p.muted", s.lastSync ? t.lastSync(formatTime(s.lastSync)) : t.neverSynced),
      h("div.list", items),
      h("button.primary.big", { type: "button", onclick: async () => { await syncTapped(); syncScreen(); } }, t.syncNow)),
    s.returned.length ? returnedCard(s.returned) : null,
    await storageCard(), installCard(),
    h("section.card", h("h2", t.exportData), h("p.muted", t.exportHint),
      h("button.big", { type: "button", onclick: exportUnsynced }, t.exportData))));
}

// 立即同步: offline, say so (the phone syncs by itself once online) rather than doing nothing visible
async function syncTapped() {
  if (!navigator.onLine) return toast(t.syncOfflineTapped);
  return drain();
}

// visits the server sent back: every problem it named, each a link to the item to mend
function returnedCard(visits) {
  return h("section.card.returned-card", h("h2", t.returned), h("p.muted", t.returnedHint),
    ...visits.map((d) => h("div.returned-visit", { "data-uuid": d.uuid },
      h("p", h("b", d.site_name || `安置点 ${d.site_id}`), h("small", ` ${formatTime(d.returned.at)}`), " ",
        h("a.button.small", { href: `#/visit/${d.uuid}` }, t.mend)),
      h("p.muted", t.returnedProblems(d.returned.problems.length)),
      h("ul", d.returned.problems.map((p) => h("li", p.template && p.item
        ? h("a", { href: `#/visit/${d.uuid}/${encodeURIComponent(p.template)}/${encodeURIComponent(p.item)}` }, p.message)
        : p.message))))));
}

async function storageCard() {
  const card = h("section.card.storage", h("h2", t.storage));
  if (navigator.storage && navigator.storage.estimate) {
    const { usage, quota } = await navigator.storage.estimate();
    card.append(h("p", t.usage(formatBytes(usage), formatBytes(quota))));
  }
  const persisted = navigator.storage && navigator.storage.persisted ? await navigator.storage.persisted() : false;
  card.append(h("p", { class: persisted ? "muted" : "warn" }, persisted ? t.persisted : t.notPersisted));
  if (isIosBrowserTab()) card.append(h("p.warn", t.iosWarning));
  if (!("serviceWorker" in navigator)) card.append(h("p.warn", t.noServiceWorker));
  return card;
}

export function isIosBrowserTab() {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  return ios && !(navigator.standalone || matchMedia("(display-mode: standalone)").matches);
}

function base64(bytes) {
  if (!bytes) return null;
  let s = "";
  const u8 = new Uint8Array(bytes);
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

async function exportUnsynced() {
  const data = await store.unsynced();
  const me = await store.meta.get("me");
  const file = {
    format: "ducha-unsynced-1", exported_at: new Date().toISOString(), user: me && { id: me.id, username: me.username },
    outbox: data.outbox.map((o) => ({ ...o })), drafts: data.drafts,
    photos: data.photos.map(({ bytes, thumb, ...p }) => ({ ...p, jpeg_base64: base64(bytes) })),
  };
  const blob = new Blob([JSON.stringify(file, null, 1)], { type: "application/json" });
  const a = h("a", { href: URL.createObjectURL(blob), download: `督查未同步数据-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, "")}.json` });
  document.body.append(a);
  a.click();
  a.remove();
}

events.addEventListener("change", () => {
  renderSyncBar();
  // the sync screen follows a sync as it goes (each item leaving, its error)
  if (location.hash === "#/sync" && !document.querySelector(".sync :focus")) syncScreen();
});
