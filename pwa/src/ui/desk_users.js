// 用户与部门 at a desk, for the city admin: every account with its role and scope, a new account
// (the scope its role needs: county, site or department), a name or phone changed, a password reset,
// an account disabled or enabled (its sessions end at once); the departments: a new one, a rename, one
// disabled (its issues keep it; no new issue goes to it) or enabled again.
import { api, NetworkError } from "../api.js";
import { session } from "../data.js";
import { h, mount, fill, toast, confirmTap } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";

const ROLES = [["city_admin", "市级管理员"], ["city_inspector", "市级督导员"], ["county_team", "县级专班"], ["site_manager", "安置点负责人"], ["department", "行业部门"]];
const ROLE = Object.fromEntries(ROLES);
const problem = (err) => (err instanceof NetworkError ? "需要联网" : err.message);
// a change to one account or department: the page drawn again with it, then said in a toast (so
// what the toast confirms is what the page shows, and a tap after it lands on the new page)
const patcher = (path) => async (body, done) => {
  try {
    await api.patch(path, body);
    await usersDesk();
    toast(done);
  } catch (err) {
    toast(problem(err), "error");
  }
};

export async function usersDesk() {
  const hash = location.hash;
  let users;
  let counties;
  let departments;
  let sites;
  try {
    [users, counties, departments, sites] = await Promise.all([api.get("/api/users"), api.get("/api/counties"), api.get("/api/departments?include_inactive=true"),
      api.get("/api/sites?limit=500&include_inactive=true")]);
  } catch (err) {
    return mount(h("div.desk-page", ...deskHead("users", "用户与部门"), h("p.card.warn", problem(err))));
  }
  if (!stillOn(hash)) return;
  const county = Object.fromEntries(counties.map((c) => [c.id, c.name]));
  const dept = Object.fromEntries(departments.map((d) => [d.id, d.name]));
  const site = Object.fromEntries(sites.items.map((s) => [s.id, s.name]));
  const scope = (u) => [u.county_id ? county[u.county_id] : null, u.site_id ? site[u.site_id] || `安置点 ${u.site_id}` : null,
    u.department_id ? dept[u.department_id] : null].filter(Boolean).join(" · ") || "全市";

  const rows = users.map((u) => {
    const name = h("input", { type: "text", value: u.display_name, maxlength: "64", "aria-label": `姓名：${u.username}` });
    const phone = h("input", { type: "text", value: u.phone, maxlength: "32", "aria-label": `电话：${u.username}` });
    const email = h("input", { type: "email", value: u.email, maxlength: "128", placeholder: "（不发邮件）", "aria-label": `邮箱：${u.username}` });
    const password = h("input", { type: "password", placeholder: "新密码（至少 12 位）", autocomplete: "new-password", "aria-label": `新密码：${u.username}` });
    const patch = patcher(`/api/users/${u.id}`);
    const save = h("button", { type: "button", onclick: () => patch({ display_name: name.value.trim(), phone: phone.value.trim(), email: email.value.trim() }, `已保存：${u.username}`) }, "保存");
    const reset = h("button", { type: "button", onclick: () => (password.value ? patch({ password: password.value }, `已重置密码：${u.username}（其登录已全部退出）`)
      : toast("请先填写新密码", "error")) }, "重置密码");
    const toggle = u.id === session.me.id ? h("small.muted", "（本人）")
      : h("button", { type: "button", class: u.active ? "danger" : "", onclick: (e) => (u.active
        ? confirmTap(e.currentTarget, `停用后 ${u.display_name} 立即退出登录，不能再登录`, () => patch({ active: false }, `已停用：${u.username}`))
        : patch({ active: true }, `已启用：${u.username}`)) }, u.active ? "停用" : "启用");
    return h("tr", { "data-user": u.username, class: u.active ? "" : "muted" }, h("td", u.username), h("td", name), h("td", ROLE[u.role] || u.role),
      h("td", scope(u)), h("td", phone, email), h("td", u.active ? "启用" : "已停用"), h("td.actions", save, " ", password, " ", reset, " ", toggle));
  });

  mount(h("div.desk-page", ...deskHead("users", "用户与部门"),
    h("section.card", h("h2", `用户（${users.length}）`), h("div.desk-table", h("table.desk.users",
      h("thead", h("tr", ...["用户名", "姓名", "角色", "范围", "电话 / 邮箱", "状态", "操作"].map((x) => h("th", x)))), h("tbody", rows)))),
    h("div.desk-columns", newUser(counties, departments.filter((d) => d.active), sites.items.filter((x) => x.active)), departmentsCard(departments))));
}

