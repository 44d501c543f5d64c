// The template form (检查表修订表单) for the city admin: the current version's items as rows of
// fields (wording, help, policy basis, severity, deadline, department, required, raises an issue),
// any item removed, new items added to a section; only what changed is sent, and the server writes the
// next version's YAML from it and checks it as a file is checked (POST /api/templates/drafts/compose).
// A policy revision needs no YAML; a number judged by a rule is still written in YAML (its rule and finding).
import { api, NetworkError } from "../api.js";
import { h, fill } from "./dom.js";

const SEVERITY = [["minor", "一般"], ["major", "较重"], ["critical", "严重"]];
const NEW_TYPES = [["check", "符合/不符合"], ["text", "文字"], ["integer", "整数（只记录）"], ["number", "数值（只记录）"], ["date", "日期"], ["photo", "照片"]];
const problem = (err) => (err instanceof NetworkError ? "需要联网" : err.message);

const select = (label, choices, value) => h("select", { "aria-label": label },
  choices.map(([v, name]) => h("option", { value: v, selected: v === (value ?? "") }, name)));

export async function templateForm(entry, done) {
  const box = h("div.template-form", h("p.muted", "正在读取现行版本…"));
  let template;
  let departments;
  try {
    [template, departments] = await Promise.all([api.get(`/api/templates/${entry.id}/versions/${entry.latest}`), api.get("/api/departments")]);
  } catch (err) {
    fill(box, h("p.warn", problem(err)));
    return box;
  }
  const depts = [["", "（牵头部门）"], ...departments.map((d) => [d.code, d.name])];
  const rows = [];
  const sections = template.sections.map((s) => h("section.form-section", h("h4", s.title),
    h("div.desk-table", h("table.desk.items-form",
      h("thead", h("tr", ...["检查内容", "说明", "政策依据", "严重程度", "整改期限（天）", "责任部门", "必答", "不符合立问题", "删除"].map((x) => h("th", x)))),
      h("tbody", s.items.map((i) => {
        const own = depts.some(([c]) => c === i.department) ? depts : [...depts, [i.department, i.department]];
        const f = {
          text: h("input", { type: "text", value: i.text, maxlength: "500", "aria-label": `检查内容：${i.key}` }),
          help: h("input", { type: "text", value: i.help || "", maxlength: "1000", "aria-label": `说明：${i.key}` }),
          basis: h("input", { type: "text", value: i.basis || "", maxlength: "64", size: "8", "aria-label": `政策依据：${i.key}` }),
          severity: i.raises_issue ? select(`严重程度：${i.key}`, SEVERITY, i.severity || "minor") : null,
          deadline_days: i.raises_issue ? h("input", { type: "number", min: "1", max: "365", value: i.deadline_days ?? "", "aria-label": `整改期限：${i.key}` }) : null,
          department: select(`责任部门：${i.key}`, own, i.department),
          required: h("input", { type: "checkbox", checked: i.required, "aria-label": `必答：${i.key}` }),
          raises_issue: i.type === "check" ? h("input", { type: "checkbox", checked: i.raises_issue, "aria-label": `不符合立问题：${i.key}` }) : null,
        };
        const drop = h("input", { type: "checkbox", "aria-label": `删除：${i.key}` });
        rows.push({ item: i, f, drop });
        return h("tr", { "data-item": i.key }, h("td.wide", f.text), h("td", f.help), h("td", f.basis), h("td", f.severity || "—"),
          h("td", f.deadline_days || "—"), h("td", f.department), h("td", f.required), h("td", f.raises_issue || "—"), h("td", drop));
      }))))));

  // a new item, added to the end of the chosen section
  const added = [];
  const addList = h("ul.added-items");
  const nf = {
    section: select("新检查项所在部分", template.sections.map((s) => [s.key, s.title])),
    key: h("input", { type: "text", maxlength: "48", placeholder: "如 grid_visits_recorded", "aria-label": "新检查项编号（小写字母、数字、下划线）" }),
    type: select("新检查项类型", NEW_TYPES, "check"),
    text: h("input", { type: "text", maxlength: "500", "aria-label": "新检查项内容" }),
    basis: h("input", { type: "text", maxlength: "64", size: "8", placeholder: "如 三(一)一", "aria-label": "新检查项政策依据" }),
    severity: select("新检查项严重程度", SEVERITY, "minor"),
    deadline_days: h("input", { type: "number", min: "1", max: "365", value: "30", "aria-label": "新检查项整改期限" }),
    department: select("新检查项责任部门", depts, ""),
  };
  const add = h("button", { type: "button", onclick: () => {
    const item = { section: nf.section.value, key: nf.key.value.trim(), type: nf.type.value, text: nf.text.value.trim(), basis: nf.basis.value.trim(),
      severity: nf.severity.value, deadline_days: Number(nf.deadline_days.value) || 30, department: nf.department.value,
      raises_issue: nf.type.value === "check" };
    if (!/^[a-z][a-z0-9_]{1,47}$/.test(item.key)) return fill(result, h("p.warn", "编号须以小写字母开头，只含小写字母、数字和下划线（2–48 位）"));
    if (!item.text || !item.basis) return fill(result, h("p.warn", "请填写新检查项的内容和政策依据"));
    added.push(item);
    addList.append(h("li", { "data-item": item.key }, `${nf.section.selectedOptions[0].textContent}：${item.text}（${item.key}）`));
    for (const k of ["key", "text"]) nf[k].value = "";
    fill(result);
  } }, "添加检查项");

  const note = h("input", { type: "text", maxlength: "2000", value: template.note || "", "aria-label": "检查表说明（新版本）" });
  const result = h("div.form-result", { role: "status" });
  const make = h("button.primary", { type: "button", onclick: async () => {
    const edits = { template_id: entry.id, base_version: entry.latest, items: {}, remove: [], add: added };
    for (const { item, f, drop } of rows) {
      if (drop.checked) { edits.remove.push(item.key); continue; }
      const change = {};
      const text = (el) => el.value.trim();
      if (text(f.text) !== item.text) change.text = text(f.text);
      if (text(f.help) !== (item.help || "")) change.help = text(f.help);
      if (text(f.basis) !== (item.basis || "")) change.basis = text(f.basis);
      if (f.severity && f.severity.value !== (item.severity || "minor")) change.severity = f.severity.value;
      if (f.deadline_days && f.deadline_days.value && Number(f.deadline_days.value) !== item.deadline_days) change.deadline_days = Number(f.deadline_days.value);
      if (f.department.value !== item.department) change.department = f.department.value;
      if (f.required.checked !== item.required) change.required = f.required.checked;
      if (f.raises_issue && f.raises_issue.checked !== item.raises_issue) change.raises_issue = f.raises_issue.checked;
      if (Object.keys(change).length) edits.items[item.key] = change;
    }
    if (note.value.trim() !== (template.note || "")) edits.template_note = note.value.trim();
    if (!Object.keys(edits.items).length && !edits.remove.length && !added.length && edits.template_note === undefined) {
      return fill(result, h("p.warn", "没有改动"));
    }
    make.disabled = true;
    try {
      done(await api.post("/api/templates/drafts/compose", edits));
      fill(result);
    } catch (err) {
      fill(result, h("p.warn", problem(err)));
    } finally {
      make.disabled = false;
    }
  } }, `生成第 ${entry.latest + 1} 版并检查`);

  fill(box, h("label.filter.wide", "检查表说明", note), ...sections,
    h("section.form-section.add-item", h("h4", "新增检查项"),
      h("div.bulk-row", ...[["section", "所在部分"], ["key", "编号"], ["type", "类型"], ["text", "检查内容"], ["basis", "政策依据"],
        ["severity", "严重程度"], ["deadline_days", "整改期限（天）"], ["department", "责任部门"]].map(([k, name]) => h("label.filter", name, nf[k])), add),
      addList,
      h("p.muted", "新增的数值项只作记录；要按数值判定不符合（规则和问题描述），请用 YAML 编辑。")),
    h("div.bulk-row", make), result);
  return box;
}
