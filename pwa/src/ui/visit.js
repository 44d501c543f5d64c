// One visit: arrival, every item of the chosen templates, photos, notes, submit.
// Every change is written to IndexedDB at once; submitting puts the visit in the outbox.
import * as store from "../store.js";
import { enqueue, drain } from "../outbox.js";
import { assess, siteAttributes, populationKnown } from "../rules.js";
import { shanghaiDate } from "../dates.js";
import { finding } from "../findings.js";
import { answerErrors, isEmpty } from "../answers.js";
import { position, distanceM, formatDistance } from "../geo.js";
import { t, formatTime, formatDay } from "../messages.js";
import { h, mount, toast, go, confirmTap, fill } from "./dom.js";
import { photoStrip } from "./photos.js";
import { discard, photoHashes } from "../capture.js";
import { session } from "../data.js";
import { readExif } from "../photo.js";
import { exifArrival, photoWarnings, FAR_M } from "../photocheck.js";

export async function visitScreen(uuid, target = null) {
  const draft = await store.get("drafts", uuid);
  if (!draft) return mount(h("section.card", h("p", "找不到这份督查记录。"), h("a.button", { href: "#/" }, t.back)));
  const site = await store.get("sites", draft.site_id);
  const templates = [];
  for (const ref of draft.templates) templates.push(await store.get("templates", `${ref.id}@${ref.version}`));
  const editable = draft.state === "draft" || draft.state === "returned"; // returned: refused by the server, to mend
  const attrs = site ? siteAttributes(site) : {};
  const cards = new Map(); // "tid/key" -> {el, item, template}
  let saving = Promise.resolve();

  const save = () => {
    draft.updated_at = new Date().toISOString();
    const snapshot = structuredClone(draft);
    saving = saving.then(() => store.put("drafts", snapshot)).catch((err) => toast(`保存失败：${err.message}`, "error"));
    return saving;
  };

  const refreshStates = () => {
    for (const tpl of templates) {
      const answers = draft.answers[tpl.id] || {};
      const { applicable, failed } = assess(tpl, attrs, answers, visitDay(draft));
      // what the server would refuse in an answer, at the item as it is typed (not "unanswered" yet)
      const wrong = new Map();
      for (const e of answerErrors(tpl, attrs, answers, checkOptions(draft, tpl, false))) {
        wrong.set(e.item, [...(wrong.get(e.item) || []), e.message]);
      }
      for (const section of tpl.sections) {
        for (const item of section.items) {
          const card = cards.get(`${tpl.id}/${item.key}`);
          if (!card) continue;
          card.el.classList.toggle("na", !applicable[item.key]);
          card.el.classList.toggle("failed", !!failed[item.key]);
          const photos = ((draft.photos[tpl.id] || {})[item.key] || []).length;
          card.el.classList.toggle("needs-photo", !!failed[item.key] && item.photo_on_fail && photos === 0);
          const naChosen = applicable[item.key] && answers[item.key] === "na" && !!item.na_reason;
          card.el.classList.toggle("na-chosen", naChosen);
          card.el.classList.toggle("needs-na-photo", naChosen && !!item.na_photo && photos === 0);
          if (failed[item.key] && item.raises_issue) showFinding(tpl, item, card.el);
          const problems = wrong.get(item.key) || [];
          card.el.classList.toggle("invalid", problems.length > 0);
          const box = card.el.querySelector(".item-problem");
          if (box && box.textContent !== problems.join("；")) box.textContent = problems.join("；");
        }
      }
    }
    renderGuide();
  };

  const setAnswer = (tpl, item, value) => {
    const answers = (draft.answers[tpl.id] ||= {});
    if (isEmpty(value)) delete answers[item.key];
    else answers[item.key] = value;
    save();
    refreshStates();
  };

  // the failed item's issue as the server will write it: the values found, the gap, the note
  const showFinding = (tpl, item, el) => {
    const preview = el.querySelector(".finding-preview");
    if (!preview) return;
    const note = ((draft.item_notes || {})[tpl.id] || {})[item.key] || "";
    preview.textContent = finding(tpl, item, { site: attrs, answer: draft.answers[tpl.id] || {}, visit: { date: visitDay(draft) } }, note);
  };

  const setFinding = (tpl, item, field, value) => {
    const byTemplate = ((draft[field] ||= {})[tpl.id] ||= {});
    if (value) byTemplate[item.key] = value;
    else delete byTemplate[item.key];
    save();
    const card = cards.get(`${tpl.id}/${item.key}`);
    if (field === "item_notes" && card) showFinding(tpl, item, card.el);
  };

  const setPhotos = (tpl, item, list) => {
    const photos = (draft.photos[tpl.id] ||= {});
    if (list.length) photos[item.key] = list;
    else delete photos[item.key];
    if (item.type === "photo") setAnswer(tpl, item, list);
    else { save(); refreshStates(); }
  };

  const header = h("header.screen-head",
    h("a.back", { href: "#/", "aria-label": t.back }, "‹"),
    h("div", h("h1", site ? site.name : `安置点 ${draft.site_id}`), h("p.sub", site ? `${site.county_name} ${site.township || ""}` : "")));

  const arrivalBox = h("section.card.arrival");
  const renderArrival = () => {
    const a = draft.arrival;
    if (a) {
      const d = site && a.lat != null ? distanceM(a.lat, a.lon, site.lat, site.lon) : null;
      fill(arrivalBox,
        h("h2", t.arrival),
        h("p", { class: "arrived" }, "✓ ", a.source === "manual" && a.lat == null
          ? t.arrivedManually(formatTime(a.at), a.reason)
          : a.source === "exif" ? t.arrivedByPhoto(formatTime(a.at), formatDistance(d)) : t.arrivedAt(formatTime(a.at), formatDistance(d))),
        d != null && d > FAR_M ? h("p.warn", t.farWarning(formatDistance(d))) : null,
      );
      return;
    }
    if (!editable) return fill(arrivalBox, h("h2", t.arrival), h("p", "未记录"));
    const button = h("button.primary.big", { type: "button", onclick: async () => {
      button.disabled = true;
      button.textContent = t.locating;
      const pos = await position();
      if (pos.error) {
        button.disabled = false;
        button.textContent = t.arrive;
        arrivalBox.querySelector(".warn")?.remove();
        arrivalBox.append(h("p.warn", t.locationFailed[pos.error] || t.locationFailed.unavailable));
        if (!arrivalBox.querySelector(".manual")) arrivalBox.append(manualArrival());
        return;
      }
      draft.arrival = { at: new Date().toISOString(), lat: pos.lat, lon: pos.lon, accuracy_m: pos.accuracy_m, source: "browser", coord_system: "wgs84" };
      await save();
      renderArrival();
    } }, t.arrive);
    fill(arrivalBox, h("h2", t.arrival), button);
  };
  // no fix (location denied, no signal in a valley): the arrival by hand, with the reason; the
  // visit, the report and the ledgers say so
  const manualArrival = () => {
    const reason = h("input", { type: "text", maxlength: 200, placeholder: t.manualReason });
    const go = h("button.big", { type: "button", onclick: async () => {
      if (!reason.value.trim()) {
        reason.focus();
        return toast(t.manualReasonNeeded, "error");
      }
      draft.arrival = { at: new Date().toISOString(), source: "manual", reason: reason.value.trim(), coord_system: "wgs84" };
      await save();
      renderArrival();
    } }, t.manualArrive);
    // or from a photo taken at the scene now: the camera's own GPS and time (EXIF)
    const file = h("input", { type: "file", accept: "image/jpeg,image/*", capture: "environment", class: "hidden-input", "aria-label": t.photoArrive, tabindex: -1 });
    file.addEventListener("change", async () => {
      const chosen = file.files[0];
      file.value = "";
      if (!chosen) return;
      const got = exifArrival(await readExif(chosen));
      if (got.error) return toast(got.error === "stale" ? t.photoArrivalStale(formatDay(got.taken)) : t.photoArrivalFailed[got.error], "error");
      draft.arrival = got.arrival;
      await save();
      renderArrival();
    });
    const byPhoto = h("button.big", { type: "button", onclick: () => file.click() }, t.photoArrive);
    return h("div.manual", h("label", t.manualArrival, reason), go, h("p.muted", t.photoArriveHint), h("span.camera-wrap", byPhoto, file));
  };
  renderArrival();

  // Long forms that guide: 已答 X/Y, a section index, the next unanswered item, 本节全部符合
  const sectionEls = [];
  const guideText = h("span.guide-text");
  const guideBar = h("progress.guide-bar", { max: "1", value: "0", "aria-hidden": "true" });
  const toc = h("nav.toc", { hidden: true, "aria-label": t.toc });
  const nextButton = h("button.small", { type: "button", onclick: () => {
    const next = state().items.find((x) => x.todo);
    if (next) jumpTo(next.el);
  } }, t.nextTodo);
  const tocButton = h("button.small", { type: "button", "aria-expanded": "false", onclick: () => {
    toc.hidden = !toc.hidden;
    tocButton.setAttribute("aria-expanded", String(!toc.hidden));
  } }, t.toc);
  const guide = h("div.guide", h("div.guide-row", guideText, tocButton, editable ? nextButton : null), guideBar, toc);

  // every applicable item in form order: answered, failed, still to do (unanswered or a missing photo)
  const state = () => {
    const items = [];
    for (const tpl of templates) {
      const answers = draft.answers[tpl.id] || {};
      const { applicable, failed } = assess(tpl, attrs, answers, visitDay(draft));
      const open = new Set(answerErrors(tpl, attrs, answers, checkOptions(draft, tpl)).map((e) => e.item));
      for (const section of tpl.sections) {
        for (const item of section.items) {
          const card = cards.get(`${tpl.id}/${item.key}`);
          if (!card || !applicable[item.key]) continue;
          const v = answers[item.key];
          const answered = !isEmpty(v);
          const photos = ((draft.photos[tpl.id] || {})[item.key] || []).length;
          items.push({ tpl, section, item, el: card.el, answered, failed: !!failed[item.key], photos, todo: open.has(item.key) });
        }
      }
    }
    return { items, answered: items.filter((x) => x.answered).length, failed: items.filter((x) => x.failed).length };
  };

  function renderGuide() {
    const s = state();
    const todo = s.items.filter((x) => x.todo).length;
    fill(guideText, h("span.count", t.progress(s.answered, s.items.length)), s.failed ? h("span.fail-count", ` · ${t.failedCount(s.failed)}`) : null,
      todo ? null : h("span.done", ` · ${t.allDone}`));
    guideBar.max = String(Math.max(1, s.items.length));
    guideBar.value = String(s.answered);
    nextButton.disabled = todo === 0;
    // by template, each under its title; a section with nothing that applies to this site is left out
    const entries = [];
    for (const tpl of templates) {
      const mineOf = ({ section }) => s.items.filter((x) => x.tpl === tpl && x.section === section);
      const shown = sectionEls.filter((e) => e.tpl === tpl && mineOf(e).length > 0);
      if (!shown.length) continue;
      if (templates.length > 1) entries.push(h("p.toc-group", tpl.title));
      for (const e of shown) {
        const mine = mineOf(e);
        const open = mine.filter((x) => x.todo).length;
        entries.push(h("button.toc-entry", { type: "button", class: open ? "open" : "", onclick: () => { toc.hidden = true; tocButton.setAttribute("aria-expanded", "false"); jumpTo(e.el); } },
          h("span.grow", e.section.title), h("small", `${mine.filter((x) => x.answered).length}/${mine.length}`)));
      }
    }
    fill(toc, ...entries);
  }

  const redraw = (tpl, item) => {
    const card = cards.get(`${tpl.id}/${item.key}`);
    const el = itemCard(tpl, item, draft, editable, { setAnswer, setPhotos, setFinding, site });
    card.el.replaceWith(el);
    cards.set(`${tpl.id}/${item.key}`, { ...card, el });
  };

  // one tap for a section found in order; each item stays changeable, answered ones are left alone
  const allPass = (tpl, section) => {
    const answers = (draft.answers[tpl.id] ||= {});
    const { applicable } = assess(tpl, attrs, answers, visitDay(draft));
    const open = section.items.filter((i) => i.type === "check" && applicable[i.key] && !answers[i.key]);
    for (const item of open) answers[item.key] = "pass";
    save();
    for (const item of open) redraw(tpl, item);
    refreshStates();
    toast(t.sectionPassed(open.length));
  };

  const body = [];
  for (const tpl of templates) {
    body.push(h("h2.template-title", tpl.title, h("small", ` 第${tpl.version}版`)));
    if (tpl.note) body.push(h("p.template-note", tpl.note));
    for (const section of tpl.sections) {
      const items = section.items.map((item) => {
        const el = itemCard(tpl, item, draft, editable, { setAnswer, setPhotos, setFinding, site });
        cards.set(`${tpl.id}/${item.key}`, { el, item, template: tpl });
        return el;
      });
      const checks = section.items.some((i) => i.type === "check");
      const el = h("section.card.section", h("div.section-head", h("h3", section.title),
        editable && checks ? h("button.small", { type: "button", onclick: () => allPass(tpl, section) }, t.sectionAllPass) : null),
        section.help ? h("p.section-help", section.help) : null, ...items);
      sectionEls.push({ tpl, section, el });
      body.push(el);
    }
  }

  const notes = h("textarea", { rows: 3, placeholder: t.notes, disabled: !editable, oninput: (e) => { draft.notes = e.target.value; save(); } });
  notes.value = draft.notes || "";

  const review = h("div.review-sheet", { role: "dialog", "aria-modal": "true", "aria-labelledby": "review-title", hidden: true });
  const closeReview = () => { review.hidden = true; document.body.classList.remove("sheet-open"); };
  // before submit: the issues it will raise in the words they will carry, the photos, and what is
  // missing as links to the items
  const openReview = async () => {
    const s = state();
    // photos the server will flag (taken before the visit, far from the site), each a link to its item
    const flagged = [];
    for (const x of s.items) {
      for (const id of (draft.photos[x.tpl.id] || {})[x.item.key] || []) {
        const rec = await store.get("photos", id);
        const warnings = rec ? photoWarnings(rec, { since: visitStart(draft), now: new Date(rec.captured_at) }) : [];
        if (warnings.length) flagged.push({ x, text: warnings.map((w) => (w.kind === "old" ? t.photoOldTag : t.photoFarTag(formatDistance(w.m)))).join("、") });
      }
    }
    const missing = problemsOf(draft, templates, attrs).map((p) => h("li", h("button.link", { type: "button", onclick: () => {
      closeReview();
      jumpTo(p.target === "arrival" ? arrivalBox : cards.get(p.target).el);
    } }, p.message)));
    const raised = s.items.filter((x) => x.failed && x.item.raises_issue);
    const photos = s.items.reduce((n, x) => n + x.photos, 0);
    const issues = raised.map((x) => {
      const note = ((draft.item_notes || {})[x.tpl.id] || {})[x.item.key] || "";
      const severity = ((draft.severities || {})[x.tpl.id] || {})[x.item.key] || x.item.severity || "minor";
      const sentence = finding(x.tpl, x.item, { site: attrs, answer: draft.answers[x.tpl.id] || {}, visit: { date: visitDay(draft) } }, note);
      return h("li.review-issue", h("p", sentence),
        h("small", `${t.severity}：${t.severities[severity]} · ${t.reviewPhotos(x.photos)} · `,
          h("button.link", { type: "button", onclick: () => { closeReview(); jumpTo(x.el); } }, t.backToEdit)));
    });
    const confirm = h("button.primary.big", { type: "button", disabled: missing.length > 0, onclick: () => send(confirm) }, t.confirmSubmit);
    fill(review, h("div.sheet",
      h("h2#review-title", t.review),
      h("p.muted", t.reviewSummary(s.answered, s.items.length, raised.length, photos)),
      missing.length ? h("section.review-missing", h("h3", t.reviewMissing), h("ul", missing)) : null,
      flagged.length ? h("section.review-flagged", h("h3", t.reviewFlagged(flagged.length)), h("ul", flagged.map((f) =>
        h("li", h("button.link", { type: "button", onclick: () => { closeReview(); jumpTo(f.x.el); } }, `「${f.x.item.text}」：${f.text}`))))) : null,
      h("section", h("h3", t.reviewIssues), issues.length ? h("ol", issues) : h("p.muted", t.reviewNoIssues)),
      confirm,
      h("button.big", { type: "button", onclick: closeReview }, t.backToEdit)));
    review.hidden = false;
    document.body.classList.add("sheet-open");
    review.querySelector("h2").focus?.();
  };

  const submit = h("button.primary.big", { type: "button", onclick: openReview }, navigator.onLine ? t.submit : t.submitOffline);
  const send = async (button) => {
    const errors = validate(draft, templates, attrs);
    if (errors.length) return;
    button.disabled = true;
    await saving;
    const named = [];
    for (const byItem of Object.values(draft.photos)) for (const list of Object.values(byItem)) named.push(...list);
    const bodyJson = {
      site_id: draft.site_id, templates: draft.templates, state: "submitted", arrival: draft.arrival,
      answers: draft.answers, photos: draft.photos, notes: draft.notes || "", started_at: draft.started_at,
      item_notes: compact(draft.item_notes), severities: compact(draft.severities), photo_hashes: await photoHashes(named),
      unannounced: session.me.role !== "county_team", // a county's own inspection is a self-check
    };
    draft.state = "queued";
    delete draft.returned; // sent again, mended: under the same UUID
    draft.submitted_at = new Date().toISOString();
    await store.together(["drafts", "outbox"], async (tx) => {
      await tx.objectStore("drafts").put(structuredClone(draft));
      await enqueue(tx, { kind: "inspection", uuid: draft.uuid, body: bodyJson, label: site ? site.name : "" });
    });
    closeReview();
    toast(t.submitted);
    go("#/");
    drain();
  };

  const remove = h("button.link.danger", { type: "button", onclick: (e) => confirmTap(e.currentTarget, t.confirmDelete, async () => {
    for (const byItem of Object.values(draft.photos)) for (const list of Object.values(byItem)) for (const id of list) await discard(id);
    await store.del("drafts", draft.uuid);
    go("#/");
  }) }, t.deleteDraft);

  // what the server refused, each a link to its item; ticked off as the inspector mends it
  const returnedCard = draft.state === "returned" && draft.returned ? h("section.card.returned-card",
    h("h2", h("span.pill.returned", t.returned), " ", formatTime(draft.returned.at)),
    h("p", t.returnedHint), h("p.muted", t.returnedProblems(draft.returned.problems.length)),
    h("ul", draft.returned.problems.map((p) => {
      const key = p.template && p.item ? `${p.template}/${p.item}` : p.code === "arrival_required" ? "arrival" : null;
      return h("li", key && (key === "arrival" || cards.has(key))
        ? h("button.link", { type: "button", onclick: () => jumpTo(key === "arrival" ? arrivalBox : cards.get(key).el) }, p.message)
        : p.message);
    }))) : null;

  mount(h("div.visit", header,
    editable ? null : h("p.notice", t.readOnly, draft.server ? ` 已上传，生成问题 ${draft.server.issues} 条。` : ""),
    returnedCard,
    site && !populationKnown(site) ? h("p.notice.population-unknown", t.populationUnknown) : null,
    guide, arrivalBox, ...body,
    h("section.card", h("h3", t.notes), notes),
    editable ? h("section.card.submit", submit, remove) : null, review));
  refreshStates();
  const at = target === "arrival" ? arrivalBox : target && cards.get(target) ? cards.get(target).el : null;
  if (at) jumpTo(at);
  else restoreScroll(draft.uuid);
}

