// 问题台账 at a desk (wide screen): every issue in the caller's scope with every filter, sort and
// paging; 批量分派 (department, person and, for the city office, the deadline) of the ticked issues
// in one all-or-nothing request; and one issue's page with its photos before and after side by side,
// each photo's distance and time checks, the whole history, and verification (销号) from the desk.
import { api, NetworkError } from "../api.js";
import { session, refreshIssues } from "../data.js";
import { t, formatTime } from "../messages.js";
import { h, mount, fill, toast } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";

const AREAS = ["质量安全", "消防措施", "教育医疗", "产业就业", "十有十到位", "社区治理与社会融入", "防返贫动态监测"];
const STATES = [["open", "待整改"], ["rectifying", "整改中"], ["submitted", "待核查"], ["closed", "已销号"]];
const SEVERITIES = [["minor", "一般"], ["major", "较重"], ["critical", "严重"]];
const SOURCES = [["visit", "督查发现"], ["self_check", "县级自查"], ["complaint", "群众反映"], ["department", "部门检查"]];
const SORTS = [["-found_at", "发现时间（新→旧）"], ["found_at", "发现时间（旧→新）"], ["deadline", "整改期限（近→远）"],
  ["-deadline", "整改期限（远→近）"], ["severity", "严重程度"]];
const PAGE = 50;

// the filters outlive a visit to one issue: back from its page, the table is as it was left
const view = { filters: {}, sort: "-found_at", offset: 0 };
let lookups = null;

async function loadLookups() {
  if (!lookups) {
    const [counties, departments] = await Promise.all([api.get("/api/counties"), api.get("/api/departments?include_inactive=true")]);
    lookups = { counties, departments, department: Object.fromEntries(departments.map((d) => [d.id, d.name])) };
  }
  return lookups;
}

const select = (name, label, options, value) => h("label.filter", label, h("select", { name, "aria-label": label },
  h("option", { value: "" }, "全部"), options.map(([v, text]) => h("option", { value: String(v), selected: String(v) === String(value ?? "") }, text))));

export async function issuesDesk() {
  const hash = location.hash;
  const me = session.me;
  const admin = me.role === "city_admin";
  let look;
  try {
    look = await loadLookups();
  } catch (err) {
    return mount(h("div.desk-page", ...deskHead("issues", "问题台账"), h("p.card.warn", err instanceof NetworkError ? "需要联网才能查看问题台账" : err.message)));
  }
  if (!stillOn(hash)) return;
  const f = view.filters;
  const form = h("form.desk-filters", { onsubmit: (e) => { e.preventDefault(); apply(); } },
    admin ? select("county_id", "县区", look.counties.map((c) => [c.id, c.name]), f.county_id) : null,
    select("area", "类别", AREAS.map((a) => [a, a]), f.area),
    select("department_id", "责任部门", look.departments.map((d) => [d.id, d.active ? d.name : `${d.name}（已停用）`]), f.department_id),
    select("state", "状态", STATES, f.state),
    select("severity", "严重程度", SEVERITIES, f.severity),
    select("source", "来源", SOURCES, f.source),
    h("label.filter", "发现自", h("input", { type: "date", name: "from", value: f.from || "" })),
    h("label.filter", "至", h("input", { type: "date", name: "to", value: f.to || "" })),
    h("label.filter", "编号或描述", h("input", { type: "search", name: "q", value: f.q || "", placeholder: "如 盐湖-2026-0057" })),
    h("label.filter.check", h("input", { type: "checkbox", name: "overdue", checked: f.overdue === "true" }), "只看逾期"),
    h("label.filter", "排序", h("select", { name: "sort", "aria-label": "排序" },
      SORTS.map(([v, text]) => h("option", { value: v, selected: v === view.sort }, text)))),
    h("button.primary", { type: "submit" }, "查询"),
    h("button", { type: "button", onclick: () => { view.filters = {}; view.sort = "-found_at"; view.offset = 0; issuesDesk(); } }, "清除条件"));
  form.addEventListener("change", () => apply());

  function apply() {
    const data = new FormData(form);
    view.filters = {};
    for (const [k, v] of data.entries()) if (v && k !== "sort") view.filters[k] = k === "overdue" ? "true" : String(v).trim();
    view.sort = data.get("sort") || "-found_at";
    view.offset = 0;
    load();
  }

  const chosen = new Set();
  const table = h("div.desk-table");
  const pager = h("div.pager");
  const bulk = bulkBar(look, admin, chosen, () => load());

  let asked = 0; // the newest query: an older one answering after it must not draw over it
  async function load() {
    const mine = ++asked;
    fill(table, h("p.muted", "正在读取…"));
    const params = new URLSearchParams({ ...view.filters, sort: view.sort, offset: String(view.offset), limit: String(PAGE) });
    let page;
    try {
      page = await api.get(`/api/issues?${params}`);
    } catch (err) {
      if (mine !== asked) return;
      return fill(table, h("p.warn", err instanceof NetworkError ? "需要联网才能查看问题台账" : err.message));
    }
    if (!stillOn(hash) || mine !== asked) return;
    chosen.clear();
    bulk.update();
    const all = h("input", { type: "checkbox", "aria-label": "全选本页", onchange: (e) => {
      for (const box of table.querySelectorAll("tbody input[type=checkbox]:not(:disabled)")) {
        box.checked = e.target.checked;
        box.dispatchEvent(new Event("change"));
      }
    } });
    fill(table, page.items.length ? h("table.desk.issues-desk",
      h("thead", h("tr", h("th", all), ...["编号", "县区", "安置点", "类别", "发现的问题", "严重程度", "责任部门", "责任人", "发现时间", "整改期限", "状态"].map((x) => h("th", x)))),
      h("tbody", page.items.map((i) => h("tr", { "data-issue": String(i.id), class: i.overdue ? "late" : "" },
        // a closed issue (已销号) is not reassigned: not offered for 批量分派
        h("td", h("input", { type: "checkbox", "aria-label": `选择 ${i.number}`, disabled: i.state === "closed", title: i.state === "closed" ? "已销号，不能分派" : null, onchange: (e) => {
          if (e.target.checked) chosen.add(i.id); else chosen.delete(i.id);
          bulk.update();
        } })),
        h("td", h("a", { href: `#/desk/issue/${i.id}` }, i.number || String(i.id))), h("td", i.county_name), h("td", i.site_name), h("td", i.area),
        h("td.finding", i.description), h("td", h("span", { class: `pill sev-${i.severity}` }, i.severity_name)),
        h("td", look.department[i.department_id] || "—"), h("td", i.responsible_person || "—"), h("td", formatTime(i.found_at)),
        h("td", i.deadline, i.escalation_name ? h("span.pill.overdue", i.escalation_name) : null),
        h("td", h("span", { class: `pill ${i.state}` }, i.state_name))))))
      : h("p.muted", "没有符合条件的问题。"));
    const last = Math.min(page.offset + page.items.length, page.total);
    fill(pager, h("span", page.total ? `第 ${page.offset + 1}–${last} 条，共 ${page.total} 条` : "共 0 条"),
      h("button", { type: "button", disabled: page.offset === 0, onclick: () => { view.offset = Math.max(0, view.offset - PAGE); load(); } }, "上一页"),
      h("button", { type: "button", disabled: last >= page.total, onclick: () => { view.offset += PAGE; load(); } }, "下一页"));
  }

  mount(h("div.desk-page", ...deskHead("issues", "问题台账"), h("section.card", form), bulk.el, h("section.card", table, pager)));
  load();
}

