// 检查表 at a desk: every template with every version the server holds (a version never changes),
// one version previewed at the phone's width as its items read there, and what changed between it
// and another version (items added, removed, and each changed field's before and after).
import { api, NetworkError } from "../api.js";
import { session } from "../data.js";
import { h, mount, fill, toast } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";
import { templateForm } from "./desk_template_form.js";

const TYPES = { check: "符合/不符合/不适用", number: "数值", integer: "整数", text: "文字", single: "单选", multi: "多选", date: "日期", photo: "照片" };
const SEVERITY = { minor: "一般", major: "较重", critical: "严重" };
const FIELDS = { text: "检查内容", help: "说明", type: "类型", required: "必答", raises_issue: "不符合时立问题", department: "责任部门", basis: "政策依据",
  severity: "严重程度", deadline_days: "整改期限（天）", applies_when: "询问条件", fails_when: "不符合条件", options: "选项", unit: "单位", min: "最小值",
  max: "最大值", finding: "问题描述模板", section: "所在部分", title: "标题", note: "说明", photo_on_fail: "不符合须拍照", require_all: "须全部具备",
  na_reason: "不适用须说明", na_photo: "不适用须拍照", at_most: "不超过", severity_fixed: "严重程度固定", finding_values: "描述取值", area: "类别",
  lead_department: "牵头部门" };
const show = (v) => (v === null || v === undefined || v === "" ? "（无）" : typeof v === "string" ? v : JSON.stringify(v));
const chosen = { id: null, version: null, compare: null };

export async function templatesDesk() {
  const hash = location.hash;
  let catalog;
  try {
    catalog = await api.get("/api/templates/catalog");
  } catch (err) {
    return mount(h("div.desk-page", ...deskHead("templates", "检查表"), h("p.card.warn", err instanceof NetworkError ? "需要联网" : err.message)));
  }
  if (!stillOn(hash)) return;
  if (!chosen.id || !catalog.some((t) => t.id === chosen.id)) Object.assign(chosen, { id: catalog[0].id, version: catalog[0].latest, compare: null });
  const preview = h("div.phone-preview");
  const changes = h("div");
  const list = h("div.template-list", catalog.map((t) => h("div.template-entry", { "data-template": t.id },
    h("b", t.title), h("small.muted", ` ${t.area} · ${t.items} 项`),
    h("div.tag-buttons", t.versions.map((v) => h("button", { type: "button", class: t.id === chosen.id && v === chosen.version ? "on" : "",
      onclick: () => { Object.assign(chosen, { id: t.id, version: v, compare: v > 1 ? v - 1 : null }); templatesDesk(); } },
      `第 ${v} 版${v === t.latest ? "（现行）" : ""}`))))));
  const entry = catalog.find((t) => t.id === chosen.id);
  const others = entry.versions.filter((v) => v !== chosen.version);
  const compare = h("select", h("option", { value: "" }, "（不比较）"),
    others.map((v) => h("option", { value: String(v), selected: v === chosen.compare }, `第 ${v} 版`)));
  compare.addEventListener("change", () => { chosen.compare = compare.value ? Number(compare.value) : null; showDiff(); });

  async function showPreview() {
    fill(preview, h("p.muted", "正在读取…"));
    try {
      const t = await api.get(`/api/templates/${chosen.id}/versions/${chosen.version}`);
      if (stillOn(hash)) fill(preview, render(t));
    } catch (err) {
      fill(preview, h("p.warn", err.message));
    }
  }

  async function showDiff() {
    if (!chosen.compare) return fill(changes, h("p.muted", "选择另一版本，查看两版之间的变化。"));
    fill(changes, h("p.muted", "正在比较…"));
    const [a, b] = [chosen.compare, chosen.version].sort((x, y) => x - y);
    try {
      const d = await api.get(`/api/templates/${chosen.id}/diff?from=${a}&to=${b}`);
      if (stillOn(hash)) fill(changes, renderDiff(d));
    } catch (err) {
      fill(changes, h("p.warn", err.message));
    }
  }

  mount(h("div.desk-page", ...deskHead("templates", "检查表"),
    h("div.template-desk",
      h("section.card", h("h2", "检查表与版本"), list),
      h("section.card", h("h2", `${entry.title} 第 ${chosen.version} 版：手机上的样子`), preview),
      h("section.card.template-diff", h("h2", "版本变化"), h("label.filter", "与此版本比较", compare), changes)),
    session.me.role === "city_admin" ? editor(entry) : null));
  showPreview();
  showDiff();
}

