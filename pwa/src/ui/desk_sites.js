// 安置点清单 at a desk (wide screen): the site list, its export to Excel, and an import that is
// checked row by row first (every problem shown by row, nothing written), previewed, then confirmed.
// The city admin disables a closed or merged site (撤并) with a reason, or enables it again.
import { api, request, ApiError, NetworkError } from "../api.js";
import { session } from "../data.js";
import { h, mount, fill, toast, confirmTap } from "./dom.js";
import { deskHead } from "./desk.js";
import { siteForm } from "./desk_site_form.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const ACTIONS = { create: "新增", update: "修改", unchanged: "无变化" };
const FIELDS = {
  township: "乡镇", name: "名称", address: "地址", lat: "纬度", lon: "经度", registered_people: "建档立卡搬迁人口",
  other_people: "同步搬迁人口", households: "户数", building_count: "楼栋数", has_workshop: "车间工坊",
  has_first_secretary: "第一书记", has_greenhouses: "配套产业", has_lift: "电梯", has_piped_gas: "管道燃气",
};
const yes = (v) => (v ? "有" : "—");

export async function sitesDesk() {
  const admin = session.me.role === "city_admin";
  const list = h("div.desk-table");
  const result = h("section.card.sheet-result", { hidden: true, "aria-live": "polite" });
  const search = h("input", { type: "search", placeholder: "按名称搜索", "aria-label": "按名称搜索" });
  let timer = null;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => load(), 250); });
  const withInactive = h("input", { type: "checkbox", onchange: () => load() });
  // one site added or edited, in a form above the list
  const formBox = h("div");
  let counties = null;
  const openForm = async (site) => {
    try {
      counties ||= await api.get("/api/counties");
    } catch (err) {
      return toast(err instanceof NetworkError ? "需要联网" : err.message, "error");
    }
    fill(formBox, siteForm(site, counties, (saved) => { fill(formBox); if (saved) load(); }));
    formBox.scrollIntoView({ block: "start" });
  };

  async function load() {
    fill(list, h("p.muted", "正在读取…"));
    try {
      const q = search.value.trim();
      const page = await api.get(`/api/sites?limit=500${withInactive.checked ? "&include_inactive=true" : ""}${q ? `&q=${encodeURIComponent(q)}` : ""}`);
      fill(list, h("p.muted", `共 ${page.total} 个安置点${page.total > page.items.length ? `，显示前 ${page.items.length} 个` : ""}`),
        h("table.desk", h("thead", h("tr", ...["编号", "县区", "乡镇", "安置点", "建档立卡搬迁人口", "同步搬迁人口", "户数", "楼栋数",
          "车间工坊", "第一书记", "配套产业", "电梯", "管道燃气", "状态"].map((x) => h("th", x)), admin ? h("th", "操作") : null)),
        h("tbody", page.items.map((s) => h("tr", { "data-site": s.id, class: s.active ? "" : "muted" },
          h("td", String(s.id)), h("td", s.county_name), h("td", s.township || ""), h("td", s.name),
          h("td.num", s.registered_people ? String(s.registered_people) : "未登记"), // (a bare 0 would read as "no attributes")
          h("td.num", String(s.other_people)), h("td.num", String(s.households)), h("td.num", String(s.building_count)), h("td", yes(s.has_workshop)),
          h("td", yes(s.has_first_secretary)), h("td", yes(s.has_greenhouses)), h("td", yes(s.has_lift)), h("td", yes(s.has_piped_gas)),
          h("td", s.active ? "在用" : h("span", { title: s.status_reason }, `已停用：${s.status_reason}`)),
          admin ? h("td.actions", h("div.row-actions", h("button", { type: "button", onclick: () => openForm(s) }, "编辑"), statusControl(s, load))) : null)))));
    } catch (err) {
      fill(list, h("p.warn", err instanceof NetworkError ? "需要联网才能查看安置点清单" : err.message));
    }
  }

  // the chosen workbook is checked (dry run) first; the import itself needs a second, explicit click
  const file = h("input", { type: "file", accept: `.xlsx,${XLSX}`, "aria-label": "选择安置点清单（Excel）" });
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    file.value = "";
    if (!chosen) return;
    show(h("p.muted", `正在检查 ${chosen.name}…`));
    try {
      const check = await send(chosen, true);
      const changes = check.creates + check.updates;
      const confirm = h("button.primary", { type: "button", disabled: changes === 0, onclick: async () => {
        confirm.disabled = true;
        try {
          const done = await send(chosen, false);
          show(h("p.done", `已导入：新增 ${done.creates} 个，修改 ${done.updates} 个。`));
          toast(`安置点清单已导入：新增 ${done.creates} 个，修改 ${done.updates} 个`);
          load();
        } catch (err) {
          confirm.disabled = false;
          refused(err);
        }
      } }, "确认导入");
      show(h("p", `检查通过：共 ${check.rows} 行，将新增 ${check.creates} 个、修改 ${check.updates} 个，${check.unchanged} 个无变化。尚未写入。`),
        lines(check.lines.filter((l) => l.action !== "unchanged"), false), changes ? confirm : h("p.muted", "表中没有要导入的改动。"));
    } catch (err) {
      refused(err);
    }
  });

  const send = (chosen, dryRun) => request("POST", `/api/sites/sheet?dry_run=${dryRun}`, { body: chosen, contentType: XLSX, timeoutMs: 120000 });
  const show = (...children) => { result.hidden = false; fill(result, h("h2", "导入结果"), ...children); };
  const refused = (err) => {
    if (err instanceof ApiError && err.code === "sheet_invalid") {
      const bad = err.detail.lines.filter((l) => l.errors.length);
      return show(h("p.warn", `有 ${bad.length} 行有问题，未导入任何数据。请在 Excel 中改正后重新选择文件。`), lines(bad, true));
    }
    show(h("p.warn", err instanceof NetworkError ? "导入需要联网" : err.message));
  };

  mount(h("div.desk-page",
    ...deskHead("sites", "安置点清单",
      admin ? h("button", { type: "button", onclick: () => openForm(null) }, "新增安置点") : null,
      h("a.button", { href: "/api/sites/sheet", download: "安置点清单.xlsx" }, "导出 Excel"),
      admin ? h("label.button.file-button", "导入 Excel…", file) : null),
    admin ? h("p.muted", "导入：先导出清单，在导出的表上修改或在末尾添加行（新增的安置点编号留空），再选择文件。系统先逐行检查，全部无误并经确认后才写入。") : null,
    result, formBox, h("section.card", search, h("label.inline-check", withInactive, "显示已停用的安置点"), list)));
  load();
}