// 批量分派: what is filled is set on every ticked issue; the server checks each one and writes all or none
function bulkBar(look, admin, chosen, done) {
  const count = h("b");
  const department = h("select", { "aria-label": "责任部门" }, h("option", { value: "" }, "（不改）"),
    look.departments.filter((d) => d.active).map((d) => h("option", { value: String(d.id) }, d.name)));
  const person = h("input", { type: "text", maxlength: "64", placeholder: "（不改）", "aria-label": "责任人" });
  const deadline = admin ? h("input", { type: "date", "aria-label": "整改期限" }) : null;
  const message = h("p.bulk-message", { role: "status" });
  const send = h("button.primary", { type: "button", onclick: async () => {
    const body = { issue_ids: [...chosen] };
    if (department.value) body.department_id = Number(department.value);
    if (person.value.trim()) body.responsible_person = person.value.trim();
    if (deadline && deadline.value) body.deadline = deadline.value;
    if (Object.keys(body).length === 1) return fill(message, h("span.warn", "请选择责任部门、填写责任人或整改期限。"));
    send.disabled = true;
    try {
      const r = await api.post("/api/issues/assignment", body);
      toast(`已分派 ${r.issues} 个问题${r.changed < r.issues ? `（其中 ${r.issues - r.changed} 个原已如此）` : ""}`);
      fill(message);
      person.value = "";
      department.value = "";
      if (deadline) deadline.value = "";
      done();
    } catch (err) {
      send.disabled = false;
      fill(message, h("span.warn", err instanceof NetworkError ? "分派需要联网" : `未分派任何问题。${err.message}`));
    }
  } }, "分派");
  const el = h("section.card.bulk", { hidden: true }, h("h2", "批量分派"),
    h("div.bulk-row", h("span", "已选 ", count, " 个问题"), h("label.filter", "责任部门", department), h("label.filter", "责任人", person),
      deadline ? h("label.filter", "整改期限", deadline) : null, send), message);
  return { el, update: () => { el.hidden = chosen.size === 0; count.textContent = String(chosen.size); send.disabled = chosen.size === 0; } };
}