// a new version: the current one's YAML as the starting point, checked by the server's checker
// (the same as `ducha templates check`), published by the city admin; old versions never change
function editor(entry) {
  const next = entry.latest + 1;
  const text = h("textarea.yaml", { rows: 24, spellcheck: false, "aria-label": "新版本内容（YAML）" });
  const note = h("input", { type: "text", maxlength: "2000", placeholder: "修订说明，例如依据的政策修订", "aria-label": "修订说明" });
  const result = h("div.draft-result", { role: "status" });
  let checked = null;
  const publish = h("button.primary", { type: "button", disabled: true, onclick: async () => {
    publish.disabled = true;
    try {
      const done = await api.post("/api/templates/versions", { source: text.value, note: note.value });
      toast(`已发布：${done.title} 第 ${done.latest} 版`);
      Object.assign(chosen, { id: done.id, version: done.latest, compare: done.latest - 1 });
      templatesDesk();
    } catch (err) {
      fill(result, h("p.warn", err.message), err.detail && err.detail.problems ? h("ul", err.detail.problems.map((x) => h("li", x))) : null);
    }
  } }, "发布");
  const check = h("button", { type: "button", onclick: async () => {
    if (!text.value.trim()) return fill(result, h("p.warn", "请先填写新版本内容"));
    try {
      const r = await api.post("/api/templates/drafts/check", { source: text.value });
      checked = r.ok ? text.value : null;
      publish.disabled = !r.ok;
      verdict(r);
    } catch (err) {
      fill(result, h("p.warn", err instanceof NetworkError ? "需要联网" : err.message));
    }
  } }, "检查");
  text.addEventListener("input", () => { if (text.value !== checked) publish.disabled = true; });
  const verdict = (r) => fill(result, r.ok ? h("p.verdict.same", `检查通过：${r.template_id} 第 ${r.version} 版，${r.items} 项。可以发布。`)
    : [h("p.warn", `有 ${r.problems.length} 处问题，改正后再检查：`), h("ul", r.problems.map((x) => h("li", x)))]);
  // the form's edits come back as the next version's YAML, already checked: shown, then published
  const composed = ({ source, check: r }) => {
    text.value = source;
    checked = r.ok ? source : null;
    publish.disabled = !r.ok;
    body.hidden = false;
    yamlView.open = !r.ok;
    verdict(r);
    result.scrollIntoView({ block: "nearest" });
  };
  const formBox = h("div");
  const byForm = h("button.primary", { type: "button", onclick: async () => {
    byForm.disabled = true;
    fill(formBox, await templateForm(entry, composed));
  } }, `用表单修订，生成第 ${next} 版`);
  const start = h("button", { type: "button", onclick: async () => {
    const res = await fetch(`/api/templates/${entry.id}/versions/${entry.latest}/source`, { credentials: "same-origin" }).catch(() => null);
    if (!res || !res.ok) return toast("需要联网才能读取现行版本", "error");
    text.value = (await res.text()).replace(/^version:\s*\d+/m, `version: ${next}`);
    body.hidden = false;
    yamlView.open = true;
    text.focus();
  } }, `直接编辑 YAML（高级），新建第 ${next} 版`);
  const yamlView = h("details.yaml-view", h("summary", `第 ${next} 版的 YAML`), text);
  const body = h("div", { hidden: true }, yamlView, h("label.filter", "修订说明", note), h("div.bulk-row", check, publish), result);
  return h("section.card.template-editor", h("h2", `新版本：${entry.title}`),
    h("p.muted", "已发布的版本不能修改；新版本发布后，手机上的新督查使用新版本，已提交的督查仍按原版本判定。"),
    h("div.bulk-row", byForm, start), formBox, body);
}

function render(t) {
  return h("div.preview-screen",
    h("h3", t.title), t.note ? h("p.muted", t.note) : null,
    t.sections.map((s) => h("section.preview-section", h("h4", s.title), s.help ? h("p.muted", s.help) : null,
      s.items.map((i) => h("div.preview-item", { "data-item": i.key },
        h("p", h("b", i.text), i.required ? h("span.warn", " *") : null, i.severity && i.severity !== "minor" ? h("span", { class: `pill sev-${i.severity}` }, SEVERITY[i.severity]) : null),
        i.help ? h("p.small.muted", i.help) : null,
        control(i),
        h("small.muted", [TYPES[i.type], i.basis ? `依据 ${i.basis}` : "", i.applies_when ? "有询问条件" : "", i.raises_issue ? "不符合时立问题" : ""].filter(Boolean).join(" · ")))))));
}

function control(i) {
  if (i.type === "check") return h("div.choice", ["符合", "不符合", "不适用"].map((x) => h("button", { type: "button", disabled: true }, x)));
  if (i.type === "single" || i.type === "multi") return h("div.choice", i.options.map((o) => h("button", { type: "button", disabled: true }, o.label)));
  if (i.type === "photo") return h("button", { type: "button", disabled: true }, "拍照");
  const kind = { number: "number", integer: "number", date: "date" }[i.type] || "text";
  return h("div.row", h("input", { type: kind, disabled: true, placeholder: i.unit || "" }), i.unit ? h("span", i.unit) : null);
}

function renderDiff(d) {
  const field = (f) => h("li", h("b", FIELDS[f.field] || f.field), "：", h("del", show(f.before)), " → ", h("ins", show(f.after)));
  return h("div",
    h("p", `第 ${d.from_version} 版 → 第 ${d.to_version} 版：新增 ${d.added.length} 项，删除 ${d.removed.length} 项，修改 ${d.changed.length} 项，${d.unchanged} 项未变。`),
    d.template.length ? h("div", h("h3", "检查表本身"), h("ul", d.template.map(field))) : null,
    d.added.length ? h("div.diff-added", h("h3", "新增"), h("ul", d.added.map((i) => h("li", { "data-item": i.key }, `${i.section}：${i.text}`)))) : null,
    d.removed.length ? h("div.diff-removed", h("h3", "删除"), h("ul", d.removed.map((i) => h("li", { "data-item": i.key }, `${i.section}：${i.text}`)))) : null,
    d.changed.length ? h("div.diff-changed", h("h3", "修改"), d.changed.map((c) => h("div", { "data-item": c.key }, h("p", h("b", c.text)), h("ul", c.fields.map(field))))) : null);
}
