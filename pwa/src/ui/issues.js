// Issues: the inbox (to rectify, to verify), one issue with its rounds, rectification with photos
// through the outbox (offline), verification online.
import * as store from "../store.js";
import { api, NetworkError } from "../api.js";
import { enqueue, drain } from "../outbox.js";
import { refreshIssues, session, CITY } from "../data.js";
import { t, formatTime } from "../messages.js";
import { shanghaiDate } from "../dates.js";
import { h, mount, toast } from "./dom.js";
import { photoStrip } from "./photos.js";
import { uuid4 } from "../uuid.js";
import { photoHashes } from "../capture.js";
import { objectUrl } from "../photo.js";

const RECTIFIERS = ["county_team", "site_manager", "department"];
const VERIFIERS = CITY; // the server may also let county teams verify (DUCHA_COUNTY_VERIFIES): it decides

export async function issuesScreen() {
  const hash = location.hash;
  if (navigator.onLine) await refreshIssues().catch(() => {});
  const issues = (await store.all("issues")).sort((a, b) => a.deadline.localeCompare(b.deadline));
  const pendingRect = new Set((await store.all("outbox")).filter((o) => o.kind === "rectification").map((o) => o.issue_id));
  const group = (title, items) => items.length ? h("section.card", h("h2", `${title}（${items.length}）`), h("div.list", items.map((i) => issueRow(i, pendingRect)))) : null;
  const rest = issues.filter((i) => !i.box);
  const cached = issues[0] && issues[0].cached_at;
  if (location.hash !== hash) return; // moved on while the list was being read
  mount(h("div", h("header.screen-head", h("a.back", { href: "#/", "aria-label": t.back }, "‹"), h("h1", t.issueInbox)),
    !navigator.onLine && cached ? h("p.notice", t.cachedAt(formatTime(cached))) : null,
    group(t.toRectify, issues.filter((i) => i.box === "to_rectify")),
    group(t.toVerify, issues.filter((i) => i.box === "to_verify")),
    group(t.escalated, issues.filter((i) => i.box === "escalated")),
    group(t.allIssues, rest),
    issues.length ? null : h("p.card.muted", t.noIssues)));
}

function severityPill(severity) {
  return severity && severity !== "minor" ? h("span", { class: `pill sev-${severity}` }, t.severities[severity]) : null;
}

function issueRow(i, pendingRect) {
  return h("a.row", { href: `#/issue/${i.id}` },
    h("span.grow", i.number ? h("span.number", i.number) : null, severityPill(i.severity), h("b", i.description),
      h("small", ` ${i.site_name} · ${t.deadline} ${i.deadline}`)),
    pendingRect.has(i.id) ? h("span.pill.queued", t.rectifyPending) : h("span", { class: `pill ${i.state}${i.overdue ? " overdue" : ""}` }, i.overdue ? `${i.state_name}·${t.overdue}` : i.state_name));
}

export async function issueScreen(id) {
  id = Number(id);
  const hash = location.hash; // a read that ends after the user moved on must not draw over the next screen
  let cached = await store.get("issues", id);
  let detail = cached && cached.detail;
  let missing = false;
  try {
    detail = await api.get(`/api/issues/${id}`);
    cached = { ...(cached || {}), ...detail, detail, cached_at: new Date().toISOString() };
    await store.put("issues", cached);
  } catch (err) {
    missing = !(err instanceof NetworkError) && err.status === 404;
  }
  const screen = await issueView(id, detail, missing, hash);
  document.documentElement.dataset.issueScreen = String(id); // drawn, or left undrawn because the user moved on (tests wait for it)
  return screen;
}

async function issueView(id, detail, missing, hash) {
  if (location.hash !== hash) return;
  if (missing) return mount(h("p.card", "找不到此问题或无权查看。"));
  if (!detail) return mount(h("div", h("header.screen-head", h("a.back", { href: "#/issues" }, "‹"), h("h1", "问题")), h("p.card", "离线且本机没有此问题的详情，请联网后查看。")));
  const site = await store.get("sites", detail.site_id);
  const me = session.me;
  const pending = (await store.all("outbox")).filter((o) => o.kind === "rectification" && o.issue_id === id);
  const canRectify = RECTIFIERS.includes(me.role) && ["open", "rectifying"].includes(detail.state) && !pending.length;
  const canVerify = VERIFIERS.includes(me.role) && detail.state === "submitted";
  if (location.hash !== hash) return;
  mount(h("div.issue", h("header.screen-head", h("a.back", { href: "#/issues", "aria-label": t.back }, "‹"), h("h1", "问题详情")),
    h("section.card",
      h("p", h("span", { class: `pill ${detail.state}` }, detail.state_name || detail.state), detail.overdue ? h("span.pill.overdue", t.overdue) : null,
        h("span", { class: `pill sev-${detail.severity}` }, `${t.severity}：${t.severities[detail.severity] || detail.severity}`)),
      h("h2", detail.description),
      h("dl",
        detail.number ? [h("dt", t.issueNumber), h("dd.issue-number", detail.number)] : null,
        detail.requirement ? [h("dt", t.requirement), h("dd", detail.requirement)] : null,
        h("dt", "安置点"), h("dd", site ? site.name : detail.site_id),
        h("dt", "类别"), h("dd", `${detail.area} · ${detail.section || ""}`),
        h("dt", t.deadline), h("dd", detail.deadline),
        h("dt", t.found), h("dd", formatTime(detail.found_at)),
        detail.basis ? [h("dt", "政策依据"), h("dd", detail.basis)] : null),
      serverPhotos(detail.photos),
      detail.photos_pending && detail.photos_pending.length ? h("p.notice", t.photosPending(detail.photos_pending.length)) : null),
    detail.refindings && detail.refindings.length ? h("section.card", h("h2", t.refindings), detail.refindings.map((r) => h("div.round",
      h("p", h("b", t.refoundAt(formatTime(r.found_at)))), h("p", r.description), serverPhotos(r.photos)))) : null,
    detail.rounds && detail.rounds.length ? h("section.card", h("h2", t.rounds), detail.rounds.map((r) => h("div.round",
      h("p", h("b", t.round(r.round)), ` ${formatTime(r.submitted_at)} · ${r.responsible_person}`, r.outcome ? h("span.pill", r.outcome === "accepted" ? "通过" : r.outcome === "rejected" ? "退回" : "待核查") : null),
      h("p", r.measures), r.outcome_reason ? h("p.muted", r.outcome_reason) : null, serverPhotos(r.photos)))) : null,
    pending.length ? h("p.notice", t.rectifyQueued) : null,
    canRectify ? rectifyForm(detail, site) : null,
    canVerify ? verifyForm(detail) : null));
}

