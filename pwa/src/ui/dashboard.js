// The city office's overview: issues by county and state, overdue, the assessment ranking, a
// chart, and ledgers to download (rendered on the server as jobs, with their progress).
import * as store from "../store.js";
import { api, NetworkError } from "../api.js";
import { t, formatTime } from "../messages.js";
import { h, mount, toast, fill } from "./dom.js";
import { runLedger, jobStatus, LEDGER_KINDS } from "./ledgers.js";

const STATES = [["open", "待整改", "#b00020"], ["rectifying", "整改中", "#d08a00"], ["submitted", "待核查", "#0b5394"], ["closed", "已销号", "#1b6e20"]];

export async function dashboardScreen() {
  let data = null;
  try {
    const [counts, assessment] = await Promise.all([api.get("/api/issues/counts"), api.get("/api/assessment")]);
    data = { counts, assessment, at: new Date().toISOString() };
    await store.meta.set("dashboard", data);
  } catch (err) {
    data = await store.meta.get("dashboard");
    if (!data) return mount(h("p.card", err instanceof NetworkError ? "总览需要联网加载。" : err.message));
  }
  const { counts, assessment } = data;
  const total = (key) => counts.reduce((n, c) => n + c[key], 0);
  mount(h("div.dashboard",
    h("header.screen-head", h("a.back", { href: "#/", "aria-label": t.back }, "‹"), h("h1", "总览")),
    h("p.muted", `数据时间 ${formatTime(data.at)}`),
    h("section.card.totals", STATES.map(([key, name]) => h("div.total", h("b", total(key)), h("span", name))),
      h("div.total.overdue", h("b", total("overdue")), h("span", "逾期"))),
    h("section.card", h("h2", "各县问题（按状态）"), chart(counts)),
    h("section.card", h("h2", `年度考核排名（${assessment.from} 至 ${assessment.to}）`), ranking(assessment)),
    h("section.card", h("h2", "台账下载"), ledgerForm())));
}

function chart(counts) {
  const rows = [...counts].sort((a, b) => (b.open + b.rectifying + b.submitted) - (a.open + a.rectifying + a.submitted));
  const max = Math.max(1, ...rows.map((c) => c.open + c.rectifying + c.submitted + c.closed));
  const W = 330, label = 62, bar = 16, gap = 6;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${rows.length * (bar + gap) + 24}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "各县问题数量条形图");
  const el = (name, attrs, text) => {
    const e = document.createElementNS("http://www.w3.org/2000/svg", name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
  };
  rows.forEach((c, n) => {
    const y = n * (bar + gap);
    el("text", { x: 0, y: y + bar - 3, "font-size": 12 }, c.county_name);
    let x = label;
    for (const [key, , color] of STATES) {
      const w = ((W - label - 48) * c[key]) / max;
      if (w > 0) el("rect", { x, y, width: w, height: bar, fill: color });
      x += w;
    }
    el("text", { x: x + 3, y: y + bar - 3, "font-size": 11, fill: c.overdue ? "#b00020" : "#333" }, c.overdue ? `${c.overdue}逾期` : "");
  });
  const legendY = rows.length * (bar + gap) + 14;
  STATES.forEach(([, name, color], i) => {
    el("rect", { x: i * 80, y: legendY - 9, width: 10, height: 10, fill: color });
    el("text", { x: i * 80 + 14, y: legendY, "font-size": 11 }, name);
  });
  return svg;
}

function ranking(a) {
  return h("table.rank", h("tr", h("th", "排名"), h("th", "县（市、区）"), h("th", "得分"), h("th", "")),
    a.counties.map((c) => h("tr", { class: c.flagged ? "flagged" : "" }, h("td", c.rank ?? "—"), h("td", c.county_name),
      h("td", c.score === null ? "无可考核事项" : c.score.toFixed(1)), h("td", c.flagged ? h("span.pill.open", "通报") : ""))));
}

const KINDS = [...LEDGER_KINDS, ["assessment", "年度考核"]];

function ledgerForm() {
  const kind = h("select", KINDS.map(([v, n]) => h("option", { value: v }, n)));
  const format = h("select", h("option", { value: "pdf" }, "PDF"), h("option", { value: "xlsx" }, "Excel"));
  const progress = h("progress", { max: 100, value: 0, hidden: true });
  const status = h("p.muted");
  const go = h("button.primary.big", { type: "button", onclick: async () => {
    go.disabled = true;
    try {
      const job = await runLedger({ kind: kind.value, format: format.value }, (j) => {
        progress.hidden = false;
        progress.value = j.percent;
        status.textContent = jobStatus(j);
      });
      if (job.state === "done") {
        fill(status, h("a", { href: job.file_url, download: job.file_name }, `下载 ${job.file_name}`),
          ` （${job.pages ? `${job.pages} 页，` : ""}${Math.round(job.size_bytes / 1024)} KB）`);
      } else {
        status.textContent = job.error || "生成失败";
      }
    } catch (err) {
      toast(err instanceof NetworkError ? "生成台账需要联网" : err.message, "error");
    } finally {
      go.disabled = false;
    }
  } }, "生成");
  return h("div", h("div.two", kind, format), go, progress, status);
}
