// 督查计划 (四不两直) at a desk, for the city office, and a county team's own 自查计划 (its sites, its
// members): the month's draw with every candidate's weight and why before it is made; a plan as a
// calendar and a table where one visit gets another day or person, or the whole plan is cancelled or
// redrawn, each with a reason (audited on the server). Nothing here reaches the inspected side: the
// server answers them as if no plan existed.
import { api, NetworkError } from "../api.js";
import { shanghaiDate } from "../dates.js";
import { formatTime } from "../messages.js";
import { session } from "../data.js";
import { h, mount, fill, toast, confirmTap } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";

const STATE = { planned: "待督查", done: "已完成", cancelled: "已撤销" };
const WEEK = ["一", "二", "三", "四", "五", "六", "日"];
const problem = (err) => (err instanceof NetworkError ? "需要联网" : err.message);

function nextMonth() {
  const [y, m] = shanghaiDate().split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

// whom the caller's plans may take (the server decides: the city's inspectors, or the county's team)
const inspectors = () => api.get("/api/plans/inspectors");
const county = () => session.me.role === "county_team";
const kind = () => (county() ? "自查计划" : "督查计划");

export async function plansDesk() {
  const hash = location.hash;
  let plans;
  let people;
  let candidates;
  try {
    [plans, people, candidates] = await Promise.all([api.get("/api/plans"), inspectors(), api.get("/api/plans/candidates")]);
  } catch (err) {
    return mount(h("div.desk-page", ...deskHead("plans", kind()), h("p.card.warn", problem(err))));
  }
  if (!stillOn(hash)) return;
  const month = h("input", { type: "month", value: nextMonth(), "aria-label": "计划月份" });
  const count = h("input", { type: "number", min: "1", max: String(Math.min(500, candidates.length)), value: String(Math.min(10, candidates.length)), "aria-label": "抽取安置点数" });
  const boxes = people.map((u) => h("label.check", h("input", { type: "checkbox", value: String(u.id), checked: county() || u.role === "city_inspector" }), u.display_name));
  const message = h("p.bulk-message", { role: "status" });
  const make = h("button.primary", { type: "button", onclick: async () => {
    const ids = boxes.map((b) => b.firstChild).filter((c) => c.checked).map((c) => Number(c.value));
    if (!ids.length) return fill(message, h("span.warn", "请至少选择一名督查人员"));
    make.disabled = true;
    try {
      const plan = await api.post("/api/plans", { month: month.value, count: Number(count.value), inspector_ids: ids });
      toast(`已抽取 ${plan.month} 的${kind()}：${plan.visits.length} 个安置点`);
      location.hash = `#/desk/plan/${plan.uuid}`;
    } catch (err) {
      make.disabled = false;
      fill(message, h("span.warn", problem(err)));
    }
  } }, "抽取");

  mount(h("div.desk-page", ...deskHead("plans", county() ? "县级自查计划（本县安置点）" : "督查计划（四不两直）"),
    h("div.desk-columns",
      h("section.card.plan-new", h("h2", "抽取新计划"),
        h("div.bulk-row", h("label.filter", "月份", month), h("label.filter", "安置点数", count)),
        h("fieldset.inspectors", h("legend", county() ? "自查人员（本县专班，轮流分派）" : "督查人员（轮流分派）"), boxes),
        h("p.muted", "按风险加权随机抽取（种子记录在案，可复核）：权重 = 1 + 2×未销号问题 + 3×逾期问题 + 距上次督查天数÷30（最多 180 天）+ 0.5×历史问题 + 搬迁人口÷1000。督查日期在当月随机，被督查方看不到计划。"),
        make, message),
      h("section.card", h("h2", "已有计划"), plans.length ? h("table.desk.plans-list",
        h("thead", h("tr", ...["月份", "安置点", "状态", "抽取时间", "种子"].map((x) => h("th", x)))),
        h("tbody", plans.map((p) => h("tr", { "data-plan": p.uuid, class: p.state === "cancelled" ? "muted" : "" },
          h("td", h("a", { href: `#/desk/plan/${p.uuid}` }, p.month)), h("td.num", String(p.visits)),
          h("td", p.state === "cancelled" ? "已撤销" : "有效"), h("td", formatTime(p.created_at)), h("td", h("code", p.seed))))))
        : h("p.muted", "还没有计划。"))),
    h("section.card", h("h2", `候选安置点及权重（${candidates.length} 个，按权重排序）`),
      h("div.desk-table", h("table.desk.candidates",
        h("thead", h("tr", ...["安置点", "县区", "未销号问题", "逾期问题", "距上次督查（天）", "历史问题", "搬迁人口", "权重", "抽中可能占比"].map((x) => h("th", x)))),
        h("tbody", candidates.map((c) => h("tr", { "data-site": String(c.site_id) },
          h("td", c.site_name), h("td", c.county_name), h("td.num", String(c.open_issues)), h("td.num", String(c.overdue_issues)),
          h("td.num", c.days_since_last_visit >= 180 ? "180（未督查过或更久）" : String(c.days_since_last_visit)),
          h("td.num", String(c.past_issues)), h("td.num", String(c.total_people)), h("td.num", c.weight.toFixed(2)),
          h("td.num", `${(c.share * 100).toFixed(1)}%`)))))))));
}

export async function planDesk(uuid) {
  const hash = location.hash;
  let plan;
  let people;
  try {
    [plan, people] = await Promise.all([api.get(`/api/plans/${uuid}`), inspectors()]);
  } catch (err) {
    return mount(h("div.desk-page", ...deskHead("plans", kind()), h("p.card.warn", err.status === 404 ? "计划不存在" : problem(err))));
  }
  if (!stillOn(hash)) return;
  const active = plan.state === "active";
  const reload = () => planDesk(uuid);

  const rows = plan.visits.map((v) => {
    const open = active && v.state === "planned";
    const who = h("select", { "aria-label": `督查人员：${v.site_name}`, disabled: !open },
      people.map((u) => h("option", { value: String(u.id), selected: u.id === v.inspector }, u.display_name)));
    if (!people.some((u) => u.id === v.inspector)) who.prepend(h("option", { value: String(v.inspector), selected: true }, v.inspector_name));
    const day = h("input", { type: "date", value: v.planned_on, min: `${plan.month}-01`, max: `${plan.month}-31`, disabled: !open, "aria-label": `督查日期：${v.site_name}` });
    const reason = h("input", { type: "text", placeholder: "调整原因（必填）", maxlength: "500", "aria-label": `调整原因：${v.site_name}`, disabled: !open });
    const save = h("button", { type: "button", disabled: !open, onclick: async () => {
      const body = { reason: reason.value.trim() };
      if (Number(who.value) !== v.inspector) body.inspector_id = Number(who.value);
      if (day.value !== v.planned_on) body.planned_on = day.value;
      if (!body.inspector_id && !body.planned_on) return toast("没有改动", "error");
      if (!body.reason) return toast("请填写调整原因", "error");
      save.disabled = true;
      try {
        await api.patch(`/api/plans/${uuid}/visits/${v.uuid}`, body);
        await reload(); // the plan drawn again first: the toast confirms what it shows
        toast(`已调整：${v.site_name}`);
      } catch (err) {
        save.disabled = false;
        toast(problem(err), "error");
      }
    } }, "保存");
    return h("tr", { "data-visit": v.uuid }, h("td.num", String(v.rank)), h("td", v.site_name), h("td", v.county_name), h("td", who), h("td", day),
      h("td", h("span", { class: `pill ${v.state}` }, STATE[v.state] || v.state)), h("td", open ? [reason, " ", save] : null));
  });

  const endReason = h("input", { type: "text", placeholder: "原因（必填）", maxlength: "500", "aria-label": "撤销或重新抽取的原因" });
  const needReason = () => (endReason.value.trim().length >= 2 ? true : (toast("请填写原因（至少两个字）", "error"), false));
  const cancel = h("button.danger", { type: "button", onclick: (e) => needReason() && confirmTap(e.currentTarget, "撤销后，本计划未完成的督查将从督查人员手机上撤下", async () => {
    try {
      await api.post(`/api/plans/${uuid}/cancellation`, { reason: endReason.value.trim() });
      await reload();
      toast("计划已撤销");
    } catch (err) {
      toast(problem(err), "error");
    }
  }) }, "撤销计划");
  const redraw = h("button", { type: "button", onclick: (e) => needReason() && confirmTap(e.currentTarget, "将撤销本计划并按原月份、原人数和原督查人员重新抽取", async () => {
    const ids = [...new Set(plan.visits.map((v) => v.inspector))];
    try {
      const fresh = await api.post("/api/plans", { month: plan.month, count: plan.visits.length, inspector_ids: ids, replaces: uuid, reason: endReason.value.trim() });
      toast(`已重新抽取：${fresh.visits.length} 个安置点`);
      location.hash = `#/desk/plan/${fresh.uuid}`;
    } catch (err) {
      toast(problem(err), "error");
    }
  }) }, "重新抽取");

  mount(h("div.desk-page.plan-desk", ...deskHead("plans", `${plan.month} ${plan.scope === "county" ? "自查计划" : "督查计划"}`, h("a.button", { href: "#/desk/plans" }, "全部计划")),
    h("p.plan-facts", h("span", { class: `pill ${active ? "open" : "closed"}` }, active ? "有效" : "已撤销"),
      ` 抽取于 ${formatTime(plan.created_at)} · 种子 `, h("code", plan.seed), ` · ${plan.visits.length} 个安置点`,
      plan.replaces ? h("span", " · 重新抽取自 ", h("a", { href: `#/desk/plan/${plan.replaces}` }, "原计划")) : null),
    active ? null : h("p.card.notice", `已于 ${formatTime(plan.cancelled_at)} 撤销：${plan.cancel_reason}`),
    h("section.card", h("h2", "日历"), calendar(plan)),
    h("section.card", h("h2", "督查安排"), h("div.desk-table", h("table.desk.plan-visits",
      h("thead", h("tr", ...["序号", "安置点", "县区", "督查人员", "日期", "状态", "调整"].map((x) => h("th", x)))), h("tbody", rows)))),
    active ? h("section.card.plan-end", h("h2", "撤销或重新抽取"), h("div.bulk-row", endReason, cancel, redraw)) : null));
}

// the month as weeks (Monday first), each day with its visits
function calendar(plan) {
  const [y, m] = plan.month.split("-").map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7;
  const byDay = {};
  for (const v of plan.visits) (byDay[v.planned_on] ||= []).push(v);
  const cells = [...Array(lead)].map(() => h("div.day.empty"));
  for (let d = 1; d <= days; d++) {
    const key = `${plan.month}-${String(d).padStart(2, "0")}`;
    cells.push(h("div.day", { "data-day": key }, h("b", String(d)),
      (byDay[key] || []).map((v) => h("div", { class: `visit ${v.state}` }, `${v.site_name} · ${v.inspector_name}`))));
  }
  return h("div.calendar", WEEK.map((w) => h("div.weekday", w)), cells);
}
