// What the app keeps for offline use, refreshed from the server whenever it is reachable.
import * as store from "./store.js";
import { api } from "./api.js";
import { templateApplies, siteAttributes } from "./rules.js";
import { setOwner } from "./outbox.js";

export const session = { me: null };

export async function loadSession() {
  session.me = (await store.meta.get("me")) || null;
  setOwner(session.me ? session.me.id : null);
  return session.me;
}

export async function login(username, password) {
  const me = await api.post("/api/auth/login", { username, password });
  await store.meta.set("csrf", me.csrf_token);
  const previous = await store.meta.get("me");
  if (previous && previous.id !== me.id) {
    // another person on this phone: keep their unsynced work, drop the cached lists
    await store.clear("issues");
    await store.clear("thumbs");
    await store.meta.set("notices", null);
  }
  await store.meta.set("me", me);
  session.me = me;
  setOwner(me.id);
  await refresh().catch(() => {});
  return me;
}

export async function logout() {
  // forget locally first: whatever happens to the request, this phone is logged out; plans and
  // the dashboard never stay on a phone another person may pick up
  await store.meta.set("me", null);
  await store.meta.set("planned", null);
  await store.meta.set("dashboard", null);
  await store.meta.set("notices", null);
  session.me = null;
  setOwner(null);
  try { await api.post("/api/auth/logout", {}); } catch { /* offline or expired: nothing more to do */ }
  await store.meta.set("csrf", null);
}

// the roles, in one place: the city office, and who inspects — city inspectors (unannounced) and
// county teams (their own sites, 县级自查)
export const CITY = ["city_inspector", "city_admin"];
export const INSPECTORS = [...CITY, "county_team"];
export const isCity = (me) => Boolean(me) && CITY.includes(me.role);
export const canInspect = (me) => Boolean(me) && INSPECTORS.includes(me.role);

// Sites and templates (for inspectors) and the issue inbox; every part best-effort.
export async function refresh() {
  const me = session.me;
  if (!me) return;
  const fresh = await api.get("/api/auth/me");
  if (!session.me || session.me.id !== me.id || fresh.id !== me.id) return; // logged out meanwhile
  await store.meta.set("me", { ...me, ...fresh });
  await store.meta.set("csrf", fresh.csrf_token);
  session.me = { ...me, ...fresh };
  const sites = [];
  for (let offset = 0; ; offset += 500) {
    // disabled (停用) sites too: a draft or an issue there still needs its site; no new visit starts there
    const page = await api.get(`/api/sites?limit=500&offset=${offset}&include_inactive=true`);
    sites.push(...page.items);
    if (sites.length >= page.total || page.items.length === 0) break;
  }
  await store.replaceAll("sites", sites);
  if (canInspect(session.me)) {
    const list = await api.get("/api/templates");
    for (const summary of list) {
      const ref = `${summary.id}@${summary.version}`;
      if (!(await store.get("templates", ref))) {
        const template = await api.get(summary.url || `/api/templates/${summary.id}/versions/${summary.version}`);
        await store.put("templates", { ref, latest: true, ...template });
      }
    }
    const latest = new Set(list.map((s) => `${s.id}@${s.version}`));
    for (const tpl of await store.all("templates")) {
      if (tpl.latest !== latest.has(tpl.ref)) await store.put("templates", { ...tpl, latest: latest.has(tpl.ref) });
    }
  }
  if (canInspect(session.me)) {
    // released planned visits (the day before): kept for offline, dropped at logout
    await store.meta.set("planned", await api.get("/api/plans/mine"));
  }
  await refreshIssues();
  await refreshNotices().catch(() => {});
  await store.meta.set("refreshedAt", new Date().toISOString());
  await store.meta.set("lastSync", new Date().toISOString());
}

// the unread notices (提醒: 催办 / 报市办), kept for offline; read ones are marked on the server
export async function refreshNotices() {
  await store.meta.set("notices", await api.get("/api/notices?unread=true"));
}

