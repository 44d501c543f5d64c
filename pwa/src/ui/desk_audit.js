// 审计日志 at a desk, for the city admin: whether the chain holds (walked on the server now), and
// the events (who, what, when, which object, and what the event says) with filters and paging.
import { api, NetworkError } from "../api.js";
import { formatTime } from "../messages.js";
import { h, mount, fill } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";

const ACTIONS = {
  login: "登录", logout: "退出", "user.create": "新建用户", "user.update": "修改用户", "site.create": "新增安置点", "site.update": "修改安置点",
  "site.propose": "提出安置点修改", "site.approve": "批准安置点修改", "site.reject": "驳回安置点修改", "department.create": "新增部门", "department.update": "修改部门", "site.disable": "停用安置点", "site.enable": "启用安置点", "notice.escalation": "发出催办提醒",
  "inspection.save": "保存督查", "inspection.submit": "提交督查",
  "issue.raise": "督查发现问题", "issue.create": "登记问题", "issue.refind": "复查再次发现", "issue.update": "修改/分派问题", "issue.start": "开始整改",
  "issue.rectify": "报送整改", "issue.accept": "核查通过销号", "issue.reject": "核查退回", "photo.upload": "上传照片", "photo.flag": "照片标记",
  "photo.forget": "删除照片", "photo.expire": "清理过期未补交记录的照片", "ledger.request": "生成台账", "ledger.queued": "台账排队", "ledger.running": "台账生成中", "ledger.done": "台账生成完成",
  "ledger.failed": "台账生成失败", "ledger.submit": "报送台账", "ledger.mailed": "台账邮件", "plan.create": "抽取计划",
  "plan.read": "查看计划", "plan.list": "查看计划列表", "plan.adjust": "调整计划督查", "plan.cancel": "撤销计划", "plan.visit_done": "计划督查完成",
};
const PAGE = 50;
const view = { filters: {}, offset: 0 };

const summary = (data) => Object.entries(data || {}).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join("；");

export async function auditDesk() {
  const hash = location.hash;
  const chain = h("section.card.chain", h("p.muted", "正在校验审计链…"));
  const table = h("div.desk-table");
  const pager = h("div.pager");
  const f = view.filters;
  const input = (name, label, attrs = {}) => h("label.filter", label, h("input", { name, value: f[name] || "", ...attrs }));
  const form = h("form.desk-filters", { onsubmit: (e) => { e.preventDefault(); apply(); } },
    input("actor", "用户名", { type: "text", placeholder: "如 admin" }),
    h("label.filter", "动作", h("select", { name: "action" }, h("option", { value: "" }, "全部"),
      Object.entries(ACTIONS).map(([k, v]) => h("option", { value: k, selected: f.action === k }, `${v}（${k}）`)))),
    input("object_type", "对象类型", { type: "text", placeholder: "如 issue" }),
    input("object_id", "对象编号", { type: "text" }),
    input("from", "自", { type: "date" }), input("to", "至", { type: "date" }),
    h("button.primary", { type: "submit" }, "查询"),
    h("button", { type: "button", onclick: () => { view.filters = {}; view.offset = 0; auditDesk(); } }, "清除条件"));
  form.addEventListener("change", () => apply());

  function apply() {
    view.filters = {};
    for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) view.filters[k] = String(v).trim();
    view.offset = 0;
    load();
  }

  async function load() {
    fill(table, h("p.muted", "正在读取…"));
    let page;
    try {
      page = await api.get(`/api/audit/events?${new URLSearchParams({ ...view.filters, offset: String(view.offset), limit: String(PAGE) })}`);
    } catch (err) {
      return fill(table, h("p.warn", err instanceof NetworkError ? "需要联网" : err.message));
    }
    if (!stillOn(hash)) return;
    fill(table, page.items.length ? h("table.desk.audit-events",
      h("thead", h("tr", ...["序号", "时间", "用户", "动作", "对象", "内容"].map((x) => h("th", x)))),
      h("tbody", page.items.map((e) => h("tr", { "data-seq": String(e.seq) }, h("td.num", String(e.seq)), h("td", formatTime(e.at)), h("td", e.actor || "（系统）"),
        h("td", ACTIONS[e.action] || e.action, h("br"), h("small.muted", e.action)), h("td", `${e.object_type} ${e.object_id}`),
        h("td.finding", h("small", summary(e.data)))))))
      : h("p.muted", "没有符合条件的事件。"));
    const last = Math.min(page.offset + page.items.length, page.total);
    fill(pager, h("span", page.total ? `第 ${page.offset + 1}–${last} 条，共 ${page.total} 条` : "共 0 条"),
      h("button", { type: "button", disabled: page.offset === 0, onclick: () => { view.offset = Math.max(0, view.offset - PAGE); load(); } }, "上一页"),
      h("button", { type: "button", disabled: last >= page.total, onclick: () => { view.offset += PAGE; load(); } }, "下一页"));
  }

  async function check() {
    try {
      const s = await api.get("/api/audit/verification");
      if (!stillOn(hash)) return;
      fill(chain, h("h2", "审计链"), s.ok
        ? h("p.verdict.same", h("b", "完整"), ` 共 ${s.events} 条事件，逐条校验哈希与印章无误；链头 ${s.head_hash.slice(0, 16)}（校验于 ${formatTime(s.checked_at)}）`)
        : h("p.verdict.altered", h("b", "审计链不完整"), ` ${s.reason}（自第 ${s.first_broken_seq} 条起不可信；校验于 ${formatTime(s.checked_at)}）`));
    } catch (err) {
      fill(chain, h("p.warn", err instanceof NetworkError ? "需要联网" : err.message));
    }
  }

  mount(h("div.desk-page", ...deskHead("audit", "审计日志"), chain, h("section.card", form), h("section.card", table, pager)));
  check();
  load();
}
