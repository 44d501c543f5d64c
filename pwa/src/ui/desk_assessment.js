// 年度考核 at a desk, for the city office: the ranking with the scoring table it used, and one
// county's figures down to the planned visits, issues and sites behind each (each issue opens on
// its desk page).
import { api, NetworkError } from "../api.js";
import { shanghaiDate } from "../dates.js";
import { formatTime } from "../messages.js";
import { h, mount, fill } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";

const period = { from: `${shanghaiDate().slice(0, 4)}-01-01`, to: shanghaiDate() };
const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
// each indicator's numerator and denominator, from a county's row
const PARTS = {
  plan_completion: (c) => [c.visits_planned_done, c.visits_planned, "完成/计划"],
  on_time_closure: (c) => [c.closed_on_time, c.issues_due, "按期销号/到期"],
  overdue_rate: (c) => [c.overdue, c.issues_found, "逾期/发现"],
  repeat_rate: (c) => [c.repeat_findings, null, "复发"],
  self_coverage: (c) => [c.self_inspected_sites, c.sites, "自查安置点/安置点"],
};
// which issues stand behind an indicator (their ``counts`` tag)
const TAGS = [["found", "本期发现"], ["overdue", "逾期未整改"], ["due", "本期到期"], ["on_time", "按期销号"], ["repeat", "复发"]];
const STATES = { open: "待整改", rectifying: "整改中", submitted: "待核查", closed: "已销号" };

function periodForm(onChange) {
  const from = h("input", { type: "date", value: period.from, "aria-label": "开始日期" });
  const to = h("input", { type: "date", value: period.to, "aria-label": "结束日期" });
  const change = () => { if (from.value && to.value) { period.from = from.value; period.to = to.value; onChange(); } };
  from.addEventListener("change", change);
  to.addEventListener("change", change);
  return h("div.bulk-row", h("label.filter", "开始日期", from), h("label.filter", "结束日期", to));
}

const query = () => `from=${period.from}&to=${period.to}`;

export async function assessmentDesk() {
  const hash = location.hash;
  const body = h("div");
  async function load() {
    fill(body, h("p.muted", "正在计算…"));
    let result;
    try {
      result = await api.get(`/api/assessment?${query()}`);
    } catch (err) {
      return fill(body, h("p.card.warn", err instanceof NetworkError ? "需要联网" : err.message));
    }
    if (!stillOn(hash)) return;
    fill(body,
      h("section.card", h("h2", `${result.from} 至 ${result.to} 排名`), h("div.desk-table", h("table.desk.ranking",
        h("thead", h("tr", h("th", "名次"), h("th", "县区"), h("th", "得分"), result.rules.map((r) => h("th", r.name)), h("th", "通报"))),
        h("tbody", result.counties.map((c) => h("tr", { "data-county": String(c.county_id), class: c.flagged ? "bad" : "" },
          h("td.num", c.rank ? String(c.rank) : "—"), h("td", h("a", { href: `#/desk/assessment/${c.county_id}` }, c.county_name)),
          h("td.num", c.score === null ? "无可考核" : c.score.toFixed(2)),
          result.rules.map((r) => {
            const [num, den] = PARTS[r.key] ? PARTS[r.key](c) : [null, null];
            return h("td.num", pct(c.rates[r.key]), num !== null ? h("small.muted", ` ${num}${den !== null ? `/${den}` : ""}`) : null);
          }),
          h("td", c.flagged ? "通报" : ""))))))),
      rulesCard(result));
  }
  mount(h("div.desk-page", ...deskHead("assessment", "年度考核"), h("section.card", periodForm(load)), body));
  load();
}

function rulesCard(result) {
  return h("section.card.scoring", h("h2", "评分规则"), h("table.desk",
    h("thead", h("tr", ...["指标", "权重", "方向", "口径"].map((x) => h("th", x)))),
    h("tbody", result.rules.map((r) => h("tr", h("td", r.name), h("td.num", String(r.weight)), h("td", r.better === "higher" ? "越高越好" : "越低越好"), h("td", r.rule))))),
  h("p.muted", `比率的分母为 0 时不计入（${result.nothing_to_measure || "无可考核"}），得分按其余指标的权重折算；排名最后 ${result.flag_bottom} 名通报。`));
}