// A reload (or coming back from the sync screen) opens the form where the inspector was, not at the
// top of a 158-item form: the position is kept per visit while they scroll.
function restoreScroll(uuid) {
  const key = `ducha.scroll.${uuid}`;
  const y = Number(localStorage.getItem(key) || 0);
  if (y > 0) requestAnimationFrame(() => window.scrollTo(0, y));
  let pending = false;
  const remember = () => {
    if (!location.hash.startsWith(`#/visit/${uuid}`)) return window.removeEventListener("scroll", remember);
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; localStorage.setItem(key, String(Math.round(window.scrollY))); }, 250);
  };
  window.addEventListener("scroll", remember, { passive: true });
}

// {template: {key: value}} without the empty templates
function compact(byTemplate) {
  const out = {};
  for (const [tid, items] of Object.entries(byTemplate || {})) if (Object.keys(items).length) out[tid] = items;
  return out;
}

// Shown when the item fails: what exactly is wrong and where, and how serious (where the template allows)
function findingBox(tpl, item, draft, editable, setFinding) {
  if (!item.raises_issue) return null;
  const note = h("textarea", { rows: 2, maxlength: 500, placeholder: t.findingNoteHint, disabled: !editable,
    oninput: (e) => setFinding(tpl, item, "item_notes", e.target.value.trim() ? e.target.value : "") });
  note.value = ((draft.item_notes || {})[tpl.id] || {})[item.key] || "";
  const chosen = ((draft.severities || {})[tpl.id] || {})[item.key] || item.severity || "minor";
  const group = h("div.choices.severity", { role: "radiogroup", "aria-label": t.severity });
  for (const [v, label] of Object.entries(t.severities)) {
    const b = h("button", { type: "button", class: `choice${v === chosen ? " on" : ""}`, role: "radio", "aria-checked": String(v === chosen),
      "data-severity": v, disabled: !editable || item.severity_fixed, onclick: () => {
        group.querySelectorAll("button").forEach((x) => { x.classList.remove("on"); x.setAttribute("aria-checked", "false"); });
        b.classList.add("on");
        b.setAttribute("aria-checked", "true");
        setFinding(tpl, item, "severities", v === (item.severity || "minor") ? "" : v);
      } }, label);
    group.append(b);
  }
  return h("div.finding", h("p.finding-preview-label", t.findingPreview), h("p.finding-preview", { "aria-live": "polite" }),
    h("label", t.findingNote, note),
    h("p.severity-label", t.severity, item.severity_fixed ? h("small", t.severityFixed) : null), group);
}