// the evidence: from the phone's copy when the inbox refresh kept one (offline too), else the server
function serverPhotos(ids) {
  if (!ids || !ids.length) return null;
  return h("div.photos", ids.map((id) => {
    const img = h("img", { alt: "照片", onerror: (e) => { e.target.alt = "（离线，照片未加载）"; } });
    const fromServer = () => { img.src = `/api/photos/${id}/thumb`; };
    store.get("thumbs", id).then((kept) => (kept ? (img.src = objectUrl(kept.bytes)) : fromServer())).catch(fromServer);
    return h("a", { href: `/api/photos/${id}/display`, target: "_blank" }, img);
  }));
}

function rectifyForm(issue, site) {
  const draftKey = `rectify:${issue.id}`;
  const form = { measures: "", responsible_person: "", completed_on: shanghaiDate(), photos: [] };
  const box = h("section.card.rectify", h("h2", t.rectify));
  store.meta.get(draftKey).then((saved) => {
    Object.assign(form, saved || {});
    const save = () => store.meta.set(draftKey, { ...form });
    const measures = h("textarea", { rows: 4, placeholder: t.measures, oninput: (e) => { form.measures = e.target.value; save(); } });
    measures.value = form.measures;
    const person = h("input", { type: "text", placeholder: t.responsible, oninput: (e) => { form.responsible_person = e.target.value; save(); } });
    person.value = form.responsible_person;
    const done = h("input", { type: "date", oninput: (e) => { form.completed_on = e.target.value; save(); } });
    done.value = form.completed_on;
    const owner = { site: site || { id: issue.site_id }, inspection: null, template: "", item: "", label: `整改：${issue.description}` };
    const strip = photoStrip(form.photos, owner, (list) => { form.photos = list; save(); }, { label: "拍摄整改后照片" });
    const submit = h("button.primary.big", { type: "button", onclick: async () => {
      if (!form.measures.trim() || !form.responsible_person.trim()) return toast("请填写整改措施和责任人", "error");
      const uuid = uuid4();
      const body = { uuid, measures: form.measures.trim(), responsible_person: form.responsible_person.trim(), completed_on: form.completed_on || null,
        photos: form.photos, photo_hashes: await photoHashes(form.photos) };
      await store.together(["outbox", "meta"], async (tx) => {
        await enqueue(tx, { kind: "rectification", uuid, issue_id: issue.id, body, label: issue.description });
        await tx.objectStore("meta").delete(draftKey);
      });
      toast(t.rectifyQueued);
      drain().then(() => issueScreen(issue.id));
      issueScreen(issue.id);
    } }, t.rectify);
    box.append(h("label", t.measures, measures), h("label", t.responsible, person), h("label", t.completedOn, done), strip, submit);
  });
  return box;
}

function verifyForm(issue) {
  const comment = h("textarea", { rows: 3, placeholder: t.comment });
  const reason = h("input", { type: "text", placeholder: t.noPhotoReason });
  const send = (accept) => async () => {
    try {
      await api.post(`/api/issues/${issue.id}/verification`, { accept, comment: comment.value, no_photo_reason: reason.value });
      toast(t.verified);
      await refreshIssues().catch(() => {});
      issueScreen(issue.id);
    } catch (err) {
      toast(err instanceof NetworkError ? t.verifyOnline : err.message, "error");
    }
  };
  return h("section.card.verify", h("h2", t.verify), h("label", t.comment, comment), h("label", t.noPhotoReason, reason),
    h("div.two", h("button.primary.big", { type: "button", onclick: send(true) }, t.accept), h("button.big.danger", { type: "button", onclick: send(false) }, t.reject)));
}