function newUser(counties, departments, sites) {
  const field = (label, el) => h("label.filter", label, el);
  const username = h("input", { type: "text", maxlength: "32", autocomplete: "off" });
  const name = h("input", { type: "text", maxlength: "64" });
  const password = h("input", { type: "password", autocomplete: "new-password" });
  const phone = h("input", { type: "text", maxlength: "32" });
  const email = h("input", { type: "email", maxlength: "128" });
  const role = h("select", ROLES.map(([v, n]) => h("option", { value: v }, n)));
  const county = h("select", h("option", { value: "" }, "（无）"), counties.map((c) => h("option", { value: String(c.id) }, c.name)));
  const site = h("select", h("option", { value: "" }, "（无）"), sites.map((s) => h("option", { value: String(s.id) }, `${s.county_name} · ${s.name}`)));
  const department = h("select", h("option", { value: "" }, "（无）"), departments.map((d) => h("option", { value: String(d.id) }, d.name)));
  const scopes = { county: field("所属县区", county), site: field("所属安置点", site), department: field("所属部门", department) };
  // the scope each role needs (the server checks it too)
  const NEEDS = { city_admin: [], city_inspector: [], county_team: ["county"], site_manager: ["site"], department: ["department", "county"] };
  const show = () => { for (const [k, el] of Object.entries(scopes)) el.hidden = !NEEDS[role.value].includes(k); };
  role.addEventListener("change", show);
  show();
  const message = h("p.bulk-message", { role: "status" });
  const create = h("button.primary", { type: "button", onclick: async () => {
    const body = { username: username.value.trim(), display_name: name.value.trim(), password: password.value, role: role.value, phone: phone.value.trim(), email: email.value.trim() };
    const need = NEEDS[role.value];
    if (need.includes("county") && county.value) body.county_id = Number(county.value);
    if (need.includes("site") && site.value) body.site_id = Number(site.value);
    if (need.includes("department") && department.value) body.department_id = Number(department.value);
    create.disabled = true;
    try {
      await api.post("/api/users", body);
      await usersDesk();
      toast(`已新建用户：${body.username}`);
    } catch (err) {
      create.disabled = false;
      fill(message, h("span.warn", problem(err)));
    }
  } }, "新建用户");
  return h("section.card.new-user", h("h2", "新建用户"),
    h("div.bulk-row", field("用户名", username), field("姓名", name), field("初始密码（至少 12 位）", password), field("电话", phone), field("邮箱（接收催办提醒）", email), field("角色", role),
      scopes.county, scopes.site, scopes.department), create, message);
}

function departmentsCard(departments) {
  const code = h("input", { type: "text", placeholder: "如 tiyu", maxlength: "32", "aria-label": "部门代码" });
  const name = h("input", { type: "text", placeholder: "如 体育局", maxlength: "64", "aria-label": "部门名称" });
  const add = h("button", { type: "button", onclick: async () => {
    try {
      await api.post("/api/departments", { code: code.value.trim(), name: name.value.trim() });
      const added = name.value.trim();
      await usersDesk();
      toast(`已新增部门：${added}`);
    } catch (err) {
      toast(problem(err), "error");
    }
  } }, "新增部门");
  const rows = departments.map((d) => {
    const rename = h("input", { type: "text", value: d.name, maxlength: "64", "aria-label": `部门名称：${d.code}` });
    const patch = patcher(`/api/departments/${d.id}`);
    const save = h("button", { type: "button", onclick: () => (rename.value.trim() && rename.value.trim() !== d.name
      ? patch({ name: rename.value.trim() }, `已改名：${rename.value.trim()}`) : toast("请先填写新的部门名称", "error")) }, "改名");
    const toggle = h("button", { type: "button", class: d.active ? "danger" : "", onclick: (e) => (d.active
      ? confirmTap(e.currentTarget, `停用后${d.name}不再承担新问题，已有问题不变`, () => patch({ active: false }, `已停用：${d.name}`))
      : patch({ active: true }, `已启用：${d.name}`)) }, d.active ? "停用" : "启用");
    return h("tr", { "data-department": d.code, class: d.active ? "" : "muted" },
      h("td", d.code), h("td", rename), h("td", d.active ? "启用" : "已停用"), h("td.actions", save, " ", toggle));
  });
  return h("section.card.departments", h("h2", `行业部门（${departments.length}）`),
    h("table.desk", h("thead", h("tr", ...["代码", "名称", "状态", "操作"].map((x) => h("th", x)))), h("tbody", rows)),
    h("div.bulk-row", h("label.filter", "代码（小写字母）", code), h("label.filter", "名称", name), add));
}