function itemCard(tpl, item, draft, editable, { setAnswer, setPhotos, setFinding, site }) {
  const value = (draft.answers[tpl.id] || {})[item.key];
  const photos = (draft.photos[tpl.id] || {})[item.key] || [];
  const owner = { site, inspection: draft.uuid, template: tpl.id, item: item.key, label: item.text };
  const title = h("p.item-text", item.required ? h("b.req", "*") : null, item.text, item.basis ? h("small.basis", ` 〔${item.basis}〕`) : null);
  const help = item.help ? h("p.help", item.help) : null;
  const input = inputFor(tpl, item, value, editable, setAnswer);
  const problem = h("p.item-problem", { role: "alert" });
  const status = h("p.status",
    h("span.na-text", t.notApplicable), h("span.fail-text", item.raises_issue ? t.willRaise : t.check.fail),
    h("span.photo-text", t.photoOnFail), h("span.na-photo-text", t.naPhotoText));
  const since = () => visitStart(draft);
  const strip = item.type === "photo" ? null : photoStrip(photos, owner, (list) => setPhotos(tpl, item, list), { editable, label: t.addPhoto, since });
  const photoInput = item.type === "photo" ? photoStrip(photos, owner, (list) => setPhotos(tpl, item, list), { editable, since }) : null;
  const naBox = item.na_reason ? naReasonBox(tpl, item, draft, editable, setFinding) : null;
  return h("div.item", { "data-key": `${tpl.id}/${item.key}`, "data-type": item.type, "data-raises": item.raises_issue ? "1" : "0",
    "data-all": item.require_all ? "1" : "0" },
    title, help, input, problem, photoInput, status, naBox, findingBox(tpl, item, draft, editable, setFinding), strip);
}