export async function readNotices() {
  await api.post("/api/notices/read", {});
  await store.meta.set("notices", { items: [], unread: 0 });
}

export async function refreshIssues() {
  const inbox = await api.get("/api/issues/inbox");
  const page = await api.get("/api/issues?limit=200&sort=deadline");
  const byId = new Map();
  for (const i of page.items) byId.set(i.id, { ...i, box: null });
  for (const [box, items] of Object.entries(inbox)) {
    for (const i of items) byId.set(i.id, { ...(byId.get(i.id) || i), box });
  }
  const old = await store.all("issues");
  const details = new Map(old.filter((i) => i.detail).map((i) => [i.id, i.detail]));
  // every issue in the inbox keeps its details on the phone, so any listed issue can be opened and
  // rectified offline (not only one opened online before); fetched again when its state moved
  const stale = [...byId.values()].filter((i) => i.box && (!details.has(i.id) || details.get(i.id).state !== i.state))
    .slice(0, DETAIL_BUDGET);
  for (let n = 0; n < stale.length; n += 4) {
    await Promise.all(stale.slice(n, n + 4).map(async (i) => {
      try { details.set(i.id, await api.get(`/api/issues/${i.id}`)); } catch { /* best effort: the list still shows it */ }
    }));
  }
  await store.replaceAll("issues", [...byId.values()].map((i) => ({ ...i, detail: details.get(i.id) || null, cached_at: new Date().toISOString() })));
  await keepThumbs([...byId.values()].filter((i) => i.box).map((i) => details.get(i.id)).filter(Boolean));
}

// the evidence thumbnails (320 px) of the inbox's issues, kept on the phone so an issue opened
// offline shows what was found and what was done; inbox order (nearest deadline first) until the
// budget; those of issues no longer in the inbox are dropped
export const THUMB_BUDGET = 8 * 1024 * 1024;

export async function keepThumbs(detailsInOrder) {
  const wanted = [];
  for (const d of detailsInOrder) {
    for (const id of [...(d.photos || []), ...(d.refindings || []).flatMap((r) => r.photos || []), ...(d.rounds || []).flatMap((r) => r.photos || [])]) {
      if (!(d.photos_pending || []).includes(id) && !wanted.includes(id)) wanted.push(id);
    }
  }
  const held = new Map((await store.all("thumbs")).map((x) => [x.uuid, x]));
  let used = 0, cut = false;
  const keep = new Set();
  for (const id of wanted) {
    let thumb = held.get(id);
    if (!thumb) {
      try {
        const res = await fetch(`/api/photos/${id}/thumb`, { credentials: "same-origin" });
        if (!res.ok) continue;
        thumb = { uuid: id, bytes: await res.arrayBuffer(), at: new Date().toISOString() };
      } catch { cut = true; break; } // the network went: the rest next time, nothing dropped
    }
    if (used + thumb.bytes.byteLength > THUMB_BUDGET) break;
    if (!held.has(id)) await store.put("thumbs", thumb);
    used += thumb.bytes.byteLength;
    keep.add(id);
  }
  if (!cut) for (const id of held.keys()) if (!keep.has(id)) await store.del("thumbs", id);
}

// details fetched per refresh at most (a county team's inbox can be long; the rest come next time)
const DETAIL_BUDGET = 100;

// the sites a new visit may start at (a disabled one, 已停用, is kept only for what was recorded there)
export async function sites() {
  const all = (await store.all("sites")).filter((s) => s.active !== false);
  return all.sort((a, b) => a.county_name.localeCompare(b.county_name, "zh") || a.name.localeCompare(b.name, "zh"));
}

export async function templatesFor(site) {
  const attrs = siteAttributes(site);
  const all = await store.all("templates");
  return all.filter((t) => t.latest && templateApplies(t, attrs)).sort((a, b) => a.title.localeCompare(b.title, "zh"));
}