export async function issueDesk(id) {
  const hash = location.hash;
  let issue;
  let look;
  try {
    [issue, look] = await Promise.all([api.get(`/api/issues/${id}`), loadLookups()]);
  } catch (err) {
    const text = err instanceof NetworkError ? "需要联网才能查看" : err.status === 404 ? "找不到此问题或无权查看。" : err.message;
    return mount(h("div.desk-page", ...deskHead("issues", "问题"), h("p.card.warn", text)));
  }
  if (!stillOn(hash)) return;
  const site = await api.get(`/api/sites/${issue.site_id}`).catch(() => null);
  if (!stillOn(hash)) return;
  const rounds = issue.rounds || [];
  const latest = rounds[rounds.length - 1];
  const history = [
    [issue.found_at, `发现问题（${t.severities[issue.severity] || issue.severity_name}）`, issue.note ? `督查员备注：${issue.note}` : ""],
    ...(issue.refindings || []).map((r) => [r.found_at, "复查仍未整改", r.description]),
    ...rounds.flatMap((r) => [
      [r.submitted_at, `第 ${r.round} 轮整改报送（${r.responsible_person}）`, r.measures],
      ...(r.outcome ? [[r.outcome === "accepted" ? issue.closed_at || r.submitted_at : r.submitted_at,
        r.outcome === "accepted" ? "核查通过，销号" : "核查退回", r.outcome_reason]] : []),
    ]),
  ];
  mount(h("div.desk-page.issue-desk", ...deskHead("issues", `问题 ${issue.number}`, h("a.button", { href: "#/desk/issues" }, "返回问题台账")),
    h("p.pills", h("span", { class: `pill ${issue.state}` }, issue.state_name), h("span", { class: `pill sev-${issue.severity}` }, issue.severity_name),
      issue.overdue ? h("span.pill.overdue", issue.escalation_name || t.overdue) : null),
    h("div.desk-columns",
      h("section.card",
        h("h2", issue.description),
        h("dl.facts",
          h("dt", "安置点"), h("dd", site ? `${site.county_name} · ${site.name}` : String(issue.site_id)),
          h("dt", "类别"), h("dd", `${issue.area}${issue.section ? ` · ${issue.section}` : ""}`),
          issue.requirement ? [h("dt", "检查要求"), h("dd", issue.requirement)] : null,
          issue.basis ? [h("dt", "政策依据"), h("dd", issue.basis)] : null,
          h("dt", "责任部门"), h("dd", look.department[issue.department_id] || "—"),
          h("dt", "责任人"), h("dd", issue.responsible_person || "—"),
          h("dt", "发现时间"), h("dd", formatTime(issue.found_at)),
          h("dt", "整改期限"), h("dd", issue.deadline)),
        h("h3", "经过"),
        h("ol.history", history.map(([at, what, text]) => h("li", h("time", formatTime(at)), " ", h("b", what), text ? h("p", text) : null)))),
      h("section.card.before-after",
        h("h2", "整改前后对比"),
        h("div.side-by-side",
          h("figure", h("figcaption", "整改前（发现时）"), photoColumn(issue.photos)),
          h("figure", h("figcaption", latest ? `整改后（第 ${latest.round} 轮）` : "整改后"), latest ? photoColumn(latest.photos) : h("p.muted", "尚未报送整改"))),
        issue.allowed_moves.includes("accept") ? verifyBox(issue) : null)),
  ));
}

// each photo with what the server found about it: distance from the site, EXIF vs capture time, the visit's time
function photoColumn(ids) {
  if (!ids || !ids.length) return h("p.muted", "无照片");
  return h("div.photo-column", ids.map((id) => {
    const facts = h("small.photo-facts", "…");
    api.get(`/api/photos/${id}`).then((p) => fill(facts,
      p.taken_at ? `拍摄 ${formatTime(p.taken_at)}` : "无拍摄时间",
      p.distance_m != null ? ` · 距安置点 ${Math.round(p.distance_m)} 米` : " · 无位置",
      p.far_from_site ? h("span.pill.flag", "距离过远") : null,
      p.time_mismatch ? h("span.pill.flag", "拍摄时间不符") : null,
      p.outside_visit ? h("span.pill.flag", "不在检查时段") : null)).catch(() => fill(facts, "照片待上传"));
    return h("div.photo-tile", h("a", { href: `/api/photos/${id}/display`, target: "_blank" }, h("img", { src: `/api/photos/${id}/thumb`, alt: "照片" })), facts);
  }));
}

function verifyBox(issue) {
  const comment = h("textarea", { rows: 3, placeholder: t.comment, "aria-label": t.comment });
  const reason = h("input", { type: "text", placeholder: t.noPhotoReason, "aria-label": t.noPhotoReason });
  const send = (accept) => async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    try {
      await api.post(`/api/issues/${issue.id}/verification`, { accept, comment: comment.value, no_photo_reason: reason.value });
      toast(accept ? `${issue.number} 已核查通过，销号` : `${issue.number} 已退回`);
      refreshIssues().catch(() => {});
      issueDesk(issue.id);
    } catch (err) {
      button.disabled = false;
      toast(err instanceof NetworkError ? t.verifyOnline : err.message, "error");
    }
  };
  return h("div.verify", h("h3", "核查"), h("label", t.comment, comment), h("label", t.noPhotoReason, reason),
    h("div.two", h("button.primary", { type: "button", onclick: send(true) }, "通过并销号"), h("button.danger", { type: "button", onclick: send(false) }, t.reject)));
}
