// 报送与核对 at a desk (wide screen): for a month, every county's required ledgers with each file it
// sent (when, by whom, the period and scope the file covers, late or a correction and why), and the
// check of a received PDF or XLSX against what the server made (same / altered / unknown).
import { api, NetworkError } from "../api.js";
import { previousMonth } from "../dates.js";
import { formatTime } from "../messages.js";
import { session } from "../data.js";
import { h, mount, fill } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";
import { verifyCard } from "./ledgers.js";

export async function submissionsDesk() {
  const hash = location.hash;
  const month = h("input", { type: "month", value: previousMonth(), "aria-label": "月份" });
  const overview = h("div.desk-table");
  month.addEventListener("change", () => load());

  async function load() {
    const period = month.value;
    if (!period) return;
    fill(overview, h("p.muted", "正在读取…"));
    let counties;
    try {
      counties = await api.get(`/api/ledgers/submissions?period=${period}`);
    } catch (err) {
      return fill(overview, h("p.warn", err instanceof NetworkError ? "需要联网才能查看报送情况" : err.message));
    }
    if (!stillOn(hash) || period !== month.value) return;
    if (!counties.length) return fill(overview, h("p.muted", "没有需要报送的县区。"));
    fill(overview, h("p.muted", `${period} 的台账应于 ${counties[0].due_on} 前报送。`),
      h("table.desk.submissions-desk",
        h("thead", h("tr", h("th", "县（市、区）"), counties[0].ledgers.map((l) => h("th", l.name)))),
        h("tbody", counties.map((c) => h("tr", { "data-county": String(c.county_id) }, h("th", c.county_name),
          c.ledgers.map((l) => h("td", { "data-kind": l.kind },
            h("span", { class: `pill ${l.status}` }, l.status_name),
            l.files.length ? h("ol.sent-files", l.files.map((f) => h("li",
              h("a", { href: f.file, download: f.file_name }, f.file_name), h("br"),
              h("small", `${formatTime(f.submitted_at)} · ${f.submitted_by}`, f.late ? " · 逾期" : ""), h("br"),
              h("small.muted", `范围：${f.covers}`),
              f.correction ? h("p.small", `更正：${f.note}`) : null))) : null)))))));
  }

  if (session.me.role !== "city_admin") { // a county team sends its own ledgers from 台账报送; the overview is the city's
    return mount(h("div.desk-page", ...deskHead("submissions", "报送与核对"),
      h("p.card", "本县台账的生成与报送在", h("a", { href: "#/ledgers" }, "台账报送"), "中进行；各县报送情况由市办查看。"), verifyCard()));
  }
  mount(h("div.desk-page", ...deskHead("submissions", "报送与核对", h("label.filter", "月份", month)),
    h("section.card", h("h2", "各县报送情况"), overview), verifyCard()));
  load();
}