// 不适用 on a mandatory item (十有, 十到位, 五项机制…): why, in the inspector's words (kept as the item note)
function naReasonBox(tpl, item, draft, editable, setFinding) {
  const reason = h("textarea", { rows: 2, maxlength: 500, placeholder: t.naReasonHint, disabled: !editable,
    oninput: (e) => setFinding(tpl, item, "item_notes", e.target.value.trim() ? e.target.value : "") });
  reason.value = noteOf(draft, tpl, item);
  return h("div.na-reason", h("label", t.naReason, reason)); // a missing photo shows in the status line
}

function noteOf(draft, tpl, item) {
  return ((draft.item_notes || {})[tpl.id] || {})[item.key] || "";
}

// when the visit began, as the server judges a photo "taken before the visit": its start, else its arrival
function visitStart(draft) {
  return draft.started_at || (draft.arrival && draft.arrival.at) || null;
}

// the visit's day in Shanghai (what date rules count to): the arrival's, else the start's, else today
export function visitDay(draft) {
  const at = (draft.arrival && draft.arrival.at) || draft.started_at;
  return shanghaiDate(at ? new Date(at) : new Date());
}

function inputFor(tpl, item, value, editable, setAnswer) {
  const set = (v) => setAnswer(tpl, item, v);
  if (item.type === "check") {
    const group = h("div.choices.check", { role: "radiogroup" });
    for (const [v, label] of Object.entries(t.check)) {
      const b = h("button", { type: "button", class: `choice ${v}${value === v ? " on" : ""}`, role: "radio", "aria-checked": String(value === v), disabled: !editable,
        onclick: () => {
          const next = b.classList.contains("on") ? null : v;
          group.querySelectorAll("button").forEach((x) => { x.classList.remove("on"); x.setAttribute("aria-checked", "false"); });
          if (next) { b.classList.add("on"); b.setAttribute("aria-checked", "true"); }
          set(next);
        } }, label);
      group.append(b);
    }
    return group;
  }
  if (item.type === "number" || item.type === "integer") {
    const el = h("input", { type: "number", inputmode: item.type === "integer" ? "numeric" : "decimal", step: item.type === "integer" ? "1" : "any",
      min: item.min ?? null, max: item.max ?? null, disabled: !editable,
      oninput: () => {
        // as typed: 2.5 in a count stays 2.5 and is refused as the server would (应为整数), not cut to 2
        const v = el.value === "" ? null : Number(el.value);
        set(Number.isFinite(v) ? v : null);
      } });
    if (value !== undefined) el.value = value;
    return h("label.number", el, item.unit ? h("span.unit", item.unit) : null);
  }
  if (item.type === "text") {
    const el = h("textarea", { rows: 2, maxlength: 2000, disabled: !editable, oninput: () => set(el.value) });
    el.value = value || "";
    return el;
  }
  if (item.type === "date") {
    const el = h("input", { type: "date", disabled: !editable, oninput: () => set(el.value || null) });
    el.value = value || "";
    return el;
  }
  if (item.type === "single" || item.type === "multi") {
    const multi = item.type === "multi";
    const chosen = new Set(multi ? value || [] : value ? [value] : []);
    const group = h("div.choices.options");
    for (const o of item.options) {
      const b = h("button", { type: "button", class: `choice${chosen.has(o.value) ? " on" : ""}`, disabled: !editable, onclick: () => {
        if (multi) {
          chosen.has(o.value) ? chosen.delete(o.value) : chosen.add(o.value);
          b.classList.toggle("on");
          set(item.options.map((x) => x.value).filter((x) => chosen.has(x)));
        } else {
          const on = !b.classList.contains("on");
          group.querySelectorAll("button").forEach((x) => x.classList.remove("on"));
          if (on) b.classList.add("on");
          set(on ? o.value : null);
        }
      } }, o.label);
      group.append(b);
    }
    return group;
  }
  return null; // photo: the strip is the input
}