// 停用 asks for the reason and a second tap (its planned visits not yet made are cancelled); 启用 the reason
function statusControl(site, reload) {
  // the reason's box shows on the first tap (a row stays one line until then)
  const reason = h("input", { type: "text", maxlength: "500", placeholder: "原因（必填）", hidden: true, "aria-label": `停用或启用原因：${site.name}` });
  const send = async () => {
    try {
      const out = await api.post(`/api/sites/${site.id}/status`, { active: !site.active, reason: reason.value.trim() });
      await reload(); // the list drawn again first: the toast confirms what it shows
      toast(site.active ? `已停用：${site.name}${out.planned_visits_cancelled ? `，撤销未完成的计划督查 ${out.planned_visits_cancelled} 次` : ""}`
        : `已启用：${site.name}`);
    } catch (err) {
      toast(err instanceof NetworkError ? "需要联网" : err.message, "error");
    }
  };
  const button = h("button", { type: "button", class: site.active ? "danger" : "", onclick: (e) => {
    if (reason.value.trim().length < 2) {
      reason.hidden = false;
      reason.focus();
      return toast("请先填写原因（至少 2 个字）", "error");
    }
    return site.active ? confirmTap(e.currentTarget, `停用后${site.name}不再出现在手机的安置点列表和抽取中，已有记录不变`, send) : send();
  } }, site.active ? "停用" : "启用");
  return h("div.status-control", reason, button);
}

function lines(rows, problems) {
  return h("table.desk.sheet-lines", h("thead", h("tr", h("th", "Excel 行"), h("th", "安置点"), h("th", problems ? "问题" : "将要"))),
    h("tbody", rows.map((l) => h("tr", { "data-row": l.row, class: problems ? "bad" : "" }, h("td.num", String(l.row)), h("td", l.name || "（无名称）"),
      h("td", problems ? h("ul", l.errors.map((e) => h("li", e)))
        : `${ACTIONS[l.action]}${l.changes.length ? `：${l.changes.map((c) => FIELDS[c] || c).join("、")}` : ""}`)))));
}
