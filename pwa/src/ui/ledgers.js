// 台账: generate a ledger (a server job, with its progress) and, for a county team, submit (报送)
// the month's work, issue and rectification ledgers; the city sees who sent what for the month.
import { api, request, NetworkError } from "../api.js";
import { session } from "../data.js";
import { h, mount, toast, fill } from "./dom.js";
import { t, formatTime } from "../messages.js";
import { previousMonth } from "../dates.js";

export const LEDGER_KINDS = [["work", "工作台账"], ["issues", "问题台账"], ["rectification", "整改台账"], ["closure", "销号台账"]];

function monthRange(month) {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(y, m, 0).getDate();
  return { date_from: `${month}-01`, date_to: `${month}-${String(last).padStart(2, "0")}` };
}

// The line under a ledger job being made: its state and rows, and why it waits when it was put back
// in the queue (a passing fault: the server tries again by itself).
export function jobStatus(j) {
  const line = `${j.state_name}：${j.rows_done} / ${j.rows_total || "?"} 条`;
  return j.error && j.state === "queued" ? `${line}（${j.error}）` : line;
}

// POST a ledger job and follow it; onProgress(job) on every answer; resolves with the finished job.
export async function runLedger(request, onProgress) {
  let job = await api.post("/api/ledgers", request);
  while (job.state === "queued" || job.state === "running") {
    onProgress(job);
    await new Promise((r) => setTimeout(r, 700));
    job = await api.get(`/api/ledgers/${job.uuid}`);
  }
  onProgress(job);
  return job;
}

export async function ledgersScreen() {
  const county = session.me.role === "county_team";
  const month = h("input", { type: "month", value: previousMonth() });
  const rows = h("div.list");
  const render = () => fill(rows, ...LEDGER_KINDS.filter(([k]) => county ? k !== "closure" : true).map(([kind, name]) => ledgerRow(kind, name, month, county)));
  month.addEventListener("change", render);
  render();
  mount(h("div.ledgers", h("header.screen-head", h("a.back", { href: "#/", "aria-label": t.back }, "‹"), h("h1", county ? "台账报送" : "台账")),
    h("section.card", h("label", "月份", month), rows),
    county ? null : await inboxCard(month.value), verifyCard()));
}

function ledgerRow(kind, name, month, county) {
  const progress = h("progress", { max: 100, value: 0, hidden: true });
  const status = h("p.muted");
  const make = h("button", { type: "button", onclick: async () => {
    make.disabled = true;
    try {
      const job = await runLedger({ kind, format: "pdf", ...monthRange(month.value) }, (j) => {
        progress.hidden = false;
        progress.value = j.percent;
        status.textContent = jobStatus(j);
      });
      if (job.state !== "done") return void (status.textContent = job.error || "生成失败");
      const link = h("a", { href: job.file_url, download: job.file_name }, `下载（${job.pages} 页）`);
      const send = county ? h("button.primary", { type: "button", onclick: () => submit() }, "报送") : null;
      // a month already reported: the same button sends a correction (更正) with its reason
      const reason = h("input", { type: "text", placeholder: "更正原因（必填）", maxlength: 500, hidden: true });
      const submit = async () => {
        send.disabled = true;
        try {
          const s = await api.post(`/api/ledgers/${job.uuid}/submission`, { period: month.value, note: reason.value.trim() });
          fill(status, link, ` · ${s.replaces ? "已更正报送" : "已报送"} ${formatTime(s.submitted_at)}${s.late ? "（逾期）" : ""}`);
          toast(`${name}${s.replaces ? "已更正报送" : "已报送"}`);
        } catch (err) {
          send.disabled = false;
          if (err.code === "correction_note_required") {
            reason.hidden = false;
            send.textContent = "更正报送";
            reason.focus();
          }
          toast(err instanceof NetworkError ? "报送需要联网" : err.message, "error");
        }
      };
      fill(status, ...(send ? [link, " ", reason, send] : [link]));
    } catch (err) {
      toast(err instanceof NetworkError ? "生成台账需要联网" : err.message, "error");
    } finally {
      make.disabled = false;
    }
  } }, "生成");
  return h("div.row.ledger-row", { "data-kind": kind }, h("span.grow", h("b", name), status, progress), make);
}

async function inboxCard(month) {
  try {
    const counties = await api.get(`/api/ledgers/submissions?period=${month}`);
    return h("section.card", h("h2", `${month} 报送情况`), h("table.rank",
      h("tr", h("th", "县（市、区）"), ...counties[0].ledgers.map((l) => h("th", l.name.replace("台账", "")))),
      counties.map((c) => h("tr", h("td", c.county_name), c.ledgers.map((l) => h("td",
        l.file ? h("a", { href: l.file, title: l.files.map((f) => `${formatTime(f.submitted_at)} ${f.covers}${f.note ? `；更正：${f.note}` : ""}`).join("\n") }, l.status_name)
          : h("span", { class: l.status === "missing" ? "warn" : "muted" }, l.status_name)))))));
  } catch {
    return null;
  }
}

// 核对台账文件: is this PDF or spreadsheet (sent by e-mail, printed and scanned back, received from a
// county) byte for byte the one the server made? The server answers same / altered / unknown.
export function verifyCard() {
  const file = h("input", { type: "file", accept: ".pdf,.xlsx,application/pdf,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const answer = h("p.verdict", { role: "status" });
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    answer.className = "verdict muted";
    answer.textContent = `正在核对 ${chosen.name}…`;
    try {
      const r = await request("POST", "/api/ledgers/verification", { body: chosen, contentType: "application/octet-stream", timeoutMs: 120000 });
      answer.className = `verdict ${r.verdict}`;
      fill(answer, h("b", r.verdict_name), h("br"), r.message);
    } catch (err) {
      answer.className = "verdict warn";
      answer.textContent = err instanceof NetworkError ? "核对需要联网" : err.message;
    }
  });
  return h("section.card.verify-ledger", h("h2", "核对台账文件"),
    h("p.muted", "选择收到的台账 PDF 或电子表格，核对是否为本系统生成的原件、是否被改动。"), h("label", "台账文件", file), answer);
}
