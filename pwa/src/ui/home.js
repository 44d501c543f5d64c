// Home: the visits on this phone, and starting a new one (site, then templates).
import * as store from "../store.js";
import { sites, templatesFor, session, canInspect, isCity, readNotices } from "../data.js";
import { NetworkError } from "../api.js";
import { t, formatTime } from "../messages.js";
import { h, mount, go, toast, fill } from "./dom.js";
import { uuid4 } from "../uuid.js";
import { installCard } from "../install.js";

const STATE_LABEL = { draft: "草稿", queued: t.queued, synced: t.synced, returned: t.returned };

export async function homeScreen() {
  const hash = location.hash || "#/";
  const me = session.me;
  const city = canInspect(me);
  const drafts = (await store.all("drafts")).filter((d) => d.inspector_id === me.id)
    .sort((a, b) => (b.updated_at || "").localeCompare(a.updated_at || ""));
  const open = drafts.filter((d) => d.state === "draft");
  const sentBack = drafts.filter((d) => d.state === "returned"); // refused by the server: to mend and send again
  const queued = drafts.filter((d) => d.state === "queued"); // submitted, waiting for the network
  const done = drafts.filter((d) => d.state === "synced").slice(0, 10);
  const issues = await store.all("issues");
  const planned = city ? (await store.meta.get("planned")) || [] : [];
  const notices = (await store.meta.get("notices")) || { items: [], unread: 0 };
  const toRectify = issues.filter((i) => i.box === "to_rectify").length;
  const toVerify = issues.filter((i) => i.box === "to_verify").length;
  const row = (d) => h("a.row", { href: `#/visit/${d.uuid}` },
    h("span.grow", h("b", d.site_name), h("small", ` ${d.county_name || ""} · ${d.templates.length} 张表 · ${formatTime(d.updated_at)}`)),
    h("span", { class: `pill ${d.state}` }, STATE_LABEL[d.state]));
  if ((location.hash || "#/") !== hash) return; // moved on while this screen was reading: not over the next one
  mount(h("div.home",
    h("section.card.hello", h("h1", `${me.display_name}`), h("p.sub", t.roles[me.role] || me.role_name)),
    installCard(),
    notices.unread ? noticesCard(notices) : null,
    planned.length ? h("section.card.planned", h("h2", "督查计划（已下达）"), h("div.list", planned.map((v) =>
      h("a.row", { href: `#/new/${v.site}` }, h("span.grow", h("b", v.site_name), h("small", ` ${v.county_name}`)),
        h("span.pill.queued", `${v.planned_on.slice(5)} 前后`))))) : null,
    city ? h("a.button.primary.big", { href: "#/new" }, "＋ ", me.role === "county_team" ? t.startSelfCheck : t.startVisit) : null,
    toRectify || toVerify ? h("a.card.row.inbox", { href: "#/issues" },
      h("span.grow", t.issueInbox), toRectify ? h("span.pill.open", `${t.toRectify} ${toRectify}`) : null,
      toVerify ? h("span.pill.queued", `${t.toVerify} ${toVerify}`) : null) : null,
    city && sentBack.length ? h("section.card.returned-visits", h("h2", t.returned), h("p.muted", t.returnedHint),
      h("div.list", sentBack.map(row))) : null,
    city ? h("section.card", h("h2", t.drafts), open.length ? h("div.list", open.map(row)) : h("p.muted", t.noDrafts)) : null,
    city && queued.length ? h("section.card.queued-visits", h("h2", t.queued), h("div.list", queued.map(row))) : null,
    city && done.length ? h("section.card", h("h2", t.recentVisits), h("div.list", done.map(row))) : null,
    city || toRectify || toVerify ? null : h("a.button.primary.big", { href: "#/issues" }, t.issueInbox),  // one way in, not two
    me.role === "county_team" ? h("a.button.big", { href: "#/ledgers" }, "台账报送") : null,
    isCity(me) ? h("a.button.big", { href: "#/ledgers" }, "台账与报送情况") : null,
  ));
}

export async function newVisitScreen() {
  const all = await sites();
  const search = h("input", { type: "search", placeholder: t.searchSite, oninput: () => render() });
  const list = h("div.list");
  const render = () => {
    const q = search.value.trim();
    const shown = all.filter((s) => !q || `${s.name}${s.county_name}${s.township}`.includes(q)).slice(0, 100);
    fill(list, ...shown.map((s) => h("a.row", { href: `#/new/${s.id}` },
      h("span.grow", h("b", s.name), h("small", ` ${s.county_name} ${s.township || ""}`)), h("small", t.people(s.total_people)))));
    if (!shown.length) list.append(h("p.muted", all.length ? "没有匹配的安置点" : "尚无安置点数据，请联网同步一次"));
  };
  render();
  mount(h("div", h("header.screen-head", h("a.back", { href: "#/", "aria-label": t.back }, "‹"), h("h1", t.chooseSite)),
    h("section.card", search, list)));
}

export async function chooseTemplatesScreen(siteId) {
  const site = await store.get("sites", Number(siteId));
  if (!site || site.active === false) return go("#/new");
  const templates = await templatesFor(site);
  const chosen = new Set();
  const boxes = templates.map((tpl) => h("label.row.check-row",
    h("input", { type: "checkbox", value: `${tpl.id}@${tpl.version}`, onchange: (e) => e.target.checked ? chosen.add(tpl) : chosen.delete(tpl) }),
    h("span.grow", h("b", tpl.title), h("small", ` ${tpl.area} · 第${tpl.version}版`))));
  const start = h("button.primary.big", { type: "button", onclick: async () => {
    if (!chosen.size) return toast(t.pickOne, "error");
    const now = new Date().toISOString();
    const draft = {
      uuid: uuid4(), site_id: site.id, site_name: site.name, county_name: site.county_name,
      inspector_id: session.me.id, templates: [...chosen].map((x) => ({ id: x.id, version: x.version })),
      answers: {}, photos: {}, notes: "", arrival: null, started_at: now, updated_at: now, state: "draft",
    };
    await store.put("drafts", draft);
    go(`#/visit/${draft.uuid}`);
  } }, t.startWithTemplates);
  mount(h("div", h("header.screen-head", h("a.back", { href: "#/new", "aria-label": t.back }, "‹"),
    h("div", h("h1", site.name), h("p.sub", `${site.county_name} · ${t.people(site.total_people)}`))),
  h("section.card", h("h2", t.chooseTemplates), templates.length ? boxes : h("p.muted", "尚无检查表数据，请联网同步一次")), start));
}

// 提醒: the escalation notices not yet read, each opening its issue; 知道了 marks them read (online)
function noticesCard(notices) {
  const done = h("button", { type: "button", onclick: async () => {
    done.disabled = true;
    try {
      await readNotices();
      homeScreen();
    } catch (err) {
      done.disabled = false;
      toast(err instanceof NetworkError ? "联网后才能标为已读" : err.message, "error");
    }
  } }, "知道了");
  return h("section.card.notices", h("h2", `提醒（${notices.unread} 条未读）`),
    h("div.list", notices.items.map((n) => h("a.row", { href: n.issue_id ? `#/issue/${n.issue_id}` : "#/issues" },
      h("span.grow", h("b", n.title), h("small", ` ${n.body}`))))), done);
}