export async function countyAssessmentDesk(countyId) {
  const hash = location.hash;
  const body = h("div");
  async function load() {
    fill(body, h("p.muted", "正在计算…"));
    let d;
    try {
      d = await api.get(`/api/assessment/counties/${countyId}?${query()}`);
    } catch (err) {
      return fill(body, h("p.card.warn", err instanceof NetworkError ? "需要联网" : err.message));
    }
    if (!stillOn(hash)) return;
    const c = d.county;
    const list = h("div.desk-table");
    let shown = "found";
    const showIssues = (tag) => {
      shown = tag;
      for (const b of tabs.querySelectorAll("button")) b.classList.toggle("on", b.dataset.tag === tag);
      const rows = d.issues.filter((i) => i.counts.includes(tag));
      fill(list, rows.length ? h("table.desk.behind", h("thead", h("tr", ...["编号", "安置点", "发现的问题", "发现时间", "整改期限", "销号时间", "状态"].map((x) => h("th", x)))),
        h("tbody", rows.map((i) => h("tr", { "data-issue": String(i.id) }, h("td", h("a", { href: `#/desk/issue/${i.id}` }, i.number)), h("td", i.site_name),
          h("td.finding", i.description), h("td", formatTime(i.found_at)), h("td", i.deadline), h("td", i.closed_at ? formatTime(i.closed_at) : "—"),
          h("td", STATES[i.state] || i.state)))))
        : h("p.muted", "没有。"));
    };
    const tabs = h("div.tag-buttons", TAGS.map(([tag, name]) => h("button", { type: "button", "data-tag": tag, onclick: () => showIssues(tag) },
      `${name}（${d.issues.filter((i) => i.counts.includes(tag)).length}）`)));
    fill(body,
      h("section.card", h("h2", `${c.county_name}：得分 ${c.score === null ? "无可考核" : c.score.toFixed(2)}${c.rank ? `，第 ${c.rank} 名` : ""}${c.flagged ? "（通报）" : ""}`),
        h("div.indicators", d.rules.map((r) => {
          const [num, den, what] = PARTS[r.key] ? PARTS[r.key](c) : [null, null, ""];
          return h("div.indicator", { "data-key": r.key }, h("b", r.name), h("span.rate", pct(c.rates[r.key])),
            h("small", `${what} ${num}${den !== null ? ` / ${den}` : ""} · 权重 ${r.weight}`), h("small.muted", r.rule));
        }))),
      h("section.card", h("h2", "问题"), tabs, list,
        d.refindings.length ? h("p", `复查仍未整改（再次发现）：`, d.refindings.map((r) => h("a", { href: `#/desk/issue/${r.issue_id}` }, `${r.number} ${formatTime(r.found_at)}；`))) : null),
      h("section.card", h("h2", `计划督查（${d.planned.length}）`), d.planned.length ? h("table.desk", h("thead", h("tr", ...["安置点", "计划日期", "状态"].map((x) => h("th", x)))),
        h("tbody", d.planned.map((v) => h("tr", h("td", v.site_name), h("td", v.planned_on), h("td", v.state === "done" ? "已完成" : "未完成"))))) : h("p.muted", "本期没有计划督查。")),
      h("section.card", h("h2", `县级自查覆盖的安置点（${d.self_sites.length} / ${c.sites}）`),
        d.self_sites.length ? h("ul", d.self_sites.map((s) => h("li", s.site_name))) : h("p.muted", "本期没有县级自查。")));
    showIssues(shown);
  }
  mount(h("div.desk-page", ...deskHead("assessment", "考核明细", h("a.button", { href: "#/desk/assessment" }, "返回排名")),
    h("section.card", periodForm(load)), body));
  load();
}