// scroll an item (or the arrival card) to the middle of the screen, focus its first control, flash it
function jumpTo(el) {
  // its top just below the sticky bars (scroll-margin-top in app.css), not its middle: a tall
  // section's heading would be off the screen
  // the bars' height as it is now (the 目录 just closed; the count may have wrapped)
  const guide = document.querySelector(".visit .guide");
  if (guide) document.documentElement.style.setProperty("--guide-h", `${guide.offsetHeight}px`);
  // sections render lazily (content-visibility in app.css) with a guessed height: the ones above the
  // target take their real height now, so it lands where it is (not pushed off by them a frame later)
  for (const section of document.querySelectorAll(".visit section.section")) {
    section.classList.add("laid-out");
    if (section === el || section.contains(el)) break;
  }
  el.scrollIntoView({ block: "start" });
  const control = el.querySelector("button:not([disabled]), input, textarea");
  if (control) control.focus({ preventScroll: true });
  el.classList.remove("flash");
  void el.offsetWidth; // restart the animation
  el.classList.add("flash");
}

export function validate(draft, templates, attrs) {
  return problemsOf(draft, templates, attrs).map((p) => p.message);
}

// what stops a submit, each with where to fix it ("arrival" or "template/item"): the server's own
// checks (answers.js), in its words, so what the phone lets through the server takes
export function problemsOf(draft, templates, attrs) {
  const errors = [];
  if (!draft.arrival) errors.push({ message: t.needArrival, target: "arrival", code: "arrival_required" });
  for (const tpl of templates) {
    for (const e of answerErrors(tpl, attrs, draft.answers[tpl.id] || {}, checkOptions(draft, tpl))) {
      errors.push({ message: e.message, target: `${tpl.id}/${e.item}`, code: e.code });
    }
  }
  return errors;
}

// what answerErrors needs besides the answers: the photos, notes and severities of one template
export function checkOptions(draft, tpl, strict = true) {
  return { photos: (draft.photos || {})[tpl.id] || {}, notes: (draft.item_notes || {})[tpl.id] || {},
    severities: (draft.severities || {})[tpl.id] || {}, strict, visitDate: visitDay(draft) };
}
